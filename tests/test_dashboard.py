"""The dashboard page: who sees it, the date range it is asked for, the numbers it shows and
its charts; and the demo's past fortnight behind it (idempotent, audit chain intact).

The figures themselves are tested on hand-made data in tests/test_reports_metrics.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit import log as audit
from app.audit.models import AuditEvent
from app.complaints.models import Channel, Complaint
from app.drafts.models import Draft, DraftState, ReviewDecision
from app.extensions import db
from app.notifications.models import Notification
from tests.fixtures.app import T0, run
from tests.fixtures.history import add_complaint, add_draft, add_review, moved
from tests.fixtures.users import make_user
from tests.fixtures.web import main_form, web_login, words

MINUTE = timedelta(minutes=1)
TODAY = datetime(2026, 11, 23, tzinfo=UTC)


def figure(page, label: str) -> str:
    """The headline figure under `label`."""
    found = re.search(
        rf"<dt>{re.escape(label)}</dt>\s*<dd><span class=\"figure\">([^<]*)</span>", page
    )
    assert found, f"no headline {label!r}"
    return found.group(1)


class Charts(HTMLParser):
    """Each chart on the page: its attributes, and the text of its title and description."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[dict] = []
        self.ids: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "svg" and "chart" in (attrs.get("class") or "").split():
            self.charts.append({**attrs, "title": "", "desc": "", "read": set()})
        chart = self.charts[-1] if self.charts else None
        if tag in ("title", "desc") and chart is not None and tag not in chart["read"]:
            self._inside = tag  # the chart's own, not a bar's tooltip
            chart["read"].add(tag)

    def handle_endtag(self, tag):
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data):
        if self._inside and self.charts:
            self.charts[-1][self._inside] += data


def charts_of(page: str) -> Charts:
    parser = Charts()
    parser.feed(page)
    return parser


@pytest.fixture
def fortnight(app, users):
    """On 23 November (the clock's today): four complaints on X (two answered on time, one
    late, one overdue), one draft published; two drafts first submitted, one with something
    caught; one approval and one request for changes."""
    with app.app_context():
        morning = TODAY + timedelta(hours=6)
        add_complaint(morning, replied=morning + 20 * MINUTE)
        add_complaint(morning, replied=morning + 40 * MINUTE)
        add_complaint(morning, replied=morning + 90 * MINUTE)
        add_complaint(morning)
        agent, riya, ada = users["agent"].id, users["reviewer"].id, users["admin"].id
        earlier = TODAY - timedelta(days=20)  # the drafts' own complaints: not in the range
        caught = add_draft(agent, catches=["blame"], at=morning, complaint_at=earlier)
        clean = add_draft(agent, at=morning, complaint_at=earlier)
        for draft in (caught, clean):
            moved(draft, "draft.created", morning, "draft")
            moved(draft, "draft.submit", morning + 10 * MINUTE, "cooling_off", "draft")
        add_review(caught, riya, ReviewDecision.CHANGES_REQUESTED, morning + 20 * MINUTE)
        add_review(clean, ada, ReviewDecision.APPROVED, morning + 25 * MINUTE)
        clean.state, clean.cooling_off_until = DraftState.PUBLISHED, morning + 20 * MINUTE
        clean.published_at = clean.updated_at = morning + 40 * MINUTE
        db.session.commit()


