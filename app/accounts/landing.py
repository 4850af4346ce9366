"""Where each person lands after signing in and on "/": their own queue. No Flask.

The first of their roles in this order decides: agents work the inbox, reviewers the
Reviews queue, legal and PR the Sign-offs queue, admins the admin home. Someone with
several roles lands where their first one works (an agent who also reviews: the inbox;
the Reviews link in the header has its count).
"""

from __future__ import annotations

from app.accounts.models import Role, User

INBOX = "complaints.inbox"

#: Role → the endpoint of its queue, in the order that decides.
LANDINGS: tuple[tuple[Role, str], ...] = (
    (Role.AGENT, INBOX),
    (Role.REVIEWER, "workflow.reviews"),
    (Role.SIGNOFF, "workflow.signoffs"),
    (Role.ADMIN, "settings.admin_home"),
)


def landing_for(user: User) -> str:
    """The endpoint `user` lands on; the inbox for anyone without a role (it explains)."""
    roles = user.roles
    for role, endpoint in LANDINGS:
        if role in roles:
            return endpoint
    return INBOX
