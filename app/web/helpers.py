"""The app's clock, template filters and response headers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_login import current_user

from app.accounts.permissions import Permission, can
from app.complaints import inbox


def now() -> datetime:
    """The current time from the app's clock (frozen in tests, the system clock otherwise)."""
    return current_app.extensions["composure.clock"].now()


def display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def localtime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(display_zone()).strftime(fmt)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["duration"] = inbox.human_duration
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject():
        return {
            "Permission": Permission,
            "can": lambda permission: can(current_user, permission),
            "now": now,
            "response_clock": inbox.clock,
            "display_zone_name": app.config["DISPLAY_TIMEZONE"],
            "company_name": app.config["COMPANY_NAME"],
        }

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
