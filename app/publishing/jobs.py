"""The outbox worker's loop: claim what is due, deliver it, record each attempt, with the
worker's own transactions (the domain steps in `app.publishing.outbox` only flush). Run by
`flask --app wsgi worker run` (and `flask outbox run`), never inside a request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.drafts.models import PublicationStatus
from app.publishing.outbox import (
    Adapter,
    Claim,
    RetryPolicy,
    claim_due,
    extend,
    record_attempt,
    release,
)


@dataclass
class RunReport:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    lost: int = 0  #: another worker took the row over before this one recorded its result


def deliver_due(
    session: Session,
    adapter: Adapter,
    *,
    clock: Callable[[], datetime],
    retry: RetryPolicy,
    limit: int = 1,
    should_stop: Callable[[], bool] = lambda: False,
    on_result: Callable[[Claim, PublicationStatus | None], None] | None = None,
) -> RunReport:
    """Deliver everything due now, a few rows per claim (`limit`), until nothing is due.
    The claim is committed before delivering, and each attempt's result right after it,
    so a worker that dies leaves its rows to another once their short lease ends
    (`retry.lease_seconds`, just over two webhook timeouts). Each further row of a claim
    has its lease renewed just before it is sent; when `should_stop` says so the rows not
    yet sent are given back at once."""
    report = RunReport()
    while not should_stop():
        claims = claim_due(session, now=clock(), retry=retry, limit=limit)
        session.commit()
        if not claims:
            return report
        for index, claim in enumerate(claims):
            if should_stop():
                for left in claims[index:]:
                    release(session, left, now=clock())
                session.commit()
                return report
            report.claimed += 1
            if index and not extend(session, claim, now=clock(), retry=retry):
                session.commit()
                report.lost += 1
                continue
            session.commit()
            delivery = adapter.deliver(
                claim.payload, idempotency_key=claim.idempotency_key, now=clock()
            )
            status = record_attempt(session, claim, delivery, now=clock(), retry=retry)
            session.commit()
            if on_result is not None:
                on_result(claim, status)
            if status is None:
                report.lost += 1
            elif status == PublicationStatus.DELIVERED:
                report.delivered += 1
            elif status == PublicationStatus.FAILED:
                report.failed += 1
            else:
                report.retrying += 1
    return report
