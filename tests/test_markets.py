"""Markets (app/complaints/markets.py): one default market from the migration, a complaint's
market from its channel or language, its clock at intake and on the screens, its company
details in replies, its working days for follow-ups."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.audit.models import AuditEvent
from app.complaints import inbox, intake, markets
from app.complaints.models import BreachWarning, Channel, Market, MarketTarget
from app.extensions import db
from app.services import Services
from tests.fixtures.web import form_with, web_login, words

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
RIGA = ZoneInfo("Europe/Riga")
OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
FRIDAY_SIX = datetime(2026, 12, 4, 18, 0, tzinfo=RIGA)


@BOTH
def test_migration_0017_makes_one_default_market_and_goes_down_and_up(ctx):
    [default] = db.session.scalars(sa.select(Market)).all()
    assert (default.key, default.is_default, default.business_hours) == ("default", True, None)
    assert default.time_zone is None  # the display time zone, as before markets
    assert {channel.market_key for channel in db.session.scalars(sa.select(Channel))} == {None}
    db.session.add(Market(key="nl", name="Netherlands", languages=["nl"], is_default=True))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()  # one default market at most
    db.session.rollback()
    db.session.add(MarketTarget(market_key="default", channel_key="x", response_target_seconds=0))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()  # a target is a positive time
    db.session.rollback()
    db.session.remove()
    downgrade(revision="0019")  # 0020 down: the market targets and breach warnings go
    assert not {"market_targets", "breach_warnings"} & set(sa.inspect(db.engine).get_table_names())
    downgrade(revision="0016")
    db.session.remove()
    upgrade()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Market)) == 1
    # 0020 up again: both tables are back (that models and migrations agree: test_database).
    assert db.session.scalars(sa.select(BreachWarning)).all() == []
    assert db.session.scalars(sa.select(MarketTarget)).all() == []


def latvia(session) -> None:
    session.add(
        Market(
            key="lv",
            name="Latvia",
            languages=["lv"],
            time_zone="Europe/Riga",
            business_hours=OFFICE,
            holiday_country="LV",
            position=1,
            phone="+371 6700 0000",
            brand_name="Northwind Baltics",
        )
    )
    session.flush()


def test_a_complaint_takes_its_market_from_its_channel_then_its_language(ctx):
    latvia(db.session)
    book = markets.load(db.session)
    assert book.market_for("x", "lv").key == "lv"  # no market on the channel: its language
    assert book.market_for("x", "nl").key == "default"
    assert book.market_for("x", None).key == "default"
    db.session.get(Channel, "email").market_key = "lv"
    db.session.flush()
    assert markets.load(db.session).market_for("email", "en").key == "lv"


def test_riga_friday_evening_is_due_monday_and_shows_paused(app, clock, users, web):
    clock.set(FRIDAY_SIX + timedelta(minutes=30))
    with app.app_context():
        latvia(db.session)
        db.session.get(Channel, "email").market_key = "lv"
        # Latvia's own target on e-mail; the channel keeps its own (24 hours) elsewhere.
        db.session.add(
            MarketTarget(market_key="lv", channel_key="email", response_target_seconds=4 * 3600)
        )
        db.session.commit()
        assert db.session.get(Channel, "email").response_target_seconds == 24 * 3600
        complaint = intake.add(
            db.session,
            intake.ComplaintInput(
                channel="email",
                text="Mans pasūtījums vēl nav atnācis, jau trešo reizi rakstu.",
                received_at=FRIDAY_SIX,
                author_handle="ilze@example.com",
            ),
            actor=None,
            now=clock.now(),
            max_chars=5000,
        ).complaint
        db.session.commit()
        complaint_id = complaint.id
        assert complaint.response_due_at.astimezone(RIGA) == datetime(
            2026, 12, 7, 13, 0, tzinfo=RIGA
        )
        services = Services.of(app, db.session)
        company = services.company_for(services.market_of(complaint))
        assert (company.name, company.phone) == ("Northwind Baltics", "+371 6700 0000")
        # Follow-ups count the market's working days: Thursday 24 and Friday 25 December
        # are Latvian holidays.
        sunday = datetime(2026, 12, 6, 23, 0, tzinfo=RIGA)
        latvian_clock = inbox.clock(complaint, sunday, services.market_of(complaint).calendar)
        assert (latvian_clock.remaining, latvian_clock.used_percent) == (timedelta(hours=4), 0)
        policy = services.workflow_policy
        due = policy.follow_up_due(complaint, datetime(2026, 12, 23, 10, 0, tzinfo=RIGA))
        assert due.astimezone(RIGA).date().isoformat() == "2026-12-29"
    web_login(web, users["agent"].email)
    page = web.get(f"/complaints/{complaint_id}")
    assert "paused outside hours — resumes Mon 09:00" in words(page)
    # The meter counts Latvia's business time: all 4 hours are left on Friday evening, and
    # still on Sunday (paused); on Monday at 09:30, half an hour of them is used.
    assert "4 hours left" in words(page)
    editor = form_with(page, f"/complaints/{complaint_id}/drafts").submit().follow()
    assert "paused outside hours — resumes Mon 09:00" in words(editor)
    clock.set(datetime(2026, 12, 7, 9, 30, tzinfo=RIGA))
    monday = words(web.get(f"/complaints/{complaint_id}"))
    assert "paused outside hours" not in monday
    assert "3 hours 30 minutes left" in monday


def test_an_admin_adds_and_edits_a_market_with_clear_refusals_and_an_audit_trail(app, users, web):
    web_login(web, users["admin"].email)
    form = form_with(web.get("/admin/markets/new"), "/admin/markets/new")
    typed = {"key": "nl", "name": "Netherlands", "languages": "nl, en", "hours_mon": "09:00-17:00"}
    for name, value in {**typed, "time_zone": "Europe/Atlantis", "holiday_country": "XX"}.items():
        form[name] = value
    form["hours_tue"] = "17:00-09:00"
    form["target_x"] = "a while"
    refused = form.submit(status=400)
    text = words(refused)
    assert "A number of hours from 0.02 to 720" in text
    assert "Unknown time zone 'Europe/Atlantis'" in text
    assert "Unknown holiday country 'XX'" in text
    assert "17:00-09:00 ends before it starts" in text
    form = form_with(refused, "/admin/markets/new")
    form["time_zone"], form["holiday_country"], form["hours_tue"] = "Europe/Amsterdam", "nl", ""
    form["target_x"] = "4"
    for box in form.fields["channels"]:
        box.checked = box._value == "x"
    listing = form.submit().follow()
    assert "Market Netherlands saved" in words(listing)
    form = form_with(web.get("/admin/markets/nl"), "/admin/markets/nl")
    assert form["target_x"].value == "4"
    form["time_zone"], form["target_x"], form["target_email"] = "Europe/Brussels", "", "1,5"
    form.submit().follow()
    with app.app_context():
        market = db.session.get(Market, "nl")
        assert (market.holiday_country, market.business_hours) == (
            "NL",
            {"mon": [["09:00", "17:00"]]},
        )
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "settings.market_updated")
        ).all()
        assert markets.load(db.session).get("nl").targets == {"email": 5400}
    assert events[-1].details["changes"] == [
        "Time zone: Europe/Amsterdam → Europe/Brussels",
        "Response target on E-mail: the channel's (24 hours) → 90 min",
        "Response target on X (Twitter): 4 hours → the channel's (1 hour)",
    ]
    assert (
        "Response target on X (Twitter): the channel's (1 hour) → 4 hours"
        in (events[0].details["changes"])
    )
    assert "Business hours: around the clock → Mon 09:00-17:00" in events[0].details["changes"]
