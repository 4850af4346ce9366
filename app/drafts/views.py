"""Starting a reply and editing it part by part. HTTP in, operations out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.accounts.permissions import Permission, can_edit_draft
from app.complaints.models import Complaint
from app.core.errors import http_status
from app.core.ids import parse_count
from app.core.words import Term
from app.drafts import composer, operations, workflow, working_copy
from app.drafts.models import Draft, Revision
from app.drafts.operations import EDITABLE_STATES
from app.drafts.response_templates import PARTS
from app.drafts.workflow import Action
from app.extensions import db
from app.tone.checker import ToneCheckError
from app.web.access import requires
from app.web.filters import localtime
from app.web.say import findings as shown_findings
from app.web.say import language as language_name
from app.web.say import say, value
from app.web.services import compose_draft, now, templates, tone_setting, workflow_policy

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
        compose_draft(complaint, current_user, request.form.get("language") or None),
        tone=tone_setting(complaint),
        actor=current_user,
        now=now(),
    )
    db.session.commit()
    if not started.created:
        flash(
            _("This complaint already has draft #%(id)s; here it is.", id=started.draft.id), "info"
        )
    return redirect(url_for("drafts.edit", draft_id=started.draft.id))


def draft_or_404(draft_id: int) -> Draft:
    """The draft with its complaint (every draft page reads it), or 404."""
    draft = db.session.get(Draft, draft_id, options=[joinedload(Draft.complaint)])
    if draft is None:
        abort(404)
    return draft


def editable_draft_or_403(draft_id: int) -> Draft:
    """The draft, when the signed-in person may edit it in its state."""
    draft = draft_or_404(draft_id)
    if can_edit_draft(current_user, draft.author_id) or draft.state not in EDITABLE_STATES:
        abort(403)
    return draft


@blueprint.get("/drafts/<int:draft_id>")
@requires(Permission.VIEW_COMPLAINTS)
def edit(draft_id: int):
    return render_editor(draft_or_404(draft_id))


@blueprint.post("/drafts/<int:draft_id>", endpoint="save")
@requires(Permission.DRAFT_REPLIES)
def save(draft_id: int):
    """The editor's form: save the parts as a new revision (then submit it, if asked);
    "Use this" without JavaScript only swaps the wording in (`swap_wording`)."""
    draft = editable_draft_or_403(draft_id)
    shown = workflow.current_revision(db.session, draft).parts
    typed = {name: request.form[f"part-{name}"] for name in shown if f"part-{name}" in request.form}
    if request.form.get("use"):
        return swap_wording(draft, {**shown, **typed}, request.form["use"])
    try:
        saved = operations.save_from_editor(
            db.session,
            draft,
            typed,
            chosen=chosen_wordings(shown),
            compose=lambda: compose_draft(draft.complaint, current_user, draft.language),
            tone=tone_setting(draft.complaint),
            actor=current_user,
            now=now(),
            based_on=based_on_chosen(),
            policy=workflow_policy(),
            caught=catches_typed(draft.id),
        )
    except operations.DraftError as problem:
        return not_saved(draft, {**shown, **typed}, problem, based_on=based_on_chosen())
    db.session.commit()
    forget_catches(draft.id)
    if request.form.get("then") == "submit":
        return _submit_saved(draft, saved_new=saved.created)
    flash(*saved_message(draft, saved))
    return redirect(url_for("drafts.edit", draft_id=draft.id))


def based_on_chosen() -> int:
    """The revision the editor's text builds on: the one it was opened on, or after a
    conflict the newer one the person chose to save on top of ("over")."""
    over = request.form.get("over", type=parse_count)
    return over or request.form.get("based_on", type=parse_count) or 0


def chosen_wordings(parts: dict[str, str]) -> dict[str, str]:
    """The offered wordings the editor put into parts ("Use this"): {part: variant}."""
    return {
        name: request.form[f"chosen-{name}"] for name in parts if request.form.get(f"chosen-{name}")
    }


def not_saved(
    draft: Draft, typed: dict[str, str], problem: operations.DraftError, *, based_on: int
):
    """The editor again with the text as typed and why it was not saved. When a colleague
    saved first, the text is kept as the person's working copy and shown beside theirs."""
    db.session.rollback()
    status = http_status(problem, form=True)
    if isinstance(problem, operations.StaleRevision) and based_on >= 1:
        revision = workflow.current_revision(db.session, draft)
        try:
            working_copy.keep(
                db.session,
                draft,
                revision,
                typed,
                base_revision=based_on,
                actor=current_user,
                now=now(),
            )
        except working_copy.NotKept:
            db.session.rollback()
        else:
            db.session.commit()
            if based_on < draft.current_revision:  # shown beside theirs (`editor_text`)
                return render_editor(draft, status=status)
    return render_editor(draft, shown_parts=typed, error=say(problem), status=status)


