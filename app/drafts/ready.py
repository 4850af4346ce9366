"""Telling an author their draft's cooling-off is over. No Flask: `flask worker run` calls
`announce_ended` in its clocks step, with its own transactions.

Once per cooling-off: a draft is announced when no notice of its end was created since
the cooling-off ended (`notify.READY_KIND`, on the draft's own link), so an edit that
restarts the cooling-off is announced again when the new one ends. On PostgreSQL the
drafts are claimed `FOR UPDATE SKIP LOCKED`, so two workers never announce one twice; on
SQLite writers take turns.

The open page does not wait for this: the live poll (`app.live.snapshot`) tells the
author's editor the moment the server finds the draft ready, worker or not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import String, cast, exists, literal, select
from sqlalchemy.orm import Session

from app.drafts import workflow
from app.drafts.models import Draft
from app.notifications import notify
from app.notifications.models import Notification


def _announced():
    """A notice of this cooling-off's end exists (correlated with `Draft`)."""
    link = literal("/drafts/") + cast(Draft.id, String) + literal("#publishing")
    return exists().where(
        Notification.user_id == Draft.author_id,
        Notification.kind == notify.READY_KIND,
        Notification.link == link,
        Notification.created_at >= Draft.cooling_off_until,
    )


def announce_ended(
    session: Session,
    *,
    now: datetime,
    checkpoint: Callable[[], None],
    limit: int = 200,
) -> list[int]:
    """Notify the author of each submitted draft whose cooling-off ended and was not yet
    announced; `checkpoint` (the worker's commit) runs after each. Returns the draft ids."""
    drafts = list(
        session.scalars(
            select(Draft)
            .where(Draft.is_submitted, Draft.cooling_off_until <= now, ~_announced())
            .order_by(Draft.cooling_off_until, Draft.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Draft)
        )
    )
    standings = workflow.standings(session, drafts, now=now)
    for draft in drafts:
        refusals = workflow.publish_refusals(standings[draft.id])
        waiting_for = str(refusals[0]) if refusals else None
        notify.cooling_off_ended(session, draft, waiting_for=waiting_for, now=now)
    checkpoint()
    return [draft.id for draft in drafts]
