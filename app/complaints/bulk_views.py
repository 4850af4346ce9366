"""The inbox's actions on many complaints, assigning one to a colleague, and saved filters.
HTTP in, operations out (`app.complaints.bulk`, `assignment`, `saved_filters`)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import User
from app.accounts.permissions import Permission
from app.complaints import assignment, bulk, inbox, intake, saved_filters
from app.complaints.models import Complaint
from app.core.errors import InvalidInput
from app.core.ids import parse_id
from app.extensions import db
from app.web import say
from app.web.access import requires, safe_next
from app.web.services import now

blueprint = Blueprint("inbox_actions", __name__)


def _query() -> inbox.InboxQuery:
    """The inbox filter the form was sent from (its hidden fields), checked as on the page."""
    return inbox.InboxQuery.parse(
        request.form,
        intake.load_channels(db.session, include_inactive=True),
        viewer_id=current_user.id,
        tags=bulk.tags(db.session),
    )


def _selection(query: inbox.InboxQuery) -> bulk.Selection:
    if request.form.get("scope") == "filter":
        return bulk.Selection(filter=query.filter)
    ids = (parse_id(value) for value in request.form.getlist("ids"))
    return bulk.Selection(ids=tuple(i for i in ids if i))


def _inbox(query: inbox.InboxQuery, **extra) -> str:
    params = {key: value for key, value in query.params.items() if value}
    return url_for("complaints.inbox", **params, **extra)


def _said(outcome: bulk.Outcome, action: bulk.BulkAction, name: str) -> str:
    """What a bulk action did, in the page's language."""
    if not outcome.count and not outcome.unchanged:
        return _("Nothing changed: no complaint matches the selection any more (done already?).")
    if not outcome.count:
        return _(
            "Nothing changed: %(selected)s selected, none left to change.",
            selected=format_decimal(outcome.unchanged),
        )
    count, n = outcome.count, format_decimal(outcome.count)
    if action is bulk.BulkAction.CLOSE:
        words = ngettext(
            "Closed %(n)s complaint as not a complaint.",
            "Closed %(n)s complaints as not a complaint.",
            count,
            n=n,
        )
    elif action is bulk.BulkAction.ASSIGN:
        words = ngettext(
            "Assigned %(n)s complaint to %(name)s.",
            "Assigned %(n)s complaints to %(name)s.",
            count,
            n=n,
            name=name,
        )
    else:
        words = ngettext(
            "Tagged %(n)s complaint “%(tag)s”.",
            "Tagged %(n)s complaints “%(tag)s”.",
            count,
            n=n,
            tag=name,
        )
    if not outcome.unchanged:
        return words
    left = ngettext(
        "%(n)s left as it was.",
        "%(n)s left as they were.",
        outcome.unchanged,
        n=format_decimal(outcome.unchanged),
    )
    return f"{words} {left}"


def _run(action: bulk.BulkAction, selection: bulk.Selection) -> tuple[bulk.Outcome, str]:
    """The action's operation on the selection, and the name it was done with."""
    if action is bulk.BulkAction.CLOSE:
        return bulk.close(db.session, selection, actor=current_user, now=now()), ""
    if action is bulk.BulkAction.ASSIGN:
        colleague = db.session.get(User, request.form.get("colleague", type=parse_id) or 0)
        outcome = bulk.assign(db.session, selection, colleague, actor=current_user, now=now())
        return outcome, colleague.name
    name = bulk.clean_tag(request.form.get("tag"))
    return bulk.tag(db.session, selection, name, actor=current_user, now=now()), name


@blueprint.route("/inbox/bulk", methods=["POST"])
@requires(Permission.VIEW_COMPLAINTS)
def act():
    """One request for the whole selection, ticked rows or every match of the filter."""
    query = _query()
    try:
        action = bulk.BulkAction(request.form.get("action", ""))
    except ValueError:
        abort(400)
    try:
        outcome, name = _run(action, _selection(query))
    except bulk.Refused as refusal:
        db.session.rollback()
        flash(_(str(refusal)), "error")
        return redirect(_inbox(query))
    db.session.commit()
    flash(_said(outcome, action, name), "success" if outcome.count else "info")
    undo = {"done": outcome.event_id} if action is bulk.BulkAction.CLOSE and outcome.count else {}
    return redirect(_inbox(query, **undo))


@blueprint.route("/inbox/bulk/<int:event_id>/undo", methods=["POST"])
@requires(Permission.VIEW_COMPLAINTS)
def undo(event_id: int):
    try:
        outcome = bulk.undo_close(db.session, event_id, actor=current_user, now=now())
    except bulk.Refused as refusal:
        db.session.rollback()
        flash(_(str(refusal)), "error")
        return redirect(safe_next(request.form.get("next")))
    db.session.commit()
    flash(
        ngettext(
            "Reopened %(n)s complaint.",
            "Reopened %(n)s complaints.",
            outcome.count,
            n=format_decimal(outcome.count),
        ),
        "success",
    )
    return redirect(safe_next(request.form.get("next")))


@blueprint.route("/complaints/<int:complaint_id>/assignment/colleague", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def assign(complaint_id: int):
    """Assign one complaint to a named colleague (who is told)."""
    complaint = db.session.get(Complaint, complaint_id) or abort(404)
    colleague = db.session.get(User, request.form.get("colleague", type=parse_id) or 0)
    back = safe_next(request.form.get("next") or f"/complaints/{complaint_id}")
    try:
        change = assignment.assign(
            db.session,
            complaint,
            colleague,
            actor=current_user,
            now=now(),
            take_over=request.form.get("agreed") == "1",
        )
    except assignment.Refused as refusal:
        db.session.rollback()
        flash(_(str(refusal)), "error")
        return redirect(back)
    db.session.commit()
    said = (
        _("Complaint #%(number)s assigned to %(name)s.", number=complaint.id, name=colleague.name)
        if change.changed
        else _(
            "Complaint #%(number)s is already with %(name)s.",
            number=complaint.id,
            name=colleague.name,
        )
    )
    flash(said, "success")
    return redirect(back)


@blueprint.route("/inbox/saved", methods=["POST"])
@requires(Permission.VIEW_COMPLAINTS)
def save_filter():
    query = _query()
    try:
        saved = saved_filters.save(
            db.session,
            current_user,
            request.form.get("name"),
            query.params,
            now=now(),
            shared=request.form.get("shared") == "1",
        )
    except InvalidInput as problem:
        db.session.rollback()
        flash(say.say(problem), "error")
        return redirect(_inbox(query))
    db.session.commit()
    said = (
        _("Saved “%(name)s”: it is under the team's saved filters.", name=saved.name)
        if saved.shared
        else _("Saved “%(name)s”: it is under your saved filters.", name=saved.name)
    )
    flash(said, "success")
    return redirect(url_for("complaints.inbox") + "?" + saved.query)


@blueprint.route("/inbox/saved/<int:filter_id>/delete", methods=["POST"])
@requires(Permission.VIEW_COMPLAINTS)
def delete_filter(filter_id: int):
    if not saved_filters.delete(db.session, current_user, filter_id):
        abort(404)
    db.session.commit()
    flash(_("The saved filter is deleted."), "success")
    return redirect(url_for("complaints.inbox") + "?" + urlencode(request.args))
