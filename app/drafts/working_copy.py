"""Working copies: the text a person is writing in the editor, kept as they type so that
nothing is lost when the page is left, the browser closes or the connection drops.

A working copy is not a revision. Keeping one moves nothing in the workflow: no state
change, no approval voided, no cooling-off restarted, nothing audited. Saving a revision
(the editor's save) clears it. When the editor opens, a copy started from the current
revision is put back in the boxes (`Pending.RESTORE`); one started from an older revision
(a colleague saved meanwhile) is shown beside theirs as a conflict (`Pending.CONFLICT`),
never applied quietly. No Flask; the caller commits.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.permissions import can_edit_draft
from app.core.errors import DomainError
from app.core.text import clean_text
from app.core.words import N_, Term, Words
from app.drafts.models import Draft, DraftState, Revision, WorkingCopy

#: A part longer than this is a paste gone wrong (as `operations.MAX_PART_CHARS`).
MAX_PART_CHARS = 20_000


class NotKept(DomainError):
    """Why a working copy cannot be kept: the person may not edit the draft (`forbidden`),
    the draft's state forbids edits (`invalid_state`) or the parts are not the draft's."""


def holding_refusal(actor: User, draft: Draft) -> str | Words | None:
    """Why `actor` may not hold a working copy of `draft`, or None when they may: only
    someone who may edit the draft's text, in a state where it can still be edited. The
    editor offers autosave by this, the endpoint refuses by it."""
    refusal = can_edit_draft(actor, draft.author_id)
    if refusal:
        return refusal
    if draft.state not in DraftState.open():
        state = Term("state", draft.state.value, draft.state.value.replace("_", " "))
        return Words(N_("This draft is %(state)s; it cannot be edited."), {"state": state})
    return None


def _guard(actor: User, draft: Draft) -> None:
    refusal = holding_refusal(actor, draft)
    if refusal is not None:
        code = "forbidden" if can_edit_draft(actor, draft.author_id) else "invalid_state"
        raise NotKept(refusal, code)


def find(session: Session, draft: Draft, actor: User) -> WorkingCopy | None:
    """The person's working copy of the draft, if they hold one."""
    return session.scalar(
        select(WorkingCopy).where(WorkingCopy.draft_id == draft.id, WorkingCopy.user_id == actor.id)
    )


def _cleaned(parts: object, revision: Revision) -> dict[str, str]:
    if not isinstance(parts, dict) or not all(
        isinstance(name, str) and isinstance(value, str) for name, value in parts.items()
    ):
        raise NotKept('Send {"parts": {"validate": "...", ...}, "base_revision": 3}.')
    unknown = [name for name in parts if name not in revision.parts]
    if unknown:
        raise NotKept(f"Unknown part {unknown[0]!r}.")
    cleaned = {name: clean_text(value) for name, value in parts.items()}
    if any(len(value) > MAX_PART_CHARS for value in cleaned.values()):
        raise NotKept(f"A part is longer than {MAX_PART_CHARS:,} characters; not kept.")
    return cleaned


def keep(
    session: Session,
    draft: Draft,
    revision: Revision,
    parts: object,
    *,
    base_revision: int,
    actor: User,
    now: datetime,
) -> WorkingCopy:
    """Keep `parts` (as the editor holds them, started from `base_revision`) as the
    person's working copy of the draft, replacing the one they had. `revision` is the
    draft's current revision (the part names are checked against it)."""
    _guard(actor, draft)
    cleaned = _cleaned(parts, revision)
    if not isinstance(base_revision, int) or not 1 <= base_revision <= draft.current_revision:
        raise NotKept("The revision the text was started from is not this draft's.")
    copy = find(session, draft, actor)
    if copy is None:
        # Two autosaves of one person at the same moment: the unique key picks one row.
        savepoint = session.begin_nested()
        copy = WorkingCopy(draft_id=draft.id, user_id=actor.id, base_revision=base_revision)
        copy.parts, copy.updated_at = cleaned, now
        session.add(copy)
        try:
            session.flush()
        except IntegrityError:
            savepoint.rollback()
            copy = find(session, draft, actor)
            if copy is None:
                raise
        else:
            savepoint.commit()
            return copy
    copy.parts, copy.base_revision, copy.updated_at = cleaned, base_revision, now
    session.flush()
    return copy


def discard(session: Session, draft: Draft, *, actor: User) -> bool:
    """Drop the person's working copy of the draft (after a save, or "Discard"). Whether
    there was one."""
    copy = find(session, draft, actor)
    if copy is None:
        return False
    session.delete(copy)
    session.flush()
    return True


class Pending(enum.StrEnum):
    """What the editor does with a person's working copy when it opens."""

    NONE = "none"  #: nothing to show: no copy, or it says what the revision says
    RESTORE = "restore"  #: started from the current revision: put back in the boxes
    CONFLICT = "conflict"  #: started from an older one: shown beside the current one


def pending(copy: WorkingCopy | None, draft: Draft, revision: Revision) -> Pending:
    """How the editor treats `copy`, given the draft's current `revision`."""
    if copy is None or {**revision.parts, **copy.parts} == revision.parts:
        return Pending.NONE
    if copy.base_revision >= draft.current_revision:
        return Pending.RESTORE
    return Pending.CONFLICT
