"""Errors: the API's one JSON format, friendly pages for people."""

from __future__ import annotations

import re

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from app.core.errors import DomainError, http_status
from app.core.words import N_
from app.extensions import db

API_PREFIX = "/api/"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
}

#: For people, in the request's language (the API honours Accept-Language).
MESSAGES = {
    400: _l("The request could not be read."),
    401: _l("A valid API token is required: send it as 'Authorization: Bearer <token>'."),
    403: _l("Your role does not allow this."),
    404: _l("Nothing here."),
    405: _l("This address does not take that method."),
    409: _l("That clashes with a change made a moment ago; reload and try again."),
    413: _l("The request is too large."),
    415: _l("Send the body as JSON."),
    422: _l("The request is not valid; see fields."),
    429: _l("Too many requests; wait a moment and try again."),
    500: _l("Something went wrong on our side; nothing you sent was lost. Try again."),
}


#: What the API's validation (marshmallow, webargs) and lookups say in English, as message
#: ids: the English text (matched whole, with its numbers or choices as named parts) and
#: its marked message. The `code` of an error stays English.
API_WORDS = [
    (re.compile(pattern), message)
    for pattern, message in (
        (r"Missing data for required field\.", N_("Missing data for required field.")),
        (r"Unknown field\.", N_("Unknown field.")),
        (r"Field may not be null\.", N_("Field may not be null.")),
        (r"Not a valid string\.", N_("Not a valid string.")),
        (r"Not a valid integer\.", N_("Not a valid integer.")),
        (r"Not a valid number\.", N_("Not a valid number.")),
        (r"Not a valid boolean\.", N_("Not a valid boolean.")),
        (r"Not a valid datetime\.", N_("Not a valid datetime.")),
        (r"Invalid input type\.", N_("Invalid input type.")),
        (r"The text is empty\.", N_("The text is empty.")),
        (r"Longer than maximum length (?P<most>\d+)\.", N_("Longer than maximum length %(most)s.")),
        (r"Must be one of: (?P<choices>.+)\.", N_("Must be one of: %(choices)s.")),
        (
            r"Must be greater than or equal to (?P<least>\S+) and less than or equal to "
            r"(?P<most>\S+)\.",
            N_("Must be greater than or equal to %(least)s and less than or equal to %(most)s."),
        ),
        (
            r"Must be greater than or equal to (?P<least>\S+)\.",
            N_("Must be greater than or equal to %(least)s."),
        ),
        (r"No complaint #(?P<number>\d+)\.", N_("No complaint #%(number)s.")),
        (r"No draft #(?P<number>\d+)\.", N_("No draft #%(number)s.")),
    )
]


def in_words(said):
    """The API's English message (or a field's list or dict of them) in the request's
    language, where it is one of API_WORDS or a marked message; anything else as it is."""
    if isinstance(said, dict):
        return {name: in_words(value) for name, value in said.items()}
    if isinstance(said, list):
        return [in_words(value) for value in said]
    if not isinstance(said, str):
        return said
    for pattern, message in API_WORDS:
        found = pattern.fullmatch(said)
        if found:
            return gettext(message, **found.groupdict())
    # A message the API marked with N_; anything else (and "", the catalog's header) as is.
    return gettext(said) if said.strip() else said


def api_error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    fields: dict | None = None,
    headers: dict | None = None,
):
    body = {
        "error": {
            "code": code or CODES.get(status, "error"),
            "message": in_words(str(message)),
            "fields": in_words(fields or {}),
        }
    }
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _fields_from(error: HTTPException) -> dict:
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages") or {}
    # webargs groups messages by location ("json", "query"); people want the field names.
    if set(messages) <= {"json", "query", "form", "files", "headers", "view_args"}:
        merged: dict = {}
        for location_messages in messages.values():
            if isinstance(location_messages, dict):
                merged.update(location_messages)
            else:
                merged["_schema"] = location_messages
        messages = merged
    return messages


def _allow(error: HTTPException) -> dict:
    """A 405 names the methods the URL takes (RFC 9110: `Allow` is required with it)."""
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        return {"Allow": ", ".join(sorted(error.valid_methods))}
    return {}


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if request.path.startswith(API_PREFIX):
        data = getattr(error, "data", None) or {}
        message = data.get("message") or MESSAGES.get(status) or error.description or error.name
        headers = dict(data.get("headers") or {}) | _allow(error)
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="composure"'
        return api_error(
            status, message, code=data.get("code"), fields=_fields_from(error), headers=headers
        )
    if isinstance(error, CSRFError):
        return render_template(
            "errors/error.html",
            status=400,
            title=_l("This form has expired"),
            message=_l(
                "The page was open too long or was sent twice. Go back, "
                "reload the page and send it again; nothing was saved."
            ),
        ), 400
    titles = {
        400: _l("That request could not be read"),
        403: _l("You cannot open this page"),
        404: _l("Page not found"),
        405: _l("That cannot be done here"),
        413: _l("That file is too large"),
        429: _l("Too many attempts"),
        500: _l("Something went wrong"),
    }
    message = MESSAGES.get(status, error.description)
    if status == 403:
        message = _l("Your role does not include this. Ask an admin if you need it.")
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=titles.get(status, error.name),
            message=message,
        ),
        status,
        _allow(error),
    )


def handle_domain_error(error: DomainError):
    """A refusal no view turned into a page of its own: nothing it did is kept. The API
    answers in its JSON format (a refusal of the text names the field it is about)."""
    db.session.rollback()
    status = http_status(error)
    if request.path.startswith(API_PREFIX):
        invalid = status == 422
        return api_error(
            status,
            str(error),
            code=None if invalid else error.code,
            fields={name: [message] for name, message in error.fields.items()} or None,
        )
    return render_template(
        "errors/error.html", status=status, title=_l("That cannot be done"), message=str(error)
    ), status


def handle_unexpected(error: Exception):
    if current_app.config.get("PROPAGATE_EXCEPTIONS"):
        raise error
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_exception(InternalServerError(original_exception=error))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
