"""Writing and verifying the audit log. Plain SQLAlchemy: the caller owns the transaction.

The chain: each event's hash is HMAC-SHA256, with the audit key, of the previous event's
hash and the event's contents. Events written before the chain was keyed (up to migration
0006) keep their plain SHA-256; the migration fixed where they end in a signed checkpoint,
and a plain hash after that point is a break.

The checkpoint: every append also writes the new head (last event id, its hash, the event
count) signed with the key, to `audit_checkpoints`, in the same transaction. `verify`
compares the chain's end with the latest one, so events removed from the end or a chain
recomputed without the key show, and `flask audit checkpoint` prints it for keeping off the
database server.

The key: a `Keyring` built once by `create_app` from AUDIT_KEY (or derived from
SECRET_KEY) and bound to the app's engine with `bind_keyring`. `record()` and `verify()`
find it through the session's bind, so the many callers pass only their session, two apps
in one process keep their own keys, and nothing here reads Flask's `current_app`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from app.audit.models import AuditCheckpoint, AuditEvent

GENESIS_HASH = "0" * 64
#: Key for PostgreSQL's transaction-level advisory lock serialising appends to the chain.
_CHAIN_LOCK_KEY = 7_290_431
#: What SECRET_KEY is run through when AUDIT_KEY is not set: the audit key is then
#: SECRET_KEY's, but never SECRET_KEY itself (which also signs the session cookies).
_DERIVATION_LABEL = b"composure audit key v1"
CHECKPOINT_VERSION = 1


class ChainHeadError(RuntimeError):
    """The checkpoint to append after is missing or not signed with our key: appending
    would sign whatever an intruder left there, so nothing is appended."""


class Keyring:
    """The audit key and the two keys derived from it: one hashes events, one signs
    checkpoints, so neither kind of value can stand in for the other."""

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("the audit key is empty")
        self.key = key
        self._events = hmac.new(key, b"events", hashlib.sha256).digest()
        self._checkpoints = hmac.new(key, b"checkpoints", hashlib.sha256).digest()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Keyring:
        """AUDIT_KEY as given, else a key derived from SECRET_KEY under its own label."""
        if config.get("AUDIT_KEY"):
            return cls(str(config["AUDIT_KEY"]).encode())
        secret = config.get("SECRET_KEY")
        if not secret:
            raise RuntimeError("Set AUDIT_KEY (or SECRET_KEY) to key the audit chain.")
        secret_bytes = secret if isinstance(secret, bytes) else str(secret).encode()
        return cls(hmac.new(secret_bytes, _DERIVATION_LABEL, hashlib.sha256).digest())

    def event_hash(self, prev_hash: str, payload: str) -> str:
        return hmac.new(self._events, (prev_hash + payload).encode(), hashlib.sha256).hexdigest()

    def sign(self, head: Head) -> str:
        return hmac.new(self._checkpoints, head.message().encode(), hashlib.sha256).hexdigest()


_keyrings: weakref.WeakKeyDictionary[Engine, Keyring] = weakref.WeakKeyDictionary()


def bind_keyring(engine: Engine, keyring: Keyring) -> None:
    """Every session and connection on `engine` hashes and verifies with `keyring`."""
    _keyrings[engine] = keyring


def keyring_for(session: Session | Connection) -> Keyring:
    bind = session if isinstance(session, Connection) else session.get_bind()
    try:
        return _keyrings[bind.engine]
    except KeyError:
        raise RuntimeError(
            "No audit key is bound to this database engine (create_app binds one)."
        ) from None


@dataclass(frozen=True)
class Head:
    """The chain's end as a checkpoint records it."""

    event_id: int | None
    event_hash: str
    event_count: int
    legacy_until: int

    def message(self) -> str:
        fields = (self.event_id or "", self.event_hash, self.event_count, self.legacy_until)
        return f"composure-audit-checkpoint|v{CHECKPOINT_VERSION}|" + "|".join(map(str, fields))


