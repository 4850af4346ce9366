"""Taking a complaint ("take it"), taking it over from a colleague, assigning it to a
named colleague, and releasing it. No Flask: the inbox, the complaint page, the API and
starting a draft all call these.

One person holds a complaint at a time (`Complaint.assignee_id`). The change is a
compare-and-set in the database (`UPDATE … WHERE assignee_id IS <what was read>`), so two
agents clicking "Take it" at the same moment end with one holder and a clear refusal for
the other, on SQLite and PostgreSQL alike; a second click by the holder changes nothing.
Every change is written to the audit log in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import Role, User, UserRole
from app.accounts.permissions import GRANTS, Permission, can
from app.audit import log as audit
from app.audit.models import AuditEvent
from app.complaints.models import Complaint, ComplaintStatus
from app.core import errors
from app.core.words import N_
from app.notifications import notify

ASSIGN = "complaint.assign"
RELEASE = "complaint.release"
#: Compare-and-set tries before giving up on a complaint changing hands under us.
ATTEMPTS = 3


class Refused(errors.Refused):
    """Why the assignment cannot change: `code` for the API, the message for people.

    Codes: `forbidden` (the role), `resolved` (nothing left to take), `closed` (not a
    complaint), `not_drafter` (assigned only to people who draft), `held_by_colleague`
    (take it over instead), `not_holder` (only the holder or an admin releases), `busy`
    (it kept changing hands while we tried).
    `holder` is the colleague who has it, when that is the reason.
    """

    def __init__(self, code: str, message: str, *, holder: User | None = None) -> None:
        self.holder = holder
        super().__init__(code, message)


@dataclass(frozen=True)
class Change:
    """What a take or release did: `changed` is False when it was already so."""

    complaint: Complaint
    changed: bool
    before_id: int | None
    after_id: int | None


def take_refusal(actor: User, complaint: Complaint) -> Refused | None:
    """Why `actor` may not take the complaint at all (whoever holds it), or None."""
    if not can(actor, Permission.DRAFT_REPLIES):
        return Refused("forbidden", N_("Only agents take complaints; your role reads them."))
    if complaint.status == ComplaintStatus.RESOLVED:
        return Refused("resolved", N_("This complaint is resolved; there is nothing left to take."))
    if complaint.status == ComplaintStatus.CLOSED:
        return Refused("closed", N_("This complaint was closed as not a complaint."))
    return None


def may_take(actor: User, complaint: Complaint) -> bool:
    return take_refusal(actor, complaint) is None and complaint.assignee_id != actor.id


def may_assign(actor: User) -> bool:
    """Who assigns complaints to colleagues: whoever may take one (agents, admins)."""
    return can(actor, Permission.DRAFT_REPLIES)


def assignable(session: Session) -> list[User]:
    """The people a complaint can be assigned to: active, and allowed to draft replies."""
    roles = GRANTS[Permission.DRAFT_REPLIES]
    return list(
        session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles))),
            )
            .order_by(User.name, User.id)
        )
    )


def assign_refusal(actor: User, colleague: User | None) -> Refused | None:
    """Why `actor` may not assign complaints to `colleague`, or None."""
    if not may_assign(actor):
        return Refused("forbidden", N_("Only agents and admins assign complaints."))
    if colleague is None or not can(colleague, Permission.DRAFT_REPLIES):
        return Refused("not_drafter", N_("Assign complaints only to someone who drafts replies."))
    return None


def may_release(actor: User, complaint: Complaint) -> bool:
    """The holder releases their own complaint; an admin releases anyone's."""
    if complaint.assignee_id is None or not can(actor, Permission.DRAFT_REPLIES):
        return False
    return complaint.assignee_id == actor.id or Role.ADMIN in actor.roles


def _holder(session: Session, complaint: Complaint) -> User | None:
    return session.get(User, complaint.assignee_id) if complaint.assignee_id else None


def _held(holder: User | None) -> Refused:
    name = holder.name if holder else "A colleague"
    return Refused(
        "held_by_colleague",
        f"{name} has this complaint. Take it over only if you have agreed it with them.",
        holder=holder,
    )


def _busy() -> Refused:
    return Refused(
        "busy", N_("This complaint is changing hands right now; look again in a moment.")
    )


def _swap(session: Session, complaint: Complaint, expected: int | None, new: int | None) -> bool:
    """Set the holder to `new` if it is still `expected` in the database; re-read it."""
    holder_is = (
        Complaint.assignee_id.is_(None) if expected is None else Complaint.assignee_id == expected
    )
    result = session.execute(
        update(Complaint)
        .where(Complaint.id == complaint.id, holder_is)
        .values(assignee_id=new)
        .execution_options(synchronize_session=False)
    )
    session.refresh(complaint, ["assignee_id"])
    session.expire(complaint, ["assignee"])
    return result.rowcount == 1


