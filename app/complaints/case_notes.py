"""Internal notes on a case: for colleagues only, never published. No Flask.

A note may mention colleagues as "@" and the first part of their e-mail address
(@riya for riya@example.com); each one mentioned is notified in the app. A mention of
nobody on the team refuses the note, so that nobody believes a colleague was told when
they were not. The text is stored as written (plain text); templates escape it.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.permissions import Permission, can
from app.audit import log as audit
from app.complaints.models import Case, CaseNote
from app.core import errors
from app.core.text import clean_text, is_blank
from app.core.words import N_
from app.notifications import notify

#: "@name" not preceded by a word character, "@" or "." (so e-mail addresses in the
#: text are not mentions); the name ends before a trailing full stop.
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9](?:[A-Za-z0-9._+-]*[A-Za-z0-9_+-])?)")
NOTE_ADDED = "case.note_added"


class Refused(errors.Refused):
    """Why `actor` may not write notes (`forbidden`)."""


def note_refusal(actor: User) -> Refused | None:
    """Why `actor` may not write internal notes, or None: anyone on the team may."""
    if not actor.roles or not can(actor, Permission.VIEW_COMPLAINTS):
        return Refused("forbidden", N_("Only people on the team write internal notes."))
    return None


def mention_names(text: str) -> list[str]:
    """The names mentioned, lower-cased, each once, in order."""
    names: list[str] = []
    for match in MENTION.finditer(text):
        name = match.group(1).lower()
        if name not in names:
            names.append(name)
    return names


def mentioned_people(session: Session, names: list[str]) -> tuple[list[User], list[str]]:
    """The active colleagues the names mean, and the names that mean nobody."""
    if not names:
        return [], []
    by_name = [func.lower(User.email).startswith(f"{name}@", autoescape=True) for name in names]
    query = select(User).where(User.active.is_(True), or_(*by_name)).order_by(User.id)
    found = list(session.scalars(query))
    known = {user.email.split("@", 1)[0].lower() for user in found}
    return found, [name for name in names if name not in known]


def add(
    session: Session, case: Case, text: str, *, actor: User, now: datetime, max_chars: int
) -> CaseNote:
    """Write an internal note on the case and notify the colleagues it mentions."""
    refusal = note_refusal(actor)
    if refusal is not None:
        raise refusal
    text = clean_text(text)
    if is_blank(text):
        raise errors.InvalidInput(
            "The note is empty: write what your colleagues should know.", "text"
        )
    if len(text) > max_chars:
        raise errors.InvalidInput(
            f"The note is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Shorten it, or keep the long material where it lives and link to it.",
            "text",
        )
    people, unknown = mentioned_people(session, mention_names(text))
    if unknown:
        named = ", ".join(f"@{name}" for name in unknown)
        raise errors.InvalidInput(
            f"Nobody on the team is {named}: mention a colleague by the first part of their "
            "e-mail address (e.g. @riya for riya@example.com).",
            "text",
        )
    note = CaseNote(
        case_id=case.id,
        author_id=actor.id,
        text=text,
        mentioned_ids=[user.id for user in people],
        created_at=now,
    )
    session.add(note)
    session.flush()
    audit.record(
        session,
        action=NOTE_ADDED,
        entity_type="case",
        entity_id=case.id,
        actor_id=actor.id,
        now=now,
        details={"note": note.id, "mentioned": note.mentioned_ids},
    )
    notify.mentioned(
        session,
        people,
        case_id=case.id,
        link=f"/cases/{case.id}#note-{note.id}",
        actor=actor,
        now=now,
    )
    return note
