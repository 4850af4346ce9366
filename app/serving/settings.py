"""What production refuses to start without, said so an operator can fix it at once.

Production is `COMPOSURE_ENV=production` (set by `make serve`, the systemd units and
compose.yaml); anything else but "development" is a typo and refused too, so that
"prod" does not quietly run with development defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ENVIRONMENTS = ("development", "production")
#: Shortest SECRET_KEY accepted in production (token_hex(32) gives 64).
MIN_SECRET_KEY_CHARS = 32
#: Values seen in examples and tutorials; refused however long they are.
KNOWN_WEAK_KEYS = {
    "changeme",
    "change-me",
    "change-this",
    "dev",
    "development",
    "secret",
    "secret-key",
    "test-secret",
    "replace-me-with-64-hex-characters-from-python-secrets-token-hex-32",
}
MAKE_ONE = "python -c 'import secrets; print(secrets.token_hex(32))'"


class SettingsError(RuntimeError):
    """A setting production cannot run with; the message names it and how to fix it."""


def is_production(config: Mapping[str, Any]) -> bool:
    return config.get("COMPOSURE_ENV") == "production"


def check(config: Mapping[str, Any]) -> None:
    """Refuse to start with a setting an operator cannot trust. Development (the default:
    `make run`, the tests) is not checked: it generates its own key in instance/."""
    environment = config.get("COMPOSURE_ENV")
    if environment not in ENVIRONMENTS:
        raise SettingsError(
            f"COMPOSURE_ENV must be 'production' or 'development', got {environment!r}."
        )
    if not is_production(config):
        return
    problem = secret_key_problem(config.get("SECRET_KEY") or "")
    if problem:
        raise SettingsError(
            f"SECRET_KEY {problem}. In production (COMPOSURE_ENV=production) it must be at "
            f"least {MIN_SECRET_KEY_CHARS} random characters, the same for every process "
            f"and across restarts. Make one with: {MAKE_ONE}"
        )
    base_url = config.get("BASE_URL") or ""
    if not base_url.startswith(("https://", "http://")):
        raise SettingsError(
            "BASE_URL is not set: in production links in e-mails, invitations and reset "
            "links are built from it, never from the request. Set it to the address people "
            "open, e.g. BASE_URL=https://composure.example.com"
        )


def secret_key_problem(key: str) -> str | None:
    if not key:
        return "is not set"
    if key.strip().lower() in KNOWN_WEAK_KEYS:
        return "is a well-known example value"
    if len(key) < MIN_SECRET_KEY_CHARS:
        return f"is too short ({len(key)} characters)"
    if len(set(key)) < 8:
        return "repeats too few characters to be random"
    return None


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The configured engine options the database accepts: an in-memory SQLite database
    (one connection, no pool) takes no pool sizes."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    url = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if url in ("sqlite://", "sqlite:///:memory:"):
        for name in ("pool_size", "max_overflow", "pool_timeout"):
            options.pop(name, None)
    return options