def _record(
    session: Session,
    complaint: Complaint,
    action: str,
    *,
    actor: User,
    now: datetime,
    before: User | None,
    after: User | None,
    **details,
) -> None:
    audit.record(
        session,
        action=action,
        entity_type="complaint",
        entity_id=complaint.id,
        complaint_id=complaint.id,
        actor_id=actor.id,
        now=now,
        details={
            "from": before.id if before else None,
            "from_name": before.name if before else None,
            "to": after.id if after else None,
            "to_name": after.name if after else None,
            **details,
        },
    )


def take(
    session: Session,
    complaint: Complaint,
    *,
    actor: User,
    now: datetime,
    take_over: bool = False,
) -> Change:
    """Make `actor` the complaint's holder. A colleague's complaint is refused
    (`held_by_colleague`) unless `take_over`; taking one's own again changes nothing."""
    refusal = take_refusal(actor, complaint)
    if refusal:
        raise refusal
    return _hand_to(session, complaint, actor, actor=actor, now=now, take_over=take_over)


def assign(
    session: Session,
    complaint: Complaint,
    colleague: User,
    *,
    actor: User,
    now: datetime,
    take_over: bool = False,
) -> Change:
    """Make `colleague` the complaint's holder and tell them. A complaint a third person
    holds is refused (`held_by_colleague`) unless `take_over`; assigning it to whoever
    has it already changes nothing (and tells nobody)."""
    refusal = assign_refusal(actor, colleague) or take_refusal(colleague, complaint)
    if refusal:
        raise refusal
    change = _hand_to(session, complaint, colleague, actor=actor, now=now, take_over=take_over)
    if change.changed:
        notify.assigned(session, colleague, [complaint.id], actor=actor, now=now)
    return change


def _hand_to(
    session: Session,
    complaint: Complaint,
    holder: User,
    *,
    actor: User,
    now: datetime,
    take_over: bool,
) -> Change:
    """Make `holder` the complaint's holder by compare-and-set, audited; `actor` takes it
    themself or hands it to a colleague. Someone else's complaint (neither the actor's nor
    the holder's) is refused unless `take_over`."""
    session.refresh(complaint, ["assignee_id"])  # what the database says now
    for _ in range(ATTEMPTS):
        before_id = complaint.assignee_id
        if before_id == holder.id:
            return Change(complaint, False, before_id, before_id)
        before = _holder(session, complaint)
        someone_elses = before is not None and before.id != actor.id
        if someone_elses and not take_over:
            raise _held(before)
        if _swap(session, complaint, before_id, holder.id):
            details = {"assigned": True} if holder.id != actor.id else {}
            _record(
                session,
                complaint,
                ASSIGN,
                actor=actor,
                now=now,
                before=before,
                after=holder,
                take_over=someone_elses,
                **details,
            )
            return Change(complaint, True, before_id, holder.id)
        # Someone changed it between our read and our write: look again.
    raise _busy()


def release(session: Session, complaint: Complaint, *, actor: User, now: datetime) -> Change:
    """Nobody holds the complaint any more. For its holder, or an admin; releasing one
    nobody holds changes nothing."""
    if not can(actor, Permission.DRAFT_REPLIES):
        raise Refused("forbidden", N_("Only agents take and release complaints."))
    session.refresh(complaint, ["assignee_id"])
    for _ in range(ATTEMPTS):
        before_id = complaint.assignee_id
        if before_id is None:
            return Change(complaint, False, None, None)
        before = _holder(session, complaint)
        if before_id != actor.id and Role.ADMIN not in actor.roles:
            name = before.name if before else "the colleague who has it"
            raise Refused(
                "not_holder",
                f"Only {name}, who has this complaint, or an admin can release it.",
                holder=before,
            )
        if _swap(session, complaint, before_id, None):
            _record(session, complaint, RELEASE, actor=actor, now=now, before=before, after=None)
            return Change(complaint, True, before_id, None)
    raise _busy()


def assign_to_drafter(
    session: Session, complaint: Complaint, *, actor: User, now: datetime
) -> Change | None:
    """Starting a draft on a complaint nobody holds gives it to the draft's author. A
    colleague who took it first keeps it (the draft still starts)."""
    if complaint.assignee_id is not None or take_refusal(actor, complaint):
        return None
    try:
        return take(session, complaint, actor=actor, now=now)
    except Refused:
        return None


def held_since(session: Session, complaint: Complaint) -> datetime | None:
    """When the present holder took the complaint (from the audit log)."""
    if complaint.assignee_id is None:
        return None
    return session.scalar(
        select(AuditEvent.at)
        .where(AuditEvent.complaint_id == complaint.id, AuditEvent.action == ASSIGN)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
