"""The live check remembers recent reports (`checker.check(cached=True)`): what it answers
from memory must be what a fresh check says, and a change an agent or admin makes (the
policy, the complaint, the words) must never be answered with an old report."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from webtest import TestApp

from app.channels import ChannelInfo, LengthCounting
from app.core import datafile
from app.tone import checker
from app.tone.catalogue import DEFAULT_SEVERITIES
from app.tone.checks import ComplaintContext, Contact
from app.tone.policy import TonePolicy
from tests.fixtures.complaints import add_complaint
from tests.fixtures.web import form_with, main_form, web_login

DATA = Path(__file__).resolve().parent / "data"
CHANNELS = {
    key: ChannelInfo(
        key,
        key,
        public,
        limit,
        threads,
        LengthCounting.X_WEIGHTED if key == "x" else LengthCounting.CHARACTERS,
    )
    for key, public, limit, threads in (
        ("x", True, 280, True),
        ("facebook", True, 8000, False),
        ("instagram", True, 2200, False),
        ("review", True, 5000, False),
        ("dm", False, 10000, False),
        ("email", False, 50000, False),
    )
}
NORTHWIND = Contact(phone="0808 157 0192", email="care@northwind.example")


def dev_rows() -> list[dict]:
    rows = []
    for path in sorted(DATA.glob("tone_dev_*.yaml")):
        rows += datafile.rows(path)
    return rows


def report_of(row: dict, *, cached: bool, policy: TonePolicy | None = None) -> dict:
    complaint = row.get("complaint")
    return checker.check(
        row["text"],
        channel=CHANNELS[row["channel"]],
        complaint=ComplaintContext(complaint, "en") if complaint else None,
        language="en",
        contact=NORTHWIND,
        policy=policy,
        cached=cached,
    ).to_dict()


def rows_where_it_matters(rows: list[dict], every: int = 20) -> list[dict]:
    """The first row of each channel, with and without a complaint, for each code the
    row is labelled with (every kind of report the memory must give back whole: findings
    with their suggestions and previews, parts, notices), and every `every`th row besides.
    Checking all 1,305 rows twice over made it the suite's slowest test (19 s)."""
    seen: set[tuple] = set()
    chosen = []
    for index, row in enumerate(rows):
        kinds = {
            (row["channel"], bool(row.get("complaint")), code)
            for code in row.get("codes") or ["none"]
        }
        if kinds - seen or index % every == 0:
            chosen.append(row)
            seen |= kinds
    return chosen


def test_a_remembered_report_is_the_report_a_fresh_check_gives_on_every_kind_of_dev_row():
    checker.forget_reports()
    rows = dev_rows()
    assert len(rows) >= 1000
    chosen = rows_where_it_matters(rows)
    assert {row["channel"] for row in chosen} == set(CHANNELS)
    assert {code for row in chosen for code in row["codes"]} == {
        code for row in rows for code in row["codes"]
    }
    for row in chosen:
        fresh = report_of(row, cached=False)
        assert report_of(row, cached=True) == fresh, row["id"]  # checked, then remembered
        assert report_of(row, cached=True) == fresh, row["id"]  # answered from memory


def test_a_policy_change_or_another_complaint_is_never_answered_from_memory():
    text = "We DID send it, calm down. Your order NW-48213 is on its way!!!"
    angry = ComplaintContext("This is a JOKE, I want my money back", "en")
    before = checker.check(text, channel=CHANNELS["x"], language="en", cached=True)
    assert "shouting" in before.codes()
    quiet = TonePolicy(severities={**DEFAULT_SEVERITIES, "shouting": "off"})
    after = checker.check(text, channel=CHANNELS["x"], language="en", policy=quiet, cached=True)
    assert "shouting" not in after.codes()
    stricter = TonePolicy(readability_min=99.0)
    strict = checker.check(text, channel=CHANNELS["x"], language="en", policy=stricter, cached=True)
    assert strict.to_dict()["readability"]["minimum"] == 99.0
    in_dm = checker.check(text, channel=CHANNELS["dm"], language="en", cached=True)
    assert "private_data" in before.codes()
    assert "private_data" not in in_dm.codes()
    answered = checker.check(text, channel=CHANNELS["x"], language="en", complaint=angry)
    assert (
        checker.check(
            text, channel=CHANNELS["x"], language="en", complaint=angry, cached=True
        ).to_dict()
        == answered.to_dict()
    )


def test_changing_a_remembered_report_does_not_change_the_next_answer():
    text = "Calm down, we DID send it!!!"
    first = checker.check(text, channel=CHANNELS["x"], language="en", cached=True)
    expected = copy.deepcopy(first.to_dict())
    first.findings.clear()
    first.notices.append("changed by a caller")
    again = checker.check(text, channel=CHANNELS["x"], language="en", cached=True)
    assert again.to_dict() == expected


@pytest.fixture
def admin_and_agent(app, users):
    def signed_in(email: str) -> TestApp:
        person = TestApp(
            app, extra_environ={"HTTP_HOST": "composure.test", "REMOTE_ADDR": "203.0.113.7"}
        )
        web_login(person, email)
        return person

    return signed_in(users["admin"].email), signed_in(users["agent"].email)


def test_the_editor_shows_a_policy_change_at_the_next_check(app, admin_and_agent):
    admin, agent = admin_and_agent
    complaint_id = add_complaint(app)
    editor = form_with(agent.get(f"/complaints/{complaint_id}"), "/drafts").submit().follow()
    check_url = editor.html.find(id="tone-panel")["data-check-url"]
    token = editor.html.find("input", {"name": "csrf_token"})["value"]

    def live_codes() -> set[str]:
        answer = agent.post_json(
            check_url,
            {"parts": {"validate": "We DID send it!!!"}},
            headers={"X-CSRFToken": token},
        ).json
        return {finding["code"] for finding in answer["findings"]}

    assert "shouting" in live_codes()
    assert "shouting" in live_codes()  # the same words again: remembered
    form = main_form(admin.get("/admin/settings/tone"))
    form["severity.shouting"] = "off"
    assert "Tone policy saved" in form.submit().follow().text
    assert "shouting" not in live_codes()
