"""Drafting aids on text sent in, nothing stored: /api/v1/analyze (the analysis),
/api/v1/drafts/compose (the first draft) and /api/v1/tone-check (the tone checks)."""

from __future__ import annotations

from flask import current_app, g
from flask_smorest import abort

from app.accounts.models import TokenScope
from app.accounts.permissions import Permission
from app.analysis import analyze
from app.api.auth import api_blueprint
from app.api.schemas import (
    AnalysisSchema,
    AnalyzeRequestSchema,
    ComposeRequestSchema,
    CompositionSchema,
    ToneCheckRequestSchema,
    ToneReportSchema,
)
from app.complaints import intake, reading
from app.complaints.models import Complaint
from app.core.text import clean_text, is_blank
from app.extensions import db
from app.tone.checker import MAX_CHARS
from app.web.access import api_requires
from app.web.services import compose_draft, services, tone_setting

blueprint = api_blueprint(
    "drafting_api",
    __name__,
    url_prefix="/api/v1",
    description="Complaint analysis, the four-part draft builder and the tone checks",
)


def _text(value: str | None, limit: int | None = None, *, what: str = "text") -> str:
    """The cleaned text, or a 422 saying it is empty or longer than `limit` characters."""
    text = clean_text(value)
    limit = limit or current_app.config["MAX_COMPLAINT_CHARS"]
    if is_blank(text):
        abort(422, message=f"The {what} is empty.", errors={"text": [f"The {what} is empty."]})
    if len(text) > limit:
        abort(
            422,
            message=f"The {what} is too long.",
            errors={"text": [f"{len(text):,} characters; the limit is {limit:,}."]},
        )
    return text


def _channel(key: str | None):
    channels = intake.load_channels(db.session)
    channel = intake.resolve_channel(key or "", channels)
    if channel is None:
        abort(
            422,
            message="Unknown channel.",
            errors={"channel": [f"Use one of: {', '.join(sorted(channels))}."]},
        )
    return channel


@blueprint.route("/analyze", methods=["POST"])
@api_requires(Permission.VIEW_COMPLAINTS, scope=TokenScope.READ)
@blueprint.arguments(AnalyzeRequestSchema)
@blueprint.response(200, AnalysisSchema)
def analyze_text(payload: dict):
    """Analyse a complaint's text without storing anything. In a language Composure has no
    rules for, `language_supported` is false and heat, type, category and kind are null."""
    text = _text(payload["text"])
    channel = _channel(payload["channel"]).key if payload["channel"] else None
    language = payload["language"]
    return {"text": text, **analyze(text, channel=channel, language=language).to_dict()}


@blueprint.route("/drafts/compose", methods=["POST"])
@api_requires(Permission.DRAFT_REPLIES, scope=TokenScope.DRAFT)
@blueprint.arguments(
    ComposeRequestSchema, required=True, example={"complaint_id": 1, "language": "en"}
)
@blueprint.response(200, CompositionSchema)
def compose_reply(payload: dict):
    """Build the four-part first draft for a stored complaint, or for a text and channel.

    Nothing is stored: the complaint page's "Draft a reply" creates the draft.
    """
    if "complaint_id" in payload:
        complaint = db.session.get(Complaint, payload["complaint_id"])
        if complaint is None:
            abort(404, message=f"No complaint #{payload['complaint_id']}.")
        composition = compose_draft(complaint, g.api_user, payload["language"])
        result = {"text": complaint.text, **reading.current(complaint).to_dict()}
    else:
        text = _text(payload["text"])
        channel = _channel(payload["channel"])
        found = analyze(text, channel=channel.key)
        composition = services().compose_text(
            text,
            found,
            channel,
            agent=g.api_user,
            customer_name=payload["customer_name"],
            handle=payload["handle"],
            language=payload["language"],
        )
        result = {"text": text, **found.to_dict()}
    return {**composition.to_dict(), "analysis": result}


@blueprint.route("/tone-check", methods=["POST"])
@api_requires(Permission.VIEW_COMPLAINTS, scope=TokenScope.DRAFT)
@blueprint.arguments(ToneCheckRequestSchema)
@blueprint.response(200, ToneReportSchema)
def tone_check(payload: dict):
    """Check a reply's tone: every finding with the words at fault, why, and a better wording.

    `blocking` is true when a finding has severity `block`: such a reply cannot be
    submitted or published. Nothing is stored.
    """
    text = _text(payload["text"], MAX_CHARS, what="reply")
    channel = _channel(payload["channel"])
    complaint = None
    if payload["complaint_id"] is not None:
        complaint = db.session.get(Complaint, payload["complaint_id"])
        if complaint is None:
            abort(404, message=f"No complaint #{payload['complaint_id']}.")
    report = tone_setting(complaint, channel).check_text(text, language=payload["language"])
    return {"text": report.text, **report.to_dict()}
