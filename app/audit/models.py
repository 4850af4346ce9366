"""Audit events: who did what, when, from which state to which, on which revision.

Append-only in the database itself: triggers created by the migrations refuse UPDATE and
DELETE on SQLite and PostgreSQL (and TRUNCATE on PostgreSQL). Each row carries the hash of
the one before it, keyed with the audit key, so a changed or removed row breaks the chain;
every append also writes a signed checkpoint of the new head, so rows removed from the end
(or a chain recomputed without the key) show too. See `app.audit.log`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    #: None for the system itself (imports from the CLI, scheduled jobs).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: e.g. "complaint.created", "user.roles_changed", "draft.submitted".
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None]
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    revision: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (
        Index("ix_audit_events_complaint_id_id", "complaint_id", "id"),
        Index("ix_audit_events_entity", "entity_type", "entity_id"),
    )


class AuditCheckpoint(Base):
    """The chain's head after an append, signed with the audit key: written in the same
    transaction as the event, append-only like it. `verify` compares the latest one with
    the chain's end; `flask audit checkpoint` prints it for keeping off the server."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The last event of the chain at the time, None while the log is empty.
    event_id: Mapped[int | None]
    event_hash: Mapped[str] = mapped_column(String(64))
    #: How many events the chain held up to and including `event_id`.
    event_count: Mapped[int]
    #: Events up to this id were written before the chain was keyed (plain SHA-256);
    #: fixed by the migration that introduced the key, carried by every checkpoint since.
    legacy_until: Mapped[int]
    #: HMAC-SHA256 of the fields above with the audit key.
    mac: Mapped[str] = mapped_column(String(64))
