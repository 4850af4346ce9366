"""Taking a complaint, taking it over, releasing it (app/complaints/assignment.py), without
HTTP; then the same through the API. What a team relies on: one holder at a time, a clear
refusal when a colleague has it, a second click that changes nothing, every change in the
audit log."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit.log import verify
from app.audit.models import AuditEvent
from app.complaints import assignment
from app.complaints.models import Complaint, ComplaintStatus
from app.drafts.models import Draft
from app.extensions import db
from tests.fixtures.app import T0
from tests.fixtures.complaints import CALM, add_complaint
from tests.fixtures.users import make_user
from tests.fixtures.workflow import person, start


def complaint(app, text: str = CALM, **extra) -> Complaint:
    return db.session.get(Complaint, add_complaint(app, text=text, **extra))


def events(complaint_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.complaint_id == complaint_id,
                AuditEvent.action.in_((assignment.ASSIGN, assignment.RELEASE)),
            )
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def colleague(app) -> User:
    person_ = make_user(app, "riya@example.com", Role.AGENT, name="Riya Rao")
    return db.session.get(User, person_.id)


def test_taking_a_complaint_makes_you_its_holder_and_is_audited(ctx, users):
    agent = person(users, "agent")
    item = complaint(ctx)
    change = assignment.take(db.session, item, actor=agent, now=T0)
    db.session.commit()
    assert change.changed
    assert (change.before_id, change.after_id) == (None, agent.id)
    assert db.session.get(Complaint, item.id).assignee_id == agent.id
    [event] = events(item.id)
    assert event.action == "complaint.assign"
    assert event.actor_id == agent.id
    assert event.at == T0
    assert event.details == {
        "from": None,
        "from_name": None,
        "to": agent.id,
        "to_name": "Alex Agent",
        "take_over": False,
    }
    assert assignment.held_since(db.session, item) == T0


def test_taking_it_twice_is_harmless(ctx, users, clock):
    agent = person(users, "agent")
    item = complaint(ctx)
    assignment.take(db.session, item, actor=agent, now=T0)
    db.session.commit()
    again = assignment.take(db.session, item, actor=agent, now=T0 + timedelta(seconds=1))
    db.session.commit()
    assert not again.changed
    assert item.assignee_id == agent.id
    assert len(events(item.id)) == 1
    assert assignment.held_since(db.session, item) == T0  # the first take still counts


def test_a_colleagues_complaint_is_refused_unless_taken_over(ctx, users, colleague):
    agent = person(users, "agent")
    item = complaint(ctx)
    assignment.take(db.session, item, actor=colleague, now=T0)
    db.session.commit()

    with pytest.raises(assignment.Refused) as refused:
        assignment.take(db.session, item, actor=agent, now=T0)
    db.session.rollback()
    assert refused.value.code == "held_by_colleague"
    assert refused.value.holder.id == colleague.id
    assert "Riya Rao has this complaint" in str(refused.value)
    assert db.session.get(Complaint, item.id).assignee_id == colleague.id

    later = T0 + timedelta(minutes=5)
    change = assignment.take(db.session, item, actor=agent, now=later, take_over=True)
    db.session.commit()
    assert (change.changed, change.before_id, change.after_id) == (True, colleague.id, agent.id)
    last = events(item.id)[-1]
    assert last.details["from"] == colleague.id
    assert last.details["from_name"] == "Riya Rao"
    assert last.details["to"] == agent.id
    assert last.details["take_over"] is True
    assert assignment.held_since(db.session, item) == later


@pytest.mark.parametrize("role", ["reviewer", "signoff", "norole"])
def test_only_people_who_draft_replies_take_complaints(ctx, users, role):
    item = complaint(ctx)
    with pytest.raises(assignment.Refused) as refused:
        assignment.take(db.session, item, actor=person(users, role), now=T0)
    assert refused.value.code == "forbidden"
    assert item.assignee_id is None
    assert events(item.id) == []


def test_a_resolved_complaint_cannot_be_taken(ctx, users):
    item = complaint(ctx)
    item.status, item.resolved_at = ComplaintStatus.RESOLVED, T0
    db.session.commit()
    with pytest.raises(assignment.Refused) as refused:
        assignment.take(db.session, item, actor=person(users, "agent"), now=T0)
    assert refused.value.code == "resolved"
    assert not assignment.may_take(person(users, "agent"), item)


def test_releasing_is_for_the_holder_or_an_admin(ctx, users, colleague):
    agent, admin = person(users, "agent"), person(users, "admin")
    item = complaint(ctx)
    assignment.take(db.session, item, actor=colleague, now=T0)
    db.session.commit()

    assert not assignment.may_release(agent, item)
    with pytest.raises(assignment.Refused) as refused:
        assignment.release(db.session, item, actor=agent, now=T0)
    db.session.rollback()
    assert refused.value.code == "not_holder"
    assert "Only Riya Rao, who has this complaint, or an admin" in str(refused.value)
    with pytest.raises(assignment.Refused) as refused:
        assignment.release(db.session, item, actor=person(users, "reviewer"), now=T0)
    db.session.rollback()
    assert refused.value.code == "forbidden"

    assert assignment.may_release(admin, item)
    change = assignment.release(db.session, item, actor=admin, now=T0)
    db.session.commit()
    assert (change.changed, change.before_id, change.after_id) == (True, colleague.id, None)
    assert db.session.get(Complaint, item.id).assignee_id is None
    last = events(item.id)[-1]
    assert last.action == "complaint.release"
    assert last.actor_id == admin.id
    assert (last.details["from"], last.details["to"]) == (colleague.id, None)
    # Releasing again, or one nobody has, changes nothing and writes nothing.
    count = len(events(item.id))
    assert not assignment.release(db.session, item, actor=admin, now=T0).changed
    assert len(events(item.id)) == count


def test_the_holder_releases_their_own_and_anyone_may_take_it_then(ctx, users, colleague):
    agent = person(users, "agent")
    item = complaint(ctx)
    assignment.take(db.session, item, actor=agent, now=T0)
    assignment.release(db.session, item, actor=agent, now=T0)
    assignment.take(db.session, item, actor=colleague, now=T0)  # no take-over needed
    db.session.commit()
    assert item.assignee_id == colleague.id
    assert [e.action for e in events(item.id)] == [
        "complaint.assign",
        "complaint.release",
        "complaint.assign",
    ]
    assert list(verify(db.session)) == []


def test_starting_a_draft_gives_an_unassigned_complaint_to_its_author(ctx, users):
    draft = db.session.get(Draft, start(ctx, users))
    held = db.session.get(Complaint, draft.complaint_id)
    assert held.assignee_id == users["agent"].id
    [event] = events(held.id)
    assert event.details["to"] == users["agent"].id


def test_starting_a_draft_leaves_a_colleagues_complaint_with_them(ctx, users, colleague):
    item = complaint(ctx)
    assignment.take(db.session, item, actor=colleague, now=T0)
    db.session.commit()
    start(ctx, users)  # the agent drafts the same complaint (same text)
    assert db.session.get(Complaint, item.id).assignee_id == colleague.id
    assert len(events(item.id)) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_agents_taking_the_same_complaint_at_once_end_with_one_holder(ctx, users):
    """Each agent read the complaint as unassigned and clicks "Take it" at the same
    moment, each in their own transaction: one wins, the others are told who has it."""
    agents = [person(users, "agent").id, person(users, "admin").id] + [
        make_user(ctx, f"agent{n}@example.com", Role.AGENT, name=f"Agent {n}").id for n in range(4)
    ]
    complaint_id = complaint(ctx).id
    db.session.commit()
    engine = db.engine
    barrier = threading.Barrier(len(agents), timeout=30)
    results: list[object] = [None] * len(agents)

    def run(index: int) -> None:
        with Session(engine) as session:
            actor = session.get(User, agents[index])
            item = session.get(Complaint, complaint_id)
            assert item.assignee_id is None
            barrier.wait()
            try:
                change = assignment.take(session, item, actor=actor, now=T0)
                session.commit()
                results[index] = ("took", change.after_id)
            except assignment.Refused as refusal:
                session.rollback()
                results[index] = (refusal.code, refusal.holder.id if refusal.holder else None)
            except Exception as error:  # the test reports every thread's outcome
                session.rollback()
                results[index] = ("error", repr(error))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(agents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    won = [holder for outcome, holder in results if outcome == "took"]
    assert len(won) == 1, results
    [winner] = won
    assert sorted(results) == sorted(
        [("took", winner)] + [("held_by_colleague", winner)] * (len(agents) - 1)
    )
    db.session.expire_all()
    assert db.session.get(Complaint, complaint_id).assignee_id == winner
    [event] = events(complaint_id)
    assert event.details["to"] == winner
    assert list(verify(db.session)) == []


# The API: the same rules, 200 / 409 with a code / 403.


@pytest.fixture
def api(plain_app, token_for):
    client = plain_app.test_client()
    tokens: dict[str, str] = {}

    def call(method: str, path: str, role: str = "agent", payload: dict | None = None):
        if role not in tokens:
            tokens[role] = token_for(role)
        response = client.open(
            path, method=method, headers={"Authorization": f"Bearer {tokens[role]}"}, json=payload
        )
        return response.status_code, response.get_json()

    return call


def test_the_api_takes_takes_over_and_releases(api, app, users):
    complaint_id = add_complaint(app)
    path = f"/api/v1/complaints/{complaint_id}/assignment"

    status, body = api("POST", path, payload={})
    assert status == 200
    assert body == {
        "complaint_id": complaint_id,
        "assignee_id": users["agent"].id,
        "assignee": "Alex Agent",
        "changed": True,
    }
    status, body = api("POST", path, payload={})  # a double click
    assert (status, body["changed"]) == (200, False)

    status, body = api("POST", path, role="admin", payload={"take_over": False})
    assert status == 409
    assert body["error"]["code"] == "held_by_colleague"
    assert "Alex Agent has this complaint" in body["error"]["message"]
    status, body = api("DELETE", path, role="admin")  # an admin may release anyone's
    assert (status, body["assignee_id"], body["changed"]) == (200, None, True)
    status, body = api("POST", path, role="admin")
    assert (status, body["assignee"]) == (200, "Ada Admin")
    status, body = api("DELETE", path)  # not the agent's any more
    assert (status, body["error"]["code"]) == (409, "not_holder")
    status, body = api("POST", path, payload={"take_over": True})
    assert (status, body["assignee"], body["changed"]) == (200, "Alex Agent", True)

    status, body = api("GET", f"/api/v1/complaints/{complaint_id}")
    assert body["assignee_id"] == users["agent"].id
    status, body = api("GET", "/api/v1/complaints?assignee=me", role="admin")
    assert body["total"] == 0
    status, body = api("GET", "/api/v1/complaints?assignee=me")
    assert [item["id"] for item in body["items"]] == [complaint_id]


def test_the_api_refuses_a_reviewer_and_a_resolved_complaint(api, app):
    complaint_id = add_complaint(app)
    path = f"/api/v1/complaints/{complaint_id}/assignment"
    status, body = api("POST", path, role="reviewer", payload={})
    assert status == 403
    status, body = api("DELETE", path, role="signoff")
    assert status == 403
    with app.app_context():
        item = db.session.get(Complaint, complaint_id)
        item.status, item.resolved_at = ComplaintStatus.RESOLVED, T0
        db.session.commit()
    status, body = api("POST", path, payload={})
    assert (status, body["error"]["code"]) == (409, "resolved")
    status, body = api("POST", "/api/v1/complaints/999999/assignment", payload={})
    assert status == 404
