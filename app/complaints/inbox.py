"""The inbox: complaints most urgent first, with each one's clock against its target."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, true
from sqlalchemy.orm import Session

from app.analysis.rules import FLAGS
from app.complaints.models import Complaint, ComplaintFlag, ComplaintStatus

#: Status filters offered in the inbox; "open" is what still needs a reply.
STATUS_FILTERS: dict[str, tuple[ComplaintStatus, ...]] = {
    "open": ComplaintStatus.open_statuses(),
    **{status.value: (status,) for status in ComplaintStatus},
    "all": tuple(ComplaintStatus),
}


@dataclass(frozen=True)
class InboxFilter:
    status: str = "open"
    channel: str | None = None
    #: Only complaints with this sensitivity flag.
    flag: str | None = None

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


def _filtered(query, inbox_filter: InboxFilter):
    statuses = inbox_filter.statuses()
    if set(statuses) == set(ComplaintStatus.open_statuses()):
        query = query.where(Complaint.is_open == true())
    elif len(statuses) == 1:
        query = query.where(Complaint.status == statuses[0])
    elif len(statuses) < len(ComplaintStatus):
        query = query.where(Complaint.status.in_(statuses))
    if inbox_filter.channel:
        query = query.where(Complaint.channel_key == inbox_filter.channel)
    if inbox_filter.flag in FLAGS:
        query = query.where(
            exists().where(
                ComplaintFlag.complaint_id == Complaint.id, ComplaintFlag.flag == inbox_filter.flag
            )
        )
    return query


def list_page(
    session: Session, inbox_filter: InboxFilter, *, page: int, per_page: int
) -> InboxPage:
    """One page of the inbox: the soonest due first (overdue ones lead), then oldest id."""
    total = session.scalar(_filtered(select(func.count(Complaint.id)), inbox_filter)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    # The page's ids come from the index alone (deep pages skip index entries, not rows);
    # only the rows shown are then read.
    order = (Complaint.response_due_at, Complaint.id)
    ids = list(
        session.scalars(
            _filtered(select(Complaint.id), inbox_filter)
            .order_by(*order)
            .offset((page - 1) * per_page)
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


def clock(complaint: Complaint, now: datetime) -> Clock:
    target = complaint.response_due_at - complaint.received_at
    end = complaint.first_replied_at or now
    age = max(timedelta(0), end - complaint.received_at)
    remaining = complaint.response_due_at - end
    if complaint.status not in ComplaintStatus.open_statuses():
        urgency = Urgency.ANSWERED
    elif remaining <= timedelta(0):
        urgency = Urgency.OVERDUE
    elif remaining <= target / 4:
        urgency = Urgency.DUE_SOON
    else:
        urgency = Urgency.ON_TRACK
    return Clock(urgency=urgency, age=age, target=target, remaining=remaining)


def human_duration(delta: timedelta) -> str:
    """ "3 h 05 min", "12 min", "2 d 4 h": short enough for a table cell."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"
