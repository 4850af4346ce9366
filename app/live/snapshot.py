"""What a page asks `GET /live` for: the viewer's counts, their newest unread notice, and
for the draft or complaint the page shows, where it stands and who else has it open. No
Flask, and no writes: the answer is a function of the database and the clock, so any
gunicorn worker gives the same one, and an unchanged answer has an unchanged ETag.

Nothing in it counts seconds: the page counts the cooling-off down itself from
`cooling_off_until`, and the server says `ready` once the draft really is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.permissions import Permission, can
from app.drafts import guards, mine, queues, workflow
from app.drafts.models import Draft
from app.drafts.policy import WorkflowPolicy
from app.drafts.workflow import Action
from app.live import presence
from app.notifications import notify
from app.publishing import outbox


def counts(
    session: Session, viewer: User, *, now: datetime, policy: WorkflowPolicy
) -> dict[str, int]:
    """The header's counts, each only for whoever has the link: unread notices; drafts
    waiting for the viewer's review or sign-off; the viewer's open replies and how many of
    them are ready to publish."""
    found = {"notifications": notify.unread_count(session, viewer)}
    if can(viewer, Permission.REVIEW_DRAFTS):
        found["reviews"] = len(queues.review_queue(session, viewer, now=now, policy=policy))
    if can(viewer, Permission.SIGN_OFF_DRAFTS):
        found["signoffs"] = len(queues.signoff_queue(session, viewer, now=now, policy=policy))
    if can(viewer, Permission.DRAFT_REPLIES):
        replies = mine.my_replies(session, viewer, now=now)
        found["my_replies"] = len(replies)
        found["ready"] = sum(1 for reply in replies if reply.ready)
    return found


def _notice(session: Session, viewer: User) -> dict[str, Any] | None:
    newest = notify.unread(session, viewer, limit=1)
    if not newest:
        return None
    notice = newest[0]
    return {
        "id": notice.id,
        "at": notice.created_at.isoformat(),
        "message": notice.message,
        "link": f"/notifications/{notice.id}",
    }


def draft_part(
    session: Session, viewer: User, draft: Draft, *, now: datetime, ttl: timedelta
) -> dict[str, Any]:
    """Where one draft stands for the viewer: its state, what publishing still waits for,
    whether the viewer sees a Publish button and whether it works now, and who else has it
    open."""
    where = workflow.standing(session, draft, now=now)
    refusals = workflow.publish_refusals(where) if draft.is_open else []
    publish = workflow.GUARDS[Action.PUBLISH]
    return {
        "id": draft.id,
        "state": draft.state.value,
        "state_words": outbox.state_words(draft.state, outbox.publication_for(session, draft)),
        "revision": draft.current_revision,
        "cooling_off_until": draft.cooling_off_until.isoformat()
        if draft.cooling_off_until and draft.is_submitted
        else None,
        "cooling_off_over": bool(
            draft.is_submitted and draft.cooling_off_until and draft.cooling_off_until <= now
        ),
        "publish_refusals": [str(refusal) for refusal in refusals],
        "ready": draft.is_open and not refusals,
        #: The viewer's Publish button: on the page (perhaps disabled), and working now.
        "shows_publish": guards.shows_button(publish, viewer, where),
        "may_publish": not guards.refusals(publish, viewer, where),
        "here": presence.others_here(session, viewer, draft_id=draft.id, now=now, ttl=ttl),
    }


def snapshot(
    session: Session,
    viewer: User,
    *,
    now: datetime,
    policy: WorkflowPolicy,
    ttl: timedelta,
    draft: Draft | None = None,
    complaint_id: int | None = None,
) -> dict[str, Any]:
    """The whole answer of `GET /live` for `viewer` (see the module's docstring)."""
    answer: dict[str, Any] = {
        "counts": counts(session, viewer, now=now, policy=policy),
        "notice": _notice(session, viewer),
    }
    if not can(viewer, Permission.VIEW_COMPLAINTS):
        return answer
    if draft is not None:
        answer["draft"] = draft_part(session, viewer, draft, now=now, ttl=ttl)
    if complaint_id is not None:
        answer["complaint"] = {
            "id": complaint_id,
            "here": presence.others_here(
                session, viewer, complaint_id=complaint_id, now=now, ttl=ttl
            ),
        }
    return answer
