"""Complaints and where they come from."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.channels import LengthCounting
from app.core.clock import utcnow
from app.core.db import Base, enum_column
from app.core.states import Moves


class Market(Base):
    """A country or team the company answers in: its languages, clock and company details.
    One default market is made by migration 0017 (24/7, the display time zone), so a team
    with one market sees nothing new. Read through `app.complaints.markets`."""

    __tablename__ = "markets"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    #: Language codes answered here, ["nl"]; a complaint on no market's channel goes to the
    #: first market listing its language.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: A zoneinfo name; NULL = the configured display time zone (DISPLAY_TIMEZONE).
    time_zone: Mapped[str | None] = mapped_column(String(64))
    #: Opening hours by weekday, {"mon": [["09:00", "17:00"]], ...}; NULL = 24/7.
    business_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The `holidays` package's country code ("NL"); NULL = no public holidays.
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    #: The market complaints go to when nothing else decides; exactly one.
    is_default: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    #: Company details for this market's replies; NULL = the company-wide detail.
    brand_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    faq_url: Mapped[str | None] = mapped_column(String(500))
    dm_instruction: Mapped[str | None] = mapped_column(String(160))

    __table_args__ = (
        Index(
            "uq_markets_one_default",
            "is_default",
            unique=True,
            sqlite_where=sql_text("is_default"),
            postgresql_where=sql_text("is_default"),
        ),
    )


class Channel(Base):
    """Where complaints arrive and replies go. Seeded by the first migration; admins tune it."""

    __tablename__ = "channels"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    #: The market the channel's complaints belong to; NULL = the default market.
    market_key: Mapped[str | None] = mapped_column(ForeignKey("markets.key"))
    #: Public channels are read by everyone: personal matters move to a private one.
    is_public: Mapped[bool]
    #: Longest reply the channel accepts, counted the channel's way (`length_counting`).
    char_limit: Mapped[int]
    #: The channel can carry a numbered thread when a reply does not fit.
    supports_threads: Mapped[bool] = mapped_column(default=False)
    #: How the channel counts a reply's length (X weighs links, emoji and CJK).
    length_counting: Mapped[LengthCounting] = mapped_column(
        enum_column(LengthCounting, "length_counting"), default=LengthCounting.CHARACTERS
    )
    #: Response-time target: the clock every complaint on this channel runs against.
    response_target_seconds: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        CheckConstraint("char_limit > 0", name="char_limit_positive"),
        CheckConstraint("response_target_seconds > 0", name="target_positive"),
    )


class MarketTarget(Base):
    """A market's own response-time target on one channel ("X in Latvia: 4 business
    hours"); without one, the channel's target (`Channel.response_target_seconds`) is the
    market's too. Counted on the market's clock."""

    __tablename__ = "market_targets"

    market_key: Mapped[str] = mapped_column(
        ForeignKey("markets.key", ondelete="CASCADE"), primary_key=True
    )
    channel_key: Mapped[str] = mapped_column(
        ForeignKey("channels.key", ondelete="CASCADE"), primary_key=True
    )
    response_target_seconds: Mapped[int]

    __table_args__ = (CheckConstraint("response_target_seconds > 0", name="target_positive"),)


class ComplaintStatus(enum.StrEnum):
    NEW = "new"  #: nobody has started a reply
    IN_PROGRESS = "in_progress"  #: a draft exists and is not yet published
    REPLIED = "replied"  #: a reply is out; waiting for resolution and follow-up
    RESOLVED = "resolved"
    #: Closed without a reply: it was not a complaint (issue 18's bulk close). Reopened by
    #: the bulk close's Undo.
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def open_statuses(cls) -> tuple[ComplaintStatus, ...]:
        return (cls.NEW, cls.IN_PROGRESS)


#: How a complaint's status moves: a draft is started, a reply goes out, it is resolved; or
#: one that is not a complaint is closed before anyone starts (reopened by Undo, or by
#: starting a reply after all).
COMPLAINT_MOVES = Moves(
    "complaint",
    {
        ComplaintStatus.NEW: {
            ComplaintStatus.IN_PROGRESS,
            ComplaintStatus.REPLIED,
            ComplaintStatus.CLOSED,
        },
        ComplaintStatus.IN_PROGRESS: {ComplaintStatus.REPLIED},
        ComplaintStatus.REPLIED: {ComplaintStatus.RESOLVED},
        ComplaintStatus.CLOSED: {ComplaintStatus.NEW, ComplaintStatus.IN_PROGRESS},
    },
)


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_key: Mapped[str] = mapped_column(ForeignKey("channels.key"))
    #: How the same complaint is recognised on re-import: the channel plus its external id,
    #: or its link, or a hash of author, time and text.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    #: `manual`, `api`, `twcs`, `csv`, `json` or `demo`.
    source: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(100))
    author_handle: Mapped[str] = mapped_column(String(200), default="")
    author_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    received_at: Mapped[datetime]
    #: received_at plus the channel's response-time target, fixed at intake.
    response_due_at: Mapped[datetime]
    status: Mapped[ComplaintStatus] = mapped_column(
        enum_column(ComplaintStatus, "complaint_status"), default=ComplaintStatus.NEW
    )

    def move_to(self, status: ComplaintStatus) -> None:
        """Change the status by one of `COMPLAINT_MOVES` (IllegalMove otherwise)."""
        self.status = COMPLAINT_MOVES.check(self.status, status)

    #: Still needs a reply. Computed by the database from the status, so it cannot drift;
    #: the inbox's default view reads it through its own index.
    is_open: Mapped[bool | None] = mapped_column(
        Computed("status IN ('new', 'in_progress')", persisted=True)
    )
    #: The agent who took the complaint ("take it").
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    import_job_id: Mapped[int | None] = mapped_column(ForeignKey("import_jobs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_replied_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]

    # Analysis (PRODUCT.md "Complaint analysis vocabulary"), filled by the analysis module.
    language: Mapped[str | None] = mapped_column(String(16))
    heat: Mapped[float | None]
    heat_label: Mapped[str | None] = mapped_column(String(8))
    complainer_type: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))
    #: Sensitivity flags, e.g. ["billing", "legal_threat"].
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Entities with spans: [{"kind": "order_ref", "text": "...", "start": 3, "end": 12}].
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Why each flag and the type were given: {"legal_threat": [{"text", "start", "end"}]}.
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The analysis in words: {"reasons": {"complainer_type": [...], "heat": [...]},
    #: "notices": [...], "language_supported": true}.
    analysis_notes: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=sql_text("'{}'")
    )
    analyzed_at: Mapped[datetime | None]
    #: What the text is (issue 15): complaint, question, praise or other, so that a feed's
    #: non-complaints can be listed and closed together. Its score per kind is
    #: `analysis_notes["kind"]["scores"]`, its words `evidence["kind"]`.
    kind: Mapped[str | None] = mapped_column(String(16))
    #: What the detector read the language as; `language` differs when an agent set it.
    detected_language: Mapped[str | None] = mapped_column(String(16))
    #: Who set the language by hand ("it is Dutch, not German") and when; NULL while the
    #: detected language stands. A re-read keeps the language they chose.
    language_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    language_set_at: Mapped[datetime | None]
    #: When the worker warned that the response-time target is near (issue 17): set once,
    #: by a compare-and-set, so several workers never warn twice about one complaint.
    due_warning_at: Mapped[datetime | None]
    #: The case the message belongs to (issue 18): set by intake for every complaint it
    #: stores (`app.complaints.cases`); NULL only for rows written around intake (the
    #: benchmarks' bulk inserts).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)

    channel: Mapped[Channel] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    language_set_by: Mapped[User | None] = relationship(foreign_keys=[language_set_by_id])
    case: Mapped[Case | None] = relationship("Case")

    @property
    def language_read(self) -> bool:
        """Whether Composure read heat, type and flags (it has rules for the language).
        Complaints not yet analysed count as read until they are."""
        return bool((self.analysis_notes or {}).get("language_supported", True))

    __table_args__ = (
        CheckConstraint("heat IS NULL OR (heat >= 0 AND heat <= 1)", name="heat_range"),
        CheckConstraint(
            "heat_label IS NULL OR heat_label IN ('low', 'medium', 'high')",
            name="heat_label_values",
        ),
        CheckConstraint(
            "complainer_type IS NULL OR complainer_type IN "
            "('aggressive', 'passive', 'constructive')",
            name="complainer_type_values",
        ),
        CheckConstraint(
            "kind IS NULL OR kind IN ('complaint', 'question', 'praise', 'other')",
            name="kind_values",
        ),
        CheckConstraint("response_due_at >= received_at", name="due_after_received"),
        CheckConstraint(
            "(language_set_by_id IS NULL) = (language_set_at IS NULL)", name="language_set_has_time"
        ),
        CheckConstraint(
            "(status = 'resolved') = (resolved_at IS NOT NULL)", name="resolved_has_time"
        ),
        # The inbox: open complaints, most urgent first, optionally by channel.
        Index("ix_complaints_status_due", "status", "response_due_at", "id"),
        Index("ix_complaints_channel_status_due", "channel_key", "status", "response_due_at", "id"),
        Index("ix_complaints_due", "response_due_at", "id"),
        Index("ix_complaints_open_due", "is_open", "response_due_at", "id"),
        Index("ix_complaints_channel_open_due", "channel_key", "is_open", "response_due_at", "id"),
        # The inbox by kind ("the questions"), most urgent first.
        Index("ix_complaints_kind_due", "kind", "response_due_at", "id"),
        # A customer's history by handle, across channels.
        Index("ix_complaints_author_handle", "author_handle"),
    )


class ComplaintFlag(Base):
    """One sensitivity flag of one complaint: what the inbox filters on, through an index.

    Mirrors `Complaint.flags` (kept for display order); both are written together by
    `app.complaints.reading.store`.
    """

    __tablename__ = "complaint_flags"

    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True
    )
    flag: Mapped[str] = mapped_column(String(32), primary_key=True)

    __table_args__ = (
        CheckConstraint(
            "flag IN ('billing', 'account', 'personal_data', 'legal_threat', 'safety', 'media', "
            "'discrimination', 'staff', 'harassment')",
            name="flag_values",
        ),
        Index("ix_complaint_flags_flag_complaint", "flag", "complaint_id"),
    )


class Tag(Base):
    """A label the team puts on complaints ("refund", "outage-12-07") to find them again."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored as typed, trimmed; unique without regard to case (`key`).
    name: Mapped[str] = mapped_column(String(40))
    #: `name` lower-cased: "Refund" and "refund" are one tag.
    key: Mapped[str] = mapped_column(String(40), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("length(key) > 0", name="key_not_empty"),)


