"""The inbox: complaints most urgent first, with each one's clock against its target, who
handles each one, and the follow-ups falling due. No Flask: the page and the API call it.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from app.accounts.models import User
from app.analysis.kind import KINDS
from app.analysis.rules import FLAGS
from app.complaints.models import (
    Channel,
    Complaint,
    ComplaintFlag,
    ComplaintStatus,
    ComplaintTag,
    Tag,
)
from app.complaints.search import WordQuery
from app.core.business_time import BusinessCalendar
from app.core.ids import is_valid_id
from app.core.text import INVISIBLE, one_line
from app.drafts.models import Draft, DraftState, FollowUp

#: Status filters offered in the inbox; "open" is what still needs a reply.
STATUS_FILTERS: dict[str, tuple[ComplaintStatus, ...]] = {
    "open": ComplaintStatus.open_statuses(),
    **{status.value: (status,) for status in ComplaintStatus},
    "all": tuple(ComplaintStatus),
}


#: Assignment filters: complaints the viewer holds, or nobody holds.
ASSIGNEE_FILTERS = ("me", "none")
#: A search longer than this is cut to it (the page says so): nobody types more to find a
#: complaint, and every character is matched against every row.
MAX_SEARCH_CHARS = 100
#: The inbox lists the follow-ups falling due this soon (and every overdue one).
FOLLOW_UPS_WITHIN = timedelta(days=1)
_ID_QUERY = re.compile(r"#?\s*(\d{1,18})")


@dataclass(frozen=True)
class Search:
    """What the inbox's search box asks for: words in the complaint text, the author's
    name or handle, and/or a complaint number ("#123" or "123"). Words are found in any
    order, case and inflection through the database's word index (`app.complaints.search`,
    SQLite FTS5 or PostgreSQL full-text: one interface); "quoted words" as a phrase."""

    #: The words as typed, cleaned: control characters gone, spaces collapsed, cut.
    text: str = ""
    #: "#123" and "123" both name complaint 123.
    complaint_id: int | None = None
    #: "#123" asks for the complaint only; "123" may also be an order number in a text.
    id_only: bool = False
    #: The search was longer than MAX_SEARCH_CHARS and was cut.
    truncated: bool = False

    @classmethod
    def parse(cls, raw: str | None) -> Search:
        cleaned = one_line(raw or "", limit=10 * MAX_SEARCH_CHARS)
        if not cleaned.strip(INVISIBLE + " "):
            return cls()
        truncated = len(cleaned) > MAX_SEARCH_CHARS
        text = cleaned[:MAX_SEARCH_CHARS].strip()
        number = _ID_QUERY.fullmatch(text)
        if number and is_valid_id(int(number.group(1))):
            return cls(
                text=text,
                complaint_id=int(number.group(1)),
                id_only=text.startswith("#"),
                truncated=truncated,
            )
        return cls(text=text, truncated=truncated)

    def __bool__(self) -> bool:
        return bool(self.text)

    def condition(self):
        """The WHERE clause: every word (or "phrase") in the word index; pieces with
        symbols ("100%") as typed, LIKE wildcards matched literally."""
        by_id = Complaint.id == self.complaint_id if self.complaint_id is not None else None
        if self.id_only:
            return by_id
        by_words = WordQuery.parse(self.text).condition()
        return by_words if by_id is None else or_(by_id, by_words)


@dataclass(frozen=True)
class InboxFilter:
    status: str = "open"
    channel: str | None = None
    #: Only complaints with this sensitivity flag.
    flag: str | None = None
    #: Only texts of this kind ("question": the non-complaints a triager closes together).
    kind: str | None = None
    #: "me": held by `viewer_id`; "none": held by nobody; None: anyone.
    assignee: str | None = None
    #: Who is looking (for "me").
    viewer_id: int | None = None
    search: Search = Search()
    #: Only complaints with this tag (its `Tag.key`).
    tag: str | None = None

    def statuses(self) -> tuple[ComplaintStatus, ...]:
        return STATUS_FILTERS.get(self.status, STATUS_FILTERS["open"])


@dataclass(frozen=True)
class InboxPage:
    items: list[Complaint]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


#: SQLite: a filter that must read every row it passes (the search, the holder) is faster
#: as one pass over the table than as a walk of the due-date index that fetches each row
#: it meets (7-10x at 100,000 complaints). The walk wins again when the matches are dense
#: enough to fill the page early: when there are more than this many times the rows up to
#: the page's end. PostgreSQL's planner weighs this itself from its statistics.
INDEX_WALK_FACTOR = 8


def _unindexed(column, scan: bool):
    """`+column` on SQLite when scanning: the documented way to keep a term off an index."""
    if not scan:
        return column
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


#: The flag filter's value for the complaints whose flags were not checked: Composure has
#: no rules for their language. Analysed, and no heat: that is "not read" and only that.
NOT_CHECKED = "not_checked"
NOT_READ = and_(Complaint.analyzed_at.is_not(None), Complaint.heat_label.is_(None))


def _filtered(query, inbox_filter: InboxFilter, *, scan: bool = False):
    statuses = inbox_filter.statuses()
    is_open = _unindexed(Complaint.is_open, scan)
    status = _unindexed(Complaint.status, scan)
    if set(statuses) == set(ComplaintStatus.open_statuses()):
        query = query.where(is_open == true())
    elif len(statuses) == 1:
        query = query.where(status == statuses[0])
    elif len(statuses) < len(ComplaintStatus):
        query = query.where(status.in_(statuses))
    if inbox_filter.channel:
        query = query.where(_unindexed(Complaint.channel_key, scan) == inbox_filter.channel)
    if inbox_filter.flag in FLAGS:
        # A complaint Composure could not read was never checked for the flag: it stays in
        # the list (it may well be a legal threat), marked "not read", never hidden.
        query = query.where(
            or_(
                exists().where(
                    ComplaintFlag.complaint_id == Complaint.id,
                    ComplaintFlag.flag == inbox_filter.flag,
                ),
                NOT_READ,
            )
        )
    elif inbox_filter.flag == NOT_CHECKED:
        query = query.where(NOT_READ)
    if inbox_filter.kind in KINDS:
        query = query.where(_unindexed(Complaint.kind, scan) == inbox_filter.kind)
    if inbox_filter.assignee == "none":
        query = query.where(Complaint.assignee_id.is_(None))
    elif inbox_filter.assignee == "me":
        query = query.where(Complaint.assignee_id == inbox_filter.viewer_id)
    if inbox_filter.tag:
        query = query.where(
            exists()
            .where(ComplaintTag.complaint_id == Complaint.id, ComplaintTag.tag_id == Tag.id)
            .where(Tag.key == inbox_filter.tag)
        )
    if inbox_filter.search:
        query = query.where(inbox_filter.search.condition())
    return query


def filtered(query, inbox_filter: InboxFilter):
    """`query` (a SELECT or an UPDATE of complaints) narrowed to the filter's complaints:
    what the bulk actions act on, the same rows the inbox lists."""
    return _filtered(query, inbox_filter)


def _reads_rows(inbox_filter: InboxFilter) -> bool:
    """The filter looks at more than the indexed columns: on SQLite one pass over the
    matches beats walking the due-date index (the word index gives the ids to look up)."""
    return bool(inbox_filter.search) or inbox_filter.assignee in ASSIGNEE_FILTERS


def list_page(
    session: Session, inbox_filter: InboxFilter, *, page: int, per_page: int
) -> InboxPage:
    """One page of the inbox: the soonest due first (overdue ones lead), then oldest id."""
    scan = _reads_rows(inbox_filter) and session.get_bind().dialect.name == "sqlite"
    total = (
        session.scalar(_filtered(select(func.count(Complaint.id)), inbox_filter, scan=scan)) or 0
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    order = (Complaint.response_due_at, Complaint.id)
    if total == 0:
        return InboxPage(items=[], page=page, per_page=per_page, total=0)
    # The page's ids come from the index alone (deep pages skip index entries, not rows);
    # only the rows shown are then read. Few matches for a filter that reads rows: one pass.
    offset = (page - 1) * per_page
    scan = scan and total <= INDEX_WALK_FACTOR * (offset + per_page)
    ids = list(
        session.scalars(
            _filtered(select(Complaint.id), inbox_filter, scan=scan)
            .order_by(_unindexed(Complaint.response_due_at, scan), Complaint.id)
            .offset(offset)
            .limit(per_page)
        )
    )
    items = list(session.scalars(select(Complaint).where(Complaint.id.in_(ids)).order_by(*order)))
    return InboxPage(items=items, page=page, per_page=per_page, total=total)


class Urgency(enum.StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"  #: less than a quarter of the target left
    OVERDUE = "overdue"
    ANSWERED = "answered"

    @property
    def label(self) -> str:
        return {
            "on_track": "On track",
            "due_soon": "Due soon",
            "overdue": "Overdue",
            "answered": "Answered",
        }[self.value]


@dataclass(frozen=True)
class Clock:
    """A complaint's response-time clock at one moment."""

    urgency: Urgency
    age: timedelta
    target: timedelta
    remaining: timedelta

    @property
    def used_fraction(self) -> float:
        if self.target.total_seconds() <= 0:
            return 1.0
        return max(0.0, self.age.total_seconds() / self.target.total_seconds())

    @property
    def used_percent(self) -> int:
        """How much of the target is used, 0 to 100 (an overdue clock is full)."""
        return min(100, math.floor(self.used_fraction * 100))

    @property
    def used_step(self) -> int:
        """`used_percent` in steps of 5, for the bar's width class (no inline styles)."""
        return min(100, 5 * math.ceil(self.used_fraction * 20))


