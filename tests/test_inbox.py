"""The inbox: most urgent first, clocks against targets, filters, pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.complaints import inbox, intake
from app.complaints.models import ComplaintStatus
from app.extensions import db
from tests.conftest import T0


def add(channel: str, minutes_ago: int, text: str) -> int:
    channels = intake.load_channels(db.session)
    valid = intake.validate(
        intake.ComplaintInput(
            channel=channel, text=text, received_at=T0 - timedelta(minutes=minutes_ago)
        ),
        channels,
        now=T0,
        max_chars=1000,
    )
    complaint = intake.register(db.session, valid, actor=None, now=T0).complaint
    db.session.commit()
    return complaint.id


@pytest.fixture
def complaints(ctx):
    return {
        "fresh_tweet": add("x", 5, "fresh tweet"),  # due in 55 min
        "late_tweet": add("x", 75, "late tweet"),  # 15 min overdue
        "old_email": add("email", 600, "old email"),  # due in 14 h
        "urgent_tweet": add("x", 50, "urgent tweet"),  # due in 10 min
        "day_old_dm": add("dm", 1500, "day old dm"),  # 1 h overdue
    }


def test_most_urgent_first(ctx, complaints):
    page = inbox.list_page(db.session, inbox.InboxFilter(), page=1, per_page=25)
    assert [c.text for c in page.items] == [
        "day old dm",
        "late tweet",
        "urgent tweet",
        "fresh tweet",
        "old email",
    ]


def test_clocks_say_how_each_stands_against_its_target(ctx, complaints):
    page = inbox.list_page(db.session, inbox.InboxFilter(), page=1, per_page=25)
    urgency = {c.text: inbox.clock(c, T0).urgency for c in page.items}
    assert urgency == {
        "day old dm": inbox.Urgency.OVERDUE,
        "late tweet": inbox.Urgency.OVERDUE,
        "urgent tweet": inbox.Urgency.DUE_SOON,
        "fresh tweet": inbox.Urgency.ON_TRACK,
        "old email": inbox.Urgency.ON_TRACK,
    }
    assert inbox.human_duration(timedelta(hours=3, minutes=5)) == "3 h 05 min"
    assert inbox.human_duration(timedelta(days=2, hours=4)) == "2 d 4 h"


def test_filters_and_pages(ctx, complaints):
    page = inbox.list_page(db.session, inbox.InboxFilter(channel="x"), page=2, per_page=2)
    assert page.total == 3
    assert page.pages == 2
    assert [c.text for c in page.items] == ["fresh tweet"]
    answered = db.session.get(type(page.items[0]), complaints["late_tweet"])
    answered.status = ComplaintStatus.REPLIED
    db.session.commit()
    open_page = inbox.list_page(db.session, inbox.InboxFilter(status="open"), page=1, per_page=25)
    assert "late tweet" not in [c.text for c in open_page.items]
    replied = inbox.list_page(db.session, inbox.InboxFilter(status="replied"), page=1, per_page=25)
    assert [c.text for c in replied.items] == ["late tweet"]
    beyond = inbox.list_page(db.session, inbox.InboxFilter(), page=99, per_page=2)
    assert beyond.page == 2
    assert beyond.total == 4


def test_the_inbox_page_shows_clocks_and_filters(client_for, app, complaints):
    page = client_for("reviewer").get("/?channel=x").get_data(as_text=True)
    assert "15 min over" in page
    assert "10 min left" in page
    assert "55 min left" in page
    assert "old email" not in page
    assert "3 complaints" in page
    rubbish = client_for("reviewer").get("/?status=<script>&channel=nope&page=abc")
    assert rubbish.status_code == 200
    assert "<script>" not in rubbish.get_data(as_text=True)
