"""Business time: a market's weekly opening hours and public holidays, as a clock. No Flask,
no database: every function takes the moment it works from.

A `BusinessCalendar` answers "when is a reply due if the target is N business hours?",
"is the clock paused now, and when does it resume?" and "which day is N working days
later?". It walks whole opening intervals (one or a few per day), never minute by minute,
and gives up with `NoBusinessTime` after `MAX_DAYS` days without any opening, so a market
with no hours at all is an error, not a hang.

Opening hours are local wall-clock times in the market's time zone (09:00-17:00 stays
09:00-17:00 across a DST change); the durations counted are real elapsed time (UTC).
`hours=None` is a clock that never pauses (24/7, as before markets): a 24/7 market is
never paused, not even on the public holidays of its `holiday_country`, which then only
move working days (follow-ups). A market with hours pauses outside them and on holidays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

#: Weekday keys in stored hours, Monday first (`date.weekday()` order).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: How many days without any opening the walk tries before giving up (two years covers
#: any run of holidays; a market with no hours at all fails at once, see `parse_hours`).
MAX_DAYS = 740
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")

#: Minutes after local midnight, start < end; a day is a tuple of such intervals.
Interval = tuple[int, int]
WeeklyHours = tuple[tuple[Interval, ...], ...]


class NoBusinessTime(ValueError):
    """The calendar has no opening at all, or none within `MAX_DAYS`."""


def _minutes(text: str, where: str) -> int:
    found = _CLOCK.match(text.strip()) if isinstance(text, str) else None
    if found is None:
        raise ValueError(f"{where}: {text!r} is not a time like 09:00")
    minutes = int(found[1]) * 60 + int(found[2])
    if minutes > 24 * 60:
        raise ValueError(f"{where}: {text} is after 24:00")
    return minutes


def parse_hours(data: Mapping[str, Sequence[Sequence[str]]] | None) -> WeeklyHours | None:
    """Stored hours (`{"mon": [["09:00", "17:00"]], ...}`; a missing day is closed) to
    `WeeklyHours`; None stays None (24/7). Raises ValueError with a clear message on a bad
    time, an interval out of order, overlapping intervals, an unknown day, or no hours."""
    if data is None:
        return None
    unknown = sorted(set(data) - set(WEEKDAYS))
    if unknown:
        raise ValueError(f"Unknown day {unknown[0]!r}; use one of {', '.join(WEEKDAYS)}")
    week = []
    for day in WEEKDAYS:
        intervals = []
        for pair in data.get(day) or ():
            if len(pair) != 2:
                raise ValueError(f"{day}: each opening is a start and an end")
            start, end = _minutes(pair[0], day), _minutes(pair[1], day)
            if start >= end:
                raise ValueError(f"{day}: {pair[0]}-{pair[1]} ends before it starts")
            intervals.append((start, end))
        intervals.sort()
        for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
            if start < end:
                raise ValueError(f"{day}: openings overlap")
        week.append(tuple(intervals))
    if not any(week):
        raise NoBusinessTime("These hours have no opening on any day")
    return tuple(week)


def format_hours(week: WeeklyHours | None) -> dict[str, list[list[str]]] | None:
    """The stored form of `WeeklyHours` (the inverse of `parse_hours`)."""
    if week is None:
        return None

    def clock(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return {
        day: [[clock(start), clock(end)] for start, end in intervals]
        for day, intervals in zip(WEEKDAYS, week, strict=True)
        if intervals
    }


def time_zone(name: str) -> ZoneInfo:
    """The zone called `name`; ValueError with a clear message when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Unknown time zone {name!r} (use a name like Europe/Riga)") from None


def check_holiday_country(code: str | None) -> str | None:
    """`code` upper-cased if the holidays package knows it; ValueError otherwise."""
    if code is None or not code.strip():
        return None
    code = code.strip().upper()
    if code not in holidays.list_supported_countries():
        raise ValueError(f"Unknown holiday country {code!r} (use a code like NL, DE or LV)")
    return code