def clock(complaint: Complaint, now: datetime, calendar: BusinessCalendar | None = None) -> Clock:
    """The clock at `now`, counted on `calendar` (the complaint's market's): in business
    time where the market has hours, so it stands still while paused (outside hours, on a
    holiday) and "3 hours left" means three hours of the market's working time; real time
    on a 24/7 market or without a calendar."""
    end = complaint.first_replied_at or now
    received, due = complaint.received_at, complaint.response_due_at
    span = calendar.business_between if calendar is not None else _real_time
    target = span(received, due)
    remaining = span(end, due)
    age = max(timedelta(0), target - remaining)  # received → end, without a second walk
    if complaint.status not in ComplaintStatus.open_statuses():
        urgency = Urgency.ANSWERED
    elif remaining <= timedelta(0):
        urgency = Urgency.OVERDUE
    elif remaining <= target / 4:
        urgency = Urgency.DUE_SOON
    else:
        urgency = Urgency.ON_TRACK
    return Clock(urgency=urgency, age=age, target=target, remaining=remaining)


def _real_time(start: datetime, end: datetime) -> timedelta:
    return end - start


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class LiveDraft:
    """A complaint's reply in the works (not published, not withdrawn)."""

    id: int
    state: DraftState
    revision: int
    created_at: datetime
    author: Person

    @property
    def state_label(self) -> str:
        return self.state.value.replace("_", " ")


