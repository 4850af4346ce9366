"""Who may do what. Small named checks over roles; no Flask, so views and the API share them.

Read it as the policy: `can(user, Permission.IMPORT_COMPLAINTS)` is true for agents and
admins, and for nobody whose account is deactivated.
"""

from __future__ import annotations

import enum

from app.accounts.models import Role, User
from app.core.words import N_, Words


class Permission(enum.StrEnum):
    VIEW_COMPLAINTS = "view_complaints"
    CREATE_COMPLAINTS = "create_complaints"
    IMPORT_COMPLAINTS = "import_complaints"
    #: Start a reply draft and edit it (the four parts).
    DRAFT_REPLIES = "draft_replies"
    #: Approve a colleague's draft or ask for changes (never one's own).
    REVIEW_DRAFTS = "review_drafts"
    #: Legal's or PR's sign-off on a sensitive reply.
    SIGN_OFF_DRAFTS = "sign_off_drafts"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"


EVERY_ROLE = frozenset(Role)

GRANTS: dict[Permission, frozenset[Role]] = {
    # Everyone on the team reads complaints: reviewers and sign-off need the context.
    Permission.VIEW_COMPLAINTS: EVERY_ROLE,
    # Intake is the agents' work; admins load bulk data and demo sets.
    Permission.CREATE_COMPLAINTS: frozenset({Role.AGENT, Role.ADMIN}),
    Permission.IMPORT_COMPLAINTS: frozenset({Role.AGENT, Role.ADMIN}),
    # Drafting replies is the agents' job; admins cover for them. Reviewers and sign-off
    # read drafts and comment on them, but do not write them (PRODUCT.md "Who uses it").
    Permission.DRAFT_REPLIES: frozenset({Role.AGENT, Role.ADMIN}),
    # A second pair of eyes: reviewers, and admins covering for them.
    Permission.REVIEW_DRAFTS: frozenset({Role.REVIEWER, Role.ADMIN}),
    # Legal and PR sign off; nobody else can stand in for them.
    Permission.SIGN_OFF_DRAFTS: frozenset({Role.SIGNOFF}),
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    Permission.MANAGE_SETTINGS: frozenset({Role.ADMIN}),
}


def can(user: User | None, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.roles & GRANTS[permission])


def author_or_admin(user: User, draft_author_id: int) -> bool:
    """The draft's author, or an admin: who edits, submits, withdraws and publishes it."""
    return user.id == draft_author_id or Role.ADMIN in user.roles


def can_edit_draft(user: User, draft_author_id: int) -> str | None:
    """Why `user` may not change this draft, or None when it may: its author, or an admin."""
    if not can(user, Permission.DRAFT_REPLIES):
        return Words(N_("Only agents write replies."))
    if not author_or_admin(user, draft_author_id):
        return Words(N_("Only the agent who started this draft edits it; ask them, or an admin."))
    return None


def can_change_roles(
    actor: User, target: User, new_roles: set[Role], admin_count: int
) -> str | None:
    """Why `actor` may not give `target` these roles, or None when it may."""
    if not can(actor, Permission.MANAGE_USERS):
        return "Only admins change roles."
    if Role.ADMIN in target.roles and Role.ADMIN not in new_roles:
        if actor.id == target.id:
            return "You cannot remove your own admin role; ask another admin."
        if admin_count <= 1:
            return "This is the last active admin; make someone else admin first."
    return None


def can_deactivate(actor: User, target: User, admin_count: int) -> str | None:
    """Why `actor` may not deactivate `target`, or None when it may."""
    if not can(actor, Permission.MANAGE_USERS):
        return "Only admins deactivate accounts."
    if actor.id == target.id:
        return "You cannot deactivate your own account."
    if Role.ADMIN in target.roles and target.active and admin_count <= 1:
        return "This is the last active admin; make someone else admin first."
    return None
