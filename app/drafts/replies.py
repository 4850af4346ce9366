"""A complaint's replies after publishing: what went out and how its delivery stands, the
follow-ups still open, and the public follow-up ("it's sorted"). No Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.complaints.models import Complaint
from app.core.words import N_, Words
from app.drafts import operations
from app.drafts.composer import ToneSetting
from app.drafts.models import Draft, DraftState, FollowUp, Publication, Revision


@dataclass(frozen=True)
class PublishedReply:
    draft: Draft
    revision: Revision
    publication: Publication | None

    @property
    def is_follow_up(self) -> bool:
        return self.draft.follows_draft_id is not None


def published(session: Session, complaint: Complaint) -> list[PublishedReply]:
    """The complaint's published replies, oldest first, with the text that went out."""
    rows = session.execute(
        select(Draft, Publication)
        .outerjoin(Publication, Publication.draft_id == Draft.id)
        .where(Draft.complaint_id == complaint.id, Draft.state == DraftState.PUBLISHED)
        .order_by(Draft.published_at, Draft.id)
    ).all()
    replies = []
    for draft, publication in rows:
        revision = (
            session.get(Revision, publication.revision_id)
            if publication is not None
            else session.scalar(
                select(Revision).where(
                    Revision.draft_id == draft.id, Revision.number == draft.current_revision
                )
            )
        )
        replies.append(PublishedReply(draft, revision, publication))
    return replies


def open_follow_ups(session: Session, complaint: Complaint) -> list[FollowUp]:
    return list(
        session.scalars(
            select(FollowUp)
            .where(FollowUp.complaint_id == complaint.id, FollowUp.done_at.is_(None))
            .order_by(FollowUp.due_at, FollowUp.id)
        )
    )


def start_follow_up(
    session: Session,
    complaint: Complaint,
    text: str,
    *,
    tone: ToneSetting,
    actor: User,
    now: datetime,
) -> operations.Started:
    """Start the public follow-up to the latest published reply; it goes through the same
    cooling-off, review and sign-off as any reply."""
    latest = session.scalar(
        select(Draft)
        .where(Draft.complaint_id == complaint.id, Draft.state == DraftState.PUBLISHED)
        .order_by(Draft.published_at.desc(), Draft.id.desc())
        .limit(1)
    )
    if latest is None:
        raise operations.DraftError(Words(N_("Publish a reply first; a follow-up comes after it.")))
    return operations.start_draft(
        session, complaint, None, tone=tone, actor=actor, now=now, text=text, follows=latest
    )
