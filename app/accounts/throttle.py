"""Login throttling: repeated failures lock an e-mail (and a noisy address) for a while.

Counts live in the database, so every worker and server sees the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import LoginAttempt

#: An address may fail this many times more than one e-mail before it is locked too
#: (an office behind one NAT has many people mistyping).
ADDRESS_FACTOR = 10


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after_seconds / 60))


def _failures_since(
    session: Session, column, value: str, since: datetime
) -> tuple[int, datetime | None]:
    """Failures since `since` and since the last success, with the oldest counted."""
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            column == value, LoginAttempt.succeeded.is_(True), LoginAttempt.at >= since
        )
    )
    start = max(since, last_success) if last_success else since
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= start
        )
    ).one()
    return count, oldest


def check(
    session: Session, email: str, remote_addr: str, *, policy: ThrottlePolicy, now: datetime
) -> Verdict:
    since = now - policy.window
    limits = [(LoginAttempt.email, email.lower(), policy.max_failures)]
    if remote_addr:
        limits.append((LoginAttempt.remote_addr, remote_addr, policy.max_failures * ADDRESS_FACTOR))
    for column, value, limit in limits:
        count, oldest = _failures_since(session, column, value, since)
        if count >= limit and oldest is not None:
            # Unlocks when the oldest counted failure leaves the window.
            retry = (oldest + policy.window - now).total_seconds()
            return Verdict(False, max(1, int(retry)))
    return Verdict(True)


def note_attempt(
    session: Session, email: str, remote_addr: str, *, succeeded: bool, now: datetime
) -> None:
    session.add(
        LoginAttempt(
            email=email.lower()[:254], remote_addr=remote_addr[:64], succeeded=succeeded, at=now
        )
    )
    session.flush()