@dataclass(frozen=True)
class Handling:
    """Who handles a complaint: the colleague who took it, and the draft in the works."""

    assignee: Person | None = None
    draft: LiveDraft | None = None

    def held_by_other(self, viewer_id: int | None) -> Person | None:
        if self.assignee is not None and self.assignee.id != viewer_id:
            return self.assignee
        return None

    def drafted_by_other(self, viewer_id: int | None) -> LiveDraft | None:
        if self.draft is not None and self.draft.author.id != viewer_id:
            return self.draft
        return None


@functools.cache
def _handling_statement() -> Select:
    """Built once (two aliases of users cost more to build than the query takes to run)."""
    assignee, author = aliased(User, name="assignee"), aliased(User, name="drafter")
    return (
        select(
            Complaint.id,
            assignee.id,
            assignee.name,
            Draft.id,
            Draft.state,
            Draft.current_revision,
            Draft.created_at,
            author.id,
            author.name,
        )
        .select_from(Complaint)
        .outerjoin(assignee, assignee.id == Complaint.assignee_id)
        .outerjoin(
            Draft,
            and_(Draft.complaint_id == Complaint.id, Draft.is_open),
        )
        .outerjoin(author, author.id == Draft.author_id)
        .where(Complaint.id.in_(bindparam("ids", expanding=True)))
    )


def handling(session: Session, complaint_ids: Iterable[int]) -> dict[int, Handling]:
    """Who holds each complaint and who is drafting it, for a whole page in one query
    (one live draft per complaint at most: the database's partial unique index)."""
    ids = list(complaint_ids)
    if not ids:
        return {}
    found = {}
    rows = session.execute(_handling_statement(), {"ids": ids}).all()
    for cid, aid, aname, did, state, revision, created, author_id, author_name in rows:
        found[cid] = Handling(
            assignee=Person(aid, aname) if aid is not None else None,
            draft=(
                LiveDraft(did, state, revision, created, Person(author_id, author_name))
                if did is not None
                else None
            ),
        )
    return found


