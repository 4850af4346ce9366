""" "My replies": the drafts a person wrote that are still open, each with where it stands,
how long it still waits and what it needs next. No Flask.

What publishing waits for is the workflow's own list (`workflow.publish_refusals`), so
this list, the editor's publish button and the live pages never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.complaints.models import Complaint
from app.core.words import N_, Duration, Words
from app.drafts import workflow
from app.drafts.models import Draft, DraftState
from app.publishing import outbox

NEXT_WHILE_WRITTEN = {
    DraftState.DRAFT: Words(N_("Finish it and submit it for review.")),
    DraftState.CHANGES_REQUESTED: Words(N_("Changes requested: edit it and submit it again.")),
}
READY = Words(N_("Ready to publish."))


@dataclass(frozen=True)
class MyReply:
    draft: Draft
    complaint: Complaint
    #: Cooling-off still to run; None once over (or before submission).
    wait_left: timedelta | None
    #: What it needs next, in words: the first thing publishing waits for, or READY.
    next_step: Words
    #: Nothing stands between it and publishing.
    ready: bool

    @property
    def state_words(self) -> str:
        return outbox.state_words(self.draft.state)  # open drafts are not published

    @property
    def wait_words(self) -> Words | None:
        """ "4 minutes left", "1 hour 5 minutes left"; None when nothing is left to wait."""
        if not self.wait_left:
            return None
        return Words(N_("%(left)s left"), {"left": Duration(self.wait_left, parts=2)})


def _open_drafts(user: User):
    return select(Draft).where(Draft.author_id == user.id, Draft.is_open)


def my_replies(session: Session, user: User, *, now: datetime) -> list[MyReply]:
    """`user`'s open drafts, the reply due soonest first (a handful of queries in all)."""
    drafts = list(
        session.scalars(
            _open_drafts(user)
            .join(Complaint, Complaint.id == Draft.complaint_id)
            .order_by(Complaint.response_due_at, Draft.id)
        )
    )
    standings = workflow.standings(session, drafts, now=now)
    replies = []
    for draft in drafts:
        wait = None
        if draft.is_submitted and draft.cooling_off_until and draft.cooling_off_until > now:
            wait = draft.cooling_off_until - now
        if draft.is_being_written:
            step, ready = NEXT_WHILE_WRITTEN[draft.state], False
        else:
            refusals = workflow.publish_refusals(standings[draft.id])
            first = refusals[0].words or Words(str(refusals[0])) if refusals else READY
            step, ready = first, not refusals
        replies.append(MyReply(draft, draft.complaint, wait, step, ready))
    return replies


def open_count(session: Session, user: User) -> int:
    """How many of `user`'s drafts are open: the count beside "My replies"."""
    return session.scalar(select(func.count()).select_from(_open_drafts(user).subquery())) or 0