@dataclass(frozen=True)
class SignedHead:
    head: Head
    signature: str

    def signed_by(self, keyring: Keyring) -> bool:
        return hmac.compare_digest(keyring.sign(self.head), self.signature)

    def exported(self) -> str:
        """The checkpoint as one line of JSON, for `flask audit checkpoint`."""
        return json.dumps(
            {
                "version": CHECKPOINT_VERSION,
                "event_id": self.head.event_id,
                "event_hash": self.head.event_hash,
                "event_count": self.head.event_count,
                "legacy_until": self.head.legacy_until,
                "signature": self.signature,
            }
        )

    @classmethod
    def from_exported(cls, document: str) -> SignedHead:
        """Raises ValueError when `document` is not an exported checkpoint."""
        try:
            data = json.loads(document)
            if data["version"] != CHECKPOINT_VERSION:
                raise ValueError(f"version {data['version']!r}, expected {CHECKPOINT_VERSION}")
            head = Head(
                event_id=None if data["event_id"] is None else int(data["event_id"]),
                event_hash=str(data["event_hash"]),
                event_count=int(data["event_count"]),
                legacy_until=int(data["legacy_until"]),
            )
            return cls(head, str(data["signature"]))
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"not an exported audit checkpoint ({error})") from error

    @classmethod
    def of(cls, row: AuditCheckpoint) -> SignedHead:
        head = Head(row.event_id, row.event_hash, row.event_count, row.legacy_until)
        return cls(head, row.mac)


def checkpoint_row(head: Head, keyring: Keyring) -> AuditCheckpoint:
    return AuditCheckpoint(
        event_id=head.event_id,
        event_hash=head.event_hash,
        event_count=head.event_count,
        legacy_until=head.legacy_until,
        mac=keyring.sign(head),
    )


def latest_checkpoint(session: Session) -> SignedHead | None:
    row = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    return None if row is None else SignedHead.of(row)


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


def _plain_hash(prev_hash: str, event: AuditEvent) -> str:
    """How events were hashed before the chain was keyed (migration 0006)."""
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
    """Append one event to the chain and its checkpoint in the caller's transaction, and
    flush both. Raises ChainHeadError when the latest checkpoint is missing or forged."""
    keyring = keyring_for(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    # Chain on from the signed head, not from the table's last row: events removed from the
    # end then stay visible as a gap instead of being covered by the next checkpoint.
    head = _trusted_head(session, keyring)
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
        prev_hash=head.event_hash,
    )
    event.hash = keyring.event_hash(event.prev_hash, _payload(event))
    session.add(event)
    session.flush()
    new_head = Head(event.id, event.hash, head.event_count + 1, head.legacy_until)
    session.add(checkpoint_row(new_head, keyring))
    session.flush()
    return event


def _trusted_head(session: Session, keyring: Keyring) -> Head:
    latest = latest_checkpoint(session)
    if latest is None:
        raise ChainHeadError(
            "The audit log has no checkpoint to append after (removed, or the database is "
            "not migrated): run `flask audit verify`."
        )
    if not latest.signed_by(keyring):
        raise ChainHeadError(
            "The audit log's latest checkpoint signature does not match: it was written "
            "without the audit key, or AUDIT_KEY / SECRET_KEY has changed. Run "
            "`flask audit verify`."
        )
    return latest.head


@dataclass(frozen=True)
class ChainBreak:
    #: The event where it shows; None for a break of the checkpoint itself.
    event_id: int | None
    reason: str


_CHANGED = "its contents do not match its hash"
_UNLINKED = "points at a previous event that is not the one before it"
_PLAIN = (
    "its hash is a plain SHA-256 where the chain is keyed: it was rewritten without the audit key"
)


@dataclass
class _Seen:
    """What the scan found about one checkpoint's event."""

    hash: str | None = None
    count_up_to: int = 0


