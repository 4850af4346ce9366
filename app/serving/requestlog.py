"""Logs an operator's tools can read: each request as one line with its id, and the app's
own messages in the same format, on stderr.

- LOG_FORMAT "json" (production): one JSON object a line,
  `{"time": …, "level": "INFO", "logger": "app.requests", "message": "request",
  "request_id": …, "method": "GET", "path": "/inbox", "status": 200, "duration_ms": 12.3,
  "user_id": 4, "remote_addr": …}`; "text" (development) keeps Flask's own lines.
- LOG_REQUESTS: the line per request (on in production; the development server prints
  its own). The path is logged without its query string (it may hold a search).
- The request id comes from `X-Request-ID` when it looks like one (a proxy's), otherwise
  it is made here; it is sent back in the answer's `X-Request-ID` either way.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request
from flask.logging import default_handler

#: The app's loggers ("app" is Flask's `app.logger` and the parent of every module's).
APP_LOGGER = "app"
REQUEST_LOGGER = "app.requests"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: What a proxy's request id may look like to be kept (else a new one is made).
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=-]{8,128}")


class JsonFormatter(logging.Formatter):
    """One JSON object per record; a record's `fields` (a dict) are added to it."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(app: Flask) -> None:
    level = str(app.config["LOG_LEVEL"]).upper()
    if level not in LEVELS:
        raise ValueError(f"LOG_LEVEL must be one of {', '.join(LEVELS)}, got {level!r}")
    log_format = app.config["LOG_FORMAT"]
    if log_format not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT must be 'json' or 'text', got {log_format!r}")
    logger = logging.getLogger(APP_LOGGER)
    logger.setLevel(level)
    if log_format == "text":
        app.logger  # noqa: B018  (Flask gives its logger a stderr handler when first used)
    else:
        logger.removeHandler(default_handler)
        if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(JsonFormatter())
            logger.addHandler(handler)


def request_id() -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def register_request_log(app: Flask) -> None:
    configure_logging(app)

    @app.before_request
    def start_request() -> None:
        g.request_id = request_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id") or request_id()
        if current_app.config["LOG_REQUESTS"]:
            fields = request_fields(response)
            logging.getLogger(REQUEST_LOGGER).info(
                "%s %s %s %sms",
                *(fields[name] for name in ("method", "path", "status", "duration_ms")),
                extra={"fields": fields},
            )
        return response


def request_fields(response: Response) -> dict:
    started = g.get("request_started")
    return {
        "request_id": response.headers["X-Request-ID"],
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": user_id(),
        "remote_addr": request.remote_addr,
    }


def user_id() -> int | None:
    """Who made the request, if the request looked them up (never looked up for the log)."""
    person = g.get("api_user") or g.get("_login_user")
    return getattr(person, "id", None)
