"""Reading writes nothing: every main page, the API's reads and the editor's live tone
check (called every 300 ms while an agent types) send no INSERT, UPDATE or DELETE to the
database. What the live check catches still counts on the dashboard: the next save stores
it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from app.complaints.models import Complaint
from app.drafts.models import Draft
from app.extensions import db
from tests.fixtures.complaints import add_complaint
from tests.fixtures.users import login

ANGRY = (
    "@NorthwindHome you charged me TWICE for order #NW-50177!!! Sort it out now, you useless lot."
)
#: Warns (`blame`) in the editor's tone check.
BLAME = "Thanks for telling us. You should have read the billing terms."
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)

AGENT_PAGES = (
    "/",
    "/complaints/{fresh}",
    "/complaints/{unanalysed}",
    "/complaints/{drafted}",
    "/drafts/{draft}",
    "/notifications",
    "/account",
    "/my-replies",
    "/imports",
    "/complaints/new",
)
REVIEWER_PAGES = ("/reviews", "/drafts/{draft}", "/notifications")
SIGNOFF_PAGES = ("/sign-offs", "/complaints/{drafted}")
ADMIN_PAGES = (
    "/admin",
    "/admin/settings/company",
    "/admin/settings/tone",
    "/admin/settings/workflow",
    "/admin/templates",
    "/admin/users",
    "/admin/audit",
    "/admin/groups",
    "/dashboard",
    "/complaints/{unanalysed}",
    "/drafts/{draft}",
)


@contextmanager
def writes_recorded(app: Flask) -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements sent to the database meanwhile."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if WRITES.match(statement):
            seen.append(statement.split("(")[0].strip())

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def setting(app: Flask, users):
    """A complaint with a draft, one without, and one stored before the analysis existed;
    the agent and the admin signed in (signing in writes; reading starts after)."""
    ids = {"fresh": add_complaint(app, ANGRY), "drafted": add_complaint(app, ANGRY)}
    ids["unanalysed"] = add_complaint(app, ANGRY)
    with app.app_context():
        db.session.execute(
            sa.update(Complaint)
            .where(Complaint.id == ids["unanalysed"])
            .values(analyzed_at=None, flags=[], complainer_type=None)
        )
        db.session.commit()
    clients = {}
    for role in ("agent", "reviewer", "signoff", "admin"):
        clients[role] = app.test_client()
        assert login(clients[role], users[role].email).status_code == 302
    started = clients["agent"].post(f"/complaints/{ids['drafted']}/drafts")
    ids["draft"] = int(started.headers["Location"].rsplit("/", 1)[1])
    return ids, clients


def test_no_page_and_no_live_check_writes_to_the_database(plain_app, users):
    ids, clients = setting(plain_app, users)
    pages = {
        "agent": AGENT_PAGES,
        "reviewer": REVIEWER_PAGES,
        "signoff": SIGNOFF_PAGES,
        "admin": ADMIN_PAGES,
    }
    with writes_recorded(plain_app) as writes:
        for role, paths in pages.items():
            for path in paths:
                response = clients[role].get(path.format(**ids))
                assert response.status_code == 200, (role, path, response.status_code)
        checked = clients["agent"].post(
            f"/drafts/{ids['draft']}/check", json={"parts": {"validate": BLAME}}
        )
        assert checked.status_code == 200
        assert "blame" in {finding["code"] for finding in checked.json["findings"]}
    assert writes == []
    with plain_app.app_context():
        unanalysed = db.session.get(Complaint, ids["unanalysed"])
        assert unanalysed.analyzed_at is None  # `flask complaints analyze` stores it
        assert db.session.get(Draft, ids["draft"]).tone_catches == []


def test_no_api_read_writes_to_the_database(plain_app, users, token_for):
    ids, clients = setting(plain_app, users)
    api = clients["agent"]
    bearer = {"Authorization": f"Bearer {token_for('agent')}"}
    # Its first use writes the token's last_used_at (then at most once a minute).
    assert api.get("/api/v1/complaints", headers=bearer).status_code == 200
    with writes_recorded(plain_app) as writes:
        for path in (
            "/api/v1/complaints",
            f"/api/v1/complaints/{ids['unanalysed']}",
            f"/api/v1/drafts/{ids['draft']}",
        ):
            assert api.get(path, headers=bearer).status_code == 200, path
        composed = api.post(
            "/api/v1/drafts/compose", json={"complaint_id": ids["unanalysed"]}, headers=bearer
        )
        assert composed.status_code == 200
        checked = api.post(
            "/api/v1/tone-check",
            json={"text": BLAME, "channel": "x", "complaint_id": ids["drafted"]},
            headers=bearer,
        )
        assert checked.status_code == 200
    assert writes == []


def test_what_the_live_check_caught_counts_when_the_draft_is_saved(plain_app, users):
    ids, clients = setting(plain_app, users)
    agent = clients["agent"]
    draft_url = f"/drafts/{ids['draft']}"
    agent.post(f"{draft_url}/check", json={"parts": {"validate": BLAME}})
    # The agent fixes the wording before saving: the saved text has no finding, yet the
    # dashboard counts the draft as one the tone checks caught before review.
    saved = agent.post(draft_url, data={"part-validate": "Thanks for telling us.", "based_on": "1"})
    assert saved.status_code == 302
    with plain_app.app_context():
        draft = db.session.get(Draft, ids["draft"])
        saved_codes = {finding["code"] for finding in draft.revisions[-1].findings}
        assert draft.current_revision == 2
        assert "blame" not in saved_codes
        assert "blame" in draft.tone_catches
        caught = list(draft.tone_catches)
    # Handed over once: the session forgets it, and the list does not grow.
    agent.post(draft_url, data={"part-validate": "Thanks for writing.", "based_on": "2"})
    with plain_app.app_context():
        assert db.session.get(Draft, ids["draft"]).tone_catches == caught


def test_a_save_that_changes_nothing_still_counts_what_was_caught(plain_app, users):
    ids, clients = setting(plain_app, users)
    agent = clients["agent"]
    draft_url = f"/drafts/{ids['draft']}"
    agent.post(f"{draft_url}/check", json={"parts": {"validate": BLAME}})
    page = agent.get(draft_url).get_data(as_text=True)
    typed = re.search(r'name="part-validate"[^>]*>([^<]*)<', page)
    assert typed, "the editor shows the validate box"
    saved = agent.post(
        draft_url, data={"part-validate": html.unescape(typed.group(1)), "based_on": "1"}
    )
    assert saved.status_code == 302
    with plain_app.app_context():
        draft = db.session.get(Draft, ids["draft"])
        assert draft.current_revision == 1
        assert "blame" in draft.tone_catches