def verify(
    session: Session, keyring: Keyring | None = None, exported: SignedHead | None = None
) -> Iterator[ChainBreak]:
    """Yield every place where the chain does not hold; nothing yielded means it is intact.

    Checks each event's link and keyed hash, then the chain's end against the latest
    checkpoint in the database and, when given, against a checkpoint exported earlier.
    """
    keyring = keyring or keyring_for(session)
    stored = latest_checkpoint(session)  # read before the scan: its event is in the scan
    stored_ok = stored is not None and stored.signed_by(keyring)
    exported_ok = exported is not None and exported.signed_by(keyring)
    trusted = [signed.head for signed, ok in ((stored, stored_ok), (exported, exported_ok)) if ok]
    legacy_until = trusted[0].legacy_until if trusted else None
    seen = {head.event_id: _Seen() for head in trusted if head.event_id is not None}

    expected_prev, count, last_id, keyed_seen = GENESIS_HASH, 0, None, False
    first_after_stored: int | None = None
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        count += 1
        last_id = event.id
        if event.prev_hash != expected_prev:
            yield ChainBreak(event.id, _UNLINKED)
        if hmac.compare_digest(keyring.event_hash(event.prev_hash, _payload(event)), event.hash):
            keyed_seen = True
        elif _plain_hash(event.prev_hash, event) == event.hash:
            legacy = not keyed_seen if legacy_until is None else event.id <= legacy_until
            if not legacy:
                yield ChainBreak(event.id, _PLAIN)
        else:
            yield ChainBreak(event.id, _CHANGED)
        expected_prev = event.hash
        for event_id, found in seen.items():
            if event.id <= event_id:
                found.count_up_to += 1
            if event.id == event_id:
                found.hash = event.hash
        if stored_ok and first_after_stored is None and event.id > (stored.head.event_id or 0):
            first_after_stored = event.id

    def compare(head: Head, source: str) -> Iterator[ChainBreak]:
        if head.event_id is None:
            return
        found = seen[head.event_id]
        if found.hash is None:
            if last_id is None:
                where = "the log holds no events"
            elif last_id < head.event_id:
                removed = head.event_count - count
                where = f"the log ends at event #{last_id} ({removed} events removed from the end)"
            else:
                where = "the log no longer holds it"
            yield ChainBreak(
                head.event_id,
                f"missing: {source} records it as the last of {head.event_count} events, "
                f"but {where}",
            )
            return
        if not hmac.compare_digest(found.hash, head.event_hash):
            yield ChainBreak(
                head.event_id,
                f"its hash differs from the one {source} recorded: the chain was rewritten "
                "up to here",
            )
        if found.count_up_to != head.event_count:
            difference = head.event_count - found.count_up_to
            what = (
                f"{difference} events are missing"
                if difference > 0
                else f"{-difference} events were added before it"
            )
            yield ChainBreak(
                head.event_id,
                f"{source} counted {head.event_count} events up to here; the log holds "
                f"{found.count_up_to}: {what}",
            )

    if stored is None:
        yield ChainBreak(
            None,
            "the checkpoint of the chain's last event is missing: events removed or "
            "rewritten at the end cannot be ruled out",
        )
    elif not stored_ok:
        yield ChainBreak(None, _forged("the checkpoint"))
    else:
        yield from compare(stored.head, "the checkpoint")
        if first_after_stored is not None and not _covered(session, keyring, last_id):
            checkpointed = (
                "the checkpoint of the empty log"
                if stored.head.event_id is None
                else f"the last checkpointed event (#{stored.head.event_id})"
            )
            yield ChainBreak(
                first_after_stored,
                f"comes after {checkpointed} without a checkpoint of its own: written "
                "outside the app",
            )
    if exported is not None:
        if exported_ok:
            yield from compare(exported.head, "the exported checkpoint")
        else:
            yield ChainBreak(None, _forged("the exported checkpoint"))


def _forged(source: str) -> str:
    return (
        f"{source}'s signature does not match: it was written without the audit key "
        "(or AUDIT_KEY or SECRET_KEY has changed)"
    )


def _covered(session: Session, keyring: Keyring, last_id: int | None) -> bool:
    """Whether a checkpoint committed while the scan ran covers its last event (on
    PostgreSQL each statement sees the commits made before it started)."""
    latest = latest_checkpoint(session)
    return (
        latest is not None
        and latest.signed_by(keyring)
        and latest.head.event_id is not None
        and last_id is not None
        and latest.head.event_id >= last_id
    )
