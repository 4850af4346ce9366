"""Composing a draft for a stored complaint: gathers what the builder needs.

Shared by the complaint page, the draft editor and the API, so all three offer the same
parts and alternatives.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.complaints import analysis
from app.complaints.models import Channel, Complaint
from app.drafts.builder import ChannelInfo, Composition, Sources, compose
from app.drafts.templates import Library
from app.settings.company import CompanyDetails


def channel_info(channel: Channel) -> ChannelInfo:
    return ChannelInfo(
        key=channel.key,
        name=channel.name,
        is_public=channel.is_public,
        char_limit=channel.char_limit,
        supports_threads=channel.supports_threads,
    )


def compose_for(
    session: Session,
    complaint: Complaint,
    *,
    library: Library,
    company: CompanyDetails,
    agent: User | None,
    now: datetime,
    timezone: str,
) -> Composition:
    return compose(
        library,
        analysis.ensure(session, complaint, now=now),
        channel_info(complaint.channel),
        Sources(
            company=company,
            agent_name=agent.name if agent else "",
            customer_name=complaint.author_name,
            handle=complaint.author_handle,
            now=now,
            timezone=timezone,
            seed=str(complaint.id),
        ),
    )
