"""Durations in words, the one way every page, message and notification says them:
"20 minutes", "21 hours", "3 days", "15 years" (PRODUCT.md: say what happened, plainly).

In English unless told otherwise: the web layer passes `UnitWords` built from the page's
catalog (`app.web.say.unit_words`, ngettext per unit: Polish and Latvian have three forms),
so this stays plain Python. Babel's `format_timedelta` says one unit only, and no "3 hours 5
minutes".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

#: The units said, largest first, in seconds. No months or weeks: "45 days" reads more
#: exactly than "1 month", and a response clock is about hours and days.
UNITS = (
    ("year", 365 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


def plural(count: int, unit: str) -> str:
    """ "1 minute", "2 minutes": never "minute(s)"."""
    return f"{count:,} {unit}" if count == 1 else f"{count:,} {unit}s"


@dataclass(frozen=True)
class UnitWords:
    """How a language says a duration: `unit(count, "hour")` is "3 hours",
    `pair("3 hours", "5 minutes")` is "3 hours 5 minutes"."""

    unit: Callable[[int, str], str]
    less_than_a_minute: str
    pair: Callable[[str, str], str]


ENGLISH = UnitWords(
    unit=lambda count, unit: plural(count, unit),
    less_than_a_minute="less than a minute",
    pair=lambda larger, smaller: f"{larger} {smaller}",
)


def in_words(delta: timedelta, *, parts: int = 1, words: UnitWords = ENGLISH) -> str:
    """How long `delta` is (its sign ignored), in the largest unit it fills at least once,
    rounded: 1266 minutes is "21 hours", 5579 days "15 years", 90 seconds "2 minutes",
    under a minute "less than a minute".

    `parts=2` adds the next unit where it matters on a clock, below a week: "3 hours 5
    minutes", "2 days 4 hours" (never "15 years 104 days")."""
    seconds = abs(delta.total_seconds())
    if seconds < 60:
        return words.less_than_a_minute
    for index, (unit, size) in enumerate(UNITS):
        if seconds < size:
            continue
        if parts > 1 and unit in ("day", "hour") and seconds < 7 * 86400:
            smaller, small_size = UNITS[index + 1]
            whole, rest = divmod(int(seconds // 60) * 60, size)
            rest = round(rest / small_size)
            if rest == size // small_size:
                whole, rest = whole + 1, 0
            if rest:
                return words.pair(words.unit(whole, unit), words.unit(rest, smaller))
            return words.unit(whole, unit)
        return words.unit(int(seconds / size + 0.5), unit)
    return words.less_than_a_minute  # pragma: no cover - the minute is the last unit
