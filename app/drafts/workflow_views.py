"""The reply workflow on screen: acting on a draft, the review and sign-off queues and
pages, the publish page, and what happens on a complaint after its reply went out.
HTTP in, workflow out: every rule is in `app.drafts.workflow` and its neighbours.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.permissions import Permission, can
from app.complaints.models import Complaint
from app.complaints.views import render_complaint
from app.core.errors import http_status
from app.core.ids import parse_count, parse_id
from app.core.words import N_, Term, Words
from app.drafts import diff, operations, queues, replies, workflow
from app.drafts.guards import tone_refusal
from app.drafts.models import Draft, FollowUp, Revision
from app.drafts.views import draft_or_404, render_editor, submitted_message
from app.drafts.workflow import Action, Refused
from app.extensions import db
from app.publishing import outbox
from app.publishing.adapters import MANUAL
from app.web.access import requires
from app.web.say import findings as shown_findings
from app.web.say import say, value
from app.web.services import now, tone_setting, workflow_policy

blueprint = Blueprint("workflow", __name__)

#: The pages an action can be taken from; a refusal shows the same page again.
PAGES = ("editor", "review", "sign-off", "publish")
#: Where each action is usually taken from, when the form does not say.
HOME_PAGE = {
    Action.SUBMIT: "editor",
    Action.WITHDRAW: "editor",
    Action.PUBLISH: "editor",
    Action.APPROVE: "review",
    Action.REQUEST_CHANGES: "review",
    Action.SIGN_OFF: "sign-off",
}
EXCERPT_CHARS = 160


@blueprint.app_template_filter("signoff_reason")
def signoff_reason_filter(reason: dict) -> str:
    return say(queues.reason_words(reason))


@blueprint.app_template_filter("excerpt")
def excerpt_filter(text: str, length: int = EXCERPT_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _status(draft: Draft) -> workflow.DraftStatus:
    return workflow.status(db.session, draft, now=now(), policy=workflow_policy())


def _allowed(status: workflow.DraftStatus) -> dict[str, bool]:
    return {action.value: status.allowed(current_user, action) for action in workflow.BUTTONS}


# Acting on a draft -----------------------------------------------------------------------


def _anchor(draft: Draft, revision_number: int) -> tuple[int | None, int | None]:
    """The passage a comment is about: offsets the page's script filled in, or the first
    place the quoted words occur in the revision (without the script)."""
    start = request.form.get("anchor_start", type=parse_count)
    end = request.form.get("anchor_end", type=parse_count)
    quote = request.form.get("quote", "").strip()
    if not quote or revision_number != draft.current_revision:
        return start, end  # a stale revision is refused before anchors are read
    text = workflow.current_revision(db.session, draft).text
    if start is not None and end is not None and text[start:end].strip() == quote:
        return start, end
    found = diff.find_passage(text, quote)
    if found is None:
        raise Refused(
            "invalid_anchor",
            Words(
                N_(
                    "The quoted passage is not in this revision; copy the words exactly "
                    "from the reply."
                )
            ),
        )
    return found


def _group() -> str | None:
    return request.form.get("group", "").strip()[:40] or None


def _done_message(draft: Draft, action: Action, *, approved: bool, created: bool) -> str:
    if action == Action.SUBMIT:
        return submitted_message(draft)
    if action == Action.APPROVE:
        return _(
            "Approved revision %(number)s; %(name)s has been told.",
            number=draft.current_revision,
            name=draft.author.name,
        )
    if action == Action.REQUEST_CHANGES:
        return _("Sent back to %(name)s with your comment.", name=draft.author.name)
    if action == Action.SIGN_OFF:
        key = request.form.get("group", "")
        group = value(Term("group", key, key))
        if approved:
            return _(
                "Signed off for %(group)s; %(name)s has been told.",
                group=group,
                name=draft.author.name,
            )
        return _(
            "Sign-off for %(group)s refused; %(name)s has been told why.",
            group=group,
            name=draft.author.name,
        )
    if action == Action.WITHDRAW:
        return _("Withdrawn. This draft will not go out.")
    if not created:
        return _("It was already published; nothing was sent twice.")
    if outbox.publication_for(db.session, draft).adapter == MANUAL:
        return _(
            "Not posted yet: copy the reply, post it on %(channel)s, then paste the link here.",
            channel=draft.channel.name,
        )
    return _("Being sent by the webhook: this page says when it is delivered.")


def _after(draft: Draft, action: Action) -> str:
    if action == Action.PUBLISH:
        return url_for("workflow.publish_page", draft_id=draft.id)
    if action in (Action.APPROVE, Action.REQUEST_CHANGES):
        return url_for("workflow.reviews")
    if action == Action.SIGN_OFF:
        return url_for("workflow.signoffs")
    return url_for("drafts.edit", draft_id=draft.id)


def _action() -> Action:
    """The button pressed: one of the actions people take (never `edit`, which saving an
    edit takes)."""
    try:
        action = Action(request.form.get("action", ""))
    except ValueError:
        abort(400)
    if action not in HOME_PAGE:
        abort(400)
    return action


@blueprint.route("/drafts/<int:draft_id>/act", methods=["POST"])
@requires(Permission.VIEW_COMPLAINTS)
def act(draft_id: int):
    """Take a workflow action. Each role's limits are checked by the workflow itself; a
    refusal shows the page the person came from again, with why."""
    draft, action = draft_or_404(draft_id), _action()
    revision_number = request.form.get("revision", type=parse_count)
    if revision_number is None:
        abort(400)
    approved = request.form.get("approved", "yes") != "no"
    try:
        start, end = _anchor(draft, revision_number)
        created = workflow.act(
            db.session,
            draft,
            action,
            actor=current_user,
            now=now(),
            revision_number=revision_number,
            policy=workflow_policy(),
            **_inputs(action, approved=approved, anchor_start=start, anchor_end=end),
        )
    except Refused as refusal:
        db.session.rollback()
        return _page(_from_page(action), draft_or_404(draft_id), error=refusal)
    db.session.commit()
    flash(_done_message(draft, action, approved=approved, created=bool(created)), "success")
    return redirect(_after(draft, action))


def _inputs(action: Action, **given) -> dict:
    """What the form says besides the button: the comment, the group signed for, the
    decision and the passage; publishing takes none of it."""
    if action == Action.PUBLISH:
        return {}
    return {"comment": request.form.get("comment", ""), "group": _group(), **given}


def _from_page(action: Action) -> str:
    page = request.form.get("from", "")
    return page if page in PAGES else HOME_PAGE[action]


def _page(page: str, draft: Draft, *, error: Refused):
    """The page the person acted from again, saying why the action was refused."""
    status = http_status(error)
    error = say(error)
    if page in DECISION_PAGES and can(current_user, DECISION_PAGES[page][0]):
        return _decision_page(page, draft, error=error, status=status)
    if page == "publish":
        return _publish_page(draft, error=error, status=status)
    return render_editor(draft, error=error, status=status)


# Queues ----------------------------------------------------------------------------------


@blueprint.route("/reviews")
@requires(Permission.REVIEW_DRAFTS)
def reviews():
    items = queues.review_queue(db.session, current_user, now=now(), policy=workflow_policy())
    return render_template("drafts/reviews.html", items=items)


@blueprint.route("/sign-offs")
@requires(Permission.SIGN_OFF_DRAFTS)
def signoffs():
    items = queues.signoff_queue(db.session, current_user, now=now(), policy=workflow_policy())
    return render_template("drafts/sign_offs.html", items=items)


# Review and sign-off pages ---------------------------------------------------------------


def _previous(draft: Draft, revision: Revision) -> Revision | None:
    if revision.number <= 1:
        return None
    return db.session.scalar(
        select(Revision).where(
            Revision.draft_id == draft.id, Revision.number == revision.number - 1
        )
    )


def _reading(draft: Draft) -> dict:
    """What the review and sign-off pages both show: the complaint, the reply with its
    findings, what changed since the previous revision and the decisions so far."""
    status = _status(draft)
    revision = status.revision
    previous = _previous(draft, revision)
    return {
        "draft": draft,
        "complaint": draft.complaint,
        "revision": revision,
        "previous": previous,
        "changes": diff.word_diff(previous.text, revision.text) if previous else [],
        "findings": shown_findings(revision.findings, draft.language or draft.complaint.language),
        "tone_refusal": tone_refusal(revision.findings),
        "status": status,
        "allowed": _allowed(status),
        "signoff_reasons": status.signoff_reasons,
    }


#: The pages where a colleague decides: who may open them, their template, and the actions
#: they offer (the page explains the last one's refusal when none is allowed).
DECISION_PAGES = {
    "review": (
        Permission.REVIEW_DRAFTS,
        "drafts/review.html",
        (Action.APPROVE, Action.REQUEST_CHANGES),
    ),
    "sign-off": (Permission.SIGN_OFF_DRAFTS, "drafts/sign_off.html", (Action.SIGN_OFF,)),
}


def _decision_page(page: str, draft: Draft, *, error: str | None = None, status: int = 200):
    """The review or the sign-off page: the reading, the buttons the person may use, and
    why not when there are none."""
    _permission, template, actions = DECISION_PAGES[page]
    context = _reading(draft)
    can_decide = any(context["allowed"][action.value] for action in actions)
    why_not = context["status"].refusal(current_user, actions[-1])
    return (
        render_template(
            template,
            **context,
            error=error,
            typed=request.form if request.method == "POST" else {},
            can_decide=can_decide,
            why_not="" if can_decide else say(why_not),
        ),
        status,
    )


@blueprint.route("/drafts/<int:draft_id>/review")
@requires(Permission.REVIEW_DRAFTS)
def review(draft_id: int):
    return _decision_page("review", draft_or_404(draft_id))


@blueprint.route("/drafts/<int:draft_id>/sign-off")
@requires(Permission.SIGN_OFF_DRAFTS)
def sign_off(draft_id: int):
    return _decision_page("sign-off", draft_or_404(draft_id))


# Publishing ------------------------------------------------------------------------------


def _publish_page(draft: Draft, *, error: str | None = None, status: int = 200):
    standing = _status(draft)
    publication = standing.publication
    revision = (
        db.session.get(Revision, publication.revision_id) if publication else standing.revision
    )
    return (
        render_template(
            "drafts/publish.html",
            draft=draft,
            complaint=draft.complaint,
            status=standing,
            allowed=_allowed(standing),
            publication=publication,
            revision=revision,
            manual=publication is not None and publication.adapter == MANUAL,
            link_refusal=publication and outbox.link_refusal(db.session, publication, current_user),
            is_admin=Role.ADMIN in current_user.roles,
            error=error,
            typed=request.form if request.method == "POST" else {},
        ),
        status,
    )


@blueprint.route("/drafts/<int:draft_id>/publish")
@requires(Permission.VIEW_COMPLAINTS)
def publish_page(draft_id: int):
    return _publish_page(draft_or_404(draft_id))


def _publication_or_409(draft: Draft):
    publication = outbox.publication_for(db.session, draft)
    if publication is None:
        return None, _publish_page(draft, error=_("This draft has not been published."), status=409)
    return publication, None


@blueprint.route("/drafts/<int:draft_id>/publish/link", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def record_link(draft_id: int):
    draft = draft_or_404(draft_id)
    publication, refused = _publication_or_409(draft)
    if refused:
        return refused
    try:
        outbox.record_link(
            db.session, publication, request.form.get("url", ""), actor=current_user, now=now()
        )
    except outbox.PublishingError as problem:
        db.session.rollback()
        return _publish_page(
            draft_or_404(draft_id), error=say(problem), status=http_status(problem, form=True)
        )
    db.session.commit()
    flash(_("Marked as posted: the link is recorded and the reply is out."), "success")
    return redirect(url_for("workflow.publish_page", draft_id=draft.id))


@blueprint.route("/drafts/<int:draft_id>/publish/retry", methods=["POST"])
@requires(Permission.MANAGE_SETTINGS)
def retry(draft_id: int):
    draft = draft_or_404(draft_id)
    publication, refused = _publication_or_409(draft)
    if refused:
        return refused
    try:
        outbox.retry_now(db.session, publication, actor=current_user, now=now())
    except outbox.PublishingError as problem:
        db.session.rollback()
        return _publish_page(
            draft_or_404(draft_id), error=say(problem), status=http_status(problem, form=True)
        )
    db.session.commit()
    flash(_("It will be sent again within a minute, with the same idempotency key."), "success")
    return redirect(url_for("workflow.publish_page", draft_id=draft.id))


# After the reply went out: follow-ups and resolution -------------------------------------


def _complaint_or_404(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    return complaint


def _complaint_page(complaint_id: int, *, error: str, status: int):
    return render_complaint(
        _complaint_or_404(complaint_id), error=error, status=status, typed=request.form
    )


@blueprint.route("/complaints/<int:complaint_id>/follow-up", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def follow_up(complaint_id: int):
    """Start the public follow-up ("it's sorted") as a new draft; it goes through the
    same review as any reply."""
    complaint = _complaint_or_404(complaint_id)
    try:
        started = replies.start_follow_up(
            db.session,
            complaint,
            request.form.get("text", ""),
            tone=tone_setting(complaint),
            actor=current_user,
            now=now(),
        )
    except operations.DraftError as problem:
        db.session.rollback()
        return _complaint_page(
            complaint_id, error=say(problem), status=http_status(problem, form=True)
        )
    db.session.commit()
    if started.created:
        flash(_("Follow-up started: check it, then submit it like any reply."), "success")
    else:
        flash(
            _("This complaint already has draft #%(id)s; here it is.", id=started.draft.id), "info"
        )
    return redirect(url_for("drafts.edit", draft_id=started.draft.id))


@blueprint.route("/complaints/<int:complaint_id>/follow-ups/done", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def follow_up_done(complaint_id: int):
    complaint = _complaint_or_404(complaint_id)
    follow_up_id = request.form.get("follow_up", type=parse_id)
    item = db.session.get(FollowUp, follow_up_id) if follow_up_id else None
    if item is None or item.complaint_id != complaint.id:
        abort(404)
    try:
        workflow.complete_follow_up(
            db.session, item, actor=current_user, now=now(), note=request.form.get("note", "")
        )
    except Refused as refusal:
        db.session.rollback()
        return _complaint_page(complaint_id, error=say(refusal), status=http_status(refusal))
    db.session.commit()
    flash(_("Follow-up done."), "success")
    return redirect(url_for("complaints.show", complaint_id=complaint.id))


@blueprint.route("/complaints/<int:complaint_id>/resolve", methods=["POST"])
@requires(Permission.DRAFT_REPLIES)
def resolve(complaint_id: int):
    complaint = _complaint_or_404(complaint_id)
    try:
        workflow.resolve(
            db.session, complaint, actor=current_user, now=now(), note=request.form.get("note", "")
        )
    except Refused as refusal:
        db.session.rollback()
        return _complaint_page(complaint_id, error=say(refusal), status=http_status(refusal))
    db.session.commit()
    flash(_("Marked resolved."), "success")
    return redirect(url_for("complaints.show", complaint_id=complaint.id))
