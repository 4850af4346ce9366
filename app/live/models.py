"""Who has which draft or complaint open: one row per person and thing, refreshed by the
page's heartbeat (`POST /live/presence`). Rows older than LIVE_PRESENCE_SECONDS are
ignored when read and deleted by the next heartbeat of anyone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class Presence(Base):
    __tablename__ = "presence"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: What the person has open: a draft (the editor, its review or sign-off page) or a
    #: complaint (its page); exactly one of the two.
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE")
    )
    #: The last heartbeat from that page.
    last_seen: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (
        CheckConstraint("(draft_id IS NULL) <> (complaint_id IS NULL)", name="one_thing_open"),
        UniqueConstraint("user_id", "draft_id"),
        UniqueConstraint("user_id", "complaint_id"),
        Index("ix_presence_draft_id", "draft_id"),
        Index("ix_presence_complaint_id", "complaint_id"),
    )
