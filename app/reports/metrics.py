"""The dashboard's figures for a period. No Flask.

Each function takes the session, the period as aware UTC datetimes (`start` inclusive,
`end` exclusive) and `now`, and reads only what it needs. Counting, grouping and each
draft's walk through its states (window functions) are done in SQL that SQLite and
PostgreSQL share; days, weeks and percentiles are worked out in Python, since the two
databases' date, time zone and JSON functions differ. The one exception is reading a
moment as a number (`epoch_seconds`), written once for each.

What the figures mean:

- a complaint belongs to the period it was *received* in; it was answered on time when
  its first reply went out by its due time (fixed at intake from its channel's target);
  one with no reply yet is overdue once `now` has passed its due time;
- a draft's *stay* in a state runs from the audit event that moved it there to the next
  one that moved it elsewhere (an edit or a sign-off that leaves the state as it was does
  not end it); a stay counts in the period its draft left the state in;
- a draft was *caught* when the tone checks found a `warn` or `block` problem while it
  was written, before its first submission (`Draft.tone_catches`); it counts in the
  period of that first submission;
- a review counts in the period it was given, even when a later edit voided it.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import Float, String, and_, case, cast, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.complaints.models import Channel, Complaint, ComplaintStatus
from app.core.words import N_
from app.drafts.models import Draft, DraftState, Review, ReviewDecision
from app.reports.ranges import DateRange, day_start
from app.tone.catalogue import CODE_LABELS

# ---------------------------------------------------------------- numbers


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between the nearest ranks (as
    numpy's default): the median of 1, 2, 3, 10 is 2.5, their 90th percentile 7.9."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def percentile_of_counts(counted: Sequence[tuple[float, int]], q: float) -> float:
    """percentile() of values given as (value, how many times): the same number without
    spelling out every value."""
    ordered = sorted((value, count) for value, count in counted if count > 0)
    total = sum(count for _, count in ordered)
    if not total:
        raise ValueError("no values")
    position = (total - 1) * q / 100

    def at_rank(rank: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if rank < seen:
                return value
        return ordered[-1][0]

    low, high = math.floor(position), math.ceil(position)
    return at_rank(low) + (at_rank(high) - at_rank(low)) * (position - low)


def _counted_percentile(counted: Sequence[tuple[float, int]], q: float) -> timedelta | None:
    if not counted:
        return None
    return timedelta(seconds=round(percentile_of_counts(counted, q)))


def _seconds_percentile(seconds: Sequence[float], q: float) -> timedelta | None:
    """The q-th percentile of durations in seconds, to the second; None for none."""
    if not seconds:
        return None
    return timedelta(seconds=round(percentile(seconds, q)))


def median_duration(durations: Sequence[timedelta]) -> timedelta | None:
    return _seconds_percentile([d.total_seconds() for d in durations], 50)


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


class epoch_seconds(FunctionElement):  # noqa: N801  (reads as a SQL function)
    """A moment as seconds since 1970-01-01 UTC, worked out by the database.

    A quarter's figures read tens of thousands of moments; as numbers they come back
    several times faster than as datetimes, which are parsed and given a time zone one by
    one. SQLite's date functions count whole milliseconds, which is plenty for durations
    and days; whether a moment falls inside the period is always decided on the exact
    value, in SQL.
    """

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds)
def _epoch_seconds(element, compiler, **kw) -> str:  # PostgreSQL
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS FLOAT)"


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element, compiler, **kw) -> str:
    # Stored as UTC text; 2440587.5 is the Julian day number of 1970-01-01 00:00 UTC.
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


# ---------------------------------------------------------------- replies vs targets

ON_TIME, LATE, OPEN_OVERDUE, OPEN_WITHIN = "on_time", "late", "open_overdue", "open_within"
#: Bottom to top in the stacked bars, and the order of every legend and table.
OUTCOMES = (ON_TIME, LATE, OPEN_OVERDUE, OPEN_WITHIN)
OUTCOME_LABELS = {
    ON_TIME: N_("Answered on time"),
    LATE: N_("Answered late"),
    OPEN_OVERDUE: N_("No reply yet, overdue"),
    OPEN_WITHIN: N_("No reply yet, within target"),
}


def outcome_case(now: datetime):
    """Where each complaint stands against its response-time target at `now`, as a SQL
    expression: answered by its due time (on time) or after (late); no reply yet and past
    its due time (overdue) or not (within target)."""
    replied, due = Complaint.first_replied_at, Complaint.response_due_at
    return case(
        (and_(replied.is_(None), due < now), OPEN_OVERDUE),
        (replied.is_(None), OPEN_WITHIN),
        (replied <= due, ON_TIME),
        else_=LATE,
    )


@dataclass
class OutcomeCounts:
    on_time: int = 0
    late: int = 0
    open_overdue: int = 0
    open_within: int = 0

    def add(self, which: str) -> None:
        setattr(self, which, getattr(self, which) + 1)

    def get(self, which: str) -> int:
        return getattr(self, which)

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.open_overdue + self.open_within

    @property
    def judged(self) -> int:
        """Complaints whose target was met or missed: answered, or overdue without a reply.
        Those still inside their target cannot be judged yet."""
        return self.on_time + self.late + self.open_overdue

    @property
    def on_time_share(self) -> float | None:
        return share(self.on_time, self.judged)


@dataclass(frozen=True)
class Bucket:
    """One bar of the chart: a day, or a week (Monday to Sunday, cut to the period)."""

    first: date
    last: date
    counts: OutcomeCounts

    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first:%a %-d %b}"
        return f"{self.first:%-d %b} – {self.last:%-d %b}"


@dataclass(frozen=True)
class ChannelReplies:
    key: str
    name: str
    #: The channel's response-time target now (a complaint's own due time was fixed from
    #: the target when it arrived).
    target: timedelta
    counts: OutcomeCounts
    median_first_reply: timedelta | None


@dataclass(frozen=True)
class Replies:
    buckets: list[Bucket]
    by_week: bool
    totals: OutcomeCounts
    channels: list[ChannelReplies]
    #: Median time from receipt to first reply, over the complaints answered so far.
    median_first_reply: timedelta | None


def days_between(start: datetime, end: datetime, zone: tzinfo) -> list[date]:
    """The calendar days (in `zone`) the period [start, end) touches."""
    first = local_day(start, zone)
    last = local_day(end - timedelta(microseconds=1), zone)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _buckets(days: list[date], by_week: bool) -> list[tuple[date, date]]:
    if not by_week:
        return [(day, day) for day in days]
    weeks: dict[date, list[date]] = {}
    for day in days:
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(day)
    return [(members[0], members[-1]) for members in weeks.values()]


def replies(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    zone: tzinfo,
    by_week: bool | None = None,
) -> Replies:
    """Complaints received in the period against their targets: per day (or per week),
    per channel, and in all (not those closed as not a complaint)."""
    rows = session.execute(
        select(
            Complaint.channel_key,
            outcome_case(now),
            epoch_seconds(Complaint.received_at),
            epoch_seconds(Complaint.first_replied_at),
        ).where(
            Complaint.received_at >= start,
            Complaint.received_at < end,
            # Implied by the line above (a complaint is never due before it arrives: a
            # check constraint), and it lets the database read the due-time index.
            Complaint.response_due_at >= start,
            # Closed as not a complaint: no reply was owed, no target was missed.
            Complaint.status != ComplaintStatus.CLOSED,
        )
    ).all()
    days = days_between(start, end, zone)
    if by_week is None:
        by_week = len(days) > 31
    spans = _buckets(days, by_week)
    bucket_of = {day: i for i, (first, last) in enumerate(spans) for day in _span(first, last)}
    # Which bar a moment belongs to, by where it falls among the days' first moments (each
    # worked out in the zone, so a day of 23 or 25 hours is right too).
    day_starts = [day_start(day, zone).timestamp() for day in days]
    bar_of_day = [bucket_of[day] for day in days]
    bucket_counts = [OutcomeCounts() for _ in spans]
    totals = OutcomeCounts()
    per_channel: dict[str, OutcomeCounts] = defaultdict(OutcomeCounts)
    waits: dict[str, list[float]] = defaultdict(list)
    for channel_key, which, received, replied in rows:
        totals.add(which)
        per_channel[channel_key].add(which)
        # (A moment within a millisecond of the period's edge stays in its edge day.)
        day_index = min(max(bisect_right(day_starts, received) - 1, 0), len(days) - 1)
        bucket_counts[bar_of_day[day_index]].add(which)
        if replied is not None:
            waits[channel_key].append(max(0.0, replied - received))
    channels = []
    for channel in session.scalars(select(Channel).order_by(Channel.position, Channel.name)):
        if not channel.active and channel.key not in per_channel:
            continue
        channels.append(
            ChannelReplies(
                key=channel.key,
                name=channel.name,
                target=timedelta(seconds=channel.response_target_seconds),
                counts=per_channel.get(channel.key, OutcomeCounts()),
                median_first_reply=_seconds_percentile(waits.get(channel.key, []), 50),
            )
        )
    return Replies(
        buckets=[
            Bucket(first, last, counts)
            for (first, last), counts in zip(spans, bucket_counts, strict=True)
        ],
        by_week=by_week,
        totals=totals,
        channels=channels,
        median_first_reply=_seconds_percentile([w for ws in waits.values() for w in ws], 50),
    )


def _span(first: date, last: date) -> Iterable[date]:
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


# ---------------------------------------------------------------- time in each state


def _touched_since(start: datetime):
    """The drafts changed at or after `start`. Every move and every edit stamps
    `Draft.updated_at` with its time, so only these drafts can have moved in a period that
    starts then: a cheap way into the audit log, which is not indexed by time."""
    return select(Draft.id).where(Draft.updated_at >= start)


#: The states a draft waits in on its way out (the open ones; published and withdrawn are
#: where it ends), in the order the dashboard lists them, with their labels there.
STATE_LABELS = {
    DraftState.DRAFT: N_("Draft (being written)"),
    DraftState.COOLING_OFF: N_("Cooling off (in review)"),
    DraftState.CHANGES_REQUESTED: N_("Changes requested"),
    DraftState.APPROVED: N_("Approved (waiting to go out)"),
}


@dataclass(frozen=True)
class StateTime:
    state: DraftState
    label: str
    #: Stays that ended in the period.
    count: int
    median: timedelta | None
    p90: timedelta | None


def state_times(
    session: Session, *, start: datetime, end: datetime, now: datetime
) -> list[StateTime]:
    """Median and 90th percentile of the time drafts spent in each state before moving on,
    from the audit log, for the stays that ended in the period.

    The database walks each draft's events in order (window functions, on SQLite and
    PostgreSQL alike) and hands back how many stays of each state lasted how many whole
    seconds: a quarter's hundred thousand events come back as a few thousand rows.
    """
    draft_moves = (AuditEvent.entity_type == "draft", AuditEvent.to_state.is_not(None))
    at_type = AuditEvent.__table__.c.at.type
    events = (
        select(
            AuditEvent.entity_id.label("draft_id"),
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.to_state.label("state"),
            func.lag(AuditEvent.to_state, type_=String())
            .over(partition_by=AuditEvent.entity_id, order_by=(AuditEvent.at, AuditEvent.id))
            .label("before"),
        )
        .where(*draft_moves, AuditEvent.at < end, AuditEvent.entity_id.in_(_touched_since(start)))
        .subquery()
    )
    # A stay starts where the state changed: an edit or a sign-off that leaves the draft
    # where it was neither ends one nor starts another. It lasts until the next change.
    moves = (
        select(events)
        .where(or_(events.c.before.is_(None), events.c.before != events.c.state))
        .subquery()
    )
    stays = select(
        moves.c.state,
        moves.c.at.label("entered"),
        func.lead(moves.c.at, type_=at_type)
        .over(partition_by=moves.c.draft_id, order_by=(moves.c.at, moves.c.id))
        .label("left"),
    ).subquery()
    seconds = func.round(epoch_seconds(stays.c.left) - epoch_seconds(stays.c.entered))
    counted: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for state, length, count in session.execute(
        select(stays.c.state, seconds, func.count())
        .where(
            stays.c.left >= start,
            stays.c.left < end,
            stays.c.state.in_([state.value for state in DraftState.open()]),
        )
        .group_by(stays.c.state, seconds)
    ):
        counted[state].append((max(0.0, float(length)), count))
    out = []
    for state in STATE_LABELS:
        lengths = counted.get(state.value, [])
        out.append(
            StateTime(
                state=state,
                label=STATE_LABELS[state],
                count=sum(count for _, count in lengths),
                median=_counted_percentile(lengths, 50),
                p90=_counted_percentile(lengths, 90),
            )
        )
    return out


# ---------------------------------------------------------------- caught before review


@dataclass(frozen=True)
class CodeCount:
    code: str
    label: str
    drafts: int


@dataclass(frozen=True)
class Catches:
    #: Drafts first submitted in the period.
    submitted: int
    #: Of those, the drafts the tone checks caught something on before that submission.
    caught: int
    #: The codes caught most often (drafts per code), most first.
    codes: list[CodeCount] = field(default_factory=list)

    @property
    def caught_share(self) -> float | None:
        return share(self.caught, self.submitted)


def catches(
    session: Session, *, start: datetime, end: datetime, now: datetime, top: int = 6
) -> Catches:
    """Of the drafts first submitted in the period, how many the tone checks caught
    something on before that, and what they caught most."""
    first_submit = (
        select(AuditEvent.entity_id.label("draft_id"))
        .where(
            AuditEvent.entity_type == "draft",
            AuditEvent.entity_id.in_(_touched_since(start)),
            AuditEvent.action == "draft.submit",
            AuditEvent.at < end,
        )
        .group_by(AuditEvent.entity_id)
        .having(func.min(AuditEvent.at) >= start, func.min(AuditEvent.at) < end)
        .subquery()
    )
    # As text, so only the lists with something in them are read as JSON.
    caught_lists = session.scalars(
        select(cast(Draft.tone_catches, String)).join(
            first_submit, first_submit.c.draft_id == Draft.id
        )
    ).all()
    codes: Counter[str] = Counter()
    caught = 0
    for text in caught_lists:
        if not text or text == "[]":
            continue
        listed = json.loads(text)
        distinct = (
            {code for code in listed if isinstance(code, str)}
            if isinstance(listed, list)
            else set()
        )
        if distinct:
            caught += 1
            codes.update(distinct)
    ranked = sorted(codes.items(), key=lambda item: (-item[1], item[0]))[:top]
    return Catches(
        submitted=len(caught_lists),
        caught=caught,
        codes=[CodeCount(code, CODE_LABELS.get(code, code), n) for code, n in ranked],
    )


# ---------------------------------------------------------------- review outcomes


@dataclass(frozen=True)
class ReviewerRow:
    name: str
    approved: int
    changes_requested: int

    @property
    def total(self) -> int:
        return self.approved + self.changes_requested

    @property
    def approved_share(self) -> float | None:
        return share(self.approved, self.total)


@dataclass(frozen=True)
class Reviews:
    approved: int
    changes_requested: int
    #: Approvals given in the period that a later edit voided.
    voided_approvals: int
    #: Drafts whose first review was in the period, and how many of those it approved.
    first_reviews: int
    first_approved: int
    reviewers: list[ReviewerRow]

    @property
    def total(self) -> int:
        return self.approved + self.changes_requested

    @property
    def first_approved_share(self) -> float | None:
        return share(self.first_approved, self.first_reviews)


def reviews(session: Session, *, start: datetime, end: datetime, now: datetime) -> Reviews:
    """Reviews given in the period: each decision, per reviewer, and how often a draft got
    through its first review."""
    in_period = (Review.created_at >= start, Review.created_at < end)
    counted = session.execute(
        select(
            User.name,
            Review.reviewer_id,
            Review.decision,
            func.count(),
            func.count(Review.voided_at),
        )
        .join(User, User.id == Review.reviewer_id)
        .where(*in_period)
        .group_by(User.name, Review.reviewer_id, Review.decision)
    ).all()
    per_reviewer: dict[int, dict] = {}
    totals: Counter[ReviewDecision] = Counter()
    voided_approvals = 0
    for name, reviewer_id, decision, count, voided in counted:
        row = per_reviewer.setdefault(reviewer_id, {"name": name, "approved": 0, "changes": 0})
        row["approved" if decision == ReviewDecision.APPROVED else "changes"] += count
        totals[decision] += count
        if decision == ReviewDecision.APPROVED:
            voided_approvals += voided
    reviewers = sorted(
        (ReviewerRow(r["name"], r["approved"], r["changes"]) for r in per_reviewer.values()),
        key=lambda row: (-row.total, row.name),
    )
    # Each draft's first review ever (numbered by the database): it counts here when it
    # was given in the period.
    ranked = (
        select(
            Review.created_at,
            Review.decision,
            func.row_number()
            .over(partition_by=Review.draft_id, order_by=(Review.created_at, Review.id))
            .label("number"),
        )
        .where(
            Review.draft_id.in_(select(Review.draft_id).where(*in_period)),
            Review.created_at < end,
        )
        .subquery()
    )
    firsts: Counter[ReviewDecision] = Counter(
        dict(
            session.execute(
                select(ranked.c.decision, func.count())
                .where(
                    ranked.c.number == 1,
                    ranked.c.created_at >= start,
                    ranked.c.created_at < end,
                )
                .group_by(ranked.c.decision)
            ).all()
        )
    )
    return Reviews(
        approved=totals[ReviewDecision.APPROVED],
        changes_requested=totals[ReviewDecision.CHANGES_REQUESTED],
        voided_approvals=voided_approvals,
        first_reviews=firsts.total(),
        first_approved=firsts[ReviewDecision.APPROVED],
        reviewers=reviewers,
    )


# ---------------------------------------------------------------- the whole page


def drafts_published(session: Session, *, start: datetime, end: datetime, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Draft.state == DraftState.PUBLISHED,
                # A published draft never changes again, so it was last updated when it
                # went out: this reads the (state, updated_at) index.
                Draft.updated_at >= start,
                Draft.published_at >= start,
                Draft.published_at < end,
            )
        )
        or 0
    )


def not_read(session: Session, *, start: datetime, end: datetime) -> dict[str, int]:
    """Complaints received in the period that Composure could not read (no rules for their
    language), by language, most first: counted apart, never as "low heat"."""
    rows = session.execute(
        select(Complaint.language, func.count())
        .where(
            Complaint.received_at >= start,
            Complaint.received_at < end,
            Complaint.analyzed_at.is_not(None),
            Complaint.heat_label.is_(None),
        )
        .group_by(Complaint.language)
    )
    counts = {language or "": count for language, count in rows}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True)
class Dashboard:
    replies: Replies
    state_times: list[StateTime]
    catches: Catches
    reviews: Reviews
    published: int
    #: Complaints not read, by language (`not_read`).
    not_read: dict[str, int] = field(default_factory=dict)


def dashboard(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    zone: tzinfo,
    by_week: bool | None = None,
) -> Dashboard:
    """Every figure the dashboard shows for the period."""
    period = {"start": start, "end": end, "now": now}
    return Dashboard(
        replies=replies(session, **period, zone=zone, by_week=by_week),
        state_times=state_times(session, **period),
        catches=catches(session, **period),
        reviews=reviews(session, **period),
        published=drafts_published(session, **period),
        not_read=not_read(session, start=start, end=end),
    )


def for_period(session: Session, period: DateRange, *, now: datetime, zone: tzinfo) -> Dashboard:
    """Every figure the dashboard shows for a chosen range, by day or by week as it says."""
    return dashboard(
        session, start=period.start, end=period.end, now=now, zone=zone, by_week=period.by_week
    )
