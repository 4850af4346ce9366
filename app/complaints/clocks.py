"""The clocks' warnings: a complaint still without a reply as its response-time target
nears. No Flask: `flask worker run` calls `warn_due` with its own transactions.

A complaint's due time is fixed at intake (`response_due_at`: received plus its channel's
target, counted on its market's clock; the inbox's "due soon" and "overdue" read the
same). Once it is within `margin` of that time with no reply out, whoever holds it (the
assignee) is told, or, while nobody does, everyone who can answer it
(`Permission.DRAFT_REPLIES`); the e-mail step sends the notice on when mail is configured.
Once per complaint: `due_warning_at` is set by a compare-and-set in the same transaction
as the notices, so two workers never warn twice.

Only due times around now are looked at (up to `margin` ahead, or passed less than
`margin` ago): a file of last year's complaints imported today warns nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User, UserRole
from app.accounts.permissions import GRANTS, Permission, can
from app.complaints.models import Complaint
from app.core.durations import in_words
from app.notifications import notify

KIND = "clock_warning"


@dataclass(frozen=True)
class Warning:
    complaint_id: int
    due_at: datetime
    people: int
    to_holder: bool


def margin_for(complaint: Complaint, margin: timedelta) -> timedelta:
    """The warning margin of one complaint: `margin`, at most a quarter of its target (the
    inbox's "due soon"), so a short target is not warned about as it arrives."""
    return min(margin, (complaint.response_due_at - complaint.received_at) / 4)


def team(session: Session) -> list[User]:
    """Everyone who can answer a complaint nobody holds."""
    roles = GRANTS[Permission.DRAFT_REPLIES]
    people = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.active.is_(True))
        .order_by(User.id)
    ).unique()
    return [person for person in people if can(person, Permission.DRAFT_REPLIES)]


def warn_due(
    session: Session,
    *,
    now: datetime,
    margin: timedelta,
    checkpoint: Callable[[], None],
    on_warning: Callable[[Warning], None] | None = None,
    limit: int = 200,
) -> list[Warning]:
    """Warn about each complaint coming due (see the module's docstring); `checkpoint`
    (the worker's commit) runs after each attempt to claim one."""
    candidates = session.scalars(
        select(Complaint.id)
        .where(
            Complaint.is_open.is_(True),
            Complaint.first_replied_at.is_(None),
            Complaint.due_warning_at.is_(None),
            Complaint.response_due_at > now - margin,
            Complaint.response_due_at <= now + margin,
        )
        .order_by(Complaint.response_due_at, Complaint.id)
        .limit(limit)
    ).all()
    warned = []
    for complaint_id in candidates:
        complaint = session.get(Complaint, complaint_id)
        own = margin_for(complaint, margin)
        if not (now - own < complaint.response_due_at <= now + own):
            continue
        won = session.execute(
            update(Complaint)
            .where(Complaint.id == complaint_id, Complaint.due_warning_at.is_(None))
            .values(due_warning_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not won:  # another worker warned about it a moment ago
            checkpoint()  # end the write transaction the attempt opened (SQLite's lock)
            continue
        warning = _notify(session, complaint, now)
        checkpoint()
        warned.append(warning)
        if on_warning is not None:
            on_warning(warning)
    return warned


def _notify(session: Session, complaint: Complaint, now: datetime) -> Warning:
    holder = complaint.assignee
    to_holder = holder is not None and can(holder, Permission.DRAFT_REPLIES)
    people = [holder] if to_holder else team(session)
    left = complaint.response_due_at - now
    when = (
        f"is due in {in_words(left, parts=2)}"
        if left > timedelta(0)
        else f"is {in_words(left, parts=2)} overdue"
    )
    who = complaint.author_handle or complaint.author_name or "a customer"
    whose = "" if to_holder else " Nobody has taken it."
    count = notify.send(
        session,
        people,
        kind=KIND,
        message=(
            f"Complaint #{complaint.id} from {who} on {complaint.channel.name} {when} "
            f"and has no reply yet.{whose}"
        ),
        link=f"/complaints/{complaint.id}",
        now=now,
    )
    session.flush()
    return Warning(complaint.id, complaint.response_due_at, count, to_holder)
