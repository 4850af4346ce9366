"""Time as a dependency: the domain takes `now=`, the web layer asks the app's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

Moment = TypeVar("Moment", date, datetime)


def utcnow() -> datetime:
    return datetime.now(UTC)


def add_working_days(moment: Moment, days: int) -> Moment:
    """`days` working days (Monday to Friday) after `moment`, at the same time of day."""
    left = days
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


class FrozenClock:
    """A clock tests (and the browser-test server) move by hand."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, **kwargs: float) -> datetime:
        self._at += timedelta(**kwargs)
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at
