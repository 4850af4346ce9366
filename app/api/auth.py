"""Bearer-token authentication for the API."""

from __future__ import annotations

from flask import Request, g, request
from flask_smorest import Blueprint, abort
from webargs import core
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


def needs_body(schema) -> bool:
    """A request body is required when its schema has a required field; otherwise leaving
    it out means every field keeps its default (as `{}` does)."""
    schema = schema() if isinstance(schema, type) else schema
    return any(field.required for field in schema.fields.values())


class JsonBodyParser(FlaskParser):
    """A body, when there is one, is JSON; a route whose schema has required fields needs
    one. webargs reads a missing body, or one sent as a form or text, as `{}`, and the
    defaults would then fill in a request that was never made; this answers 400 and 415."""

    def load_json(self, req: Request, schema):
        if not req.get_data(cache=True):
            if not needs_body(schema):
                return core.missing
            abort(
                400,
                message="The request has no body: send a JSON object "
                "(Content-Type: application/json).",
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

    def arguments(self, schema, *, location="json", required=None, **kwargs):
        """The document says a body is required exactly when the parser needs one."""
        if required is None:
            required = location != "json" or needs_body(schema)
        return super().arguments(schema, location=location, required=required, **kwargs)


def api_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A flask-smorest blueprint whose requests are authenticated by bearer token."""
    blueprint = ApiBlueprint(name, import_name, **kwargs)
    blueprint.before_request(authenticate_bearer)
    return blueprint