def swap_wording(draft: Draft, parts: dict[str, str], use: str):
    """ "Use this" without JavaScript: the editor again with the wording in its box, not
    saved (nothing in the workflow moves until the person saves)."""
    composition = compose_draft(draft.complaint, current_user, draft.language)
    try:
        swapped = operations.swap_wording(composition, parts, use)
    except operations.DraftError as problem:
        return render_editor(draft, shown_parts=parts, error=say(problem), status=400)
    part, _colon, variant_id = use.partition(":")
    flash(_("Wording swapped in; it is not saved until you save."), "info")
    return render_editor(draft, shown_parts=swapped, chosen={part: variant_id})


@blueprint.post("/drafts/<int:draft_id>/working-copy", endpoint="keep_working_copy")
@requires(Permission.DRAFT_REPLIES)
def keep_working_copy(draft_id: int):
    """The editor's autosave: the parts as typed, kept as the person's working copy. Not a
    revision: nothing in the workflow moves."""
    draft = draft_or_404(draft_id)
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}
    try:
        kept = working_copy.keep(
            db.session,
            draft,
            workflow.current_revision(db.session, draft),
            payload.get("parts"),
            base_revision=payload.get("base_revision"),
            actor=current_user,
            now=now(),
        )
    except working_copy.NotKept as problem:
        db.session.rollback()
        return jsonify(message=say(problem), code=problem.code), http_status(problem)
    db.session.commit()
    return jsonify(saved_at=localtime(kept.updated_at, "%H:%M"), base_revision=kept.base_revision)


@blueprint.post("/drafts/<int:draft_id>/working-copy/discard", endpoint="discard_working_copy")
@requires(Permission.DRAFT_REPLIES)
def discard_working_copy(draft_id: int):
    """ "Discard" (or "Keep theirs" after a conflict): drop the text kept as typed; the
    editor shows the current revision."""
    draft = draft_or_404(draft_id)
    if working_copy.discard(db.session, draft, actor=current_user):
        db.session.commit()
        flash(
            _(
                "Your unsaved text was dropped; this is revision %(number)s as saved.",
                number=draft.current_revision,
            ),
            "info",
        )
    return redirect(url_for("drafts.edit", draft_id=draft.id))


@blueprint.post("/drafts/<int:draft_id>/language", endpoint="rebuild_in_language")
@requires(Permission.DRAFT_REPLIES)
def rebuild_in_language(draft_id: int):
    """The editor's "Build it in …": the draft again, in the language chosen."""
    draft = editable_draft_or_403(draft_id)
    language = request.form.get("language", "")
    if language not in templates().languages:
        flash(_("There are no reply templates in that language."), "error")
        return redirect(url_for("drafts.edit", draft_id=draft.id))
    try:
        saved = operations.rebuild_in_language(
            db.session,
            draft,
            compose_draft(draft.complaint, current_user, language),
            tone=tone_setting(draft.complaint),
            actor=current_user,
            now=now(),
            based_on=request.form.get("revision", type=parse_count) or 0,
            policy=workflow_policy(),
        )
    except operations.DraftError as problem:
        db.session.rollback()
        return render_editor(
            draft_or_404(draft_id), error=say(problem), status=http_status(problem, form=True)
        )
    db.session.commit()
    flash(*rebuilt_message(draft, saved, language))
    return redirect(url_for("drafts.edit", draft_id=draft.id))


