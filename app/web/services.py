"""The services in force for this request: one `app.services.Services` per request (kept
on `flask.g`), so the settings are read at most once while a page is built."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, g

from app import services as app_services
from app.accounts.models import User
from app.complaints.models import Channel, Complaint
from app.drafts.builder import Composition
from app.drafts.composer import ToneSetting
from app.drafts.policy import WorkflowPolicy
from app.drafts.response_templates import Library
from app.extensions import db
from app.settings.company import CompanyDetails
from app.tone.policy import TonePolicy
from app.web.language import select_time_zone


def services() -> app_services.Services:
    if "composure_services" not in g:
        g.composure_services = app_services.Services.of(current_app, db.session)
    return g.composure_services


def now() -> datetime:
    """The current time from the app's clock (frozen in tests, the system clock otherwise)."""
    return services().now()


def display_zone() -> ZoneInfo:
    """The zone this request shows times in: the person's, else DISPLAY_TIMEZONE."""
    return ZoneInfo(select_time_zone())


def company() -> CompanyDetails:
    return services().company


def tone_policy() -> TonePolicy:
    return services().tone_policy


def workflow_policy() -> WorkflowPolicy:
    return services().workflow_policy


def templates() -> Library:
    return services().library


def tone_setting(complaint: Complaint | None, channel: Channel | None = None) -> ToneSetting:
    return services().tone_setting(complaint, channel)


def compose_draft(
    complaint: Complaint, agent: User | None, language: str | None = None
) -> Composition:
    return services().compose_draft(complaint, agent, language)
