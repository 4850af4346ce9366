"""Configuration: defaults that run with nothing set, every value overridable by environment.

`Config` is read once by `create_app`. Tests and tools pass their own mapping to
`create_app(config={...})`, which is applied on top.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("COMPOSURE_INSTANCE_DIR", BASE_DIR / "instance"))


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, got {value!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


#: "production" (set by `make serve`, the systemd units and compose.yaml) or "development"
#: (the default: `make run`, the tests). Production refuses to start without a strong
#: SECRET_KEY and a BASE_URL (app/serving/settings.py) and logs one JSON line per request.
COMPOSURE_ENV = os.environ.get("COMPOSURE_ENV", "development").strip().lower()
PRODUCTION = COMPOSURE_ENV == "production"


def _secret_key() -> str:
    """SECRET_KEY from the environment, else (development only) one generated once and kept
    in instance/. In production an unset key stays empty and start-up refuses it."""
    if os.environ.get("SECRET_KEY") or PRODUCTION:
        return os.environ.get("SECRET_KEY", "")
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once cannot write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _env_pairs(name: str) -> dict[str, str]:
    """ "en=en_core_web_sm,de=/opt/models/de" as {"en": "en_core_web_sm", "de": ...}."""
    pairs = {}
    for item in os.environ.get(name, "").split(","):
        key, _, value = item.partition("=")
        if key.strip() and value.strip():
            pairs[key.strip()] = value.strip()
    return pairs


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; we ship psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'composure.sqlite3'}"


class Config:
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = _database_url()
    #: Connections per process: each gunicorn worker (WEB_CONCURRENCY of them) serves
    #: WEB_THREADS requests at once, each holding at most one connection (plus one for a
    #: rate-limit counter and one per background import), so the pool should be at least
    #: WEB_THREADS + 2. The database must accept WEB_CONCURRENCY x (pool size + overflow)
    #: + the workers' connections + yours: 4 x (5 + 10) + a few = ~65 of PostgreSQL's 100.
    #: Recycled after 30 minutes, so a proxy or firewall that drops idle ones does not bite.
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": True,
        "pool_size": _env_int("DATABASE_POOL_SIZE", 5),
        "max_overflow": _env_int("DATABASE_MAX_OVERFLOW", 10),
        "pool_recycle": _env_int("DATABASE_POOL_RECYCLE_SECONDS", 1800),
        "pool_timeout": _env_int("DATABASE_POOL_TIMEOUT_SECONDS", 30),
    }
    #: Keys the audit chain (HMAC). Unset: derived from SECRET_KEY, so rotating SECRET_KEY
    #: would make every keyed event fail verification. Set it in production and keep it.
    AUDIT_KEY = os.environ.get("AUDIT_KEY", "")
    #: PostgreSQL: the role the app connects as, when migrations run as another (the
    #: owner). The migrations grant it what it needs and no more: it can append to the
    #: audit log but not change, remove or unprotect it. See README "On PostgreSQL".
    DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")

    # Company details used in replies, until an admin sets them on Admin → Company details.
    COMPANY_NAME = os.environ.get("COMPANY_NAME", "Northwind Home")
    COMPANY_PHONE = os.environ.get("COMPANY_PHONE", "")
    COMPANY_EMAIL = os.environ.get("COMPANY_EMAIL", "")
    COMPANY_FAQ_URL = os.environ.get("COMPANY_FAQ_URL", "")
    COMPANY_DM_INSTRUCTION = os.environ.get("COMPANY_DM_INSTRUCTION", "send us a DM")
    #: Working days until the follow-up replies promise ("we'll update you by Thursday").
    FOLLOW_UP_DAYS = _env_int("FOLLOW_UP_DAYS", 2)

    #: The reply template library (YAML); checked at start-up.
    RESPONSE_TEMPLATES_DIR = os.environ.get(
        "RESPONSE_TEMPLATES_DIR", str(BASE_DIR / "response_templates")
    )
    #: Trained spaCy pipelines to use when installed, e.g. "en=en_core_web_sm". Without one
    #: (the default) each language runs a blank pipeline with the rules. Never downloaded.
    SPACY_PIPELINES = _env_pairs("SPACY_PIPELINES")
    #: Build the analysis pipelines at start-up rather than on the first complaint.
    ANALYSIS_WARM_UP = _env_bool("ANALYSIS_WARM_UP", True)
    #: IANA zone used to show and read times on screens; stored times are always UTC.
    DISPLAY_TIMEZONE = os.environ.get("DISPLAY_TIMEZONE", "UTC")

    # The screens' languages (Flask-Babel; app/web/language.py)
    #: The languages the screens are translated into, the first the fallback: a person's
    #: profile chooses one, else the browser's Accept-Language, else the first.
    SUPPORTED_LOCALES = [
        code.strip()
        for code in os.environ.get("SUPPORTED_LOCALES", "en,nl,de,es,pl,lv").split(",")
        if code.strip()
    ]
    BABEL_DEFAULT_LOCALE = SUPPORTED_LOCALES[0] if SUPPORTED_LOCALES else "en"
    #: Where the catalogs are (.po written by translators, .mo compiled and committed).
    BABEL_TRANSLATION_DIRECTORIES = os.environ.get(
        "BABEL_TRANSLATION_DIRECTORIES", str(BASE_DIR / "app" / "translations")
    )

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Set when people only ever reach the app over HTTPS (a proxy terminating TLS):
    #: cookies are always Secure, every answer carries HSTS and links say https. Without
    #: it, a request that came over HTTPS (directly, or as X-Forwarded-Proto says through
    #: PROXY_COUNT proxies) still gets Secure cookies and HSTS (app/serving/headers.py).
    FORCE_HTTPS = _env_bool("FORCE_HTTPS", False)
    PREFERRED_URL_SCHEME = "https" if FORCE_HTTPS else "http"
    #: Strict-Transport-Security max-age on HTTPS answers (a year); 0 sends none.
    HSTS_SECONDS = _env_int("HSTS_SECONDS", 365 * 24 * 3600)
    #: How many proxies (nginx, a load balancer) stand in front of the app and set
    #: X-Forwarded-For/-Proto/-Host; 0 (the default) believes none of those headers.
    PROXY_COUNT = _env_int("PROXY_COUNT", 0)
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", FORCE_HTTPS)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", FORCE_HTTPS)
    REMEMBER_COOKIE_SAMESITE = "Lax"
    #: "Keep me signed in" lasts this long; a session idle for as long ends (server side).
    REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("REMEMBER_DAYS", 30))
    WTF_CSRF_TIME_LIMIT = _env_int("WTF_CSRF_TIME_LIMIT", 8 * 3600)

    # Login throttling, per source: this many failures from one address for one e-mail
    # (or ten times as many from one address for any e-mails) within the window lock that
    # source out for the window, twice as long at its next lock-out, and so on up to a day.
    # The account's owner signing in from another address is not affected.
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_FAILURE_WINDOW_SECONDS = _env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)

    # Intake limits
    MAX_COMPLAINT_CHARS = _env_int("MAX_COMPLAINT_CHARS", 50_000)
    MAX_IMPORT_BYTES = _env_int("MAX_IMPORT_BYTES", 64 * 1024 * 1024)
    #: The largest request body anywhere but the import upload, which takes
    #: MAX_IMPORT_BYTES plus 1 MB for the form around the file (app/serving/limits.py).
    MAX_CONTENT_LENGTH = _env_int("MAX_REQUEST_BYTES", 1024 * 1024)
    #: The largest text field of a form, and how many fields a form may have.
    MAX_FORM_MEMORY_SIZE = _env_int("MAX_FORM_MEMORY_SIZE", 500_000)
    MAX_FORM_PARTS = _env_int("MAX_FORM_PARTS", 1000)
    IMPORT_BATCH_SIZE = _env_int("IMPORT_BATCH_SIZE", 1000)
    #: Run UI imports in a background thread (the default) or inline (tests, CLI).
    IMPORTS_IN_BACKGROUND = _env_bool("IMPORTS_IN_BACKGROUND", True)
    #: Who runs an uploaded file: "web" (a thread of the web process that took it; for a
    #: first look) or "worker" (`flask worker run`; the web process only queues it). See
    #: README "Workers".
    IMPORTS_RUN_BY = os.environ.get("IMPORTS_RUN_BY", "web").strip().lower()
    #: How long an import's runner holds it without renewing (each batch renews it): a
    #: job left by a process that died is taken over this long after its last batch.
    IMPORT_LEASE_SECONDS = _env_int("IMPORT_LEASE_SECONDS", 60)

    INBOX_PAGE_SIZE = _env_int("INBOX_PAGE_SIZE", 25)
    #: The editor keeps what is typed as the person's working copy (not a revision) this
    #: many milliseconds after typing stops, and when the page is left.
    EDITOR_AUTOSAVE_MS = _env_int("EDITOR_AUTOSAVE_MS", 1500)

    # Cases (issue 18): a message joins the open case of the same handle on the same
    # channel; a case is open while the message arrives within this many hours of the
    # case's latest customer message (README "Cases").
    CASE_OPEN_HOURS = _env_int("CASE_OPEN_HOURS", 72)
    #: The longest internal note on a case, in characters.
    CASE_NOTE_MAX_CHARS = _env_int("CASE_NOTE_MAX_CHARS", 4000)

    # Workflow policy defaults; an admin overrides them on Admin → Workflow policy.
    #: Cooling-off: a base length, more for hot complaints and for drafts whose tone checks
    #: warn, never below the floor (at least 60 s); an edit restarts this share of it.
    COOLING_OFF_BASE_SECONDS = _env_int("COOLING_OFF_BASE_SECONDS", 600)
    COOLING_OFF_HOT_EXTRA_SECONDS = _env_int("COOLING_OFF_HOT_EXTRA_SECONDS", 600)
    COOLING_OFF_WARN_EXTRA_SECONDS = _env_int("COOLING_OFF_WARN_EXTRA_SECONDS", 300)
    COOLING_OFF_FLOOR_SECONDS = _env_int("COOLING_OFF_FLOOR_SECONDS", 120)
    COOLING_OFF_EDIT_RESTART_PERCENT = _env_int("COOLING_OFF_EDIT_RESTART_PERCENT", 100)
    #: Who signs off what, e.g. "legal_threat=legal,media=pr,billing=none" (flags) and
    #: "legal_risk=legal" (tone findings); unset keeps the defaults in app/drafts/policy.py.
    SIGNOFF_FLAGS = _env_pairs("SIGNOFF_FLAGS")
    SIGNOFF_FINDINGS = _env_pairs("SIGNOFF_FINDINGS")
    #: The group that signs off a reply to a complaint in a language Composure has no
    #: rules for ("legal" when unset); it cannot be "none".
    SIGNOFF_UNREAD_LANGUAGE = os.environ.get("SIGNOFF_UNREAD_LANGUAGE", "")
    #: How each channel publishes, e.g. "x=webhook,facebook=webhook"; the rest by hand.
    PUBLISHERS = _env_pairs("PUBLISHERS")

    # Publishing through the webhook adapter (see README "Workers": webhook targets)
    PUBLISH_WEBHOOK_URL = os.environ.get("PUBLISH_WEBHOOK_URL", "")
    PUBLISH_WEBHOOK_SECRET = os.environ.get("PUBLISH_WEBHOOK_SECRET", "")
    PUBLISH_WEBHOOK_TIMEOUT_SECONDS = _env_int("PUBLISH_WEBHOOK_TIMEOUT_SECONDS", 10)
    PUBLISH_MAX_ATTEMPTS = _env_int("PUBLISH_MAX_ATTEMPTS", 8)
    PUBLISH_RETRY_BASE_SECONDS = _env_int("PUBLISH_RETRY_BASE_SECONDS", 30)
    #: Plain http:// only to localhost / loopback, and only when this is on (tests, the
    #: local demo); everything else must be https://.
    PUBLISH_WEBHOOK_ALLOW_HTTP_LOCALHOST = _env_bool("PUBLISH_WEBHOOK_ALLOW_HTTP_LOCALHOST", False)
    #: Host names, addresses or networks the webhook may reach although they are private,
    #: loopback, link-local or reserved, e.g. "hooks.internal,10.20.0.0/16".
    PUBLISH_WEBHOOK_ALLOWED_HOSTS = [
        item.strip()
        for item in os.environ.get("PUBLISH_WEBHOOK_ALLOWED_HOSTS", "").split(",")
        if item.strip()
    ]
    #: How often `flask outbox run` looks for due deliveries and e-mails.
    OUTBOX_POLL_SECONDS = _env_int("OUTBOX_POLL_SECONDS", 5)
    #: Webhook deliveries a worker claims at once, and how long a claim holds (0: twice
    #: the webhook timeout and 5 s): a worker that dies delays its rows that long.
    OUTBOX_CLAIM_SIZE = _env_int("OUTBOX_CLAIM_SIZE", 1)
    OUTBOX_LEASE_SECONDS = _env_int("OUTBOX_LEASE_SECONDS", 0)
    #: How often `flask worker run` goes round its steps (unset: OUTBOX_POLL_SECONDS).
    WORKER_POLL_SECONDS = _env_int("WORKER_POLL_SECONDS", 0)
    #: Warn whoever holds a complaint without a reply (or its market's team, when nobody
    #: does) this long before its due time, in the market's business time; at most a
    #: quarter of its target. CLOCK_WARNING_MINUTES is its former name.
    BREACH_WARNING_MINUTES = _env_int(
        "BREACH_WARNING_MINUTES", _env_int("CLOCK_WARNING_MINUTES", 30)
    )

    # Live pages (issue 18): every page asks `GET /live` for its counts, its draft's state
    # and who else is here, this often while the tab is visible (an unchanged answer is a
    # 304 of a few bytes). A poll rather than server-sent events: every gunicorn worker
    # answers it from the database, and no proxy has to hold a stream open.
    LIVE_POLL_MS = _env_int("LIVE_POLL_MS", 5000)
    #: How often an open draft or complaint page says "I am here" (`POST /live/presence`),
    #: and how long after its last word a person still counts as here.
    LIVE_PRESENCE_MS = _env_int("LIVE_PRESENCE_MS", 20_000)
    LIVE_PRESENCE_SECONDS = _env_int("LIVE_PRESENCE_SECONDS", 60)

    # E-mail copies of notifications: off unless MAIL_SERVER is set.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_FROM = os.environ.get("MAIL_FROM", "composure@localhost")
    #: Where people reach this app, for links in e-mails, invitations and reset links
    #: (never the request's Host). Production refuses to start without it.
    BASE_URL = os.environ.get("BASE_URL", "" if PRODUCTION else "http://127.0.0.1:5000")

    COMPOSURE_ENV = COMPOSURE_ENV
    #: Level of the app's logs (DEBUG, INFO, WARNING, ERROR), written to stderr.
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    #: "json" (one object a line, the production default) or "text" (development).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
    #: One line per request (id, method, path, status, time, user). Off in development,
    #: where the development server prints its own line per request.
    LOG_REQUESTS = _env_bool("LOG_REQUESTS", PRODUCTION)

    # Rate limits (Flask-Limiter): coarse flood guards per address or person, on top of
    # the sign-in throttle above. Counters live in the app's own database
    # (`database://`, shared by every worker); "redis://host:6379" or
    # "memcached://host:11211" work too, with the `redis` or `pymemcache` package added.
    # Limits: "N/second", "N/minute", "N/hour", joined by ";".
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "database://")
    #: No X-RateLimit-* headers (Flask-Limiter would add Retry-After to every limited
    #: answer); a 429 says Retry-After itself (app/serving/limits.py).
    RATELIMIT_HEADERS_ENABLED = False
    #: Sign-in attempts (POST) per address: an office behind one address still signs in.
    RATELIMIT_SIGN_IN = os.environ.get("RATELIMIT_SIGN_IN", "30/minute;300/hour")
    #: API requests per person (per address without a valid token).
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "20/second;600/minute")
    #: The editor's live tone check per person: sent every ~300 ms while typing (about
    #: 200 a minute), so typing without pause stays under it.
    RATELIMIT_LIVE_CHECK = os.environ.get("RATELIMIT_LIVE_CHECK", "10/second;300/minute")

    # OpenAPI document (flask-smorest)
    API_TITLE = "Composure API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
