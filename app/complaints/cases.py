"""Cases: which messages of a customer belong together (issue 18). No Flask.

A case is *open* to a new message of the same author handle on the same channel while
the message was received within the open window (CASE_OPEN_HOURS, 72 hours unless
configured) after the case's latest customer message — or, for imported history that
arrives out of order, within the window before its earliest. Such a message joins the
case by itself at intake (`place`); any other starts a case of its own. A message without
a handle always starts its own case.

Beyond that, messages join a case:
- by the import's reply links (`link_threads`): a customer's tweet that answers a brand
  reply to an earlier tweet of theirs joins that tweet's case, however long after, and the
  brand's replies are kept in the case as "our replies (imported)";
- by hand (`move`, `split_out`): an agent moves a complaint into another case (a DM, an
  e-mail or a phone call that continues it) or splits it out into a case of its own. The
  guard (`move_refusal`) is written once: it refuses, offers the form and explains.

A case left with no message, note or imported reply after a move is deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.permissions import Permission, can
from app.audit import log as audit
from app.complaints.models import Case, CaseNote, Complaint, ImportedReply
from app.core import errors
from app.core.text import clean_text
from app.core.words import N_

#: The open window when none is configured (config CASE_OPEN_HOURS).
DEFAULT_OPEN = timedelta(hours=72)
MOVED = "case.complaint_moved"
SPLIT = "case.complaint_split"


def handle_key(handle: str | None) -> str:
    """How a handle is compared: "@Ana_B " and "ana_b" are one customer."""
    return (handle or "").strip().lstrip("@").lower()[:200]


def is_open_to(case: Case, at: datetime, window: timedelta) -> bool:
    return case.first_message_at - window <= at <= case.last_message_at + window


def place(
    session: Session,
    rows: Sequence[dict],
    *,
    window: timedelta,
    now: datetime,
) -> list[Case]:
    """Give each complaint row (a dict with `channel_key`, `author_handle`, `received_at`)
    its `case_id`: an open case of the same handle and channel, else a new case. Flushed;
    returns the cases made here (so a caller can remove those left unused)."""
    pairs = {(row["channel_key"], handle_key(row["author_handle"])) for row in rows}
    known: dict[tuple[str, str], list[Case]] = defaultdict(list)
    by_channel: dict[str, list[str]] = defaultdict(list)
    for channel, key in pairs:
        if key:
            by_channel[channel].append(key)
    for channel, keys in by_channel.items():
        for start in range(0, len(keys), 500):
            for case in session.scalars(
                select(Case).where(
                    Case.channel_key == channel, Case.customer_handle.in_(keys[start : start + 500])
                )
            ):
                known[(channel, case.customer_handle)].append(case)
    made: list[Case] = []
    chosen: list[tuple[dict, Case]] = []
    for row in sorted(rows, key=lambda row: row["received_at"]):  # earliest first
        at, key = row["received_at"], handle_key(row["author_handle"])
        candidates = [c for c in known[(row["channel_key"], key)] if is_open_to(c, at, window)]
        if key and candidates:
            case = max(candidates, key=lambda c: c.last_message_at)
            case.first_message_at = min(case.first_message_at, at)
            case.last_message_at = max(case.last_message_at, at)
        else:
            case = Case(
                channel_key=row["channel_key"],
                customer_handle=key,
                first_message_at=at,
                last_message_at=at,
                created_at=now,
            )
            session.add(case)
            made.append(case)
            if key:
                known[(row["channel_key"], key)].append(case)
        chosen.append((row, case))
    session.flush()
    for row, case in chosen:
        row["case_id"] = case.id
    return made


def remove_if_empty(session: Session, case_ids: Iterable[int]) -> int:
    """Delete those of the cases that hold no message, note or imported reply."""
    ids = list(set(case_ids))
    if not ids:
        return 0
    return session.execute(
        delete(Case)
        .where(
            Case.id.in_(ids),
            ~exists().where(Complaint.case_id == Case.id),
            ~exists().where(CaseNote.case_id == Case.id),
            ~exists().where(ImportedReply.case_id == Case.id),
        )
        .execution_options(synchronize_session=False)
    ).rowcount


def refresh_span(session: Session, case_ids: Iterable[int]) -> None:
    """Set each case's first and latest message times from the complaints it holds."""
    for case_id in set(case_ids):
        first, last = session.execute(
            select(func.min(Complaint.received_at), func.max(Complaint.received_at)).where(
                Complaint.case_id == case_id
            )
        ).one()
        if first is not None:
            session.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(first_message_at=first, last_message_at=last)
                .execution_options(synchronize_session=False)
            )


