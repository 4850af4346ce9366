"""Durations in words, the one way every page, message and notification says them:
"20 minutes", "21 hours", "3 days", "15 years" (PRODUCT.md: say what happened, plainly).

English here (logs, messages stored); `pieces` gives the counts and units that the web
layer (app/web/filters.duration_words) says in the page's language.
"""

from __future__ import annotations

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


def in_words(delta: timedelta, *, parts: int = 1) -> str:
    """How long `delta` is (its sign ignored), in the largest unit it fills at least once,
    rounded: 1266 minutes is "21 hours", 5579 days "15 years", 90 seconds "2 minutes",
    under a minute "less than a minute".

    `parts=2` adds the next unit where it matters on a clock, below a week: "3 hours 5
    minutes", "2 days 4 hours" (never "15 years 104 days")."""
    said = pieces(delta, parts=parts)
    if not said:
        return "less than a minute"
    return " ".join(plural(count, unit) for count, unit in said)


def pieces(delta: timedelta, *, parts: int = 1) -> list[tuple[int, str]]:
    """`in_words` as (count, unit) pairs, largest first; [] for under a minute. The web
    layer says them in the page's language."""
    seconds = abs(delta.total_seconds())
    if seconds < 60:
        return []
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
                return [(whole, unit), (rest, smaller)]
            return [(whole, unit)]
        return [(int(seconds / size + 0.5), unit)]
    return []  # pragma: no cover - the minute is the last unit