@pytest.mark.parametrize("role", ["agent", "reviewer", "signoff", "admin"])
def test_every_role_that_reads_complaints_sees_the_dashboard(client_for, role):
    response = client_for(role).get("/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Dashboard</h1>" in page
    assert "10 Nov – 23 Nov 2026" in page  # the last 14 days up to today
    assert "No complaints were received in this period." in page
    assert "No draft moved on from a state in this period." in page
    assert 'role="img"' not in page  # no empty charts
    assert "No reviews in this period." in page


def test_people_without_a_role_or_an_account_do_not(client_for, plain_app):
    assert client_for("norole").get("/dashboard").status_code == 403
    anonymous = plain_app.test_client().get("/dashboard")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.location


def test_the_numbers_shown_are_the_data(client_for, fortnight):
    page = client_for("reviewer").get("/dashboard").get_data(as_text=True)

    assert figure(page, "Complaints received") == "4"
    assert figure(page, "Replied on time") == "50%"  # 2 of the 4 answered or overdue
    assert "2 of 4 answered or overdue" in page
    assert figure(page, "Median first response") == "40 minutes"
    assert figure(page, "Drafts published") == "1"
    assert figure(page, "Caught before review") == "50%"
    text = words(client_for("reviewer").get("/dashboard"))
    # The day's row in "Show the numbers": on time, late, overdue, within target, received.
    assert "Mon 23 Nov 2 1 1 0 4" in text
    assert "Sun 22 Nov 0 0 0 0 0" in text
    assert "X (Twitter) 4 2 1 1 0 50% 40 minutes (within target) 1 hour" in text
    assert "50% of the drafts first submitted in the period had something caught" in text
    assert "(1 of 2)" in text
    assert "Blames the customer blame 1" in text
    assert "“Caught” means the tone checks flagged at least one warning" in text
    assert "50% of drafts were approved at their first review (1 of 2 first reviews" in text
    assert "Riya Reviewer 1 0 (0%) 1" in text
    assert "Ada Admin 1 1 (100%) 0" in text
    # Both drafts left "draft" after 10 minutes.
    assert "Draft (being written) 2 10 minutes 10 minutes" in text


def test_every_chart_is_an_image_named_and_described_in_words(client_for, fortnight):
    page = client_for("agent").get("/dashboard").get_data(as_text=True)
    found = charts_of(page)

    assert [chart["id"] for chart in found.charts] == [
        "chart-replies",
        "chart-replies-rows",
        "chart-channels",
        "chart-states",
        "chart-catches",
        "chart-reviews",
    ]
    for chart in found.charts:
        assert chart["role"] == "img"
        assert chart["aria-labelledby"] == f"{chart['id']}-title {chart['id']}-desc"
        assert chart["title"].strip()
        assert chart["desc"].strip()
        assert "viewbox" in chart  # scales with its panel
    assert len(found.ids) == len(set(found.ids)), "duplicate ids"
    replies = found.charts[0]
    assert replies["title"] == "Complaints received per day, by how the first reply met its target"
    assert replies["desc"].startswith(
        "Of 4 complaints received 10 Nov – 23 Nov 2026: 2 answered on time, 1 answered late, "
        "1 overdue with no reply and 0 waiting within their target."
    )
    described = found.charts[2]["desc"]
    assert "X (Twitter): 50% answered on time, median first reply 40 minutes" in described
    # Values are printed as text, not only drawn: the day's total above its column.
    assert re.search(r'<text [^>]*text-anchor="middle">4</text>', page)
    assert "Blames the customer: 1 draft" in found.charts[4]["desc"]
    # Each chart's numbers are in a table right below it.
    assert page.count("<summary>Show the numbers") == 5
    assert page.count('<th scope="col">') >= 20


def test_labels_are_escaped_in_the_charts_and_tables(app, client_for, users, fortnight):
    with app.app_context():
        db.session.get(Channel, "x").name = 'X <b onmouseover="boom()">'
        db.session.commit()
    evil = make_user(app, "evil@example.com", Role.REVIEWER, name="<script>alert(1)</script>")
    with app.app_context():
        draft = add_draft(users["agent"].id, at=TODAY, complaint_at=TODAY - timedelta(days=20))
        add_review(draft, evil.id, ReviewDecision.APPROVED, TODAY + timedelta(hours=1))
        db.session.commit()
    page = client_for("agent").get("/dashboard").get_data(as_text=True)
    assert "<b onmouseover" not in page
    assert "X &lt;b onmouseover=&#34;boom()&#34;&gt;" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the reviewer, in words


def test_presets_and_a_custom_range(client_for):
    client = client_for("agent")
    week = client.get("/dashboard?days=7").get_data(as_text=True)
    assert "17 Nov – 23 Nov 2026 · 7 days" in week
    assert '<a href="/dashboard?days=7" aria-current="true">Last 7 days</a>' in week
    assert 'value="2026-11-17"' in week  # the custom fields show the days shown
    quarter = client.get("/dashboard?days=90").get_data(as_text=True)
    assert "26 Aug – 23 Nov 2026 · 90 days" in quarter
    assert "per week (Monday to Sunday)" in quarter
    assert ">Complaints received per week, by outcome</caption>" in quarter
    custom = client.get("/dashboard?from=2026-11-01&to=2026-11-05").get_data(as_text=True)
    assert "1 Nov – 5 Nov 2026 · 5 days" in custom
    assert 'aria-current="true"' not in custom
    assert 'role="alert"' not in custom


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-11-20&to=2026-11-10", "“From” (20 Nov 2026) is after “To” (10 Nov 2026)."),
        ("from=2024-01-01&to=2026-11-23", "That range is 1,058 days; the longest is 366 days."),
        ("from=%3Cscript%3E&to=2026-11-10", "“From” must be a date as YYYY-MM-DD"),
        ("days=8", "Choose the last 7, 14, 30 or 90 days."),
        ("days=99999999999999999999", "Choose the last 7, 14, 30 or 90 days."),
        ("to=2026-11-10", "Give both a “From” and a “To” date"),
    ],
)
def test_a_range_that_cannot_be_used_says_why_and_shows_the_default(client_for, query, message):
    response = client_for("agent").get(f"/dashboard?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<p class="flash flash-error" role="alert" id="range-problem">' in page
    assert message in page
    assert "Showing the last 14 days instead." in page
    assert "10 Nov – 23 Nov 2026 · 14 days" in page
    assert '<a href="/dashboard?days=14" aria-current="true">Last 14 days</a>' in page
    assert "<script>" not in page


def test_the_custom_range_form_has_labels_and_works(web, users):
    web_login(web, users["admin"].email)
    page = web.get("/dashboard")
    assert '<label for="range-from">From</label>' in page.text
    assert '<label for="range-to">To</label>' in page.text
    form = main_form(page)
    form["from"] = "2026-11-20"
    form["to"] = "2026-11-22"
    shown = form.submit()
    assert "20 Nov – 22 Nov 2026 · 3 days" in shown.text
    form = main_form(shown)
    form["from"] = "2026-11-22"
    form["to"] = "2026-11-20"
    refused = form.submit()
    assert refused.status_int == 200
    assert 'aria-invalid="true"' in refused.text
    assert 'value="2026-11-22"' in refused.text  # what was typed stays, to correct it


def test_the_page_uses_the_display_time_zone(app, client_for):
    app.config["DISPLAY_TIMEZONE"] = "Pacific/Auckland"  # 09:00 UTC is 22:00 there
    with app.app_context():
        add_complaint(datetime(2026, 11, 22, 12, tzinfo=UTC))  # 01:00 on the 23rd there
        db.session.commit()
    text = words(client_for("agent").get("/dashboard?days=7"))
    assert "17 Nov – 23 Nov 2026 · 7 days · days in Pacific/Auckland" in text
    assert "Mon 23 Nov 0 0 1 0 1" in text
    assert "Sun 22 Nov 0 0 0 0 0" in text


# ---------------------------------------------------------------- the demo's fortnight


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Complaint, Draft, AuditEvent, Notification)
        }


