"""The JSON API under /api/v1: bearer tokens, one error format, an OpenAPI document."""

from __future__ import annotations

from flask import Flask, g, request

from app.accounts import operations
from app.extensions import api, csrf, db
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


def register_api(app: Flask) -> None:
    from app.api.complaints import blueprint as complaints

    for blueprint in (complaints,):
        blueprint.before_request(authenticate_bearer)
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
