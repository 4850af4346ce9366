"""Acting on many complaints at once from the inbox: close as not a complaint (and undo
that), assign to a colleague, tag. No Flask.

A selection is the ticked rows (ids) or every complaint matching the inbox's filter and
search (not only the page shown). Each action is set-based SQL: one UPDATE … RETURNING or
INSERT … SELECT over the filter, or one per chunk of ticked ids, whatever the count. It is
audited once, with the count and the ids. It is idempotent: a second submission of the
same action finds nothing left to change, records nothing and says so.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.accounts.permissions import Permission, can
from app.audit import log as audit
from app.audit.models import AuditEvent
from app.complaints import assignment, inbox, saved_filters
from app.complaints.models import COMPLAINT_MOVES, Complaint, ComplaintStatus, ComplaintTag, Tag
from app.core import errors
from app.core.text import one_line
from app.core.words import N_
from app.notifications import notify

CLOSE = "complaint.bulk_close"
REOPEN = "complaint.bulk_reopen"
ASSIGN = "complaint.bulk_assign"
TAG = "complaint.bulk_tag"
#: Why a bulk close closes: the only reason there is, said in the audit log and the page.
CLOSE_REASON = "not a complaint"
#: Ticked ids per statement (well under SQLite's and PostgreSQL's limits on parameters).
CHUNK = 500
#: Ticked rows in one request; more is "select all N matching this filter".
MAX_TICKED = 1000
MAX_TAG_CHARS = 40


class BulkAction(enum.StrEnum):
    CLOSE = "close"
    ASSIGN = "assign"
    TAG = "tag"

    @property
    def label(self) -> str:
        return {
            "close": N_("Close as not a complaint"),
            "assign": N_("Assign to"),
            "tag": N_("Add tag"),
        }[self.value]


class Refused(errors.Refused):
    """Why a bulk action cannot run: `forbidden` (the role), `nothing_selected`,
    `not_drafter` (assigned only to people who draft), `bad_tag`, `not_undoable`."""


def refusal(actor: User, action: BulkAction) -> str | None:
    """Why `actor` may not run `action` over many complaints, or None. The same check
    refuses the request, offers the buttons and explains their absence."""
    if not can(actor, Permission.DRAFT_REPLIES):
        return N_("Only agents and admins act on many complaints at once; your role reads them.")
    return None


def offered(actor: User) -> list[BulkAction]:
    return [action for action in BulkAction if refusal(actor, action) is None]


def _check(actor: User, action: BulkAction) -> None:
    reason = refusal(actor, action)
    if reason:
        raise Refused("forbidden", reason)


@dataclass(frozen=True)
class Selection:
    """The ticked complaints, or (`filter` set) every complaint the filter matches."""

    ids: tuple[int, ...] = ()
    filter: inbox.InboxFilter | None = None
    #: Most ids a person may tick (None: ids from the audit log, for an Undo).
    limit: int | None = MAX_TICKED

    def __post_init__(self) -> None:
        if self.filter is None and not self.ids:
            raise Refused("nothing_selected", N_("Tick the complaints to act on first."))
        if self.filter is None and self.limit is not None and len(self.ids) > self.limit:
            raise Refused(
                "nothing_selected",
                f"Tick at most {MAX_TICKED} complaints, or select all matching the filter.",
            )

    def statements(self, statement) -> Iterator:
        """`statement` narrowed to the selection: once for a filter, per chunk of ids."""
        if self.filter is not None:
            yield inbox.filtered(statement, self.filter)
            return
        ids = sorted(set(self.ids))
        for start in range(0, len(ids), CHUNK):
            yield statement.where(Complaint.id.in_(ids[start : start + CHUNK]))

    def count(self, session: Session) -> int:
        return sum(
            session.scalar(query) or 0
            for query in self.statements(select(func.count(Complaint.id)))
        )


@dataclass(frozen=True)
class Outcome:
    """What a bulk action did: the complaints it changed, how many of the selection it
    left as they were (already so, or not movable), and its audit event."""

    action: str
    changed: tuple[int, ...]
    unchanged: int
    event_id: int | None = None

    @property
    def count(self) -> int:
        return len(self.changed)


def _returning(session: Session, selection: Selection, statement) -> list[int]:
    changed: list[int] = []
    for each in selection.statements(statement):
        changed += session.scalars(each.execution_options(synchronize_session=False)).all()
    return sorted(changed)


def _record(session: Session, action: str, ids: list[int], *, actor: User, now: datetime, **kw):
    return audit.record(
        session,
        action=action,
        entity_type="complaint",
        entity_id=None,
        actor_id=actor.id,
        now=now,
        details={"count": len(ids), "ids": ids, **kw},
    )


def _outcome(session, action, changed, selected, *, actor, now, **details) -> Outcome:
    if not changed:
        return Outcome(action, (), selected)
    event = _record(session, action, changed, actor=actor, now=now, **details)
    return Outcome(action, tuple(changed), selected - len(changed), event.id)


def close(session: Session, selection: Selection, *, actor: User, now: datetime) -> Outcome:
    """Close the selected complaints as not a complaint: the move to `closed` from every
    status the move table allows it from (a new complaint; one being drafted or answered
    stays as it is)."""
    _check(actor, BulkAction.CLOSE)
    selected = selection.count(session)
    movable = COMPLAINT_MOVES.sources(ComplaintStatus.CLOSED)
    changed = _returning(
        session,
        selection,
        update(Complaint)
        .where(Complaint.status.in_(movable))
        .values(status=ComplaintStatus.CLOSED)
        .returning(Complaint.id),
    )
    return _outcome(session, CLOSE, changed, selected, actor=actor, now=now, reason=CLOSE_REASON)


def undo_refusal(actor: User, event: AuditEvent | None) -> str | None:
    """Why `actor` may not undo this bulk close: only its author, or an admin."""
    if event is None or event.action != CLOSE:
        return "There is no such bulk close to undo."
    if event.actor_id != actor.id and Role.ADMIN not in actor.roles:
        return "Only whoever closed them, or an admin, can undo a bulk close."
    return refusal(actor, BulkAction.CLOSE)


def undo_close(session: Session, event_id: int, *, actor: User, now: datetime) -> Outcome:
    """Reopen what a bulk close closed (those still closed): back to new."""
    event = session.get(AuditEvent, event_id)
    reason = undo_refusal(actor, event)
    if reason:
        raise Refused("not_undoable", reason)
    selection = Selection(ids=tuple(event.details["ids"]), limit=None)
    back_to = ComplaintStatus.NEW
    changed = _returning(
        session,
        selection,
        update(Complaint)
        .where(Complaint.status.in_(COMPLAINT_MOVES.sources(back_to)))
        .values(status=back_to)
        .returning(Complaint.id),
    )
    return _outcome(
        session, REOPEN, changed, len(selection.ids), actor=actor, now=now, undo_of=event.id
    )


def assign(
    session: Session, selection: Selection, colleague: User | None, *, actor: User, now: datetime
) -> Outcome:
    """Give the selected complaints to `colleague` and tell them once. Those resolved or
    closed, and those a third person holds (unless the actor is an admin), stay as they are."""
    _check(actor, BulkAction.ASSIGN)
    problem = assignment.assign_refusal(actor, colleague)
    if problem:
        raise Refused(problem.code, str(problem))
    selected = selection.count(session)
    statement = (
        update(Complaint)
        .where(
            Complaint.status.not_in((ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)),
            Complaint.assignee_id.is_distinct_from(colleague.id),
        )
        .values(assignee_id=colleague.id)
        .returning(Complaint.id)
    )
    if Role.ADMIN not in actor.roles:
        statement = statement.where(
            (Complaint.assignee_id.is_(None)) | (Complaint.assignee_id == actor.id)
        )
    changed = _returning(session, selection, statement)
    outcome = _outcome(
        session,
        ASSIGN,
        changed,
        selected,
        actor=actor,
        now=now,
        to=colleague.id,
        to_name=colleague.name,
    )
    if changed:
        notify.assigned(session, colleague, changed, actor=actor, now=now)
    return outcome


def tag_key(name: str) -> str:
    return name.lower()


def clean_tag(raw: str | None) -> str:
    name = one_line(raw or "", limit=4 * MAX_TAG_CHARS).strip()
    if not name:
        raise Refused("bad_tag", "Type the tag to add.")
    if len(name) > MAX_TAG_CHARS:
        raise Refused("bad_tag", f"A tag has at most {MAX_TAG_CHARS} characters.")
    return name


def tag_named(session: Session, name: str, *, actor: User, now: datetime) -> Tag:
    """The tag called `name` (any case), made on first use."""
    found = session.scalar(select(Tag).where(Tag.key == tag_key(name)))
    if found is None:
        found = Tag(name=name, key=tag_key(name), created_by_id=actor.id, created_at=now)
        session.add(found)
        session.flush()
    return found


def tag(
    session: Session, selection: Selection, raw_name: str | None, *, actor: User, now: datetime
) -> Outcome:
    """Put the tag on every selected complaint that lacks it (one INSERT … SELECT)."""
    _check(actor, BulkAction.TAG)
    label = tag_named(session, clean_tag(raw_name), actor=actor, now=now)
    selected = selection.count(session)
    lacking = select(Complaint.id, literal(label.id)).where(
        ~exists().where(ComplaintTag.complaint_id == Complaint.id, ComplaintTag.tag_id == label.id)
    )
    changed: list[int] = []
    for chosen in selection.statements(lacking):
        changed += session.scalars(
            insert(ComplaintTag)
            .from_select(["complaint_id", "tag_id"], chosen)
            .returning(ComplaintTag.complaint_id)
        ).all()
    return _outcome(session, TAG, sorted(changed), selected, actor=actor, now=now, tag=label.name)


def tags(session: Session) -> dict[str, Tag]:
    """Every tag by key, by name."""
    return {t.key: t for t in session.scalars(select(Tag).order_by(Tag.name))}


def tags_of(session: Session, complaint_ids: list[int]) -> dict[int, list[str]]:
    """The tags of each complaint on a page, in one query."""
    if not complaint_ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(ComplaintTag.complaint_id, Tag.name)
        .join(Tag, Tag.id == ComplaintTag.tag_id)
        .where(ComplaintTag.complaint_id.in_(complaint_ids))
        .order_by(Tag.name)
    )
    for complaint_id, name in rows:
        found.setdefault(complaint_id, []).append(name)
    return found


def last_close(session: Session, event_id: int | None, actor: User) -> AuditEvent | None:
    """The bulk close `event_id`, when `actor` may undo it and some of it is still closed
    (what the inbox offers to undo after a bulk close)."""
    if event_id is None:
        return None
    event = session.get(AuditEvent, event_id)
    if undo_refusal(actor, event) or not still_closed_count(session, event):
        return None
    return event


def still_closed_count(session: Session, event: AuditEvent) -> int:
    ids = list(event.details.get("ids") or ())
    total = 0
    for start in range(0, len(ids), CHUNK):
        total += (
            session.scalar(_closed(select(func.count(Complaint.id)), ids[start : start + CHUNK]))
            or 0
        )
    return total


def _closed(query: Select, ids: list[int]) -> Select:
    return query.where(Complaint.id.in_(ids), Complaint.status == ComplaintStatus.CLOSED)


@dataclass(frozen=True)
class InboxTools:
    """What the inbox offers around its list: the bulk actions `actor` may run, the people
    to assign to, the tags (to filter by and on each row), the person's saved filters, and
    the bulk close just done (to undo)."""

    actions: list[BulkAction]
    #: Why no bulk actions are offered ("" when some are).
    why_not: str
    people: list[User]
    tags: dict[str, Tag]
    tags_of: dict[int, list[str]]
    saved: list[saved_filters.Saved]
    #: The person may share a saved filter with the team.
    may_share: bool
    undo: AuditEvent | None


def tools(
    session: Session, actor: User, complaint_ids: list[int], *, done: int | None = None
) -> InboxTools:
    actions = offered(actor)
    return InboxTools(
        actions=actions,
        why_not="" if actions else refusal(actor, BulkAction.CLOSE) or "",
        people=assignment.assignable(session) if BulkAction.ASSIGN in actions else [],
        tags=tags(session),
        tags_of=tags_of(session, complaint_ids),
        saved=saved_filters.for_person(session, actor),
        may_share=saved_filters.may_share(actor),
        undo=last_close(session, done, actor),
    )
