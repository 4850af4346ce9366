"""/api/v1/complaints: create, list and read complaints; take and release them.

Taking a complaint a colleague has, without `take_over`, answers 409 with
`error.code` `held_by_colleague`; a resolved one 409 `resolved`; releasing someone
else's (not being an admin) 409 `not_holder`; a missing role 403.
"""

from __future__ import annotations

from flask import current_app, g
from flask_smorest import abort

from app.accounts.models import TokenScope
from app.accounts.permissions import Permission
from app.api.auth import api_blueprint
from app.api.schemas import (
    AssignmentRequestSchema,
    AssignmentSchema,
    ComplaintCreateSchema,
    ComplaintListArgsSchema,
    ComplaintPageSchema,
    ComplaintSchema,
    LanguageRequestSchema,
)
from app.complaints import assignment, inbox, intake, reading
from app.complaints.models import Complaint
from app.extensions import db
from app.services import case_window
from app.web.access import api_requires
from app.web.services import now

blueprint = api_blueprint(
    "complaints_api",
    __name__,
    url_prefix="/api/v1/complaints",
    description="Complaints: intake and the inbox",
)


@blueprint.route("", methods=["POST"])
@api_requires(Permission.CREATE_COMPLAINTS, scope=TokenScope.DRAFT)
@blueprint.arguments(ComplaintCreateSchema)
@blueprint.response(201, ComplaintSchema, description="Stored")
@blueprint.alt_response(
    200, schema=ComplaintSchema, description="Already stored under the same id, link or content"
)
def create(payload: dict):
    data = intake.ComplaintInput(source="api", **payload)
    try:
        result = intake.add(
            db.session,
            data,
            actor=g.api_user,
            now=now(),
            max_chars=current_app.config["MAX_COMPLAINT_CHARS"],
            case_window=case_window(current_app.config),
        )
    except intake.Rejection as rejection:
        abort(422, message="The complaint cannot be taken; see fields.", errors=rejection.fields)
    db.session.commit()
    return result.complaint, 201 if result.created else 200


@blueprint.route("", methods=["GET"])
@api_requires(Permission.VIEW_COMPLAINTS, scope=TokenScope.READ)
@blueprint.arguments(ComplaintListArgsSchema, location="query")
@blueprint.response(200, ComplaintPageSchema)
def list_complaints(args: dict):
    result = inbox.list_page(
        db.session,
        inbox.InboxFilter(
            status=args["status"],
            channel=args["channel"],
            flag=args["flag"],
            kind=args["kind"],
            assignee=args["assignee"],
            viewer_id=g.api_user.id,
            search=inbox.Search.parse(args["q"]),
        ),
        page=args["page"],
        per_page=args["per_page"],
    )
    return {
        "items": result.items,
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total,
        "pages": result.pages,
    }


@blueprint.route("/<int:complaint_id>", methods=["GET"])
@api_requires(Permission.VIEW_COMPLAINTS, scope=TokenScope.READ)
@blueprint.response(200, ComplaintSchema)
def read(complaint_id: int):
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404, message=f"No complaint #{complaint_id}.")
    return complaint


@blueprint.route("/<int:complaint_id>/language", methods=["PUT"])
@api_requires(Permission.DRAFT_REPLIES, scope=TokenScope.DRAFT)
@blueprint.arguments(LanguageRequestSchema)
@blueprint.response(200, ComplaintSchema)
def set_language(payload: dict, complaint_id: int):
    """Correct the detected language: the complaint is read again in the language given
    (with its rules, or "not read": language_supported false); who set it is stored and
    audited. 422 for a language code Composure cannot name."""
    complaint = _complaint(complaint_id)
    reading.correct_language(
        db.session, complaint, payload["language"], actor=g.api_user, now=now()
    )
    db.session.commit()
    return complaint


def _complaint(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404, message=f"No complaint #{complaint_id}.")
    return complaint


def _assignment(change: assignment.Change) -> dict:
    complaint = change.complaint
    return {
        "complaint_id": complaint.id,
        "assignee_id": complaint.assignee_id,
        "assignee": complaint.assignee.name if complaint.assignee else None,
        "changed": change.changed,
    }


@blueprint.route("/<int:complaint_id>/assignment", methods=["POST"])
@api_requires(Permission.DRAFT_REPLIES, scope=TokenScope.ACT)
@blueprint.arguments(AssignmentRequestSchema)
@blueprint.response(200, AssignmentSchema)
def take(payload: dict, complaint_id: int):
    """Take the complaint ("take it"). Taking it again changes nothing (`changed: false`);
    a colleague's is refused (409 `held_by_colleague`) unless `take_over` is true."""
    complaint = _complaint(complaint_id)
    change = assignment.take(
        db.session, complaint, actor=g.api_user, now=now(), take_over=payload["take_over"]
    )
    db.session.commit()
    return _assignment(change)


@blueprint.route("/<int:complaint_id>/assignment", methods=["DELETE"])
@api_requires(Permission.DRAFT_REPLIES, scope=TokenScope.ACT)
@blueprint.response(200, AssignmentSchema)
def release(complaint_id: int):
    """Release the complaint: for the agent who has it, or an admin (else 409
    `not_holder`). Releasing one nobody has changes nothing."""
    complaint = _complaint(complaint_id)
    change = assignment.release(db.session, complaint, actor=g.api_user, now=now())
    db.session.commit()
    return _assignment(change)
