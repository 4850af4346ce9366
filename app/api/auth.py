"""Bearer-token authentication for the API."""

from __future__ import annotations

from flask import g, request
from flask_smorest import Blueprint

from app.accounts import operations
from app.extensions import db
from app.web.services import now


def authenticate_bearer() -> None:
    """Who the bearer token belongs to, in `g.api_user` and the token in `g.api_token`
    (None when absent or not valid; `g.api_auth_problem` says why, e.g. expired).
    Session cookies are deliberately not accepted here: the API needs no CSRF token.
    The token's scope is checked by `api_requires` on each route."""
    g.api_user = g.api_token = g.api_auth_problem = None
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        check = operations.check_api_token(db.session, secret.strip(), now=now())
        g.api_auth_problem = check.problem
        if check.token is not None:
            g.api_token, g.api_user = check.token, check.token.user
            if db.session.dirty:
                db.session.commit()  # last_used_at


def api_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A flask-smorest blueprint whose requests are authenticated by bearer token."""
    blueprint = Blueprint(name, import_name, **kwargs)
    blueprint.before_request(authenticate_bearer)
    return blueprint
