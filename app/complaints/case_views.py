"""Case pages: a case's timeline and notes, linking complaints by hand, a customer's
history by handle. HTTP in, operations out."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission
from app.complaints import case_notes, case_timeline, cases
from app.complaints.models import Case, Complaint
from app.core.errors import DomainError
from app.extensions import db
from app.web import say
from app.web.access import requires
from app.web.services import now

blueprint = Blueprint("cases", __name__)


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    return case


def render_case(case: Case, *, note_error: str | None = None, typed: str = "", status: int = 200):
    complaints = case_timeline.messages(db.session, case)
    return (
        render_template(
            "complaints/case.html",
            case=case,
            complaints=complaints,
            entries=case_timeline.timeline(db.session, case, complaints, _),
            note_refusal=case_notes.note_refusal(current_user),
            note_error=note_error,
            typed=typed,
            note_limit=current_app.config["CASE_NOTE_MAX_CHARS"],
        ),
        status,
    )


@blueprint.route("/cases/<int:case_id>")
@requires(Permission.VIEW_COMPLAINTS)
def show(case_id: int):
    return render_case(_case_or_404(case_id))


@blueprint.route("/cases/<int:case_id>/notes", methods=["POST"])
@requires(Permission.VIEW_COMPLAINTS)
def add_note(case_id: int):
    case = _case_or_404(case_id)
    text = request.form.get("text", "")
    try:
        note = case_notes.add(
            db.session,
            case,
            text,
            actor=current_user,
            now=now(),
            max_chars=current_app.config["CASE_NOTE_MAX_CHARS"],
        )
    except DomainError as problem:
        db.session.rollback()
        return render_case(case, note_error=say.say(problem), typed=text[:100_000], status=400)
    db.session.commit()
    flash(_("Internal note added. Only your colleagues see it."), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor=f"note-{note.id}"))


@blueprint.route("/complaints/<int:complaint_id>/case", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def move(complaint_id: int):
    """Move the complaint into the case named by number or customer handle."""
    complaint = db.session.get(Complaint, complaint_id) or abort(404)
    reference = request.form.get("case", "")
    target = cases.find_case(db.session, reference) if reference.strip() else None
    try:
        if target is None:
            raise cases.Refused(
                "not_found",
                _(
                    "No case '%(reference)s': give a case number or a customer handle.",
                    reference=reference.strip()[:80],
                ),
            )
        cases.move(db.session, complaint, target, actor=current_user, now=now())
    except DomainError as problem:
        db.session.rollback()
        flash(say.say(problem), "error")
        return redirect(url_for("complaints.show", complaint_id=complaint_id, _anchor="case"))
    db.session.commit()
    flash(
        _(
            "Complaint #%(number)s is now part of case #%(case)s.",
            number=complaint_id,
            case=target.id,
        ),
        "success",
    )
    return redirect(url_for("cases.show", case_id=target.id))


@blueprint.route("/complaints/<int:complaint_id>/case/split", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def split(complaint_id: int):
    complaint = db.session.get(Complaint, complaint_id) or abort(404)
    try:
        case = cases.split_out(db.session, complaint, actor=current_user, now=now())
    except DomainError as problem:
        db.session.rollback()
        flash(say.say(problem), "error")
        return redirect(url_for("complaints.show", complaint_id=complaint_id, _anchor="case"))
    db.session.commit()
    flash(
        _(
            "Complaint #%(number)s has a case of its own now: case #%(case)s.",
            number=complaint_id,
            case=case.id,
        ),
        "success",
    )
    return redirect(url_for("cases.show", case_id=case.id))


@blueprint.route("/customers")
@requires(Permission.VIEW_COMPLAINTS)
def customer():
    """A customer's history: every case of a handle, across channels."""
    handle = request.args.get("handle", "").strip()[:200]
    return render_template(
        "complaints/customer.html",
        handle=handle,
        summaries=case_timeline.customer_history(db.session, handle),
    )
