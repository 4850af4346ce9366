"""Starting a reply and editing it part by part. HTTP in, operations out."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.accounts.permissions import Permission, can_edit_draft
from app.complaints.models import Complaint
from app.core.errors import http_status
from app.core.ids import parse_count
from app.core.text import clean_text
from app.drafts import guards, operations, service, workflow
from app.drafts.builder import reply_length, split_thread
from app.drafts.models import Draft, Revision
from app.drafts.operations import EDITABLE_STATES
from app.drafts.templates import PARTS
from app.drafts.workflow import Action
from app.extensions import db
from app.reports.catches import note_tone_catches
from app.tone.checker import ToneCheckError
from app.web.access import requires
from app.web.helpers import compose_draft, localtime, now, tone_setting
from app.web.helpers import workflow as workflow_policy

blueprint = Blueprint("drafts", __name__)


@blueprint.route("/complaints/<int:complaint_id>/drafts", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def start(complaint_id: int):
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    started = operations.start_draft(
        db.session,
        complaint,
        compose_draft(complaint, current_user),
        tone=tone_setting(complaint),
        actor=current_user,
        now=now(),
    )
    db.session.commit()
    if not started.created:
        flash(f"This complaint already has draft #{started.draft.id}; here it is.", "info")
    return redirect(url_for("drafts.edit", draft_id=started.draft.id))


def draft_or_404(draft_id: int) -> Draft:
    draft = db.session.get(Draft, draft_id)
    if draft is None:
        abort(404)
    return draft


@blueprint.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@requires(Permission.VIEW_COMPLAINTS)
def edit(draft_id: int):
    draft = draft_or_404(draft_id)
    if request.method == "GET":
        return render_editor(draft)
    if can_edit_draft(current_user, draft.author_id) or draft.state not in EDITABLE_STATES:
        abort(403)
    complaint = draft.complaint
    revision = workflow.current_revision(db.session, draft)
    shown_parts = dict(revision.parts)
    parts = {
        name: request.form.get(f"part-{name}", "")
        for name in revision.parts
        if f"part-{name}" in request.form
    }
    shown_parts.update(parts)
    chosen = {}
    error = None
    use = request.form.get("use", "")
    if use:
        composition = compose_draft(complaint, current_user)
        part, _, variant_id = use.partition(":")
        alternative = next(
            (
                choice
                for choice in [composition.parts.get(part)] + composition.alternatives.get(part, [])
                if choice is not None and choice.variant_id == variant_id
            ),
            None,
        )
        if alternative is None:
            error = "That wording is no longer offered for this complaint; nothing changed."
        else:
            parts[part] = alternative.text
            chosen[part] = variant_id
    status = 400
    if error is None:
        was_submitted = draft.is_submitted
        try:
            saved = operations.edit_parts(
                db.session,
                draft,
                parts,
                tone=tone_setting(complaint),
                actor=current_user,
                now=now(),
                based_on=request.form.get("based_on", type=parse_count) or 0,
                template_ids=chosen,
                policy=workflow_policy(),
            )
        except operations.DraftError as problem:
            db.session.rollback()
            error, status = str(problem), http_status(problem, form=True)
        else:
            db.session.commit()
            if request.form.get("then") == "submit":
                return _submit_saved(draft, saved_new=saved.number != revision.number)
            if saved.number == revision.number:
                flash("Nothing changed, so no new revision.", "info")
            elif was_submitted:
                flash(
                    f"Saved as revision {saved.number}. Earlier approvals and sign-offs no "
                    "longer count; cooling-off starts again and ends at "
                    f"{localtime(draft.cooling_off_until, '%H:%M')}.",
                    "success",
                )
            else:
                flash(f"Saved as revision {saved.number}.", "success")
            return redirect(url_for("drafts.edit", draft_id=draft.id))
    return render_editor(draft, shown_parts=shown_parts, error=error, status=status)


def _submit_saved(draft: Draft, *, saved_new: bool):
    """ "Save and submit": the parts were saved (or had not changed); now submit the
    revision that was just saved. A refusal shows the editor with why; nothing typed is
    lost, since it was saved first."""
    saved = f"Saved as revision {draft.current_revision}. " if saved_new else ""
    try:
        workflow.transition(
            db.session,
            draft,
            Action.SUBMIT,
            actor=current_user,
            now=now(),
            revision_number=draft.current_revision,
            policy=workflow_policy(),
        )
    except workflow.Refused as refusal:
        db.session.rollback()
        draft = draft_or_404(draft.id)
        return render_editor(
            draft, error=f"{saved}Not submitted: {refusal}", status=http_status(refusal)
        )
    db.session.commit()
    flash(saved + submitted_message(draft), "success")
    return redirect(url_for("drafts.edit", draft_id=draft.id))


def submitted_message(draft: Draft) -> str:
    until = localtime(draft.cooling_off_until, "%H:%M")
    message = f"Submitted. Cooling off until {until}; reviewers have been asked."
    if draft.requires_signoff:
        groups = sorted({reason["group"] for reason in draft.signoff_reasons})
        message += f" Sign-off by {' and '.join(groups)} has been asked too."
    return message


def render_editor(
    draft: Draft,
    *,
    shown_parts: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
):
    """The editor page: the draft as it stands (or as typed, after a failed save), its
    tone report and where it stands in the workflow, with `error` on top."""
    complaint = draft.complaint
    revision = workflow.current_revision(db.session, draft)
    refusal = can_edit_draft(current_user, draft.author_id)
    editable = refusal is None and draft.state in EDITABLE_STATES
    composition = compose_draft(complaint, current_user) if editable else None
    shown_parts = shown_parts if shown_parts is not None else dict(revision.parts)
    channel = complaint.channel
    tone = _tone_view(complaint, shown_parts)
    text = tone["text"]
    length = reply_length(text, channel.key)
    revisions = db.session.query(Revision).filter_by(draft_id=draft.id).order_by(Revision.number)
    policy = workflow_policy()
    standing = workflow.status(db.session, draft, now=now(), policy=policy)
    return (
        render_template(
            "drafts/edit.html",
            draft=draft,
            complaint=complaint,
            revision=revision,
            parts=shown_parts,
            part_order=[p for p in PARTS if p in shown_parts]
            + [p for p in shown_parts if p not in PARTS],
            composition=composition,
            editable=editable,
            refusal=refusal,
            error=error,
            text=text,
            length=length,
            tone=tone,
            thread=split_thread(text, channel.char_limit, channel.key)
            if length > channel.char_limit and channel.supports_threads
            else [],
            revisions=revisions.all(),
            status=standing,
            allowed={action.value: standing.allowed(current_user, action) for action in Action},
            signoff_reasons=standing.signoff_reasons,
        ),
        status,
    )


def _tone_view(complaint, parts: dict[str, str]) -> dict:
    """The tone report on the parts, with each finding placed in its part's box."""
    report = tone_setting(complaint).check_parts(parts)
    findings = [
        service.part_offsets(f.to_dict(report.text), report.part_spans) for f in report.findings
    ]
    return {
        "text": report.text,
        "report": report.to_dict(),
        "findings": findings,
        "refusal": guards.tone_refusal(findings),
    }