def sizes(session: Session, case_ids: Iterable[int | None]) -> dict[int, int]:
    """How many messages each of the cases holds (one grouped count, for a list's badges)."""
    ids = {case_id for case_id in case_ids if case_id is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(Complaint.case_id, func.count())
        .where(Complaint.case_id.in_(ids))
        .group_by(Complaint.case_id)
    )
    return {case_id: count for case_id, count in rows}


# --- The import's reply links ---------------------------------------------------------


@dataclass(frozen=True)
class ThreadPost:
    """One post of an imported file, as the threading needs it."""

    external_id: str
    in_response_to: str
    author_handle: str
    #: A brand's reply (kept as an imported reply), else a customer's message.
    is_reply: bool
    text: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Threading:
    moved: int
    replies_kept: int


def link_threads(
    session: Session,
    posts: Sequence[ThreadPost],
    *,
    channel_key: str,
    job_id: int | None,
) -> Threading:
    """Follow the file's reply links: a customer's post joins the case of their earliest
    post up its thread (through the brand's replies between, and on into what earlier
    imports stored: a corpus imported in parts), and each brand reply is kept in the case
    of the customer post it answers. Idempotent (a resumed or repeated import changes
    nothing more). Flushed."""
    by_id = {post.external_id: post for post in posts if post.external_id}
    customer_ids = [post.external_id for post in by_id.values() if not post.is_reply]
    stored: dict[str, tuple[int, int | None]] = {}
    for chunk in _chunks(customer_ids):
        for external_id, complaint_id, case_id in session.execute(
            select(Complaint.external_id, Complaint.id, Complaint.case_id).where(
                Complaint.channel_key == channel_key, Complaint.external_id.in_(chunk)
            )
        ):
            stored[external_id] = (complaint_id, case_id)
    # Where threads leave the file: posts stored by earlier imports, each with its case
    # and the customer that case is about.
    outside = sorted({p.in_response_to for p in by_id.values() if p.in_response_to} - by_id.keys())
    earlier: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(outside):
        for external_id, case_id, handle in session.execute(
            select(Complaint.external_id, Complaint.case_id, Complaint.author_handle).where(
                Complaint.channel_key == channel_key,
                Complaint.external_id.in_(chunk),
                Complaint.case_id.is_not(None),
            )
        ):
            earlier[external_id] = (case_id, handle_key(handle))
        for external_id, case_id, handle in session.execute(
            select(ImportedReply.external_id, Case.id, Case.customer_handle)
            .join(Case, Case.id == ImportedReply.case_id)
            .where(ImportedReply.channel_key == channel_key, ImportedReply.external_id.in_(chunk))
        ):
            earlier[external_id] = (case_id, handle)

    def chain(external_id: str) -> tuple[list[ThreadPost], str]:
        """The posts up the thread within the file, and the id where it leaves the file."""
        seen, found = {external_id}, []
        parent = by_id[external_id].in_response_to
        while parent and parent in by_id and parent not in seen:
            seen.add(parent)
            found.append(by_id[parent])
            parent = by_id[parent].in_response_to
        return found, (parent if parent not in seen else "")

    def case_for(external_id: str) -> int | None:
        """The case of the customer's earliest post up the thread (their own if none)."""
        handle = handle_key(by_id[external_id].author_handle)
        found = stored[external_id][1]
        ancestors, exit_id = chain(external_id)
        for post in ancestors:
            mine = not post.is_reply and handle_key(post.author_handle) == handle
            if mine and post.external_id in stored:
                found = stored[post.external_id][1]
        if exit_id in earlier and earlier[exit_id][1] == handle:
            found = earlier[exit_id][0]
        return found

    def answered_case(reply: ThreadPost) -> int | None:
        """The case of the customer post a brand reply answers (the nearest up the thread)."""
        ancestors, exit_id = chain(reply.external_id)
        for post in ancestors:
            if not post.is_reply and post.external_id in stored:
                return case_for(post.external_id)
        return earlier[exit_id][0] if exit_id in earlier else None

    moves: dict[int, int] = {}  # complaint id -> case id
    emptied: set[int] = set()
    for external_id, (complaint_id, case_id) in stored.items():
        target = case_for(external_id)
        if target is not None and target != case_id:
            moves[complaint_id] = target
            if case_id is not None:
                emptied.add(case_id)
    for complaint_id, target in moves.items():
        session.execute(
            update(Complaint)
            .where(Complaint.id == complaint_id)
            .values(case_id=target)
            .execution_options(synchronize_session=False)
        )
    refresh_span(session, set(moves.values()))
    remove_if_empty(session, emptied - set(moves.values()))

    replies = []
    for post in by_id.values():
        if not post.is_reply or post.sent_at is None:
            continue
        case_id = answered_case(post)
        if case_id is None:
            continue  # it answers nobody in Composure: nothing to keep it with
        replies.append(
            {
                "case_id": case_id,
                "channel_key": channel_key,
                "external_id": post.external_id[:100],
                "in_response_to": post.in_response_to[:100] or None,
                "author_handle": post.author_handle[:200],
                "text": clean_text(post.text),
                "sent_at": post.sent_at,
                "import_job_id": job_id,
            }
        )
    kept = 0
    if replies:
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[
            session.get_bind().dialect.name
        ]
        statement = (
            insert(ImportedReply)
            .on_conflict_do_nothing(index_elements=["channel_key", "external_id"])
            .returning(ImportedReply.id)
        )
        for chunk in _chunks(replies):
            kept += len(session.execute(statement, chunk).all())
    return Threading(moved=len(moves), replies_kept=kept)


