"""Business time (app/core/business_time.py): response clocks counted in a market's opening
hours, paused outside them and on its public holidays, across DST changes; working days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.core.business_time import (
    BusinessCalendar,
    NoBusinessTime,
    check_holiday_country,
    format_hours,
    parse_hours,
    time_zone,
)

OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
RIGA = ZoneInfo("Europe/Riga")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def riga(*args: int) -> datetime:
    return datetime(*args, tzinfo=RIGA)


def calendar(zone: str = "Europe/Riga", country: str | None = "LV", **hours) -> BusinessCalendar:
    return BusinessCalendar(zone, parse_hours(hours or OFFICE), country)


def local(moment: datetime, zone: ZoneInfo = RIGA) -> datetime:
    assert moment.tzinfo is UTC or moment.utcoffset() == timedelta(0)
    return moment.astimezone(zone).replace(tzinfo=None)


def test_friday_evening_in_riga_is_due_monday_at_one() -> None:
    latvia = calendar()
    friday_six = riga(2026, 12, 4, 18, 0)
    due = latvia.due_at(friday_six, timedelta(hours=4))
    assert local(due) == datetime(2026, 12, 7, 13, 0)
    assert latvia.is_paused(friday_six)
    assert local(latvia.resumes_at(friday_six)) == datetime(2026, 12, 7, 9, 0)
    assert not latvia.is_paused(riga(2026, 12, 7, 9, 0))
    assert latvia.resumes_at(riga(2026, 12, 7, 12, 0)) is None


def test_kings_day_in_amsterdam_waits_for_the_next_working_day() -> None:
    dutch = calendar("Europe/Amsterdam", "NL")
    kings_day = datetime(2026, 4, 27, 10, 0, tzinfo=AMSTERDAM)  # a Monday
    assert kings_day.weekday() == 0
    assert dutch.is_paused(kings_day)
    assert local(dutch.resumes_at(kings_day), AMSTERDAM) == datetime(2026, 4, 28, 9, 0)
    due = dutch.due_at(kings_day, timedelta(hours=4))
    assert local(due, AMSTERDAM) == datetime(2026, 4, 28, 13, 0)


def test_received_during_before_and_after_hours() -> None:
    latvia = calendar()
    assert local(latvia.due_at(riga(2026, 12, 8, 10, 0), timedelta(hours=4))) == datetime(
        2026, 12, 8, 14, 0
    )
    assert local(latvia.due_at(riga(2026, 12, 8, 7, 0), timedelta(hours=4))) == datetime(
        2026, 12, 8, 13, 0
    )
    assert local(latvia.due_at(riga(2026, 12, 8, 16, 0), timedelta(hours=4))) == datetime(
        2026, 12, 9, 12, 0
    )
    # A lunch break pauses the clock as well.
    lunch = calendar(mon=[["09:00", "12:00"], ["13:00", "17:00"]])
    monday = riga(2026, 12, 7, 11, 0)
    assert local(lunch.due_at(monday, timedelta(hours=2))) == datetime(2026, 12, 7, 14, 0)
    assert local(lunch.resumes_at(riga(2026, 12, 7, 12, 30))) == datetime(2026, 12, 7, 13, 0)


def test_a_target_across_christmas_and_a_weekend() -> None:
    latvia = calendar()
    # 24 and 25 December are Latvian holidays (Thursday and Friday in 2026), then a weekend.
    due = latvia.due_at(riga(2026, 12, 23, 16, 0), timedelta(hours=3))
    assert local(due) == datetime(2026, 12, 28, 11, 0)
    # Several whole days: 20 business hours from Monday 09:00 is Wednesday 13:00.
    assert local(latvia.due_at(riga(2026, 12, 7, 9, 0), timedelta(hours=20))) == datetime(
        2026, 12, 9, 13, 0
    )
    # A long target walks whole days, not minutes.
    far = latvia.due_at(riga(2026, 1, 5, 9, 0), timedelta(hours=8 * 200))
    assert local(far).year == 2026


def test_across_both_dst_changes() -> None:
    latvia = calendar()
    # Clocks go forward on Sunday 29 March 2026: Friday is UTC+2, Monday UTC+3.
    due = latvia.due_at(riga(2026, 3, 27, 16, 0), timedelta(hours=2))
    assert local(due) == datetime(2026, 3, 30, 10, 0)
    assert due == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    # Clocks go back on Sunday 25 October 2026: 1 h Friday, 8 h Monday, 1 h Tuesday.
    due = latvia.due_at(riga(2026, 10, 23, 16, 0), timedelta(hours=10))
    assert local(due) == datetime(2026, 10, 27, 10, 0)
    assert due == datetime(2026, 10, 27, 8, 0, tzinfo=UTC)
    # A 24/7 clock counts real hours across the change.
    always = BusinessCalendar("Europe/Riga")
    start = riga(2026, 3, 28, 12, 0)
    assert always.due_at(start, timedelta(hours=24)) - start == timedelta(hours=24)
    assert not always.is_paused(riga(2026, 12, 25, 3, 0))


def test_a_24_7_market_never_pauses_even_on_its_holidays_and_hours_pause_on_them() -> None:
    christmas = riga(2026, 12, 25, 10, 0)
    always = BusinessCalendar("Europe/Riga", None, "LV")  # a holiday country, no hours
    assert always.is_holiday(christmas.date())
    assert not always.is_paused(christmas)
    assert always.due_at(christmas, timedelta(hours=4)) - christmas == timedelta(hours=4)
    assert always.business_between(christmas, christmas + timedelta(days=2)) == timedelta(days=2)
    latvia = calendar()
    assert latvia.is_paused(christmas)
    assert local(latvia.resumes_at(christmas)) == datetime(2026, 12, 28, 9, 0)
    # What runs of the clock between two moments: only opening hours, negative backwards.
    friday_six, monday_one = riga(2026, 12, 4, 18, 0), riga(2026, 12, 7, 13, 0)
    assert latvia.business_between(friday_six, monday_one) == timedelta(hours=4)
    assert latvia.business_between(monday_one, friday_six) == -timedelta(hours=4)
    assert latvia.business_between(riga(2026, 12, 24, 16, 0), christmas) == timedelta(0)


def test_working_days_skip_weekends_and_the_markets_holidays() -> None:
    latvia = calendar()
    friday = riga(2026, 12, 18, 15, 30)
    assert local(latvia.add_working_days(friday, 3)) == datetime(2026, 12, 23, 15, 30)
    assert local(latvia.add_working_days(friday, 4)) == datetime(2026, 12, 28, 15, 30)
    # 24/7 with a holiday country: Monday to Friday, less the holidays.
    always = BusinessCalendar("Europe/Riga", None, "LV")
    assert local(always.add_working_days(friday, 4)) == datetime(2026, 12, 28, 15, 30)


def test_bad_hours_zones_and_countries_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_hours({"mon": [["17:00", "09:00"]]})
    with pytest.raises(ValueError, match="overlap"):
        parse_hours({"mon": [["09:00", "13:00"], ["12:00", "17:00"]]})
    with pytest.raises(ValueError, match="not a time"):
        parse_hours({"mon": [["9am", "17:00"]]})
    with pytest.raises(ValueError, match="Unknown day"):
        parse_hours({"monday": [["09:00", "17:00"]]})
    with pytest.raises(NoBusinessTime, match="no opening"):
        parse_hours({})
    with pytest.raises(ValueError, match="Unknown time zone"):
        time_zone("Europe/Atlantis")
    with pytest.raises(ValueError, match="Unknown holiday country"):
        check_holiday_country("XX")
    assert check_holiday_country(" nl ") == "NL"
    assert format_hours(parse_hours(OFFICE)) == OFFICE
    with pytest.raises(ValueError, match="aware"):
        calendar().due_at(datetime(2026, 12, 7, 9, 0), timedelta(hours=1))  # noqa: DTZ001