def rebuilt_message(draft: Draft, saved: operations.EditorSave, language: str):
    """The flash after "Build it in …", and its category."""
    message, category = saved_message(draft, saved)
    name = language_name(language)
    if saved.created:
        return _("Built in %(name)s. %(saved)s", name=name, saved=message), category
    return _("Already in %(name)s.", name=name), category


def saved_message(draft: Draft, saved: operations.EditorSave) -> tuple[str, str]:
    """The flash after a save, and its category."""
    if not saved.created:
        return _("Nothing changed, so no new revision."), "info"
    if saved.restarted:
        return (
            _(
                "Saved as revision %(number)s. Earlier approvals and sign-offs no longer "
                "count; cooling-off starts again and ends at %(time)s.",
                number=saved.revision.number,
                time=localtime(draft.cooling_off_until, "%H:%M", zone=True),
            ),
            "success",
        )
    return _("Saved as revision %(number)s.", number=saved.revision.number), "success"


#: The session key under which the live check keeps, per draft, the codes it caught that
#: the next save counts (`app.drafts.catches`): typing is never stored, saving is.
CATCHES_KEY = "tone_catches"
#: Drafts whose catches a session keeps at most (the oldest are dropped first).
CATCHES_KEPT = 20


def remember_catches(draft_id: int, codes: list[str]) -> None:
    kept = dict(session.get(CATCHES_KEY, {}))
    known = kept.pop(str(draft_id), [])
    added = known + [code for code in codes if code not in known]
    if added != known:
        kept[str(draft_id)] = added
        session[CATCHES_KEY] = dict(list(kept.items())[-CATCHES_KEPT:])


def catches_typed(draft_id: int) -> list[str]:
    return list(session.get(CATCHES_KEY, {}).get(str(draft_id), []))


def forget_catches(draft_id: int) -> None:
    kept = session.get(CATCHES_KEY, {})
    if str(draft_id) in kept:
        session[CATCHES_KEY] = {key: codes for key, codes in kept.items() if key != str(draft_id)}


def _submit_saved(draft: Draft, *, saved_new: bool):
    """ "Save and submit": the parts were saved (or had not changed); now submit the
    revision that was just saved. A refusal shows the editor with why; nothing typed is
    lost, since it was saved first."""
    saved = _("Saved as revision %(number)s.", number=draft.current_revision) if saved_new else ""
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
            draft,
            error=_("%(saved)s Not submitted: %(why)s", saved=saved, why=say(refusal)).strip(),
            status=http_status(refusal),
        )
    db.session.commit()
    flash(f"{saved} {submitted_message(draft)}".strip(), "success")
    return redirect(url_for("drafts.edit", draft_id=draft.id))


def submitted_message(draft: Draft) -> str:
    until = localtime(draft.cooling_off_until, "%H:%M", zone=True)
    if draft.requires_signoff:
        keys = sorted({reason["group"] for reason in draft.signoff_reasons})
        groups = value([Term("group", key, key) for key in keys])
        return _(
            "Submitted. Cooling off until %(until)s; reviewers have been asked. "
            "Sign-off by %(groups)s has been asked too.",
            until=until,
            groups=groups,
        )
    return _("Submitted. Cooling off until %(until)s; reviewers have been asked.", until=until)


