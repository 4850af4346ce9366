"""The live pages without a browser (issue 18): what `GET /live` tells each role, its 304,
that it writes nothing; who is here and when they stop counting; where each role lands;
"My replies"; the notice that cooling-off ended. The two-person scenario in a real
browser is tests/browser/test_live.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from app.accounts.landing import landing_for
from app.accounts.models import Role
from app.drafts import ready
from app.drafts.models import Draft
from app.drafts.workflow import Action
from app.extensions import db
from app.live.models import Presence
from app.notifications import notify
from app.notifications.models import Notification
from app.workers.loop import Worker
from tests.fixtures.app import T0
from tests.fixtures.workflow import act, edit, person, start

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


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


def submitted_draft(app, users) -> int:
    with app.app_context():
        draft_id = start(app, users)
        act(draft_id, Action.SUBMIT, person(users, "agent"))
        return draft_id


def test_live_tells_each_role_its_counts_answers_304_when_unchanged_and_writes_nothing(
    app, users, client_for, clock
):
    draft_id = submitted_draft(app, users)
    clients = {role: client_for(role) for role in ("agent", "reviewer", "signoff", "norole")}
    asked = f"/live?draft={draft_id}"
    with writes_recorded(app) as writes:
        answers = {role: client.get(asked) for role, client in clients.items()}
        again = clients["reviewer"].get(
            asked, headers={"If-None-Match": answers["reviewer"].headers["ETag"]}
        )
    assert writes == []
    seen = {role: answer.get_json() for role, answer in answers.items()}

    assert seen["reviewer"]["counts"] == {"notifications": 1, "reviews": 1}
    assert seen["reviewer"]["notice"]["message"] == (
        f"Alex Agent asks for a review of draft #{draft_id} (complaint #1)."
    )
    assert seen["agent"]["counts"] == {"notifications": 0, "my_replies": 1, "ready": 0}
    assert seen["signoff"]["counts"] == {"notifications": 0, "signoffs": 0}
    assert seen["norole"] == {"counts": {"notifications": 0}, "notice": None}  # no draft

    draft = seen["agent"]["draft"]
    assert (draft["state"], draft["state_words"], draft["revision"]) == (
        "cooling_off",
        "Cooling off",
        1,
    )
    assert draft["publish_refusals"][0].startswith("Still cooling off")
    assert [draft["ready"], draft["may_publish"], draft["cooling_off_over"]] == [False] * 3
    assert draft["cooling_off_until"].startswith("2026-11-23T09:")

    assert (again.status_code, again.data) == (304, b"")
    assert answers["reviewer"].headers["Cache-Control"] == "no-store"

    # Approved, and the cooling-off over: the author's Publish works now; a new ETag.
    with app.app_context():
        act(draft_id, Action.APPROVE, person(users, "reviewer"))
    clock.advance(minutes=30)
    changed = clients["agent"].get(
        asked, headers={"If-None-Match": answers["agent"].headers["ETag"]}
    )
    assert changed.status_code == 200
    now_ready = changed.get_json()
    assert now_ready["counts"] == {"notifications": 1, "my_replies": 1, "ready": 1}
    assert now_ready["draft"]["state"] == "approved"
    ready_now = now_ready["draft"]
    assert [ready_now["ready"], ready_now["may_publish"], ready_now["cooling_off_over"]] == [
        True
    ] * 3
    assert ready_now["publish_refusals"] == []
    assert clients["reviewer"].get(asked).get_json()["counts"]["reviews"] == 0


def test_presence_says_who_else_is_here_until_it_expires_and_is_cleaned_up(
    app, users, client_for, clock
):
    draft_id = submitted_draft(app, users)
    agent, reviewer = client_for("agent"), client_for("reviewer")
    assert reviewer.post("/live/presence", json={"draft": draft_id}).status_code == 204
    assert reviewer.post("/live/presence", json={"draft": draft_id}).status_code == 204  # again
    assert agent.post("/live/presence", json={"complaint": 1}).status_code == 204

    def here(client, query: str) -> list[str]:
        answer = client.get("/live?" + query).get_json()
        return answer["draft" if query.startswith("draft") else "complaint"]["here"]

    assert here(agent, f"draft={draft_id}") == ["Riya Reviewer"]
    assert here(reviewer, f"draft={draft_id}") == []  # not oneself
    assert here(reviewer, "complaint=1") == ["Alex Agent"]
    for wrong in ({}, {"draft": "1"}, {"draft": 999}, {"draft": True}, {"complaint": -1}, [1]):
        assert reviewer.post("/live/presence", json=wrong).status_code == 400

    clock.advance(seconds=app.config["LIVE_PRESENCE_SECONDS"] + 1)
    assert here(agent, f"draft={draft_id}") == []  # too old: ignored
    assert agent.post("/live/presence", json={"draft": draft_id}).status_code == 204
    with app.app_context():  # and deleted by the next heartbeat: only the fresh one is left
        rows = db.session.execute(sa.select(Presence.user_id, Presence.draft_id)).all()
    assert rows == [(users["agent"].id, draft_id)]


def test_each_role_lands_on_its_own_queue(client_for):
    where = {}
    for role in ("agent", "reviewer", "signoff", "admin"):
        answer = client_for(role).get("/")
        where[role] = answer.location if answer.status_code == 302 else answer.status_code
    assert where == {
        "agent": 200,
        "reviewer": "/reviews",
        "signoff": "/sign-offs",
        "admin": "/admin",
    }

    def lands(*roles: Role) -> str:
        return landing_for(SimpleNamespace(roles=frozenset(roles)))

    assert lands(Role.AGENT, Role.REVIEWER, Role.ADMIN) == "complaints.inbox"
    assert lands(Role.REVIEWER, Role.SIGNOFF) == "workflow.reviews"
    assert lands(Role.SIGNOFF, Role.ADMIN) == "workflow.signoffs"
    assert lands(Role.ADMIN) == "settings.admin_home"
    assert lands() == "complaints.inbox"


def test_my_replies_lists_each_open_draft_with_its_state_wait_and_next_step(app, users, client_for):
    submitted = submitted_draft(app, users)
    with app.app_context():
        writing = start(app, users, text="@NorthwindHome the lamp arrived broken.")
    agent = client_for("agent")
    page = agent.get("/my-replies").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert re.search(
        rf"Draft #{submitted} .* Cooling off \d+ minutes? left Still cooling off", text
    )
    assert re.search(rf"Draft #{writing} .* Draft, not submitted — Finish it and submit", text)
    assert re.search(r"My replies\s+2 \(2 open\)", text)
    assert client_for("reviewer").get("/my-replies").status_code == 403


@BOTH
def test_the_author_hears_once_when_cooling_off_ends_and_again_after_an_edit_restarts_it(
    app, users, clock
):
    draft_id = submitted_draft(app, users)
    with app.app_context():
        act(draft_id, Action.APPROVE, person(users, "reviewer"))
        assert ready.announce_ended(db.session, now=clock.now(), checkpoint=db.session.commit) == []
    clock.advance(minutes=30)
    with app.app_context():
        Worker(app, steps=("clocks",)).round()  # the worker's clocks step announces it

        def notices() -> list[tuple[str, str]]:
            rows = db.session.execute(
                sa.select(Notification.link, Notification.message)
                .where(
                    Notification.user_id == users["agent"].id,
                    Notification.kind == notify.READY_KIND,
                )
                .order_by(Notification.id)
            )
            return [tuple(row) for row in rows]

        assert notices() == [
            (
                f"/drafts/{draft_id}#publishing",
                f"Cooling-off of draft #{draft_id} (complaint #1) has ended: "
                "it is ready to publish.",
            )
        ]
        assert ready.announce_ended(db.session, now=clock.now(), checkpoint=db.session.commit) == []

        # An edit restarts the cooling-off (and voids the approval): announced again at its end.
        edit(
            db.session.get(Draft, draft_id),
            {"validate": "Sorry, that is late."},
            person(users, "agent"),
            now=clock.now(),
        )
        clock.advance(minutes=30)
        assert ready.announce_ended(db.session, now=clock.now(), checkpoint=db.session.commit) == [
            draft_id
        ]
        assert notices()[-1][1] == (
            f"Cooling-off of draft #{draft_id} (complaint #1) has ended. "
            "Still needed: A colleague must approve this revision."
        )


@BOTH
def test_migration_0014_presence_goes_down_and_up_again(ctx):
    db.session.remove()
    downgrade(revision="0013")
    assert "presence" not in sa.inspect(db.engine).get_table_names()
    upgrade()
    assert "presence" in sa.inspect(db.engine).get_table_names()
    db.session.add(Presence(user_id=None, draft_id=None, complaint_id=None, last_seen=T0))
    with pytest.raises(sa.exc.IntegrityError):  # one thing open, and someone who has it
        db.session.flush()
    db.session.rollback()
