"""The workflow under real concurrency, on a real PostgreSQL server: threads started together
by a barrier, each with its own session and connection, as separate requests, servers and
outbox workers would be. What must hold is what the database promises, whoever wins."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from app import create_app
from app.accounts.models import Role, User
from app.audit import log as audit
from app.audit.models import AuditEvent
from app.complaints.models import ComplaintStatus
from app.drafts import composer, operations, workflow
from app.drafts.models import (
    Draft,
    DraftState,
    FollowUp,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
    Revision,
    SignOff,
    SignOffGroup,
)
from app.drafts.workflow import Action, Refused
from app.extensions import db
from app.publishing.adapters import WebhookAdapter
from app.publishing.jobs import RunReport, deliver_due
from app.settings.company import CompanyDetails
from app.tone.policy import TonePolicy
from tests.fixtures.app import T0, base_config
from tests.fixtures.complaints import LEGAL
from tests.fixtures.publishing import LOCAL, RETRY, SECRET, WEBHOOK_POLICY, Receiver
from tests.fixtures.users import make_user
from tests.fixtures.workflow import POLICY, act, person, start

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

PUBLISHERS = 20
WORKERS = 4
ROUNDS = 15


@pytest.fixture
def app(database_url, clock) -> Iterator[Flask]:
    """The app with a connection pool big enough for every thread to hold one at once."""
    app = create_app(
        {
            **base_config(database_url, clock),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": PUBLISHERS + 5},
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def together(works: list[Callable[[Session, threading.Barrier], Any]]) -> list[Any]:
    """Run each `work(session, barrier)` in its own thread with its own session: it reads
    what it needs, waits at the barrier for the others and acts. Returns what each
    returned, or the exception it raised."""
    engine = db.engine
    barrier = threading.Barrier(len(works), timeout=30)
    results: list[Any] = [None] * len(works)

    def run(index: int) -> None:
        with Session(engine) as session:
            try:
                results[index] = works[index](session, barrier)
            except Exception as error:  # every thread's failure is the test's to report
                session.rollback()
                results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def approved_and_cooled_off(ctx, users, clock) -> Draft:
    agent, reviewer = person(users, "agent"), person(users, "reviewer")
    draft_id = start(ctx, users)
    act(draft_id, Action.SUBMIT, agent)
    act(draft_id, Action.APPROVE, reviewer)
    draft = db.session.get(Draft, draft_id)
    clock.set(draft.cooling_off_until + timedelta(seconds=1))
    return draft


def test_twenty_publishes_at_once_make_one_publication_posted_once(ctx, users, clock):
    draft = approved_and_cooled_off(ctx, users, clock)
    draft_id, agent_id, now = draft.id, users["agent"].id, clock.now()
    db.session.commit()

    def publish(session: Session, barrier: threading.Barrier) -> tuple[int, bool]:
        draft = session.get(Draft, draft_id)
        agent = session.get(User, agent_id)
        seen = draft.current_revision
        barrier.wait()
        publication, created = workflow.publish(
            session, draft, actor=agent, now=now, revision_number=seen, policy=WEBHOOK_POLICY
        )
        result = publication.id, created
        session.commit()
        return result

    results = together([publish] * PUBLISHERS)
    assert [r for r in results if not isinstance(r, tuple)] == []
    assert len({publication_id for publication_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * (PUBLISHERS - 1) + [True]
    db.session.expire_all()
    [publication] = db.session.scalars(sa.select(Publication)).all()
    assert publication.id == results[0][0]
    assert publication.draft_id == draft_id
    assert publication.adapter == "webhook"
    draft = db.session.get(Draft, draft_id)
    assert draft.state == DraftState.PUBLISHED
    assert draft.complaint.status == ComplaintStatus.REPLIED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 1
    publishes = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "draft.publish")
    ).all()
    assert [event.details["publication_id"] for event in publishes] == [publication.id]
    assert list(audit.verify(db.session)) == []
    db.session.commit()

    with Receiver() as receiver:
        adapter = WebhookAdapter(receiver.url, SECRET, timeout_seconds=10, targets=LOCAL)

        def deliver(session: Session, barrier: threading.Barrier) -> RunReport:
            barrier.wait()
            return deliver_due(session, adapter, clock=clock.now, retry=RETRY)

        reports = together([deliver] * WORKERS)
    assert [r for r in reports if not isinstance(r, RunReport)] == []
    assert sum(report.claimed for report in reports) == 1
    assert sum(report.delivered for report in reports) == 1
    assert sum(report.lost for report in reports) == 0
    [request] = receiver.requests
    assert request["signed"]
    assert request["key"] == publication.idempotency_key
    db.session.expire_all()
    publication = db.session.get(Publication, publication.id)
    assert publication.status == PublicationStatus.DELIVERED
    assert publication.attempts == 1
    delivered = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_type == "publication")
    ).all()
    assert delivered == ["publication.delivered"]
    assert list(audit.verify(db.session)) == []


def decide_on_what_was_read(
    session: Session,
    barrier: threading.Barrier,
    *,
    draft_id: int,
    actor_id: int,
    action: Action,
    now,
    group: SignOffGroup | None = None,
) -> list[tuple[str, int]]:
    """A reviewer approves (or a signer signs off) the revision they read; told it is
    stale, they read the draft again and try once more. Returns (the action or the refusal's
    code, revision read) per try."""
    draft = session.get(Draft, draft_id)
    actor = session.get(User, actor_id)
    seen = draft.current_revision
    barrier.wait()
    tries = []
    for _ in range(2):
        try:
            workflow.transition(
                session,
                draft,
                action,
                actor=actor,
                now=now,
                revision_number=seen,
                policy=POLICY,
                group=group,
            )
            session.commit()
        except Refused as refusal:
            session.rollback()
            tries.append((refusal.code, seen))
            if refusal.code != "stale_revision":
                return tries
        else:
            return [*tries, (action.value, seen)]
        seen = session.get(Draft, draft_id).current_revision
    return tries


def edit_what_was_read(
    session: Session, barrier: threading.Barrier, *, draft_id: int, author_id: int, now
) -> list[tuple[str, int]]:
    """The author saves an edit; told someone came first, they read the draft again and
    save again, as the editor lets them. Returns (outcome, revision read) per try."""
    draft = session.get(Draft, draft_id)
    author = session.get(User, author_id)
    complaint = draft.complaint
    tone = composer.tone_setting(
        complaint, complaint.channel, policy=TonePolicy(), company=CompanyDetails()
    )
    seen = draft.current_revision
    barrier.wait()
    tries = []
    for _ in range(3):
        try:
            operations.edit_parts(
                session,
                draft,
                {"close_loop": f"We'll update you by {now:%H:%M} tomorrow."},
                tone=tone,
                actor=author,
                now=now,
                based_on=seen,
                policy=POLICY,
            )
            session.commit()
        except operations.StaleRevision:
            session.rollback()
            tries.append(("stale", seen))
        else:
            return [*tries, ("edited", seen)]
        seen = session.get(Draft, draft_id).current_revision
    return tries


def test_two_reviewers_approving_while_the_author_edits(ctx, users):
    second = make_user(ctx, "second.reviewer@example.com", Role.REVIEWER, name="Sol Second")
    reviewers = [users["reviewer"].id, second.id]
    for round_number in range(ROUNDS):
        now = T0 + timedelta(minutes=round_number)
        draft_id = start(ctx, users, external_id=f"round-{round_number}")
        act(draft_id, Action.SUBMIT, person(users, "agent"), now)
        results = together(
            [
                *(
                    partial(
                        decide_on_what_was_read,
                        draft_id=draft_id,
                        actor_id=who,
                        action=Action.APPROVE,
                        now=now,
                    )
                    for who in reviewers
                ),
                partial(
                    edit_what_was_read, draft_id=draft_id, author_id=users["agent"].id, now=now
                ),
            ]
        )
        problems = [result for result in results if not isinstance(result, list)]
        assert problems == [], f"round {round_number}: {problems!r}"
        *review_tries, edit_tries = results
        check_round(draft_id, dict(zip(reviewers, review_tries, strict=True)), edit_tries)
    assert list(audit.verify(db.session)) == []


def check_round(draft_id: int, review_tries: dict[int, list], edit_tries: list) -> None:
    db.session.expire_all()
    draft = db.session.get(Draft, draft_id)
    assert edit_tries[-1][0] == "edited", edit_tries  # the author's edit always lands
    for tries in review_tries.values():
        assert {code for code, _ in tries} <= {"approve", "stale_revision", "invalid_state"}
    numbers = {
        revision.id: revision.number
        for revision in db.session.scalars(sa.select(Revision).where(Revision.draft_id == draft_id))
    }
    approvals = db.session.scalars(
        sa.select(Review).where(
            Review.draft_id == draft_id, Review.decision == ReviewDecision.APPROVED
        )
    ).all()
    # Every approval stored is one its reviewer made on the revision they read, and a
    # refused try left nothing behind.
    made = {
        (who, seen)
        for who, tries in review_tries.items()
        for code, seen in tries
        if code == "approve"
    }
    assert {(a.reviewer_id, numbers[a.revision_id]) for a in approvals} == made
    assert len(approvals) == len(made)
    # At most one approval wins per revision; only the current revision's may be live.
    per_revision = [numbers[a.revision_id] for a in approvals]
    assert len(per_revision) == len(set(per_revision))
    assert draft.current_revision == 2  # one edit, whoever came first
    live = [a for a in approvals if a.voided_at is None]
    assert all(numbers[a.revision_id] == draft.current_revision for a in live)
    assert all(a.voided_at for a in approvals if numbers[a.revision_id] < draft.current_revision)
    if live:
        # An approval came last: on the newest revision, by someone who read it.
        assert draft.state == DraftState.APPROVED
        [approval] = live
        assert (approval.reviewer_id, draft.current_revision) in made
    else:
        # The edit came last: cooling off again on the new revision, old approvals voided.
        assert draft.state == DraftState.COOLING_OFF
        assert all(numbers[a.revision_id] < draft.current_revision for a in approvals)
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.draft_id == draft_id, AuditEvent.action == "draft.approve"
        )
    ).all()
    assert sorted(event.revision for event in events) == sorted(per_revision)


def test_a_sign_off_at_the_same_instant_as_an_edit_counts_only_for_what_was_read(ctx, users):
    """The same instant to the microsecond (a frozen clock): the sign-off changes neither the
    draft's state nor its time, and must still lose to the edit or be voided by it."""
    for round_number in range(ROUNDS):
        now = T0 + timedelta(minutes=round_number)
        draft_id = start(ctx, users, LEGAL, external_id=f"round-{round_number}")
        act(draft_id, Action.SUBMIT, person(users, "agent"), now)
        sign_tries, edit_tries = together(
            [
                partial(
                    decide_on_what_was_read,
                    draft_id=draft_id,
                    actor_id=users["signoff"].id,
                    action=Action.SIGN_OFF,
                    group=SignOffGroup.LEGAL,
                    now=now,
                ),
                partial(
                    edit_what_was_read, draft_id=draft_id, author_id=users["agent"].id, now=now
                ),
            ]
        )
        assert isinstance(sign_tries, list), sign_tries
        assert isinstance(edit_tries, list), edit_tries
        assert edit_tries[-1][0] == "edited"
        assert {code for code, _ in sign_tries} <= {"sign_off", "stale_revision"}
        db.session.expire_all()
        draft = db.session.get(Draft, draft_id)
        assert draft.current_revision == 2
        signed = db.session.execute(
            sa.select(Revision.number, SignOff.voided_at)
            .join(Revision, Revision.id == SignOff.revision_id)
            .where(SignOff.draft_id == draft_id)
        ).all()
        made = [seen for code, seen in sign_tries if code == "sign_off"]
        assert sorted(number for number, _ in signed) == sorted(made)
        assert all(voided is None for number, voided in signed if number == 2)
        assert all(voided is not None for number, voided in signed if number == 1)
    assert list(audit.verify(db.session)) == []
