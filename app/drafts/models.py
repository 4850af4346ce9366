"""The reply side of the data model (PRODUCT.md "Draft states", "Publishing").

The workflow that moves drafts between states lives in its own module; these tables carry
everything it needs: revisions that are never overwritten, reviews and sign-offs bound to
one revision, a publication outbox with idempotency keys, and follow-ups.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.complaints.models import Channel, Complaint
from app.core.clock import utcnow
from app.core.db import Base, enum_column
from app.core.states import Moves


class DraftState(enum.StrEnum):
    DRAFT = "draft"
    COOLING_OFF = "cooling_off"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"

    # The groups of states, named once: Python, SQL (`Draft.is_open` …) and templates read
    # these instead of listing states again.
    @classmethod
    def being_written(cls) -> frozenset[DraftState]:
        """Not submitted yet, or sent back: the author is writing."""
        return _BEING_WRITTEN

    @classmethod
    def submitted(cls) -> frozenset[DraftState]:
        """Submitted and not sent back: cooling off, in review, waiting to go out."""
        return _SUBMITTED

    @classmethod
    def open(cls) -> frozenset[DraftState]:
        """In the works: neither published nor withdrawn (one per complaint)."""
        return _BEING_WRITTEN | _SUBMITTED

    @property
    def is_being_written(self) -> bool:
        return self in _BEING_WRITTEN

    @property
    def is_submitted(self) -> bool:
        return self in _SUBMITTED

    @property
    def is_open(self) -> bool:
        return self in DraftState.open()


_BEING_WRITTEN = frozenset({DraftState.DRAFT, DraftState.CHANGES_REQUESTED})
_SUBMITTED = frozenset({DraftState.COOLING_OFF, DraftState.APPROVED})


class Draft(Base):
    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The channel the reply goes out on (usually the complaint's; private when taken offline).
    channel_key: Mapped[str] = mapped_column(ForeignKey("channels.key"))
    state: Mapped[DraftState] = mapped_column(
        enum_column(DraftState, "draft_state"), default=DraftState.DRAFT
    )
    #: Number of the current revision; approvals on any other revision are void.
    current_revision: Mapped[int] = mapped_column(default=1)
    cooling_off_until: Mapped[datetime | None]
    requires_signoff: Mapped[bool] = mapped_column(default=False)
    #: Why sign-off is needed, for the sign-off queue: [{"kind": "flag", "value": "legal_threat"}].
    signoff_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Tone check codes (`warn` or `block`) caught before the first submission, while the
    #: agent wrote: what the dashboard counts as "caught before review". Filled in by
    #: `app.drafts.catches.note_tone_catches`; fixes made while typing are never saved
    #: as revisions, so the findings of revisions alone would miss them.
    tone_catches: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    #: The language the draft was built in: the complaint's by default, or the one the
    #: agent chose; the editor offers its other wordings in it. NULL for a text written by
    #: hand (and drafts from before migration 0010).
    language: Mapped[str | None] = mapped_column(String(16))
    #: A follow-up public reply ("it's sorted") points at the draft it follows.
    follows_draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    #: Optimistic lock: two people acting on the same draft at once get one winner.
    version: Mapped[int] = mapped_column(default=1)

    complaint: Mapped[Complaint] = relationship()
    channel: Mapped[Channel] = relationship()
    author: Mapped[User] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="draft", order_by="Revision.number"
    )

    @hybrid_property
    def is_being_written(self) -> bool:
        return self.state in DraftState.being_written()

    @is_being_written.inplace.expression
    @classmethod
    def _is_being_written_expression(cls) -> ColumnElement[bool]:
        return cls.state.in_(DraftState.being_written())

    @hybrid_property
    def is_submitted(self) -> bool:
        return self.state in DraftState.submitted()

    @is_submitted.inplace.expression
    @classmethod
    def _is_submitted_expression(cls) -> ColumnElement[bool]:
        return cls.state.in_(DraftState.submitted())

    @hybrid_property
    def is_open(self) -> bool:
        return self.state in DraftState.open()

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls) -> ColumnElement[bool]:
        return cls.state.in_(DraftState.open())

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(
            "(state = 'published') = (published_at IS NOT NULL)", name="published_has_time"
        ),
        CheckConstraint(
            "state = 'draft' OR state = 'withdrawn' OR cooling_off_until IS NOT NULL",
            name="submitted_has_cooling_off",
        ),
        CheckConstraint("current_revision >= 1", name="revision_positive"),
        Index("ix_drafts_state_updated", "state", "updated_at"),
        # One reply in the works per complaint: a second "Draft a reply" click, or two
        # agents at once, find the draft already there instead of starting another.
        Index(
            "uq_drafts_active_per_complaint",
            "complaint_id",
            unique=True,
            sqlite_where=text("state NOT IN ('published', 'withdrawn')"),
            postgresql_where=text("state NOT IN ('published', 'withdrawn')"),
        ),
    )


class Revision(Base):
    """One version of a draft's text. Edits add a revision; none is ever changed."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"))
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    #: The four parts as built or edited: {"validate": "...", "responsibility": "...", ...}.
    parts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Template variant chosen per part, so the checks know what the draft was built from.
    template_ids: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Tone findings on this exact text: [{"code", "severity", "start", "end", ...}].
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    has_blocking_findings: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    draft: Mapped[Draft] = relationship(back_populates="revisions")
    author: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("draft_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )


class ReviewDecision(enum.StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class Review(Base):
    """A colleague's reading of one revision."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[ReviewDecision] = mapped_column(enum_column(ReviewDecision, "review_decision"))
    comment: Mapped[str] = mapped_column(Text, default="")
    #: Optional passage of the revision the comment is about (character offsets).
    anchor_start: Mapped[int | None]
    anchor_end: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when a later edit voids this review; the row itself stays.
    voided_at: Mapped[datetime | None]

    reviewer: Mapped[User] = relationship()
    revision: Mapped[Revision] = relationship()

    __table_args__ = (
        CheckConstraint(
            "decision = 'approved' OR length(comment) > 0", name="changes_need_comment"
        ),
        CheckConstraint("(anchor_start IS NULL) = (anchor_end IS NULL)", name="anchor_pair"),
    )


class SignOffGroup(enum.StrEnum):
    """The sign-off groups every team starts with (migration 0005 creates them); admins
    define more (`app.accounts.models.Group`), so a sign-off's group is a plain key."""

    LEGAL = "legal"
    PR = "pr"


class SignOff(Base):
    """Legal's or PR's decision on one revision of a sensitive draft. Each live sign-off of
    a revision is by a different person: one person never stands in for two groups."""

    __tablename__ = "signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    group: Mapped[str] = mapped_column(ForeignKey("signoff_groups.key"))
    approved: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    voided_at: Mapped[datetime | None]

    signer: Mapped[User] = relationship()

    __table_args__ = (
        Index(
            "uq_signoffs_live_per_signer",
            "revision_id",
            "signer_id",
            unique=True,
            sqlite_where=text("voided_at IS NULL"),
            postgresql_where=text("voided_at IS NULL"),
        ),
    )


class PublicationStatus(enum.StrEnum):
    PENDING = "pending"  #: in the outbox, waiting for (another) attempt
    DELIVERED = "delivered"
    FAILED = "failed"  #: gave up after the last retry; needs a person


#: How a publication's status moves: delivered or given up on; a failed one is sent again
#: or posted by hand; a link recorded by hand may complete a delivery that gave none.
PUBLICATION_MOVES = Moves(
    "publication",
    {
        PublicationStatus.PENDING: {PublicationStatus.DELIVERED, PublicationStatus.FAILED},
        PublicationStatus.FAILED: {PublicationStatus.PENDING, PublicationStatus.DELIVERED},
        PublicationStatus.DELIVERED: {PublicationStatus.DELIVERED},
    },
)


class Publication(Base):
    """The outbox row for one published draft. One per draft: publishing is idempotent."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), unique=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    adapter: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[PublicationStatus] = mapped_column(
        enum_column(PublicationStatus, "publication_status"), default=PublicationStatus.PENDING
    )

    def move_to(self, status: PublicationStatus) -> None:
        """Change the status by one of `PUBLICATION_MOVES` (IllegalMove otherwise)."""
        self.status = PUBLICATION_MOVES.check(self.status, status)

    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Link to the posted reply (recorded by hand for the manual adapter).
    external_url: Mapped[str | None] = mapped_column(String(2000))
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(
            "(status = 'delivered') = (delivered_at IS NOT NULL)", name="delivered_has_time"
        ),
        Index("ix_publications_status_next", "status", "next_attempt_at"),
    )


class FollowUp(Base):
    """A reminder to check back with the customer after a reply went out."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    due_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("(done_at IS NULL) = (done_by_id IS NULL)", name="done_has_person"),
    )


class WorkingCopy(Base):
    """The text a person is writing in the editor, kept as they type (autosave) so that
    nothing is lost when the page is left: not a revision, so nothing in the workflow moves
    (no state, approvals, cooling-off or audit). One per draft and person; saving a
    revision clears it (`app.drafts.working_copy`)."""

    __tablename__ = "draft_working_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The parts as the editor holds them: {"validate": "...", ...}.
    parts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The revision the editor was opened on: an older one than the draft's current
    #: revision means a colleague saved meanwhile, and the copy is shown as a conflict.
    base_revision: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("draft_id", "user_id"),
        CheckConstraint("base_revision >= 1", name="base_revision_positive"),
    )