class ComplaintTag(Base):
    """One tag on one complaint (set-based: a bulk tag is one INSERT … SELECT)."""

    __tablename__ = "complaint_tags"

    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_complaint_tags_tag_complaint", "tag_id", "complaint_id"),)


class SavedFilter(Base):
    """An inbox filter and search a person saved under a name: a link in their inbox."""

    __tablename__ = "saved_filters"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    #: The inbox's query string, as `InboxQuery.params` gave it (checked again on use).
    query: Mapped[str] = mapped_column(String(500))
    #: An admin shared it with the team: everyone sees the link (only its owner deletes it).
    shared: Mapped[bool] = mapped_column(default=False, server_default=sql_text("false"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "name"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )


class ImportFormat(enum.StrEnum):
    TWCS = "twcs"  #: "Customer Support on Twitter" CSV: only inbound rows are complaints
    CSV = "csv"  #: generic CSV with a header row
    JSON = "json"  #: a JSON array of objects, or JSON Lines


class ImportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: How an import's status moves. A crash fails the job from wherever it was.
IMPORT_MOVES = Moves(
    "import",
    {
        ImportStatus.QUEUED: {ImportStatus.RUNNING, ImportStatus.FAILED},
        ImportStatus.RUNNING: {ImportStatus.DONE, ImportStatus.FAILED},
    },
)


class ImportJob(Base):
    """One uploaded file and what became of each of its rows."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    #: None until the file is read when the uploader asked for detection.
    format: Mapped[ImportFormat | None] = mapped_column(enum_column(ImportFormat, "import_format"))
    encoding: Mapped[str] = mapped_column(String(32), default="utf-8")
    #: Channel for rows that name none (generic formats).
    default_channel_key: Mapped[str | None] = mapped_column(ForeignKey("channels.key"))
    #: The uploaded bytes, kept so a crashed import can run again and nothing is lost.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    size_bytes: Mapped[int] = mapped_column(default=0)
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus, "import_status"), default=ImportStatus.QUEUED
    )

    def move_to(self, status: ImportStatus) -> None:
        """Change the status by one of `IMPORT_MOVES` (IllegalMove otherwise)."""
        self.status = IMPORT_MOVES.check(self.status, status)

    total_rows: Mapped[int | None]
    processed_rows: Mapped[int] = mapped_column(default=0)
    imported_count: Mapped[int] = mapped_column(default=0)
    duplicate_count: Mapped[int] = mapped_column(default=0)
    rejected_count: Mapped[int] = mapped_column(default=0)
    #: Rows skipped without being complaints (brand replies in a twcs file).
    ignored_count: Mapped[int] = mapped_column(default=0)
    #: Of those, the brand replies kept as "our replies (imported)" in their cases.
    replies_kept_count: Mapped[int] = mapped_column(default=0, server_default=sql_text("0"))
    #: "Mark history as already handled": complaints received before the cut-off are
    #: stored resolved, so years-old posts do not top the inbox as overdue. The cut-off is
    #: `handled_before` when the person gave one, else each row's own: received before the
    #: import was queued minus the channel's response target (already overdue on arrival).
    history_handled: Mapped[bool] = mapped_column(default=False, server_default=sql_text("false"))
    handled_before: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: The process running the job ("host:pid:random"), and until when it holds it: it
    #: renews the lease at each committed batch and on a timer. A running job whose lease
    #: has run out was left by a process that died; another takes it over from
    #: `processed_rows` (see `app.complaints.imports.claim`).
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None]
    #: When its process last said it was alive.
    heartbeat_at: Mapped[datetime | None]
    #: How many times another process took the job over where the last one stopped.
    resumes: Mapped[int] = mapped_column(default=0, server_default=sql_text("0"))

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "(status IN ('done', 'failed')) = (finished_at IS NOT NULL)", name="finished_has_time"
        ),
        CheckConstraint(
            "lease_expires_at IS NULL OR status = 'running'", name="lease_only_while_running"
        ),
    )

    def stalled(self, now: datetime) -> bool:
        """Running, but nobody has renewed its lease in time: its process stopped."""
        return self.status is ImportStatus.RUNNING and (
            self.lease_expires_at is None or self.lease_expires_at <= now
        )

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))


class ImportRowIssue(Base):
    """A row of an import that was not imported: a duplicate, or rejected with a reason."""

    __tablename__ = "import_row_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id"), index=True)
    #: 1-based line (CSV, JSON Lines) or position (JSON array) in the file.
    row_number: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))

    __table_args__ = (
        CheckConstraint("outcome IN ('duplicate', 'rejected')", name="outcome_values"),
    )


class Case(Base):
    """A customer's messages that belong together, across channels (issue 18).

    A message joins a case by itself when the same author handle writes on the same
    channel while the case is open (`app.complaints.cases`), by the import's reply links,
    or by hand (an agent moves a complaint into another case or splits it out).
    """

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Where the case started.
    channel_key: Mapped[str] = mapped_column(ForeignKey("channels.key"))
    #: Who it is about: the first message's author handle, lower-cased ("" when unknown;
    #: such a case is never joined by handle).
    customer_handle: Mapped[str] = mapped_column(String(200), default="")
    #: When its earliest and latest customer messages were received: the case is open to
    #: messages of the same handle and channel within CASE_OPEN_HOURS of these.
    first_message_at: Mapped[datetime]
    last_message_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    channel: Mapped[Channel] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("last_message_at >= first_message_at", name="messages_in_order"),
        Index("ix_cases_channel_handle_last", "channel_key", "customer_handle", "last_message_at"),
        Index("ix_cases_customer_handle", "customer_handle"),
        # A case number is never given again after its case was removed (SQLite would
        # reuse the highest); PostgreSQL's sequence never does.
        {"sqlite_autoincrement": True},
    )


class ImportedReply(Base):
    """A brand's reply read from an imported file (twcs): shown read-only in its case's
    timeline as "our reply (imported)". Never a complaint, never published again."""

    __tablename__ = "imported_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    channel_key: Mapped[str] = mapped_column(ForeignKey("channels.key"))
    #: The post's id on the channel: a re-import adds nothing.
    external_id: Mapped[str] = mapped_column(String(100))
    #: The message it answers, as the file named it.
    in_response_to: Mapped[str | None] = mapped_column(String(100))
    author_handle: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime]
    import_job_id: Mapped[int | None] = mapped_column(ForeignKey("import_jobs.id"))

    __table_args__ = (
        UniqueConstraint("channel_key", "external_id"),
        Index("ix_imported_replies_case_sent", "case_id", "sent_at"),
    )


class CaseNote(Base):
    """An internal note on a case: for colleagues only, never published. @mentions of
    colleagues notify them."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    #: The colleagues it mentioned (user ids), notified when it was written.
    mentioned_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()

    __table_args__ = (Index("ix_case_notes_case_created", "case_id", "created_at"),)


class BreachWarning(Base):
    """A warning that a complaint's response was about to fall due (app/complaints/
    clocks.py): one per complaint and due time, kept by the unique key, so several workers
    never warn twice and a complaint given a new due time is warned about again."""

    __tablename__ = "breach_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    due_at: Mapped[datetime]
    warned_at: Mapped[datetime]
    #: Told whoever holds it (True) or the team (False), and how many people.
    to_holder: Mapped[bool]
    people: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("complaint_id", "due_at"),)
