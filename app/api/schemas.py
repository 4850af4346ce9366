"""Request and response shapes of the API; they also write the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.complaints.inbox import STATUS_FILTERS, clock
from app.web.helpers import now


class ComplaintCreateSchema(ma.Schema):
    channel = ma.fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"example": "x"}
    )
    text = ma.fields.String(
        required=True, metadata={"example": "@NorthwindHome where is my order?"}
    )
    author_handle = ma.fields.String(load_default="", validate=validate.Length(max=200))
    author_name = ma.fields.String(load_default="", validate=validate.Length(max=200))
    url = ma.fields.String(load_default="", validate=validate.Length(max=2000))
    received_at = ma.fields.AwareDateTime(
        load_default=None, metadata={"description": "ISO 8601 with a zone; default: now"}
    )
    external_id = ma.fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "The post's id on its channel; makes re-sending idempotent"},
    )


class EntitySchema(ma.Schema):
    kind = ma.fields.String()
    text = ma.fields.String()
    start = ma.fields.Integer()
    end = ma.fields.Integer()


class ComplaintSchema(ma.Schema):
    id = ma.fields.Integer()
    channel = ma.fields.String(attribute="channel_key")
    status = ma.fields.Function(lambda complaint: complaint.status.value)
    text = ma.fields.String()
    author_handle = ma.fields.String()
    author_name = ma.fields.String()
    url = ma.fields.String(allow_none=True)
    source = ma.fields.String()
    external_id = ma.fields.String(allow_none=True)
    received_at = ma.fields.AwareDateTime()
    response_due_at = ma.fields.AwareDateTime()
    created_at = ma.fields.AwareDateTime()
    clock = ma.fields.Method(
        "response_clock",
        metadata={
            "type": "object",
            "description": "The response-time clock now: urgency (on_track, due_soon, overdue, "
            "answered), remaining_seconds (negative when overdue), target_seconds",
        },
    )

    def response_clock(self, complaint) -> dict:
        """The complaint's response clock now, by the app's clock."""
        state = clock(complaint, now())
        return {
            "urgency": state.urgency.value,
            "remaining_seconds": int(state.remaining.total_seconds()),
            "target_seconds": int(state.target.total_seconds()),
        }

    language = ma.fields.String(allow_none=True)
    heat = ma.fields.Float(allow_none=True)
    heat_label = ma.fields.String(allow_none=True)
    complainer_type = ma.fields.String(allow_none=True)
    category = ma.fields.String(allow_none=True)
    flags = ma.fields.List(ma.fields.String())
    entities = ma.fields.List(ma.fields.Nested(EntitySchema))


class ComplaintListArgsSchema(ma.Schema):
    status = ma.fields.String(load_default="open", validate=validate.OneOf(list(STATUS_FILTERS)))
    channel = ma.fields.String(load_default=None)
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class ComplaintPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ComplaintSchema))
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    total = ma.fields.Integer()
    pages = ma.fields.Integer()
