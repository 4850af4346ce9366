"""`GET /healthz`: is this process serving and can it reach its database?

For load balancers, container health checks and monitoring: no sign-in, no cookie, no
rate limit, one `SELECT 1`. 200 `{"status": "ok", "database": "ok"}`, or 503
`{"status": "unavailable", "database": "<short reason>"}` (the full error is logged, not
shown: the endpoint is public).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from app.extensions import db
from app.web.access import public

blueprint = Blueprint("health", __name__)


@blueprint.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.error("health check: the database is unreachable: %s", error)
        reason = f"unreachable ({type(getattr(error, 'orig', None) or error).__name__})"
        response = jsonify(status="unavailable", database=reason)
        response.status_code = 503
    else:
        response = jsonify(status="ok", database="ok")
    response.headers["Cache-Control"] = "no-store"
    return response
