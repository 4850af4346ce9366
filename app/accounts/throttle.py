"""Login throttling per source: failures from one address, and from one address for one
e-mail, earn that source a lock-out that doubles each time; the account's owner, signing
in from elsewhere, is never locked out by someone else's guesses.

Each attempt is counted *before* the password is checked, by one atomic upsert
(`INSERT … ON CONFLICT DO UPDATE … RETURNING`, on SQLite and PostgreSQL alike), and the
count is committed before the check (the sign-in view commits between `charge` and the
password check). Thirty guesses sent at once therefore see counts 1 to 30 and only the
first `max_failures` are checked; a right password gives its count back.

Counts live in the database, so every worker and server sees the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.accounts.models import LoginAttempt, LoginThrottle

#: An address may fail this many times more than one address + e-mail pair before it is
#: locked too (an office behind one NAT has many people mistyping).
ADDRESS_FACTOR = 10
#: The longest lock-out, however often a source has been locked before.
MAX_LOCKOUT = timedelta(days=1)
#: A source that has not failed for this long starts again from the first lock-out length.
FORGIVE_AFTER = timedelta(days=1)

_TABLE = LoginThrottle.__table__


@dataclass(frozen=True)
class ThrottlePolicy:
    #: Failures of one address + e-mail pair (ADDRESS_FACTOR times as many for an address)
    #: within `window` before that source is locked out.
    max_failures: int
    #: How long failures are counted, and the first lock-out's length (then 2×, 4×, …).
    window: timedelta


@dataclass(frozen=True)
class Source:
    """The throttle rows one attempt counts against, each with its limit."""

    keys: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0
    source: Source = field(default_factory=lambda: Source(()))

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after_seconds / 60))


def source_of(email: str, remote_addr: str, policy: ThrottlePolicy) -> Source:
    address = remote_addr[:64] or "unknown"
    return Source(
        (
            (f"addr:{address}", policy.max_failures * ADDRESS_FACTOR),
            (f"pair:{address} {email.lower()[:254]}", policy.max_failures),
        )
    )


def _insert(session: Session):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def _count_attempt(session: Session, key: str, *, policy: ThrottlePolicy, now: datetime):
    """Add one to the key's count in one statement; a count older than the window starts
    again at 1. Returns (failures, window_started_at, locked_until)."""
    at = sa.literal(now, _TABLE.c.window_started_at.type)
    stale = _TABLE.c.window_started_at <= now - policy.window
    forgiven = _TABLE.c.window_started_at <= now - FORGIVE_AFTER
    statement = (
        _insert(session)(_TABLE)
        .values(key=key, failures=1, window_started_at=now, lockouts=0)
        .on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={
                "failures": sa.case((stale, 1), else_=_TABLE.c.failures + 1),
                "window_started_at": sa.case((stale, at), else_=_TABLE.c.window_started_at),
                "lockouts": sa.case((forgiven, 0), else_=_TABLE.c.lockouts),
            },
        )
        .returning(_TABLE.c.failures, _TABLE.c.window_started_at, _TABLE.c.locked_until)
    )
    return session.execute(statement).one()


def charge(
    session: Session, email: str, remote_addr: str, *, policy: ThrottlePolicy, now: datetime
) -> Verdict:
    """Count this attempt against its source, before any password is checked; refused
    when the source is locked out or has used up its attempts in this window."""
    source = source_of(email, remote_addr, policy)
    retry = 0
    for key, limit in source.keys:
        failures, window_started_at, locked_until = _count_attempt(
            session, key, policy=policy, now=now
        )
        if locked_until is not None and locked_until > now:
            retry = max(retry, math.ceil((locked_until - now).total_seconds()))
        elif failures > limit:
            retry = max(retry, math.ceil((window_started_at + policy.window - now).total_seconds()))
    if retry:
        return Verdict(False, max(1, retry), source)
    return Verdict(True, 0, source)


def note_failure(
    session: Session, source: Source, *, policy: ThrottlePolicy, now: datetime
) -> list[tuple[str, timedelta]]:
    """After a wrong password: lock out each key of the source that has reached its
    limit, for the window doubled per earlier lock-out. Returns the keys locked now."""
    locked = []
    for key, limit in source.keys:
        lockouts = session.execute(
            sa.update(_TABLE)
            .where(_TABLE.c.key == key, _TABLE.c.failures >= limit)
            .values(lockouts=_TABLE.c.lockouts + 1, failures=0, window_started_at=now)
            .returning(_TABLE.c.lockouts)
        ).scalar()
        if lockouts is None:
            continue
        length = min(policy.window * 2 ** min(lockouts - 1, 20), MAX_LOCKOUT)
        session.execute(
            sa.update(_TABLE).where(_TABLE.c.key == key).values(locked_until=now + length)
        )
        locked.append((key, length))
    return locked


def note_success(session: Session, source: Source) -> None:
    """A right password: the pair starts afresh; the address gets this attempt back."""
    for key, _ in source.keys:
        if key.startswith("pair:"):
            session.execute(sa.delete(_TABLE).where(_TABLE.c.key == key))
        else:
            session.execute(
                sa.update(_TABLE)
                .where(_TABLE.c.key == key, _TABLE.c.failures > 0)
                .values(failures=_TABLE.c.failures - 1)
            )


def note_attempt(
    session: Session, email: str, remote_addr: str, *, succeeded: bool, now: datetime
) -> None:
    """The security trail: every attempt, kept."""
    session.add(
        LoginAttempt(
            email=email.lower()[:254], remote_addr=remote_addr[:64], succeeded=succeeded, at=now
        )
    )
    session.flush()
