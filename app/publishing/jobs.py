"""The outbox worker's loop: claim what is due, deliver it, record each attempt, with the
worker's own transactions (the domain steps in `app.publishing.outbox` only flush). Run by
`flask --app wsgi outbox run`, never inside a request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.drafts.models import PublicationStatus
from app.publishing.outbox import Adapter, RetryPolicy, claim_due, record_attempt


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
    limit: int = 20,
) -> RunReport:
    """Deliver everything due now, batch by batch, until nothing is due. The claim is
    committed before delivering, and each attempt's result right after it, so a worker
    that dies mid-batch leaves every other row to the next claim."""
    report = RunReport()
    while True:
        claims = claim_due(session, now=clock(), retry=retry, limit=limit)
        session.commit()
        if not claims:
            return report
        for claim in claims:
            report.claimed += 1
            delivery = adapter.deliver(
                claim.payload, idempotency_key=claim.idempotency_key, now=clock()
            )
            status = record_attempt(session, claim, delivery, now=clock(), retry=retry)
            session.commit()
            if status is None:
                report.lost += 1
            elif status == PublicationStatus.DELIVERED:
                report.delivered += 1
            elif status == PublicationStatus.FAILED:
                report.failed += 1
            else:
                report.retrying += 1
