"""Bearer-token authentication for the API."""

from __future__ import annotations

from flask import g, request
from flask_smorest import Blueprint

from app.accounts import operations
from app.extensions import db
from app.web.helpers import now


def authenticate_bearer() -> None:
    """Who the bearer token belongs to, in `g.api_user` (None when absent or not valid).
    Session cookies are deliberately not accepted here: the API needs no CSRF token."""
    g.api_user = None
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        g.api_user = operations.user_for_token(db.session, secret.strip(), now=now())
        if g.api_user is not None and db.session.dirty:
            db.session.commit()  # last_used_at


def api_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A flask-smorest blueprint whose requests are authenticated by bearer token."""
    blueprint = Blueprint(name, import_name, **kwargs)
    blueprint.before_request(authenticate_bearer)
    return blueprint