def test_demo_history_is_a_believable_fortnight_loaded_once(app, client_for):
    first = run(app, "demo", "--no-history")
    assert first.exit_code == 0, first.output
    assert "Demo history" not in first.output
    live = counts(app)

    added = run(app, "demo")  # the history joins a demo loaded before it existed
    assert added.exit_code == 0, added.output
    assert "Demo history: 42 past complaints added, 42 replies published." in added.output
    loaded = counts(app)
    assert loaded["Complaint"] == live["Complaint"] + 42

    again = run(app, "demo")
    assert again.exit_code == 0, again.output
    assert "Demo history: 0 past complaints added, 0 replies published." in again.output
    assert counts(app) == loaded
    assert "Audit chain intact" in run(app, "audit", "verify").output

    with app.app_context():
        assert list(audit.verify(db.session)) == []
        history = db.session.scalars(
            sa.select(Complaint).where(Complaint.external_id.like("history-%"))
        ).all()
        assert len(history) == 42
        assert all(
            T0 - timedelta(days=15) < c.received_at < T0 - timedelta(days=1) for c in history
        )
        assert all(c.first_replied_at is not None and c.first_replied_at < T0 for c in history)
        # Backdated through the real operations: every draft's audit trail is in the past.
        latest = db.session.scalar(
            sa.select(sa.func.max(AuditEvent.at)).where(
                AuditEvent.complaint_id.in_([c.id for c in history])
            )
        )
        assert latest < T0 - timedelta(hours=12)
        # Nobody is left with a fortnight of unread notices; today's demo work still waits.
        unread = db.session.scalars(
            sa.select(Notification.created_at).where(Notification.read_at.is_(None))
        ).all()
        assert unread
        assert all(at > T0 - timedelta(hours=1) for at in unread)

    page = client_for("admin").get("/dashboard")
    html = page.get_data(as_text=True)
    published = int(figure(html, "Drafts published"))
    assert 35 <= published <= 42  # most of the fortnight's replies fall in the last 14 days
    on_time = int(figure(html, "Replied on time").rstrip("%"))
    assert 40 <= on_time < 100
    caught = int(figure(html, "Caught before review").rstrip("%"))
    assert 20 <= caught <= 80
    text = words(page)
    assert "Riya Reviewer" in text
    assert "Ada Admin" in text
    found = charts_of(html)
    late = re.search(r"(\d+) answered late", found.charts[0]["desc"])
    assert late
    assert int(late.group(1)) >= 3  # some late, most on time
    assert "Changes requested: median" in found.charts[3]["desc"]
