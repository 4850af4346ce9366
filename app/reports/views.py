"""The dashboard: HTTP in (the date range in the query string), figures and charts out."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.accounts.permissions import Permission
from app.extensions import db
from app.reports import metrics, panels, ranges
from app.web.access import requires
from app.web.say import PAGE_WORDS
from app.web.services import display_zone, now

blueprint = Blueprint("reports", __name__)


@blueprint.route("/dashboard", endpoint="dashboard")
@requires(Permission.VIEW_COMPLAINTS)
def dashboard():
    zone = display_zone()
    moment = now()
    choice = ranges.choose(
        days=request.args.get("days"),
        first=request.args.get("from"),
        last=request.args.get("to"),
        today=moment.astimezone(zone).date(),
        zone=zone,
    )
    period = choice.range
    data = metrics.for_period(db.session, period, now=moment, zone=zone)
    return render_template(
        "reports/dashboard.html",
        choice=choice,
        period=period,
        presets=ranges.PRESETS,
        max_days=ranges.MAX_DAYS,
        data=data,
        outcomes=metrics.OUTCOMES,
        range_problem=ranges.problem_in(choice, PAGE_WORDS),
        **panels.build(data, period, PAGE_WORDS),
    )
