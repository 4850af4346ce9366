"""How much may be sent, and how often: request sizes and rate limits, written once here.

Sizes: every request body is held to MAX_CONTENT_LENGTH (1 MB by default; form fields to
MAX_FORM_MEMORY_SIZE, forms to MAX_FORM_PARTS parts) except the import upload, which
takes MAX_IMPORT_BYTES and the form around it. Too large: 413, a page for people saying
nothing was saved, the API's JSON error for programs.

Rates (Flask-Limiter, counters shared by every worker in the app's database, see
`app.serving.counters`): sign-in attempts per address, API requests per person (per
address without a valid token), the editor's live tone check per person. Coarse flood
guards: the sign-in throttle (app/accounts/throttle.py) still decides about passwords.
Too often: 429 with Retry-After, on a page or in the API's JSON error.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext, ngettext
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

import app.serving.counters  # noqa: F401  (registers the "database://" storage)
from app.web.errors import API_PREFIX, api_error

#: Endpoints that take an import file, allowed MAX_IMPORT_BYTES plus this for the form.
LARGE_UPLOADS = {"complaints.imports_index"}
FORM_ALLOWANCE = 1024 * 1024
#: The endpoint of the editor's live tone check.
LIVE_CHECK = "drafts.check"
SIGN_IN = "auth.login"


def allow_large_uploads(app: Flask) -> None:
    """The import upload's own limit, set before anything reads the body (the CSRF check
    reads the form in a hook of its own), hence first among the hooks."""

    def large_upload_limit() -> None:
        if request.endpoint in LARGE_UPLOADS:
            request.max_content_length = current_app.config["MAX_IMPORT_BYTES"] + FORM_ALLOWANCE

    app.before_request_funcs.setdefault(None, []).insert(0, large_upload_limit)


def person_or_address() -> str:
    """Rate-limit key: the person a token or session belongs to, else the address."""
    person = g.get("api_user")
    if person is None and current_user and current_user.is_authenticated:
        person = current_user
    if person is not None:
        return f"person:{person.id}"
    return f"address:{get_remote_address()}"


def address() -> str:
    return f"address:{get_remote_address()}"


def apply_rate_limits(app: Flask) -> Limiter:
    """One limiter per app (its settings are the app's), each limit wrapped around the views
    it guards, so it is checked once the token or session is known."""
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["composure.limiter"] = limiter
    config = app.config
    guard(app, limiter, SIGN_IN, config["RATELIMIT_SIGN_IN"], address, methods=["POST"])
    guard(app, limiter, LIVE_CHECK, config["RATELIMIT_LIVE_CHECK"], person_or_address)
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX) and not rule.endpoint.startswith("api-docs."):
            guard(app, limiter, rule.endpoint, config["RATELIMIT_API"], person_or_address)
    return limiter


def guard(
    app: Flask,
    limiter: Limiter,
    endpoint: str,
    limits: str,
    key: Callable[[], str],
    methods: list[str] | None = None,
) -> None:
    view = app.view_functions[endpoint]
    app.view_functions[endpoint] = limiter.limit(limits, key_func=key, methods=methods)(view)


def retry_after_seconds() -> int:
    limiter = current_app.extensions.get("composure.limiter")
    current = limiter.current_limit if limiter else None
    if current is None:
        return 60
    # reset_at is rounded up to the next second: never say more than the window itself.
    return max(1, min(math.ceil(current.reset_at - time.time()), current.limit.get_expiry()))


def too_many(error: RateLimitExceeded):
    wait = retry_after_seconds()
    headers = {"Retry-After": str(wait)}
    message = ngettext(
        "Too many requests (%(limit)s). Try again in %(num)s second; nothing you sent was kept.",
        "Too many requests (%(limit)s). Try again in %(num)s seconds; nothing you sent was kept.",
        wait,
        limit=error.description,
    )
    if request.path.startswith(API_PREFIX):
        return api_error(429, message, headers=headers)
    page = render_template(
        "errors/error.html", status=429, title=gettext("Slow down a little"), message=message
    )
    return page, 429, headers


def too_large(error: RequestEntityTooLarge):
    limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
    size = f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    if request.path.startswith(API_PREFIX):
        return api_error(413, f"The request is larger than the {size} accepted here.")
    message = (
        f"What you sent is larger than this page accepts (at most {size}). Nothing was "
        "saved: go back, make it shorter (or split the file) and send it again."
    )
    page = render_template(
        "errors/error.html", status=413, title="Too large to send", message=message
    )
    return page, 413


def register_limit_errors(app: Flask) -> None:
    app.register_error_handler(RateLimitExceeded, too_many)
    app.register_error_handler(RequestEntityTooLarge, too_large)
