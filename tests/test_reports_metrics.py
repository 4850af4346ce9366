"""The dashboard's figures on hand-made data, with the exact numbers a lead would read:
replies against targets by day, week and channel; time spent in each state from the audit
log; what the tone checks caught before review; review outcomes; the date range and its
edges in the display time zone. No HTTP here (tests/test_dashboard.py has the page)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.drafts.catches import note_tone_catches
from app.drafts.models import Draft, DraftState, ReviewDecision
from app.extensions import db
from app.reports import metrics, ranges
from app.reports.metrics import OutcomeCounts
from app.tone.catalogue import Finding
from tests.fixtures.app import T0
from tests.fixtures.history import HOUR, add_complaint, add_draft, add_review, moved

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def period(first: date, last: date, zone=UTC_ZONE) -> dict:
    chosen = ranges.DateRange(first, last, zone)
    return {"start": chosen.start, "end": chosen.end}


# ---------------------------------------------------------------- numbers


def test_percentiles_interpolate_between_the_nearest_ranks():
    assert metrics.percentile([10, 1, 3, 2], 50) == 2.5
    assert metrics.percentile([1, 2, 3, 10], 90) == pytest.approx(7.9)
    assert metrics.percentile([7], 90) == 7
    assert metrics.percentile([1, 2, 3, 4, 5], 50) == 3
    with pytest.raises(ValueError, match="no values"):
        metrics.percentile([], 50)
    assert metrics.median_duration([]) is None
    # Counted values give the same as spelled-out ones: 1, 2, 2, 2, 3, 10.
    counted = [(2, 3), (10, 1), (1, 1), (3, 1)]
    spelled = [1, 2, 2, 2, 3, 10]
    for q in (0, 10, 50, 90, 100):
        assert metrics.percentile_of_counts(counted, q) == metrics.percentile(spelled, q)


# ---------------------------------------------------------------- replies vs targets


def test_each_complaint_is_on_time_late_overdue_or_within_target(ctx):
    now = T0
    day = period(date(2026, 11, 23), date(2026, 11, 23))
    start = day["start"]
    add_complaint(start + HOUR, replied=start + 2 * HOUR)  # answered at its due time: on time
    add_complaint(start + HOUR, replied=start + 2 * HOUR + timedelta(minutes=1))  # late
    add_complaint(start + 2 * HOUR)  # due 03:00, no reply at 09:00: overdue
    add_complaint(now - HOUR)  # due exactly now: still within target
    add_complaint(start + HOUR, replied=start + HOUR + timedelta(minutes=20))  # on time

    replies = metrics.replies(db.session, **day, now=now, zone=UTC_ZONE)

    assert replies.totals == OutcomeCounts(on_time=2, late=1, open_overdue=1, open_within=1)
    assert replies.totals.judged == 4
    assert replies.totals.on_time_share == 0.5  # 2 of the 4 whose target has passed
    # Median time to first reply over the three answered: 20, 60 and 61 minutes.
    assert replies.median_first_reply == timedelta(minutes=60)


def test_days_follow_the_display_time_zone_and_the_range_edges(ctx):
    # New York is UTC-5 in November: its 19 November runs 05:00 UTC to 05:00 UTC.
    chosen = period(date(2026, 11, 19), date(2026, 11, 20), NEW_YORK)
    assert chosen["start"] == datetime(2026, 11, 19, 5, tzinfo=UTC)
    assert chosen["end"] == datetime(2026, 11, 21, 5, tzinfo=UTC)
    add_complaint(chosen["start"] - timedelta(seconds=1))  # 23:59:59 on the 18th: outside
    add_complaint(chosen["start"])  # midnight starting the 19th: inside
    add_complaint(datetime(2026, 11, 20, 3, 30, tzinfo=UTC))  # 22:30 on the 19th in New York
    add_complaint(datetime(2026, 11, 20, 5, 0, tzinfo=UTC))  # midnight starting the 20th
    add_complaint(chosen["end"] - timedelta(seconds=1))  # 23:59:59 on the 20th: inside
    add_complaint(chosen["end"])  # midnight starting the 21st: outside

    replies = metrics.replies(db.session, **chosen, now=T0, zone=NEW_YORK)

    assert [(b.first, b.counts.total) for b in replies.buckets] == [
        (date(2026, 11, 19), 2),
        (date(2026, 11, 20), 2),
    ]
    assert replies.totals.total == 4
    assert [b.label() for b in replies.buckets] == ["Thu 19 Nov", "Fri 20 Nov"]


def test_ranges_over_31_days_go_by_monday_weeks_cut_to_the_range(ctx):
    chosen = ranges.DateRange(date(2026, 10, 1), date(2026, 11, 23), UTC_ZONE)  # 54 days
    assert chosen.by_week
    sunday = datetime(2026, 10, 4, 12, tzinfo=UTC)
    add_complaint(sunday, replied=sunday + timedelta(minutes=30))
    add_complaint(datetime(2026, 10, 5, 12, tzinfo=UTC))  # Monday: the second week
    add_complaint(  # late, on the last day
        datetime(2026, 11, 23, 7, tzinfo=UTC), replied=datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    )

    replies = metrics.replies(
        db.session, start=chosen.start, end=chosen.end, now=T0, zone=UTC_ZONE, by_week=True
    )

    weeks = replies.buckets
    assert len(weeks) == 9
    assert (weeks[0].first, weeks[0].last) == (date(2026, 10, 1), date(2026, 10, 4))  # Thu-Sun
    assert (weeks[1].first, weeks[1].last) == (date(2026, 10, 5), date(2026, 10, 11))
    assert (weeks[-1].first, weeks[-1].last) == (date(2026, 11, 23), date(2026, 11, 23))
    assert weeks[0].counts == OutcomeCounts(on_time=1)
    assert weeks[1].counts == OutcomeCounts(open_overdue=1)
    assert weeks[-1].counts == OutcomeCounts(late=1)
    assert weeks[0].label() == "1 Oct – 4 Oct"


def test_per_channel_share_on_time_and_median_first_reply_against_the_target(ctx):
    chosen = period(date(2026, 11, 16), date(2026, 11, 22))
    monday = chosen["start"]
    for minutes in (10, 30, 50, 90):  # three on time, one late, against 60 min
        add_complaint(monday, replied=monday + timedelta(minutes=minutes))
    day = timedelta(days=1)
    add_complaint(monday, replied=monday + 2 * HOUR, channel="email", target=day)
    add_complaint(monday, replied=monday + 30 * HOUR, channel="email", target=day)

    replies = metrics.replies(db.session, **chosen, now=T0, zone=UTC_ZONE)

    by_key = {channel.key: channel for channel in replies.channels}
    assert by_key["x"].counts == OutcomeCounts(on_time=3, late=1)
    assert by_key["x"].counts.on_time_share == 0.75
    assert by_key["x"].median_first_reply == timedelta(minutes=40)
    assert by_key["x"].target == HOUR
    assert by_key["email"].counts.on_time_share == 0.5
    assert by_key["email"].median_first_reply == timedelta(hours=16)
    assert by_key["email"].target == day
    # Every active channel is listed, the quiet ones with nothing to show.
    assert by_key["facebook"].counts.total == 0
    assert by_key["facebook"].median_first_reply is None
    assert [c.key for c in replies.channels] == [
        "x",
        "facebook",
        "instagram",
        "review",
        "dm",
        "email",
    ]


# ---------------------------------------------------------------- time in each state


@BOTH
def test_time_in_each_state_comes_from_the_audit_log(ctx, users):
    agent = users["agent"].id
    start = datetime(2026, 11, 20, tzinfo=UTC)
    chosen = {"start": start, "end": start + timedelta(days=3)}

    def minutes(n):
        return start + timedelta(hours=10, minutes=n)

    # One draft's whole path: the edit and the sign-off leave its state as it was.
    first = add_draft(agent)
    moved(first, "draft.created", minutes(0), "draft")
    moved(first, "draft.submit", minutes(10), "cooling_off", "draft")
    moved(first, "draft.request_changes", minutes(30), "changes_requested", "cooling_off")
    moved(first, "draft.edited", minutes(35), "changes_requested", "changes_requested")
    moved(first, "draft.submit", minutes(40), "cooling_off", "changes_requested")
    moved(first, "draft.sign_off", minutes(45), "cooling_off", "cooling_off")
    moved(first, "draft.approve", minutes(50), "approved", "cooling_off")
    moved(first, "draft.publish", minutes(70), "published", "approved")
    # Another, written across the start of the range: its draft stay counts in full.
    second = add_draft(agent)
    moved(second, "draft.created", start - timedelta(minutes=50), "draft")
    moved(second, "draft.submit", minutes(-590), "cooling_off", "draft")  # 10:00 -> 00:00 +10
    moved(second, "draft.approve", minutes(-570), "approved", "cooling_off")
    # An edit after approval sends it back to cooling off; it is still cooling off.
    moved(second, "draft.edited", minutes(-560), "cooling_off", "approved")
    # A third, whose only stay ended before the range: not counted.
    third = add_draft(agent)
    moved(third, "draft.created", start - timedelta(hours=3), "draft")
    moved(third, "draft.submit", start - timedelta(hours=2), "cooling_off", "draft")

    times = {row.state: row for row in metrics.state_times(db.session, **chosen, now=T0)}

    draft, cooling, changes, approved = (
        times[DraftState.DRAFT],
        times[DraftState.COOLING_OFF],
        times[DraftState.CHANGES_REQUESTED],
        times[DraftState.APPROVED],
    )
    # Draft stays: 10 min (first) and 60 min (second, from 23:10 the day before).
    assert (draft.count, draft.median, draft.p90) == (
        2,
        timedelta(minutes=35),
        timedelta(minutes=55),
    )
    # Cooling off: 20 min, then 10 min (first); 20 min (second).
    assert cooling.count == 3
    assert cooling.median == timedelta(minutes=20)
    assert cooling.p90 == timedelta(minutes=20)
    assert (changes.count, changes.median) == (1, timedelta(minutes=10))
    # Approved: 20 min (first), 10 min (second, until the edit).
    assert (approved.count, approved.median, approved.p90) == (
        2,
        timedelta(minutes=15),
        timedelta(minutes=19),
    )
    assert [row.label for row in times.values()] == [
        "Draft (being written)",
        "Cooling off (in review)",
        "Changes requested",
        "Approved (waiting to go out)",
    ]


def test_no_stays_in_the_range_means_no_figures(ctx):
    times = metrics.state_times(db.session, start=T0 - HOUR, end=T0, now=T0)
    assert [(row.count, row.median, row.p90) for row in times] == [(0, None, None)] * 4


# ---------------------------------------------------------------- caught before review


@BOTH
def test_caught_share_counts_drafts_by_their_first_submission(ctx, users):
    agent = users["agent"].id
    chosen = period(date(2026, 11, 20), date(2026, 11, 22))
    inside = chosen["start"] + timedelta(hours=12)
    before = chosen["start"] - timedelta(hours=1)

    def submitted(catches, *times):
        draft = add_draft(agent, catches=catches)
        for at in times:
            moved(draft, "draft.submit", at, "cooling_off", "draft")
        return draft

    submitted(["blame"], inside)
    submitted(["blame", "shouting"], inside)
    submitted([], inside)
    submitted(["non_apology"], inside, inside + timedelta(days=1))  # submitted twice: once
    submitted(["hostile"], before, inside)  # first submitted before the range: not counted
    add_draft(agent, catches=["sarcasm"])  # never submitted: not counted

    caught = metrics.catches(db.session, **chosen, now=T0)

    assert (caught.submitted, caught.caught) == (4, 3)
    assert caught.caught_share == 0.75
    assert [(c.code, c.label, c.drafts) for c in caught.codes] == [
        ("blame", "Blames the customer", 2),
        ("non_apology", "Non-apology", 1),
        ("shouting", "Shouting", 1),
    ]


def test_note_tone_catches_keeps_warn_and_block_codes_until_the_first_submission(ctx, users):
    draft = add_draft(users["agent"].id)
    found = [
        Finding("blame", "warn", 0, 5, "Blames."),
        Finding("hostile", "block", 6, 9, "Hostile."),
        Finding("hard_to_read", "info", 0, 0, "Long words."),
    ]

    assert note_tone_catches(draft, found) is True
    assert draft.tone_catches == ["blame", "hostile"]
    # The same again, or only advice: nothing changes.
    assert note_tone_catches(draft, found) is False
    assert note_tone_catches(draft, [{"code": "negative_tone", "severity": "info"}]) is False
    # Stored finding dicts count as well as live ones.
    assert note_tone_catches(draft, [{"code": "shouting", "severity": "warn"}]) is True
    assert draft.tone_catches == ["blame", "hostile", "shouting"]
    db.session.commit()
    assert db.session.get(Draft, draft.id).tone_catches == ["blame", "hostile", "shouting"]

    # Once submitted it never changes, not even when sent back for changes.
    draft.state, draft.cooling_off_until = DraftState.COOLING_OFF, T0
    assert note_tone_catches(draft, [{"code": "sarcasm", "severity": "warn"}]) is False
    draft.state = DraftState.CHANGES_REQUESTED
    assert note_tone_catches(draft, [{"code": "sarcasm", "severity": "warn"}]) is False
    assert draft.tone_catches == ["blame", "hostile", "shouting"]


def test_new_drafts_start_with_nothing_caught(ctx, users):
    draft = add_draft(users["agent"].id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Draft, draft.id).tone_catches == []


# ---------------------------------------------------------------- review outcomes


@BOTH
def test_review_outcomes_per_decision_first_review_and_reviewer(ctx, users):
    agent, riya, ada = users["agent"].id, users["reviewer"].id, users["admin"].id
    chosen = period(date(2026, 11, 20), date(2026, 11, 22))
    inside = chosen["start"] + timedelta(hours=9)
    before = chosen["start"] - timedelta(hours=1)
    approved, changes = ReviewDecision.APPROVED, ReviewDecision.CHANGES_REQUESTED

    one, two, three, four = (add_draft(agent) for _ in range(4))
    add_review(one, riya, approved, inside)  # approved at the first review
    add_review(two, ada, changes, inside)  # changes at the first…
    add_review(two, riya, approved, inside + HOUR)  # …then approved
    add_review(three, riya, approved, inside, voided=inside + HOUR)  # voided by an edit later
    add_review(four, ada, changes, before)  # first review before the range
    add_review(four, ada, approved, inside)
    add_review(four, riya, approved, chosen["end"])  # just after the range: not counted

    reviews = metrics.reviews(db.session, **chosen, now=T0)

    assert (reviews.approved, reviews.changes_requested, reviews.total) == (4, 1, 5)
    assert reviews.voided_approvals == 1
    # First reviews in the range: one (approved), two (changes), three (approved).
    assert (reviews.first_reviews, reviews.first_approved) == (3, 2)
    assert reviews.first_approved_share == pytest.approx(2 / 3)
    assert [(r.name, r.approved, r.changes_requested) for r in reviews.reviewers] == [
        ("Riya Reviewer", 3, 0),
        ("Ada Admin", 1, 1),
    ]
    assert reviews.reviewers[1].approved_share == 0.5


def test_drafts_published_in_the_range(ctx, users):
    chosen = period(date(2026, 11, 22), date(2026, 11, 22))
    for at in (chosen["start"] - timedelta(seconds=1), chosen["start"], chosen["end"]):
        draft = add_draft(users["agent"].id, at=at)
        draft.state, draft.cooling_off_until = DraftState.PUBLISHED, at
        draft.published_at = draft.updated_at = at
    db.session.flush()
    assert metrics.drafts_published(db.session, **chosen, now=T0) == 1


# ---------------------------------------------------------------- the date range


def choose(**query):
    return ranges.choose(
        days=query.get("days"),
        first=query.get("first"),
        last=query.get("last"),
        today=date(2026, 11, 23),
        zone=UTC_ZONE,
    )


def test_the_default_is_the_last_14_days_up_to_today():
    chosen = choose()
    assert (chosen.range.first, chosen.range.last, chosen.range.preset) == (
        date(2026, 11, 10),
        date(2026, 11, 23),
        14,
    )
    assert chosen.problem is None
    assert chosen.range.label() == "10 Nov – 23 Nov 2026"
    assert chosen.range.end == datetime(2026, 11, 24, tzinfo=UTC)


@pytest.mark.parametrize(("days", "first"), [("7", 17), ("30", None), ("90", None)])
def test_presets(days, first):
    chosen = choose(days=days)
    assert chosen.problem is None
    assert chosen.range.days == int(days)
    assert chosen.range.last == date(2026, 11, 23)
    assert chosen.range.by_week == (int(days) > 31)
    if first:
        assert chosen.range.first == date(2026, 11, first)


def test_a_custom_range_includes_both_days():
    chosen = choose(first="2025-11-23", last="2026-11-23")  # 366 days: the longest allowed
    assert chosen.problem is None
    assert chosen.range.days == 366
    assert chosen.range.preset is None
    assert chosen.range.label() == "23 Nov 2025 – 23 Nov 2026"


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"first": "2026-11-20", "last": "2026-11-10"}, "“From” (20 Nov 2026) is after “To”"),
        ({"first": "2025-11-22", "last": "2026-11-23"}, "That range is 367 days"),
        ({"first": "yesterday", "last": "2026-11-23"}, "“From” must be a date as YYYY-MM-DD"),
        ({"first": "2026-02-30", "last": "2026-03-02"}, "is not a date on the calendar"),
        ({"first": "2026-11-01"}, "Give both a “From” and a “To” date"),
        ({"days": "5"}, "Choose the last 7, 14, 30 or 90 days."),
        ({"days": "١٤"}, "Choose the last 7, 14, 30 or 90 days."),
    ],
)
def test_what_cannot_be_used_says_why_and_falls_back_to_the_default(query, problem):
    chosen = choose(**query)
    assert problem in chosen.problem
    assert chosen.problem.endswith("Showing the last 14 days instead.")
    assert (chosen.range.first, chosen.range.last) == (date(2026, 11, 10), date(2026, 11, 23))


def test_today_is_the_display_time_zones_today():
    late_evening = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # already the 24th in Tokyo
    tokyo = ZoneInfo("Asia/Tokyo")
    chosen = ranges.choose(
        days="7", first=None, last=None, today=late_evening.astimezone(tokyo).date(), zone=tokyo
    )
    assert chosen.range.last == date(2026, 11, 24)
    assert chosen.range.start == datetime(2026, 11, 17, 15, tzinfo=UTC)  # midnight in Tokyo
