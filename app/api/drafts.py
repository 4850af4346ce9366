"""/api/v1 drafts: the whole reply workflow (create, edit, submit, review, sign off,
publish) and a complaint's resolution. HTTP in, `app.drafts.workflow` out.

A refused transition answers 409 with `error.code` naming the guard (`cooling_off`,
`self_approval`, `needs_approval`, `needs_signoff`, `blocking_findings`,
`stale_revision`, …); a missing role 403 (`app.core.errors.http_status`, answered by the
app's error handler).
"""

from __future__ import annotations

from flask import g
from flask_smorest import abort

from app.accounts.models import TokenScope
from app.accounts.permissions import Permission
from app.api.auth import api_blueprint
from app.api.schemas import (
    DraftActionSchema,
    DraftCreateSchema,
    DraftEditSchema,
    DraftStateSchema,
    LinkSchema,
    ResolveSchema,
)
from app.complaints.models import Complaint
from app.drafts import operations, workflow
from app.drafts.composer import FREE_TEXT
from app.drafts.models import Draft
from app.extensions import db
from app.publishing import outbox
from app.web.access import api_requires
from app.web.services import compose_draft, now, tone_setting, workflow_policy

blueprint = api_blueprint(
    "drafts_api",
    __name__,
    url_prefix="/api/v1",
    description="Reply drafts: the workflow that cannot be skipped",
)

#: URL action -> workflow action.
ACTIONS = {
    "submit": workflow.Action.SUBMIT,
    "approve": workflow.Action.APPROVE,
    "request-changes": workflow.Action.REQUEST_CHANGES,
    "sign-off": workflow.Action.SIGN_OFF,
    "withdraw": workflow.Action.WITHDRAW,
    "publish": workflow.Action.PUBLISH,
}


def _draft(draft_id: int) -> Draft:
    draft = db.session.get(Draft, draft_id)
    if draft is None:
        abort(404, message=f"No draft #{draft_id}.")
    return draft


def _state(draft: Draft, *, created: bool | None = None) -> dict:
    """The draft as the API shows it: state, revision, decisions, and what stands in the
    way of publishing right now."""
    status = workflow.status(db.session, draft, now=now(), policy=workflow_policy())
    revision = status.revision
    return {
        "id": draft.id,
        "complaint_id": draft.complaint_id,
        "author_id": draft.author_id,
        "channel": draft.channel_key,
        "language": draft.language,
        "state": draft.state.value,
        "state_words": status.state_words,
        "out": outbox.is_out(status.publication),
        "revision": revision.number,
        "text": revision.text,
        "parts": revision.parts,
        "findings": revision.findings,
        "blocking": revision.has_blocking_findings,
        "cooling_off_until": draft.cooling_off_until,
        "requires_signoff": bool(status.signoff_reasons),
        "signoff_reasons": status.signoff_reasons,
        "missing_signoff": status.missing_signoff,
        "approvals": status.approvals,
        "reviews": status.reviews + status.earlier_reviews,
        "signoffs": status.signoffs,
        "publish_refusals": [
            {"code": refusal.code, "message": str(refusal)} for refusal in status.publish_refusals
        ],
        "target_warning": status.target_warning.message if status.target_warning else None,
        "cooling_off": (
            {
                "seconds": int(status.cooling_off.length.total_seconds()),
                "reasons": [str(reason) for reason in status.cooling_off.reasons],
                "message": status.cooling_off.message,
            }
            if status.cooling_off
            else None
        ),
        "follows_draft_id": draft.follows_draft_id,
        "published_at": draft.published_at,
        "publication": status.publication,
        **({"created": created} if created is not None else {}),
    }


@blueprint.route("/complaints/<int:complaint_id>/drafts", methods=["POST"])
@api_requires(Permission.DRAFT_REPLIES, scope=TokenScope.DRAFT)
@blueprint.arguments(DraftCreateSchema, example={"language": "en"})
@blueprint.response(201, DraftStateSchema, description="Created")
@blueprint.alt_response(200, schema=DraftStateSchema, description="The draft already in the works")
def create(payload: dict, complaint_id: int):
    """Start the complaint's reply: the four-part draft from the builder, or `text`.

    One draft is in the works per complaint: asking again returns it (200).
    """
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404, message=f"No complaint #{complaint_id}.")
    follows = None
    if payload["follows_draft_id"] is not None:
        follows = db.session.get(Draft, payload["follows_draft_id"])
        if follows is None:
            abort(404, message=f"No draft #{payload['follows_draft_id']}.")
    composition = (
        None
        if payload["text"] is not None
        else compose_draft(complaint, g.api_user, payload["language"])
    )
    started = operations.start_draft(
        db.session,
        complaint,
        composition,
        tone=tone_setting(complaint),
        actor=g.api_user,
        now=now(),
        text=payload["text"],
        follows=follows,
    )
    db.session.commit()
    return _state(started.draft, created=started.created), 201 if started.created else 200