@dataclass(frozen=True)
class BusinessCalendar:
    """One market's clock: its time zone, weekly hours (None = 24/7) and holidays."""

    zone: str = "UTC"
    hours: WeeklyHours | None = None
    holiday_country: str | None = None
    #: Holiday dates looked up by `is_holiday` besides the country's (tests, company days).
    extra_holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        time_zone(self.zone)
        check_holiday_country(self.holiday_country)
        if self.hours is not None and not any(self.hours):
            raise NoBusinessTime("These hours have no opening on any day")

    @cached_property
    def tz(self) -> ZoneInfo:
        return time_zone(self.zone)

    @cached_property
    def _holidays(self) -> holidays.HolidayBase | None:
        if self.holiday_country is None:
            return None
        return holidays.country_holidays(self.holiday_country)

    def is_holiday(self, day: date) -> bool:
        return day in self.extra_holidays or (self._holidays is not None and day in self._holidays)

    def is_working_day(self, day: date) -> bool:
        """Open that day: a weekday with hours (Monday to Friday when 24/7), no holiday."""
        weekly = bool(self.hours[day.weekday()]) if self.hours else day.weekday() < 5
        return weekly and not self.is_holiday(day)

    def _local(self, day: date, minutes: int) -> datetime:
        naive = datetime.combine(day, time()) + timedelta(minutes=minutes)
        return naive.replace(tzinfo=self.tz).astimezone(UTC)

    def openings(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Opening intervals (UTC) that end after `since`, in order; NoBusinessTime after
        `MAX_DAYS` days without one."""
        if self.hours is None:
            raise ValueError("A 24/7 calendar has no openings to walk")
        day = since.astimezone(self.tz).date()
        idle = 0
        while idle <= MAX_DAYS:
            found = False
            if not self.is_holiday(day):
                for start, end in self.hours[day.weekday()]:
                    opening = (self._local(day, start), self._local(day, end))
                    if opening[1] > since:
                        found = True
                        yield opening
            idle = 0 if found else idle + 1
            day += timedelta(days=1)
        raise NoBusinessTime(f"No business hours within {MAX_DAYS} days after {since}")

    def due_at(self, received: datetime, target: timedelta) -> datetime:
        """`received` plus `target` of business time (UTC)."""
        received = _utc(received)  # aware arithmetic in a local zone is wall-clock time
        if self.hours is None:
            return received + target
        left = target
        for start, end in self.openings(received):
            begin = max(start, received)
            if end - begin >= left:
                return begin + left
            left -= end - begin
        raise AssertionError("openings() ends by raising")  # pragma: no cover

    def business_between(self, start: datetime, end: datetime) -> timedelta:
        """The business time from `start` to `end`: what runs of a clock in that span
        (negative when `end` is before `start`; real time on a 24/7 calendar)."""
        start, end = _utc(start), _utc(end)
        if end < start:
            return -self.business_between(end, start)
        if self.hours is None:
            return end - start
        counted = timedelta(0)
        for opening_start, opening_end in self.openings(start):
            if opening_start >= end:
                break
            counted += min(opening_end, end) - max(opening_start, start)
        return counted

    def is_paused(self, at: datetime) -> bool:
        """The clock is stopped at `at` (outside hours, or on a holiday); never on a 24/7
        calendar, whatever its holiday country."""
        return self.resumes_at(at) is not None

    def resumes_at(self, at: datetime) -> datetime | None:
        """When a paused clock starts again (UTC); None while it runs."""
        at = _utc(at)
        if self.hours is None:
            return None
        start, _ = next(self.openings(at))
        return start if start > at else None

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """`days` working days after `moment`, at the same local time of day (UTC)."""
        local = _utc(moment).astimezone(self.tz)
        day, left, idle = local.date(), days, 0
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left, idle = left - 1, 0
            elif (idle := idle + 1) > MAX_DAYS:
                raise NoBusinessTime(f"No working day within {MAX_DAYS} days after {moment}")
        naive = datetime.combine(day, local.time().replace(tzinfo=None))
        return naive.replace(tzinfo=self.tz).astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Business time needs an aware datetime")
    return moment.astimezone(UTC)
