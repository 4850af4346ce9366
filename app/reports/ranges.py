"""The days a dashboard covers: a preset (the last 7, 14, 30 or 90 days up to today) or a
custom from/to, as calendar days in the display time zone. No Flask.

Whatever comes in the query string, `choose` returns a range to show; when what was asked
for cannot be used it says why and falls back to the default (the last 14 days).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from app.core.words import N_
from app.reports.words import ENGLISH, Say

PRESETS = (7, 14, 30, 90)
DEFAULT_DAYS = 14
#: The longest custom range: a year, leap day included.
MAX_DAYS = 366
#: Ranges longer than this are shown by week rather than by day.
DAILY_UP_TO = 31
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def day_start(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of `day` in `zone`, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class DateRange:
    first: date  #: first day shown (inclusive), in the display time zone
    last: date  #: last day shown (inclusive)
    zone: tzinfo
    #: The preset it came from (7, 14, 30, 90), or None for a custom range.
    preset: int | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        """The first moment of the range, UTC."""
        return day_start(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """The first moment after the range (exclusive), UTC."""
        return day_start(self.last + timedelta(days=1), self.zone)

    @property
    def by_week(self) -> bool:
        return self.days > DAILY_UP_TO

    def label(self) -> str:
        """ "10 Nov – 23 Nov 2026" (the year once when both days share it)."""
        if self.first.year == self.last.year:
            return f"{self.first:%-d %b} – {self.last:%-d %b %Y}"
        return f"{self.first:%-d %b %Y} – {self.last:%-d %b %Y}"


def last_days(days: int, *, today: date, zone: tzinfo) -> DateRange:
    return DateRange(today - timedelta(days=days - 1), today, zone, preset=days)


@dataclass(frozen=True)
class RangeChoice:
    range: DateRange
    #: Why the range asked for was not used (the default is shown instead), or None: an
    #: English message id and its values (`problem_in` says it in a page's language).
    why: tuple[str, dict] | None = None
    #: What was typed into the custom fields, to show back in them.
    typed_from: str = ""
    typed_to: str = ""

    @property
    def problem(self) -> str | None:
        """The problem in English."""
        return problem_in(self, ENGLISH)


def problem_in(choice: RangeChoice, say: Say) -> str | None:
    """Why the range asked for was not used, and that the default is shown, said by `say`
    (dates in its calendar)."""
    if choice.why is None:
        return None
    message, values = choice.why
    values = {
        name: say.day(value, "d MMM y")
        if isinstance(value, date)
        else say.number(value)
        if isinstance(value, int)
        else value
        for name, value in values.items()
    }
    fallback = say.ngettext(
        "Showing the last %(n)s day instead.",
        "Showing the last %(n)s days instead.",
        DEFAULT_DAYS,
        n=say.number(DEFAULT_DAYS),
    )
    return f"{say.gettext(message, **values)} {fallback}"


class _BadDay(ValueError):
    def __init__(self, message: str, **values) -> None:
        super().__init__(message)
        self.why = (message, values)


def _parse_day(text: str, name: str) -> date:
    if not _DAY.fullmatch(text):
        if name == "From":
            raise _BadDay(N_("“From” must be a date as YYYY-MM-DD, for example 2026-11-23."))
        raise _BadDay(N_("“To” must be a date as YYYY-MM-DD, for example 2026-11-23."))
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        if name == "From":
            raise _BadDay(
                N_("“From” (%(typed)s) is not a date on the calendar."), typed=text
            ) from error
        raise _BadDay(N_("“To” (%(typed)s) is not a date on the calendar."), typed=text) from error


def choose(
    *, days: str | None, first: str | None, last: str | None, today: date, zone: tzinfo
) -> RangeChoice:
    """The range asked for in the query string (`days`, or `from` and `to`), or the default
    with the reason why not."""
    typed_from = (first or "").strip()[:40]
    typed_to = (last or "").strip()[:40]
    default = last_days(DEFAULT_DAYS, today=today, zone=zone)
    if typed_from or typed_to:
        if not (typed_from and typed_to):
            why = (N_("Give both a “From” and a “To” date for a custom range."), {})
            return RangeChoice(default, why, typed_from, typed_to)
        try:
            start = _parse_day(typed_from, "From")
            end = _parse_day(typed_to, "To")
        except _BadDay as error:
            return RangeChoice(default, error.why, typed_from, typed_to)
        if start > end:
            why = (
                N_("“From” (%(first)s) is after “To” (%(last)s)."),
                {"first": start, "last": end},
            )
            return RangeChoice(default, why, typed_from, typed_to)
        span = (end - start).days + 1
        if span > MAX_DAYS:
            why = (
                N_("That range is %(span)s days; the longest is %(most)s days."),
                {"span": span, "most": MAX_DAYS},
            )
            return RangeChoice(default, why, typed_from, typed_to)
        return RangeChoice(DateRange(start, end, zone), None, typed_from, typed_to)
    if days is not None and days.strip():
        text = days.strip()
        if text.isascii() and text.isdigit() and int(text) in PRESETS:
            return RangeChoice(last_days(int(text), today=today, zone=zone))
        presets = ", ".join(str(p) for p in PRESETS[:-1])
        why = (
            N_("Choose the last %(presets)s or %(last)s days."),
            {"presets": presets, "last": PRESETS[-1]},
        )
        return RangeChoice(default, why)
    return RangeChoice(default)
