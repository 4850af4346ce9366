"""The live pages: `GET /live` (the poll), `POST /live/presence` (the heartbeat) and "My
replies". HTTP in, `app.live` and `app.drafts.mine` out.

A poll rather than server-sent events or a WebSocket: each answer is one short request
any gunicorn worker serves from the database (no worker holds a stream, no process keeps
state a sibling lacks, a plain reverse proxy needs no buffering or timeout settings), and
an unchanged answer is a 304 of a few bytes (the page sends the ETag it holds as
If-None-Match; every answer to a signed-in person is `no-store`, so the browser's cache
takes no part).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, g, jsonify, render_template, request
from flask_login import current_user

from app.accounts.permissions import Permission
from app.complaints.models import Complaint
from app.core.ids import is_valid_id, parse_id
from app.drafts import mine
from app.drafts.models import Draft
from app.extensions import db
from app.live import presence, snapshot
from app.web.access import login_only, requires
from app.web.services import now, workflow_policy

blueprint = Blueprint("live", __name__)


def _ttl() -> timedelta:
    return timedelta(seconds=current_app.config["LIVE_PRESENCE_SECONDS"])


@blueprint.app_context_processor
def live_nav():
    """`live_counts()`: the header's counts, worked out once per page and only when the
    header asks (pages for nobody signed in never do)."""

    def live_counts() -> dict[str, int]:
        if not current_user.is_authenticated:
            return {}
        if "composure_live_counts" not in g:
            g.composure_live_counts = snapshot.counts(
                db.session, current_user, now=now(), policy=workflow_policy()
            )
        return g.composure_live_counts

    return {"live_counts": live_counts}


@blueprint.route("/live")
@login_only
def poll():
    """The viewer's counts and newest notice; with `draft` or `complaint`, that thing's
    state and who else has it open. Reads only."""
    draft_id = request.args.get("draft", type=parse_id)
    draft = db.session.get(Draft, draft_id) if draft_id is not None else None
    answer = snapshot.snapshot(
        db.session,
        current_user,
        now=now(),
        policy=workflow_policy(),
        ttl=_ttl(),
        draft=draft,
        complaint_id=request.args.get("complaint", type=parse_id),
    )
    response = jsonify(answer)
    response.add_etag()
    return response.make_conditional(request)


def _open_thing(given: object) -> dict[str, int] | None:
    """{"draft_id": n} or {"complaint_id": n} for a draft or complaint that exists."""
    if not isinstance(given, dict):
        return None
    for key, model in (("draft", Draft), ("complaint", Complaint)):
        value = given.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and is_valid_id(value):
            return {f"{key}_id": value} if db.session.get(model, value) else None
    return None


@blueprint.route("/live/presence", methods=["POST"])
@requires(Permission.VIEW_COMPLAINTS)
def heartbeat():
    """The page of a draft or complaint says its reader is still here."""
    thing = _open_thing(request.get_json(silent=True))
    if thing is None:
        return jsonify(error="Say which draft or complaint is open."), 400
    presence.here(db.session, current_user, **thing, now=now(), ttl=_ttl())
    db.session.commit()
    return "", 204


@blueprint.route("/my-replies")
@requires(Permission.DRAFT_REPLIES)
def my_replies():
    replies = mine.my_replies(db.session, current_user, now=now())
    return render_template("drafts/mine.html", replies=replies)