@blueprint.route("/drafts/<int:draft_id>/check", methods=["POST"])
@requires(Permission.VIEW_COMPLAINTS)
def check(draft_id: int):
    """The editor's live tone check: the parts as typed in, the report and its HTML back.
    Nothing is saved."""
    draft = draft_or_404(draft_id)
    payload = request.get_json(silent=True)
    parts = payload.get("parts") if isinstance(payload, dict) else None
    if not isinstance(parts, dict) or not all(
        isinstance(name, str) and isinstance(value, str) for name, value in parts.items()
    ):
        return jsonify(message='Send {"parts": {"validate": "...", ...}} as JSON.'), 400
    revision = workflow.current_revision(db.session, draft)
    unknown = [name for name in parts if name not in revision.parts and name not in PARTS]
    if unknown:
        return jsonify(message=f"Unknown part {unknown[0]!r}."), 400
    parts = {name: clean_text(value) for name, value in parts.items()}
    try:
        tone = _tone_view(draft.complaint, parts)
    except ToneCheckError as problem:
        return jsonify(message=str(problem)), 422
    # What the agent fixes while typing is never saved; the dashboard counts it as caught.
    if can_edit_draft(current_user, draft.author_id) is None and note_tone_catches(
        draft, tone["findings"]
    ):
        db.session.commit()
    channel = draft.complaint.channel
    macros = "drafts/_tone.html"
    return jsonify(
        {
            **tone["report"],
            "findings": tone["findings"],
            "refusal": tone["refusal"],
            "text": tone["text"],
            "length": reply_length(tone["text"], channel.key),
            "limit": channel.char_limit,
            "html": {
                "reply": str(
                    get_template_attribute(macros, "reply_preview")(tone["text"], tone["findings"])
                ),
                "tone": str(
                    get_template_attribute(macros, "tone_panel")(
                        tone["report"], tone["findings"], tone["refusal"]
                    )
                ),
            },
        }
    )
