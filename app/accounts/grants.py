"""Who may approve and who signs for which group, and how someone comes to.

The product's promise is that no one person puts words out alone. Two things here keep the
people side of it (the workflow keeps the draft side):

- sign-off groups are memberships: a sign-off counts for a group only from a member;
- a change of someone's roles or groups that would let them approve or sign off (or hand
  out such powers) waits for a second admin's confirmation when the team has two or more
  admins; an admin never confirms a request they made. Taking powers away never waits.

Every change is audited. No Flask: the admin screens and the CLI call these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import permissions
from app.accounts.models import (
    AccessChange,
    AccessChangeStatus,
    Group,
    GroupMembership,
    Role,
    User,
    UserRole,
)
from app.accounts.permissions import GRANTS, Permission
from app.audit import log as audit
from app.core.errors import InvalidInput
from app.core.words import N_
from app.notifications import notify

#: Roles that let their holder approve, sign off, or hand out either.
POWER_ROLES = frozenset(
    GRANTS[Permission.REVIEW_DRAFTS]
    | GRANTS[Permission.SIGN_OFF_DRAFTS]
    | GRANTS[Permission.MANAGE_USERS]
)
_GROUP_KEY = re.compile(r"[a-z][a-z0-9_]{1,39}")


class GrantError(InvalidInput):
    """A refused change; the message is for the admin who tried."""


def groups(session: Session) -> list[Group]:
    return list(session.scalars(select(Group).order_by(Group.name)))


def groups_with_members(session: Session) -> list[tuple[Group, list[User]]]:
    """Every group with its active members, by name."""
    members = session.execute(
        select(GroupMembership.group_key, User)
        .join(User, User.id == GroupMembership.user_id)
        .where(User.active.is_(True))
        .order_by(User.name)
    ).all()
    return [
        (group, [user for key, user in members if key == group.key]) for group in groups(session)
    ]


def group_names(session: Session) -> dict[str, str]:
    """{key: display name} of every sign-off group."""
    return {group.key: group.name for group in groups(session)}


def create_group(session: Session, *, key: str, name: str, actor: User, now: datetime) -> Group:
    if not permissions.can(actor, Permission.MANAGE_USERS):
        raise GrantError(N_("Only admins define sign-off groups."))
    key, name = key.strip().lower(), " ".join(name.split())
    if not _GROUP_KEY.fullmatch(key) or key == "none":
        raise GrantError(
            "A short key of 2 to 40 lower-case letters, digits or _, starting with a letter "
            "(for example privacy).",
            field="key",
        )
    if not name:
        raise GrantError(N_("A name is required."), field="name")
    if session.get(Group, key) is not None:
        raise GrantError(f"There is already a group {key}.", field="key")
    group = Group(key=key, name=name[:120], created_at=now)
    session.add(group)
    session.flush()
    audit.record(
        session,
        action="group.created",
        entity_type="group",
        entity_id=None,
        actor_id=actor.id,
        now=now,
        details={"key": key, "name": group.name},
    )
    return group


def active_admin_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .join(UserRole)
            .where(UserRole.role == Role.ADMIN, User.active.is_(True))
        )
        or 0
    )


def needs_second_admin(session: Session, actor: User | None) -> bool:
    """Whether a grant of powers by `actor` waits for another admin: on a team with two or
    more active admins. The server's operator (the CLI, no actor) is trusted."""
    return actor is not None and active_admin_count(session) >= 2


def pending_change(session: Session, user: User) -> AccessChange | None:
    return session.scalar(
        select(AccessChange).where(
            AccessChange.user_id == user.id, AccessChange.status == AccessChangeStatus.PENDING
        )
    )


def pending_changes(session: Session) -> list[AccessChange]:
    return list(
        session.scalars(
            select(AccessChange)
            .where(AccessChange.status == AccessChangeStatus.PENDING)
            .order_by(AccessChange.created_at)
        )
    )


@dataclass(frozen=True)
class Outcome:
    """What a change did: applied at once, and what waits for a second admin (if any)."""

    applied: bool
    pending: AccessChange | None = None

    @property
    def message(self) -> str:
        if self.pending is None:
            return "saved"
        waiting = ", ".join(describe(self.pending))
        return f"saved; {waiting} waits for another admin to confirm"


def describe(change: AccessChange) -> list[str]:
    """The additions in words: ["the Reviewer role", "the legal group"]."""
    words = [f"the {Role(value).label} role" for value in change.add_roles]
    words += [f"the {key} group" for key in change.add_groups]
    return words