@blueprint.route("/drafts/<int:draft_id>", methods=["GET"])
@api_requires(Permission.VIEW_COMPLAINTS, scope=TokenScope.READ)
@blueprint.response(200, DraftStateSchema)
def read(draft_id: int):
    """The draft's state, revision, cooling-off, decisions, whether sign-off is needed and
    why, and every reason a publish would be refused right now."""
    return _state(_draft(draft_id))


@blueprint.route("/drafts/<int:draft_id>", methods=["PATCH"])
@api_requires(Permission.DRAFT_REPLIES, scope=TokenScope.DRAFT)
@blueprint.arguments(DraftEditSchema)
@blueprint.response(200, DraftStateSchema)
def edit(payload: dict, draft_id: int):
    """Edit the draft: a new revision. After submission this voids approvals and sign-offs
    and restarts cooling-off. `revision` must be the current one (else 409
    `stale_revision`)."""
    draft = _draft(draft_id)
    replace = "text" in payload  # else `parts`: the schema wants one of them
    parts = {FREE_TEXT: payload["text"]} if replace else payload["parts"]
    operations.edit_parts(
        db.session,
        draft,
        parts,
        tone=tone_setting(draft.complaint),
        actor=g.api_user,
        now=now(),
        based_on=payload["revision"],
        policy=workflow_policy(),
        replace=replace,
    )
    db.session.commit()
    return _state(draft)


@blueprint.route(
    "/drafts/<int:draft_id>/<string:action>",
    methods=["POST"],
    # The document names the actions; another answers 404 saying which there are.
    parameters=[
        {
            "in": "path",
            "name": "action",
            "required": True,
            "schema": {"type": "string", "enum": list(ACTIONS)},
        }
    ],
)
@api_requires(Permission.VIEW_COMPLAINTS, scope=TokenScope.ACT)
@blueprint.arguments(DraftActionSchema)
@blueprint.response(200, DraftStateSchema)
def act(payload: dict, draft_id: int, action: str):
    """Take a step: `submit`, `approve`, `request-changes` (needs `comment`), `sign-off`
    (needs `group`; `approved: false` refuses), `withdraw`, `publish` (idempotent: asking
    again returns the one publication, `created: false`). Roles are checked on every step."""
    if action not in ACTIONS:
        abort(404, message=f"No action {action!r}; use one of {', '.join(ACTIONS)}.")
    created = workflow.act(
        db.session,
        _draft(draft_id),
        ACTIONS[action],
        actor=g.api_user,
        now=now(),
        revision_number=payload["revision"],
        policy=workflow_policy(),
        comment=payload["comment"],
        approved=payload["approved"],
        group=payload["group"] or None,
        anchor_start=payload["anchor_start"],
        anchor_end=payload["anchor_end"],
    )
    db.session.commit()
    return _state(_draft(draft_id), created=created)


@blueprint.route("/drafts/<int:draft_id>/publication/link", methods=["POST"])
@api_requires(Permission.DRAFT_REPLIES, scope=TokenScope.ACT)
@blueprint.arguments(LinkSchema)
@blueprint.response(200, DraftStateSchema)
def record_link(payload: dict, draft_id: int):
    """Manual publishing: the link of the reply as posted by hand."""
    draft = _draft(draft_id)
    publication = outbox.publication_for(db.session, draft)
    if publication is None:
        abort(409, message="This draft is not published yet.", code="not_published")
    outbox.record_link(db.session, publication, payload["url"], actor=g.api_user, now=now())
    db.session.commit()
    return _state(draft)


@blueprint.route("/complaints/<int:complaint_id>/resolve", methods=["POST"])
@api_requires(Permission.DRAFT_REPLIES, scope=TokenScope.ACT)
@blueprint.arguments(ResolveSchema)
@blueprint.response(200, description="Resolved")
def resolve(payload: dict, complaint_id: int):
    """Mark the complaint resolved (once a reply is out); open follow-ups close with it."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404, message=f"No complaint #{complaint_id}.")
    workflow.resolve(db.session, complaint, actor=g.api_user, now=now(), note=payload["note"])
    db.session.commit()
    return {
        "id": complaint.id,
        "status": complaint.status.value,
        "resolved_at": complaint.resolved_at.isoformat(),
    }
