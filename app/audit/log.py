"""Writing and verifying the audit log. Plain SQLAlchemy: the caller owns the transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent

GENESIS_HASH = "0" * 64
#: Key for PostgreSQL's transaction-level advisory lock serialising appends to the chain.
_CHAIN_LOCK_KEY = 7_290_431


def _payload(event: AuditEvent) -> str:
    return json.dumps(
        {
            "at": event.at.isoformat(),
            "actor_id": event.actor_id,
            "action": event.action,
            "entity_type": event.entity_type,
            "entity_id": event.entity_id,
            "complaint_id": event.complaint_id,
            "draft_id": event.draft_id,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "revision": event.revision,
            "details": event.details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def _hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _payload(event)).encode()).hexdigest()


def record(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: int | None,
    actor_id: int | None,
    now: datetime,
    complaint_id: int | None = None,
    draft_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    revision: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain in the caller's transaction and flush it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    prev_hash = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=now,
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        complaint_id=complaint_id,
        draft_id=draft_id,
        from_state=from_state,
        to_state=to_state,
        revision=revision,
        details=details or {},
        prev_hash=prev_hash or GENESIS_HASH,
    )
    event.hash = _hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def verify(session: Session) -> Iterator[ChainBreak]:
    """Yield every place where the chain does not hold; nothing yielded means it is intact."""
    expected_prev = GENESIS_HASH
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        if event.prev_hash != expected_prev:
            yield ChainBreak(event.id, "points at a previous event that is not the one before it")
        if _hash(event.prev_hash, event) != event.hash:
            yield ChainBreak(event.id, "its contents do not match its hash")
        expected_prev = event.hash
