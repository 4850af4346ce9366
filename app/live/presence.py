"""Who else has a draft or complaint open. No Flask.

Each open draft or complaint page sends a heartbeat every LIVE_PRESENCE_MS (`here`); a
person counts as present for `ttl` after their last one (`others_here`). The heartbeat is
the only write of the live pages: it also deletes every row past `ttl` (one DELETE on the
`last_seen` index), so the table holds about one row per open page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.live.models import Presence


def _thing(draft_id: int | None, complaint_id: int | None):
    if (draft_id is None) == (complaint_id is None):
        raise ValueError("a presence is about one draft or one complaint")
    if draft_id is not None:
        return Presence.draft_id == draft_id
    return Presence.complaint_id == complaint_id


def here(
    session: Session,
    user: User,
    *,
    draft_id: int | None = None,
    complaint_id: int | None = None,
    now: datetime,
    ttl: timedelta,
) -> None:
    """`user` has this draft or complaint open now; rows past `ttl` go."""
    session.execute(
        delete(Presence)
        .where(Presence.last_seen < now - ttl)
        .execution_options(synchronize_session=False)
    )
    mine = select(Presence).where(Presence.user_id == user.id, _thing(draft_id, complaint_id))
    row = session.scalar(mine)
    if row is None:
        try:
            with session.begin_nested():  # the same person's other tab may insert it first
                session.add(
                    Presence(
                        user_id=user.id, draft_id=draft_id, complaint_id=complaint_id, last_seen=now
                    )
                )
            return
        except IntegrityError:
            row = session.scalar(mine)
    if row is not None:
        row.last_seen = now


def others_here(
    session: Session,
    viewer: User,
    *,
    draft_id: int | None = None,
    complaint_id: int | None = None,
    now: datetime,
    ttl: timedelta,
) -> list[str]:
    """The names of the other people with this draft or complaint open, A to Z; rows past
    `ttl` are ignored (the next heartbeat deletes them)."""
    names = session.scalars(
        select(User.name)
        .join(Presence, Presence.user_id == User.id)
        .where(
            _thing(draft_id, complaint_id),
            Presence.user_id != viewer.id,
            Presence.last_seen >= now - ttl,
            User.active.is_(True),
        )
        .order_by(User.name)
    )
    return list(names)
