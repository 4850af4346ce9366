"""Where each person's account stands (active, invited, invitation expired, deactivated),
for the users page and the admin home. No Flask."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Invitation, Role, User
from app.core.words import N_

ACTIVE, INVITED, INVITATION_EXPIRED, DEACTIVATED = (
    "active",
    "invited",
    "invitation_expired",
    "deactivated",
)
STATUS_LABELS = {
    ACTIVE: N_("Active"),
    INVITED: N_("Invited"),
    INVITATION_EXPIRED: N_("Invitation expired"),
    DEACTIVATED: N_("Deactivated"),
}


@dataclass(frozen=True)
class Account:
    """A person as the users page lists them: where their account stands."""

    user: User
    status: str
    #: The latest invitation of someone who has not set a password yet.
    invitation: Invitation | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _latest_invitations(session: Session, people: list[User]) -> dict[int, Invitation]:
    waiting = [person.id for person in people if person.active and not person.password_hash]
    latest: dict[int, Invitation] = {}
    if waiting:
        for invitation in session.scalars(
            select(Invitation)
            .where(Invitation.user_id.in_(waiting))
            .order_by(Invitation.created_at, Invitation.id)
        ):
            latest[invitation.user_id] = invitation
    return latest


def _account(user: User, invitation: Invitation | None, now: datetime) -> Account:
    if not user.active:
        status = DEACTIVATED
    elif user.password_hash:
        status = ACTIVE
    elif (
        invitation is not None
        and not invitation.accepted_at
        and not invitation.revoked_at
        and invitation.expires_at > now
    ):
        status = INVITED
    else:
        status = INVITATION_EXPIRED
    return Account(user, status, invitation)


def accounts(session: Session, *, now: datetime, people: list[User] | None = None) -> list[Account]:
    """Everyone with an account (or just `people`), active first, each active, invited (the
    link still works), invited with an expired link, or deactivated."""
    if people is None:
        people = list(session.scalars(select(User).order_by(User.active.desc(), User.name)))
    latest = _latest_invitations(session, people)
    return [_account(person, latest.get(person.id), now) for person in people]


def accounts_by_role(listed: list[Account]) -> dict[Role, Counter[str]]:
    """How many people of each role are active, invited or deactivated."""
    counts: dict[Role, Counter[str]] = {role: Counter() for role in Role}
    for account in listed:
        for role in account.user.roles:
            counts[role][account.status] += 1
    return counts


def overview(session: Session, *, now: datetime) -> dict[str, Any]:
    """The admin home's users card: how many people, per role and per status."""
    listed = accounts(session, now=now)
    return {
        "by_role": accounts_by_role(listed),
        "total": len(listed),
        "counts": {
            status: sum(1 for account in listed if account.status == status)
            for status in STATUS_LABELS
        },
    }