def change_access(
    session: Session,
    *,
    target: User,
    roles: set[Role],
    groups: set[str] | None = None,
    actor: User | None,
    now: datetime,
) -> Outcome:
    """Set `target`'s roles (and sign-off groups, when given).

    Removals, and additions that give no power to approve or sign, apply at once. Additions
    that do (POWER_ROLES, any group) apply at once only on a team with a single admin or
    from the CLI; otherwise they wait as one pending AccessChange (replacing an earlier one)
    for another admin's `confirm()`. Either way the change is audited.
    """
    if actor is not None:
        refusal = permissions.can_change_roles(actor, target, roles, active_admin_count(session))
        if refusal:
            raise GrantError(refusal, field="roles")
    groups = set(target.groups) if groups is None else set(groups)
    unknown = groups - set(group_names(session))
    if unknown:
        raise GrantError(f"No such sign-off group: {', '.join(sorted(unknown))}.", field="groups")
    add_roles = {role for role in roles - target.roles if role in POWER_ROLES}
    add_groups = groups - target.groups
    wait = needs_second_admin(session, actor) and bool(add_roles or add_groups)
    now_roles = roles - add_roles if wait else roles
    now_groups = groups - add_groups if wait else groups
    _apply(session, target, now_roles, now_groups, actor=actor, now=now, confirmed_by=None)
    earlier = pending_change(session, target)
    if earlier is not None:
        _decide(session, earlier, AccessChangeStatus.CANCELLED, actor=actor, now=now)
    if not wait:
        return Outcome(applied=True)
    assert actor is not None
    change = AccessChange(
        user_id=target.id,
        requested_by_id=actor.id,
        add_roles=sorted(role.value for role in add_roles),
        add_groups=sorted(add_groups),
        status=AccessChangeStatus.PENDING,
        created_at=now,
    )
    session.add(change)
    session.flush()
    audit.record(
        session,
        action="access.requested",
        entity_type="user",
        entity_id=target.id,
        actor_id=actor.id,
        now=now,
        details={"change_id": change.id, "roles": change.add_roles, "groups": change.add_groups},
    )
    notify.access_requested(session, target, describe(change), actor=actor, now=now)
    return Outcome(applied=True, pending=change)


def confirm_refusal(change: AccessChange, actor: User) -> str | None:
    """Why `actor` may not confirm this change, or None when they may."""
    if not permissions.can(actor, Permission.MANAGE_USERS):
        return "Only admins confirm access changes."
    if change.status != AccessChangeStatus.PENDING:
        return f"This request is already {change.status.value}."
    if change.requested_by_id == actor.id:
        return "You asked for this change; another admin must confirm it."
    return None


def confirm(session: Session, change: AccessChange, *, actor: User, now: datetime) -> None:
    """A second admin agrees: the roles and groups are added."""
    refusal = confirm_refusal(change, actor)
    if refusal:
        raise GrantError(refusal)
    target = change.user
    roles = target.roles | {Role(value) for value in change.add_roles}
    known = set(group_names(session))
    groups = target.groups | (set(change.add_groups) & known)
    _decide(session, change, AccessChangeStatus.CONFIRMED, actor=actor, now=now)
    _apply(session, target, roles, groups, actor=actor, now=now, confirmed_by=change)


def reject(session: Session, change: AccessChange, *, actor: User, now: datetime) -> None:
    """Another admin says no, or the one who asked withdraws it."""
    if not permissions.can(actor, Permission.MANAGE_USERS):
        raise GrantError(N_("Only admins decide on access changes."))
    if change.status != AccessChangeStatus.PENDING:
        raise GrantError(f"This request is already {change.status.value}.")
    own = change.requested_by_id == actor.id
    _decide(
        session,
        change,
        AccessChangeStatus.CANCELLED if own else AccessChangeStatus.REJECTED,
        actor=actor,
        now=now,
    )


def _decide(
    session: Session,
    change: AccessChange,
    status: AccessChangeStatus,
    *,
    actor: User | None,
    now: datetime,
) -> None:
    change.status = status
    change.decided_at = now
    change.decided_by_id = actor.id if actor else None
    session.flush()
    audit.record(
        session,
        action=f"access.{status.value}",
        entity_type="user",
        entity_id=change.user_id,
        actor_id=actor.id if actor else None,
        now=now,
        details={"change_id": change.id, "roles": change.add_roles, "groups": change.add_groups},
    )


def _apply(
    session: Session,
    target: User,
    roles: set[Role],
    groups: set[str],
    *,
    actor: User | None,
    now: datetime,
    confirmed_by: AccessChange | None,
) -> None:
    before_roles, before_groups = sorted(target.roles), sorted(target.groups)
    target.set_roles(roles)
    target.set_groups(groups)
    session.flush()
    after_roles, after_groups = sorted(target.roles), sorted(target.groups)
    if (before_roles, before_groups) == (after_roles, after_groups):
        return
    details: dict = {}
    if before_roles != after_roles:
        details["roles"] = {
            "before": [r.value for r in before_roles],
            "after": [r.value for r in after_roles],
        }
    if before_groups != after_groups:
        details["groups"] = {"before": before_groups, "after": after_groups}
    if confirmed_by is not None:
        details["confirms"] = confirmed_by.id
        details["requested_by"] = confirmed_by.requested_by_id
    audit.record(
        session,
        action="user.access_changed",
        entity_type="user",
        entity_id=target.id,
        actor_id=actor.id if actor else None,
        now=now,
        details=details,
    )
