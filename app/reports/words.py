"""How the dashboard says its words: a `Say` (gettext and ngettext with named placeholders
filled after translation; numbers, shares, durations and days in the page's locale). The
view passes the page's (`app.web.say.PAGE_WORDS`); `ENGLISH` says them as written. No
Flask."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from app.core.durations import in_words


class Say(Protocol):
    """How the dashboard's words are said: gettext and ngettext with named placeholders
    (filled after translation), and numbers, shares, durations and days in the page's
    locale."""

    def gettext(self, message: str, **params) -> str: ...
    def ngettext(self, singular: str, plural: str, count: int, **params) -> str: ...
    def number(self, value: float) -> str: ...
    def share(self, value: float) -> str: ...
    def duration(self, delta: timedelta) -> str: ...
    def day(self, value: date, pattern: str) -> str: ...


class English:
    """The words as written (tests, scripts, the CSV of figures)."""

    def gettext(self, message: str, **params) -> str:
        return message % params if params else message

    def ngettext(self, singular: str, plural: str, count: int, **params) -> str:
        params.setdefault("num", count)
        return (singular if count == 1 else plural) % params

    def number(self, value: float) -> str:
        return f"{value:,}"

    def share(self, value: float) -> str:
        return f"{round(value * 100)}%"

    def duration(self, delta: timedelta) -> str:
        return in_words(delta, parts=2)

    def day(self, value: date, pattern: str) -> str:
        """CLDR patterns used here: "d MMM", "d MMM y", "EEE d MMM", "MMM"."""
        strf = {"d MMM": "%-d %b", "d MMM y": "%-d %b %Y", "EEE d MMM": "%a %-d %b", "MMM": "%b"}
        return value.strftime(strf[pattern])


ENGLISH = English()