def _chunks(items: Sequence, size: int = 500) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Linking by hand --------------------------------------------------------------------


class Refused(errors.Refused):
    """Why a complaint cannot move: `forbidden` (the role), `same_case`, `alone` (splitting
    the only message of a case), `not_found` (no such case)."""


def move_refusal(actor: User, complaint: Complaint, target: Case | None) -> Refused | None:
    """Why `actor` may not move the complaint into `target`, or None. With `target` None,
    whether they may move it at all (to offer the form)."""
    if not can(actor, Permission.DRAFT_REPLIES):
        return Refused(
            "forbidden", N_("Only agents link complaints to cases; your role reads them.")
        )
    if target is not None and target.id == complaint.case_id:
        return Refused("same_case", f"Complaint #{complaint.id} is already in case #{target.id}.")
    return None


def split_refusal(session: Session, actor: User, complaint: Complaint) -> Refused | None:
    """Why `actor` may not split the complaint out into a case of its own, or None."""
    refusal = move_refusal(actor, complaint, None)
    if refusal is not None:
        return refusal
    others = session.scalar(
        select(func.count())
        .select_from(Complaint)
        .where(Complaint.case_id == complaint.case_id, Complaint.id != complaint.id)
    )
    if complaint.case_id is not None and not others:
        return Refused(
            "alone", f"Complaint #{complaint.id} is the only message of its case already."
        )
    return None


def find_case(session: Session, reference: str) -> Case | None:
    """A case by its number ("42" or "#42"), or the latest case of a customer handle."""
    text = reference.strip()
    number = text.lstrip("#")
    if number.isdigit():
        return session.get(Case, int(number))
    key = handle_key(text)
    if not key:
        return None
    direct = session.scalar(
        select(Case)
        .where(Case.customer_handle == key)
        .order_by(Case.last_message_at.desc(), Case.id.desc())
        .limit(1)
    )
    return direct


def named_case(session: Session, reference: str) -> Case:
    """The case a person named (`find_case`); Refused (`not_found`) when there is none."""
    case = find_case(session, reference) if reference.strip() else None
    if case is None:
        named = reference.strip()[:80]
        raise Refused(
            "not_found",
            f"No case {named!r}: give a case number (#42) or a customer handle."
            if named
            else "Give a case number (#42) or a customer handle.",
        )
    return case


def _audit(
    session: Session,
    action: str,
    complaint: Complaint,
    *,
    actor: User,
    now: datetime,
    before: int | None,
    after: int,
) -> None:
    audit.record(
        session,
        action=action,
        entity_type="complaint",
        entity_id=complaint.id,
        complaint_id=complaint.id,
        actor_id=actor.id,
        now=now,
        details={"from_case": before, "to_case": after},
    )


def move(
    session: Session, complaint: Complaint, target: Case, *, actor: User, now: datetime
) -> Case:
    """Move the complaint into `target` (audited). Refused when the guard says no."""
    refusal = move_refusal(actor, complaint, target)
    if refusal is not None:
        raise refusal
    before = complaint.case_id
    complaint.case_id = target.id
    session.flush()
    refresh_span(session, [target.id] + ([before] if before else []))
    if before:
        remove_if_empty(session, [before])
    _audit(session, MOVED, complaint, actor=actor, now=now, before=before, after=target.id)
    session.expire(target)
    return target


def split_out(session: Session, complaint: Complaint, *, actor: User, now: datetime) -> Case:
    """Give the complaint a case of its own (audited). Refused when the guard says no."""
    refusal = split_refusal(session, actor, complaint)
    if refusal is not None:
        raise refusal
    before = complaint.case_id
    case = Case(
        channel_key=complaint.channel_key,
        customer_handle=handle_key(complaint.author_handle),
        first_message_at=complaint.received_at,
        last_message_at=complaint.received_at,
        created_at=now,
    )
    session.add(case)
    session.flush()
    complaint.case_id = case.id
    session.flush()
    if before:
        refresh_span(session, [before])
    _audit(session, SPLIT, complaint, actor=actor, now=now, before=before, after=case.id)
    return case