@dataclass(frozen=True)
class FollowUpDue:
    """A follow-up falling due: check back with the customer of complaint `complaint_id`."""

    id: int
    due_at: datetime
    complaint_id: int
    #: The customer's name, else their handle ("" when neither is known).
    customer: str
    channel: str
    #: Who should check back: the complaint's holder, else the author of the reply.
    owner: Person | None
    overdue: bool


@functools.cache
def _follow_ups_statement() -> Select:
    owner = aliased(User, name="owner")
    return (
        select(
            FollowUp.id,
            FollowUp.due_at,
            Complaint.id,
            Complaint.author_name,
            Complaint.author_handle,
            Channel.name,
            owner.id,
            owner.name,
        )
        .join(Complaint, Complaint.id == FollowUp.complaint_id)
        .join(Channel, Channel.key == Complaint.channel_key)
        .outerjoin(Draft, Draft.id == FollowUp.draft_id)
        .outerjoin(owner, owner.id == func.coalesce(Complaint.assignee_id, Draft.author_id))
        .where(FollowUp.done_at.is_(None), FollowUp.due_at <= bindparam("until"))
        .order_by(FollowUp.due_at, FollowUp.id)
        .limit(bindparam("limit"))
    )


def follow_ups_due(
    session: Session, *, now: datetime, within: timedelta, limit: int = 20
) -> list[FollowUpDue]:
    """Open follow-ups due before `now + within`, overdue first (earliest due first), with
    the complaint's customer and channel and who should check back."""
    rows = session.execute(_follow_ups_statement(), {"until": now + within, "limit": limit})
    return [
        FollowUpDue(
            id=fid,
            due_at=due,
            complaint_id=cid,
            customer=name or handle or "",
            channel=channel,
            owner=Person(oid, oname) if oid is not None else None,
            overdue=due <= now,
        )
        for fid, due, cid, name, handle, channel, oid, oname in rows
    ]


@dataclass(frozen=True)
class InboxQuery:
    """The inbox's filters and search as asked in a query string, each checked: unknown
    values fall back to the default (the page never fails on a hand-edited address).
    `params` are the values the form shows again."""

    filter: InboxFilter
    params: dict[str, str]

    @classmethod
    def parse(
        cls,
        args: Mapping[str, str],
        channels: Mapping[str, object],
        *,
        viewer_id: int,
        tags: Mapping[str, object] | None = None,
    ) -> InboxQuery:
        search = Search.parse(args.get("q"))
        status = args.get("status", "open")
        channel = args.get("channel") or ""
        flag = args.get("flag") or ""
        kind = args.get("kind") or ""
        assignee = args.get("assignee") or ""
        tag = (args.get("tag") or "").strip().lower()
        params = {
            "status": status if status in STATUS_FILTERS else "open",
            "channel": channel if channel in channels else "",
            "flag": flag if flag in FLAGS or flag == NOT_CHECKED else "",
            "kind": kind if kind in KINDS else "",
            "assignee": assignee if assignee in ASSIGNEE_FILTERS else "",
            "tag": tag if tags and tag in tags else "",
            "q": search.text,
        }
        chosen = InboxFilter(
            status=params["status"],
            channel=params["channel"] or None,
            flag=params["flag"] or None,
            kind=params["kind"] or None,
            assignee=params["assignee"] or None,
            viewer_id=viewer_id,
            search=search,
            tag=params["tag"] or None,
        )
        return cls(chosen, params)


@dataclass(frozen=True)
class InboxView:
    """One page of the inbox: the complaints, who handles each, and (on the first page)
    the follow-ups due."""

    page: InboxPage
    handling: dict[int, Handling]
    follow_ups_due: list[FollowUpDue]


def inbox_page(
    session: Session, inbox_filter: InboxFilter, *, page: int, per_page: int, now: datetime
) -> InboxView:
    result = list_page(session, inbox_filter, page=page, per_page=per_page)
    due = follow_ups_due(session, now=now, within=FOLLOW_UPS_WITHIN) if result.page == 1 else []
    return InboxView(result, handling(session, [c.id for c in result.items]), due)
