"""Bearer-token authentication for the API."""

from __future__ import annotations

from flask import Request, g, request
from flask_smorest import Blueprint, abort
from webargs.flaskparser import FlaskParser, is_json_request

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


class JsonBodyParser(FlaskParser):
    """A route that reads a body needs one, in JSON. webargs reads a missing body, or one
    sent as a form or text, as `{}`, and the defaults would then fill in a request that
    was never made (an empty POST took a complaint); this answers 400 and 415 instead."""

    def load_json(self, req: Request, schema):
        if not req.get_data(cache=True):
            abort(
                400,
                message="The request has no body: send a JSON object "
                "(Content-Type: application/json), {} when every field keeps its default.",
                code="missing_body",
            )
        if not is_json_request(req):
            abort(
                415,
                message=f"The body must be JSON (Content-Type: application/json), "
                f"not {req.mimetype or 'without a content type'}.",
            )
        return super().load_json(req, schema)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = JsonBodyParser()


def api_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A flask-smorest blueprint whose requests are authenticated by bearer token."""
    blueprint = ApiBlueprint(name, import_name, **kwargs)
    blueprint.before_request(authenticate_bearer)
    return blueprint
