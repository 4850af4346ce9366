"""Admin → Audit log: the latest events, filtered, each as a sentence; whether the hash
chain holds; the same events as a CSV download. HTTP in, audit functions out."""

from __future__ import annotations

from dataclasses import asdict
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from flask_babel import gettext
from sqlalchemy import func, select

from app.accounts.permissions import Permission
from app.audit import export, history
from app.audit import log as audit
from app.audit.models import AuditEvent
from app.extensions import db
from app.web.access import requires
from app.web.services import now

#: The audit log keeps UTC, whatever a person's time zone: its days and times read the same
#: for everyone who checks it, and match the CSV export.
AUDIT_ZONE = ZoneInfo("UTC")

blueprint = Blueprint("audit", __name__, url_prefix="/admin/audit")

EVENTS_SHOWN = 200
#: The filter fields in the query string, as `export.parse_filters` names them.
FILTER_FIELDS = ("since", "until", "complaint", "action")
BREAKS_SHOWN = 20


def _typed() -> dict[str, str]:
    return {name: request.args.get(name, "").strip() for name in FILTER_FIELDS}


def _page(typed: dict[str, str], filters: export.Filters | None, problems: dict[str, str]):
    events, matched = [], 0
    if filters is not None:
        query = export.matching(**asdict(filters))
        matched = db.session.scalar(select(func.count()).select_from(query.subquery()))
        events = history.entries(
            db.session, query.order_by(AuditEvent.id.desc()).limit(EVENTS_SHOWN), gettext
        )
    breaks = list(audit.verify(db.session))
    return (
        render_template(
            "audit/index.html",
            typed=typed,
            problems=problems,
            events=events,
            matched=matched,
            events_shown=EVENTS_SHOWN,
            breaks=breaks,
            breaks_shown=BREAKS_SHOWN,
            total=db.session.scalar(select(func.count()).select_from(AuditEvent)),
            csv_url=url_for("audit.export_csv", **{k: v for k, v in typed.items() if v}),
        ),
        400 if problems else 200,
    )


def _filters(typed: dict[str, str]) -> export.Filters:
    return export.parse_filters(**typed, zone=AUDIT_ZONE)


@blueprint.route("", endpoint="index")
@requires(Permission.MANAGE_SETTINGS)
def index():
    typed = _typed()
    try:
        filters = _filters(typed)
    except export.FilterError as error:
        return _page(typed, None, error.fields)
    return _page(typed, filters, {})


@requires(Permission.MANAGE_SETTINGS)
def export_csv():
    typed = _typed()
    try:
        filters = _filters(typed)
    except export.FilterError as error:
        return _page(typed, None, error.fields)
    names = export.actor_labels(db.session)
    lines = export.csv_lines(export.events(db.session, **asdict(filters)), names)
    filename = f"composure-audit-{now().astimezone(AUDIT_ZONE):%Y%m%d}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blueprint.record_once
def _csv_beside_the_page(state) -> None:
    """/admin/audit.csv rather than /admin/audit/.csv, which a blueprint rule would give."""
    state.app.add_url_rule(
        f"{state.url_prefix}.csv", f"{blueprint.name}.export_csv", export_csv, methods=["GET"]
    )
