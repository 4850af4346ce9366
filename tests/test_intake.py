"""Pasting a complaint: what is stored, when it is due, and what bad input gets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.complaints import intake
from app.complaints.models import Complaint
from app.core.text import clean_text, is_blank
from app.extensions import db
from tests.fixtures.app import T0
from tests.fixtures.web import main_form, web_login


@pytest.fixture
def agent_web(web, users):
    web_login(web, users["agent"].email)
    return web


def paste(web, **fields):
    form = main_form(web.get("/complaints/new"))
    defaults = {
        "channel": "x",
        "author_handle": "@dana",
        "author_name": "Dana",
        "text": "Still no refund for order NW-1. Third time asking.",
    }
    for name, value in {**defaults, **fields}.items():
        form[name] = value
    return form.submit(status="*")


def stored(app) -> list[Complaint]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Complaint).order_by(Complaint.id)))


def test_a_pasted_complaint_is_stored_with_its_response_clock(agent_web, app):
    response = paste(agent_web, received_at="2026-11-23T08:40")
    assert response.status_code == 302
    page = response.follow()
    assert "Still no refund for order NW-1" in re.sub(r"<[^>]+>", "", page.text)
    assert "40 minutes left" in page.text  # public channel: one hour from 08:40, now 09:00
    [complaint] = stored(app)
    assert complaint.received_at == T0 - timedelta(minutes=20)
    assert complaint.response_due_at == complaint.received_at + timedelta(hours=1)
    assert complaint.created_by_id is not None
    assert complaint.source == "manual"


def test_private_channels_get_a_day(agent_web, app):
    paste(agent_web, channel="email", author_handle="dana@example.com")
    [complaint] = stored(app)
    assert complaint.response_due_at - complaint.received_at == timedelta(hours=24)


def test_submitting_the_same_form_twice_stores_one_complaint(agent_web, app):
    form = main_form(agent_web.get("/complaints/new"))
    form["channel"] = "x"
    form["text"] = "Where is my parcel?"
    first = form.submit()
    second = form.submit().follow()
    assert "already in the inbox" in second.text
    assert len(stored(app)) == 1
    assert first.status_code == 302
    assert second.request.path == first.location.replace("http://composure.test", "")


@pytest.mark.parametrize("text", ["", "   \n\t ", "\u200b\u200b\ufeff", "\u200e \u00ad"])
def test_empty_complaints_are_refused_and_the_form_is_kept(agent_web, app, text):
    response = paste(agent_web, text=text, author_name="Kept Name")
    assert response.status_code == 400
    assert (
        "The complaint text is empty." in response.text or "Paste the complaint." in response.text
    )
    assert 'value="Kept Name"' in response.text
    assert stored(app) == []


def test_the_length_limit_is_explained_and_the_text_kept(agent_web, app):
    at_limit = "a" * 50_000
    assert paste(agent_web, text=at_limit).status_code == 302
    response = paste(agent_web, text="b" * 50_001)
    assert response.status_code == 400
    assert "50,001 characters long; the limit is 50,000" in response.text
    assert "b" * 50_001 in response.text  # nothing the agent typed is lost
    assert len(stored(app)) == 1


def test_markup_is_shown_as_text_never_run(agent_web, app):
    attack = '<script>alert("x")</script><b>bold</b> <img src=x onerror=alert(1)>'
    page = paste(agent_web, text=attack, author_name="<i>Eve</i>").follow()
    assert "<script>alert" not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    inbox = agent_web.get("/")
    assert "<i>Eve</i>" not in inbox.text
    assert "&lt;i&gt;Eve&lt;/i&gt;" in inbox.text
    assert "script-src 'self'" in inbox.headers["Content-Security-Policy"]


def test_emoji_right_to_left_and_zero_width_text_survive(agent_web, app):
    text = "الطلب لم يصل بعد 😡👨‍👩‍👧 order\u200bNW-2"
    page = paste(agent_web, text=text).follow()
    [complaint] = stored(app)
    assert complaint.text == text  # ZWJ emoji sequence and the zero-width space kept
    assert 'dir="auto"' in page.text
    assert "😡👨‍👩‍👧" in page.text


def test_unknown_channel_bad_link_and_future_time_are_explained(ctx):
    channels = intake.load_channels(db.session)
    with pytest.raises(intake.Rejection) as caught:
        intake.validate(
            intake.ComplaintInput(
                channel="myspace", text="hi", url="javascript:x", received_at=T0 + timedelta(days=1)
            ),
            channels,
            now=T0,
            max_chars=100,
        )
    assert set(caught.value.fields) == {"channel", "url", "received_at"}
    assert "use one of: dm, email, facebook, instagram, review, x" in caught.value.fields["channel"]


def test_cleaning_keeps_words_and_drops_what_breaks_storage():
    assert clean_text("  a\x00b\r\nc\x07  ") == "ab\nc"
    assert clean_text("broken \ud83d half") == "broken \ufffd half"
    assert clean_text("e\u0301") == "\u00e9"  # NFC
    assert is_blank("\u200b \u2060\n")
    assert not is_blank("\u200bx")


def test_the_same_tweet_from_two_sources_is_one_complaint(ctx):
    channels = intake.load_channels(db.session)
    first = intake.validate(
        intake.ComplaintInput(
            channel="twitter", text="late again", external_id="123", source="api"
        ),
        channels,
        now=T0,
        max_chars=100,
    )
    second = intake.validate(
        intake.ComplaintInput(
            channel="x", text="late again (edited)", external_id="123", source="csv"
        ),
        channels,
        now=T0,
        max_chars=100,
    )
    assert intake.register(db.session, first, actor=None, now=T0).created
    assert not intake.register(db.session, second, actor=None, now=T0).created
