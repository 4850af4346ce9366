"""Serving Composure in production: what the app does for an operator, wired in two steps
by `create_app`.

- `settings`: what production refuses to start without (SECRET_KEY, BASE_URL).
- `headers`: proxies (PROXY_COUNT), HTTPS (Secure cookies, HSTS), no-store when signed in.
- `requestlog`: one line per request with its id; JSON logs.
- `limits`: request sizes and rate limits (counters in the database: `counters`).
- `health`: `GET /healthz`.
- `gunicorn_config`: the production server's settings (`make serve`).
"""

from __future__ import annotations

from flask import Flask


def prepare(app: Flask) -> None:
    """Before the extensions: refuse an untrustworthy configuration early (before the
    pipelines are built), and put the request id, log and size hooks first in line."""
    from app.serving import headers, limits, requestlog, settings

    settings.check(app.config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = settings.engine_options(app.config)
    headers.trust_proxies(app)
    requestlog.register_request_log(app)
    limits.allow_large_uploads(app)
    headers.register_serving_headers(app)


def finish(app: Flask) -> None:
    """After the blueprints: the health endpoint, the rate limits around the views they
    guard, and the answers for too large and too many."""
    from app.serving import health, limits

    app.register_blueprint(health.blueprint)
    if app.config["RATELIMIT_ENABLED"]:
        limits.apply_rate_limits(app)
    limits.register_limit_errors(app)
