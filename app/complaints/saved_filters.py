"""Saved inbox filters: a person names the filter and search in force and gets it back as a
link in their inbox. Each person's own; an admin may share one with the team. No Flask.

What is stored is the inbox's query string as `InboxQuery.params` gave it; opening the
link parses it again like any address, so a filter naming a channel or tag since gone
falls back to "any" rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.complaints.models import SavedFilter
from app.core import errors
from app.core.text import one_line
from app.core.words import N_

MAX_NAME = 60
#: Saved filters per person: the links fit on one line above the list.
MAX_PER_PERSON = 20


@dataclass(frozen=True)
class Saved:
    id: int
    name: str
    query: str
    #: Shared with the team by an admin.
    shared: bool = False
    #: The person looking saved it (and may delete it).
    mine: bool = True


def may_share(user: User) -> bool:
    """Who shares a saved filter with the whole team: admins."""
    return Role.ADMIN in user.roles


def query_string(params: Mapping[str, str]) -> str:
    """The inbox address's query for `params` (empty values left out)."""
    return urlencode([(key, value) for key, value in params.items() if value])


def for_person(session: Session, user: User) -> list[Saved]:
    """The person's own saved filters and those shared with the team, by name."""
    rows = session.scalars(
        select(SavedFilter)
        .where(or_(SavedFilter.user_id == user.id, SavedFilter.shared.is_(True)))
        .order_by(SavedFilter.name, SavedFilter.id)
    )
    return [_saved(row, user) for row in rows]


def _saved(row: SavedFilter, user: User) -> Saved:
    return Saved(row.id, row.name, row.query, row.shared, row.user_id == user.id)


def save(
    session: Session,
    user: User,
    raw_name: str | None,
    params: Mapping[str, str],
    *,
    now: datetime,
    shared: bool = False,
) -> Saved:
    """Save the filter under a name; saving again under the same name replaces it."""
    if shared and not may_share(user):
        raise errors.InvalidInput(N_("Only admins share filters with the team."), "shared")
    name = one_line(raw_name or "", limit=4 * MAX_NAME).strip()
    if not name:
        raise errors.InvalidInput(N_("Name the filter to save it."), "name")
    if len(name) > MAX_NAME:
        raise errors.InvalidInput(f"A filter's name has at most {MAX_NAME} characters.", "name")
    query = query_string(params)
    if not query:
        raise errors.InvalidInput(N_("Choose a filter or search first: this is the inbox."), "name")
    row = session.scalar(
        select(SavedFilter).where(SavedFilter.user_id == user.id, SavedFilter.name == name)
    )
    if row is None:
        count = session.scalar(
            select(func.count(SavedFilter.id)).where(SavedFilter.user_id == user.id)
        )
        if count >= MAX_PER_PERSON:
            raise errors.InvalidInput(
                f"You have {MAX_PER_PERSON} saved filters; delete one first.", "name"
            )
        row = SavedFilter(user_id=user.id, name=name, query=query, created_at=now, shared=shared)
        session.add(row)
    else:
        row.query, row.shared = query, shared
    session.flush()
    return _saved(row, user)


def delete(session: Session, user: User, filter_id: int) -> bool:
    """Delete one of `user`'s saved filters (someone else's is not theirs to delete)."""
    row = session.get(SavedFilter, filter_id)
    if row is None or row.user_id != user.id:
        return False
    session.delete(row)
    session.flush()
    return True