def render_editor(
    draft: Draft,
    *,
    shown_parts: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    chosen: dict[str, str] | None = None,
):
    """The editor page: the draft as it stands (or as typed, after a failed save), its
    tone report and where it stands in the workflow, with `error` on top. The person's
    working copy, if any, is put back in the boxes, or beside a newer revision as a
    conflict (`editor_text`)."""
    complaint = draft.complaint
    revision = workflow.current_revision(db.session, draft)
    refusal = can_edit_draft(current_user, draft.author_id)
    # Who may change the text may hold a working copy, and the other way round.
    editable = working_copy.holding_refusal(current_user, draft) is None
    composition = compose_draft(complaint, current_user, draft.language) if editable else None
    text = editor_text(draft, revision, shown_parts, editable=editable)
    shown_parts = text.parts
    tone = composer.check_parts(tone_setting(complaint), shown_parts)
    tone = replace(tone, findings=shown_findings(tone.findings, tone.report.get("language")))
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
            text=tone.text,
            fit=tone.fit,
            tone=tone,
            revisions=revisions.all(),
            status=standing,
            allowed={action.value: standing.allowed(current_user, action) for action in Action},
            signoff_reasons=standing.signoff_reasons,
            draft_languages=[(code, language_name(code)) for code in templates().languages]
            if composer.FREE_TEXT not in revision.parts
            else [],
            editor=text,
            chosen=chosen or {},
            autosave_ms=current_app.config["EDITOR_AUTOSAVE_MS"],
        ),
        status,
    )


@dataclass(frozen=True)
class EditorText:
    """What the editor's boxes hold and why: the revision, the text as typed after a
    failed save, or the person's working copy (restored, or in conflict with a newer
    revision: then `based_on` is the older revision it was started from)."""

    parts: dict[str, str]
    based_on: int
    restored_at: datetime | None = None
    #: The parts that differ from the current revision, when the copy is in conflict.
    conflict: list[str] = field(default_factory=list)


def editor_text(
    draft: Draft, revision: Revision, typed: dict[str, str] | None, *, editable: bool
) -> EditorText:
    if typed is not None or not editable:
        return EditorText(typed if typed is not None else dict(revision.parts), revision.number)
    copy = working_copy.find(db.session, draft, current_user)
    pending = working_copy.pending(copy, draft, revision)
    if pending is working_copy.Pending.NONE:
        return EditorText(dict(revision.parts), revision.number)
    parts = {**revision.parts, **copy.parts}
    if pending is working_copy.Pending.RESTORE:
        return EditorText(parts, revision.number, restored_at=copy.updated_at)
    differing = [name for name in parts if parts[name] != revision.parts.get(name)]
    return EditorText(parts, copy.base_revision, restored_at=copy.updated_at, conflict=differing)


@blueprint.route("/drafts/<int:draft_id>/check", methods=["POST"])
@requires(Permission.VIEW_COMPLAINTS)
def check(draft_id: int):
    """The editor's live tone check: the parts as typed in, the report and its HTML back.
    Nothing is stored; what it catches waits in the session for the next save."""
    draft = draft_or_404(draft_id)
    payload = request.get_json(silent=True)
    try:
        result = operations.live_check(
            db.session,
            draft,
            payload.get("parts") if isinstance(payload, dict) else None,
            tone=tone_setting(draft.complaint),
            actor=current_user,
        )
    except operations.DraftError as problem:
        return jsonify(message=say(problem)), 400
    except ToneCheckError as problem:
        return jsonify(message=str(problem)), 422
    if result.caught:
        remember_catches(draft.id, result.caught)
    return jsonify(check_answer(result))


def check_answer(result: operations.LiveCheck) -> dict:
    """The live check as the editor's script reads it: the report, the length, and the
    reply and tone panel rendered as on the page."""
    checked, macros = result.check, "drafts/_tone.html"
    findings = shown_findings(checked.findings, checked.report.get("language"))
    reply = get_template_attribute(macros, "reply_preview")(checked.text, findings)
    panel = get_template_attribute(macros, "tone_panel")(checked.report, findings, checked.refusal)
    length = get_template_attribute(macros, "length_line")(checked.fit, result.channel)
    return {
        **checked.report,
        "findings": findings,
        "refusal": say(checked.refusal) or None,
        "text": checked.text,
        "length": checked.fit.length,
        "limit": checked.fit.limit,
        "fits": checked.fit.fits,
        "thread": checked.fit.thread,
        "html": {"reply": str(reply), "tone": str(panel), "length": str(length)},
    }
