"""/api/v1/complaints: create, list and read complaints."""

from __future__ import annotations

from flask import current_app, g
from flask_smorest import abort

from app.accounts.permissions import Permission
from app.api.auth import api_blueprint
from app.api.schemas import (
    ComplaintCreateSchema,
    ComplaintListArgsSchema,
    ComplaintPageSchema,
    ComplaintSchema,
)
from app.complaints import inbox, intake
from app.complaints.models import Complaint
from app.extensions import db
from app.web.access import api_requires
from app.web.helpers import now

blueprint = api_blueprint(
    "complaints_api",
    __name__,
    url_prefix="/api/v1/complaints",
    description="Complaints: intake and the inbox",
)


@blueprint.route("", methods=["POST"])
@api_requires(Permission.CREATE_COMPLAINTS)
@blueprint.arguments(ComplaintCreateSchema)
@blueprint.response(201, ComplaintSchema, description="Stored")
@blueprint.alt_response(
    200, schema=ComplaintSchema, description="Already stored under the same id, link or content"
)
def create(payload: dict):
    data = intake.ComplaintInput(source="api", **payload)
    try:
        valid = intake.validate(
            data,
            intake.load_channels(db.session),
            now=now(),
            max_chars=current_app.config["MAX_COMPLAINT_CHARS"],
        )
    except intake.Rejection as rejection:
        abort(422, message="The complaint cannot be taken; see fields.", errors=rejection.fields)
    result = intake.register(db.session, valid, actor=g.api_user, now=now())
    db.session.commit()
    return result.complaint, 201 if result.created else 200


@blueprint.route("", methods=["GET"])
@api_requires(Permission.VIEW_COMPLAINTS)
@blueprint.arguments(ComplaintListArgsSchema, location="query")
@blueprint.response(200, ComplaintPageSchema)
def list_complaints(args: dict):
    result = inbox.list_page(
        db.session,
        inbox.InboxFilter(status=args["status"], channel=args["channel"], flag=args["flag"]),
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
@api_requires(Permission.VIEW_COMPLAINTS)
@blueprint.response(200, ComplaintSchema)
def read(complaint_id: int):
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404, message=f"No complaint #{complaint_id}.")
    return complaint
