"""The reply workflow's domain layer: every guard on its own, the whole path, and random
sequences of actions by random people checked against the invariants after each step.
Time is moved, never slept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.accounts.models import Role, User
from app.audit import log as audit
from app.complaints.models import Complaint
from app.drafts import operations, service, workflow
from app.drafts.models import Draft, DraftState, ReviewDecision, SignOffGroup
from app.drafts.policy import CoolingOffPolicy, WorkflowPolicy
from app.drafts.workflow import Action, Refused
from app.extensions import db
from app.settings.company import CompanyDetails
from app.tone.policy import TonePolicy
from tests.conftest import T0, make_user
from tests.test_drafts import add_complaint

CALM = "@NorthwindHome my parcel #NW-48213 is a week late, can you check where it is?"
LEGAL = "@NorthwindHome charged twice for my sofa. My solicitor will be in touch about this."
POLICY = WorkflowPolicy(
    cooling_off=CoolingOffPolicy(
        base_seconds=600, hot_extra_seconds=600, warn_extra_seconds=300, floor_seconds=120
    )
)


def person(users, role: str) -> User:
    return db.session.get(User, users[role].id)


def start(app, users, text: str = CALM, author: User | None = None) -> int:
    """A draft on a new complaint, built by the agent (or `author`), revision 1."""
    complaint_id = add_complaint(app, text=text)
    complaint = db.session.get(Complaint, complaint_id)
    agent = author or person(users, "agent")
    company = CompanyDetails(name="Northwind Home", phone="0808 157 0192")
    composition = service.compose_for(
        db.session,
        complaint,
        library=app.extensions["composure.templates"],
        company=company,
        agent=agent,
        now=T0,
        timezone="UTC",
    )
    tone = service.tone_setting(complaint, complaint.channel, policy=TonePolicy(), company=company)
    draft = operations.start_draft(
        db.session, complaint, composition, tone=tone, actor=agent, now=T0
    )
    db.session.commit()
    return draft.draft.id


def edit(draft: Draft, parts: dict[str, str], actor: User, now=T0) -> None:
    """Save edited parts as the editor would (a new revision, tone-checked), and commit."""
    tone = service.tone_setting(
        draft.complaint, draft.complaint.channel, policy=TonePolicy(), company=CompanyDetails()
    )
    operations.edit_parts(
        db.session,
        draft,
        parts,
        tone=tone,
        actor=actor,
        now=now,
        based_on=draft.current_revision,
        policy=POLICY,
    )
    db.session.commit()


def act(draft_id: int, action: Action, actor: User, now=T0, **kwargs) -> Draft:
    draft = db.session.get(Draft, draft_id)
    kwargs.setdefault("revision_number", draft.current_revision)
    result = workflow.transition(
        db.session, draft, action, actor=actor, now=now, policy=POLICY, **kwargs
    )
    db.session.commit()
    return result


def refused(code: str, draft_id: int, action: Action, actor: User, now=T0, **kwargs) -> str:
    with pytest.raises(Refused) as problem:
        act(draft_id, action, actor, now, **kwargs)
    db.session.rollback()
    assert problem.value.code == code
    return str(problem.value)


def test_the_whole_path_with_every_early_step_refused(ctx, users):
    agent, reviewer = person(users, "agent"), person(users, "reviewer")
    draft_id = start(ctx, users)
    refused("not_submitted", draft_id, Action.PUBLISH, agent)
    draft = act(draft_id, Action.SUBMIT, agent)
    assert draft.state == DraftState.COOLING_OFF
    assert draft.cooling_off_until >= T0 + timedelta(seconds=600)
    refused("forbidden", draft_id, Action.APPROVE, agent)  # agents don't review
    refused("forbidden", draft_id, Action.APPROVE, person(users, "signoff"))
    draft = act(draft_id, Action.APPROVE, reviewer)
    assert draft.state == DraftState.APPROVED
    message = refused("cooling_off", draft_id, Action.PUBLISH, agent, T0 + timedelta(minutes=1))
    assert "more minute" in message
    later = draft.cooling_off_until + timedelta(seconds=1)
    draft = act(draft_id, Action.PUBLISH, agent, later)
    assert draft.state == DraftState.PUBLISHED
    assert draft.published_at == later
    actions = [e.action for e in audit_events(draft_id)]
    assert actions == [
        "draft.created",
        "draft.submit",
        "draft.approve",
        "draft.publish",
    ]
    assert list(audit.verify(db.session)) == []


def audit_events(draft_id: int):
    from app.audit.models import AuditEvent

    return db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.draft_id == draft_id).order_by(AuditEvent.id)
    ).all()


def test_an_edit_voids_the_approval_and_restarts_cooling_off(ctx, users):
    agent, reviewer = person(users, "agent"), person(users, "reviewer")
    draft_id = start(ctx, users)
    act(draft_id, Action.SUBMIT, agent)
    act(draft_id, Action.APPROVE, reviewer)
    draft = db.session.get(Draft, draft_id)
    edited_at = T0 + timedelta(hours=1)
    edit(draft, {"close_loop": "I'll check in with you on Friday."}, agent, edited_at)
    assert draft.state == DraftState.COOLING_OFF
    assert draft.cooling_off_until > edited_at
    refused("needs_approval", draft_id, Action.PUBLISH, agent, edited_at + timedelta(days=1))
    refused("stale_revision", draft_id, Action.APPROVE, reviewer, revision_number=1)
    act(draft_id, Action.APPROVE, reviewer)
    act(draft_id, Action.PUBLISH, agent, edited_at + timedelta(days=1))


def test_a_sensitive_case_needs_sign_off_by_someone_else(ctx, users):
    agent, reviewer, signer = (person(users, r) for r in ("agent", "reviewer", "signoff"))
    draft_id = start(ctx, users, LEGAL)
    draft = act(draft_id, Action.SUBMIT, agent)
    assert draft.requires_signoff
    assert {"kind": "flag", "value": "legal_threat", "group": "legal"} in draft.signoff_reasons
    act(draft_id, Action.APPROVE, reviewer)
    later = T0 + timedelta(days=1)
    assert "legal" in refused("needs_signoff", draft_id, Action.PUBLISH, agent, later)
    refused("forbidden", draft_id, Action.SIGN_OFF, reviewer, group=SignOffGroup.LEGAL)
    refused("signoff_not_needed", draft_id, Action.SIGN_OFF, signer, group=SignOffGroup.PR)
    act(draft_id, Action.SIGN_OFF, signer, group=SignOffGroup.LEGAL)
    act(draft_id, Action.PUBLISH, agent, later)


def test_blocking_findings_stop_submission(ctx, users):
    agent = person(users, "agent")
    draft_id = start(ctx, users)
    edit(db.session.get(Draft, draft_id), {"validate": "Thanks, idiot."}, agent)
    assert "Hostile" in refused("blocking_findings", draft_id, Action.SUBMIT, agent)


def test_changes_need_a_comment_and_a_withdrawn_draft_stays_withdrawn(ctx, users):
    agent, reviewer = person(users, "agent"), person(users, "reviewer")
    draft_id = start(ctx, users)
    act(draft_id, Action.SUBMIT, agent)
    refused("comment_required", draft_id, Action.REQUEST_CHANGES, reviewer, comment="  ")
    draft = act(draft_id, Action.REQUEST_CHANGES, reviewer, comment="Name the delivery date.")
    assert draft.state == DraftState.CHANGES_REQUESTED
    refused("forbidden", draft_id, Action.WITHDRAW, reviewer)
    assert act(draft_id, Action.WITHDRAW, agent).state == DraftState.WITHDRAWN
    refused("invalid_state", draft_id, Action.SUBMIT, agent)


ROLES = ("agent", "reviewer", "signoff", "admin", "norole")
STEPS = st.lists(
    st.tuples(
        st.sampled_from([*Action, "edit", "wait"]),
        st.sampled_from(ROLES),
        st.sampled_from([None, *SignOffGroup]),
        st.booleans(),  # act on a stale revision
    ),
    max_size=14,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS, sensitive=st.booleans())
def test_random_sequences_keep_the_invariants(ctx, users, steps, sensitive):
    draft_id = start(ctx, users, LEGAL if sensitive else CALM)
    now = T0
    for step, role, group, stale in steps:
        actor = person(users, role)
        draft = db.session.get(Draft, draft_id)
        if step == "wait":
            now += timedelta(minutes=7)
            continue
        if step == "edit":
            try:
                edit(draft, {"close_loop": f"We'll update you at {now:%H:%M}."}, actor, now)
            except operations.DraftError:
                db.session.rollback()
            continue
        revision_number = draft.current_revision - 1 if stale else draft.current_revision
        try:
            act(
                draft_id,
                step,
                actor,
                now,
                revision_number=revision_number,
                comment="Please change it.",
                group=group,
            )
        except Refused:
            db.session.rollback()
        check_invariants(draft_id)
    assert list(audit.verify(db.session)) == []


def check_invariants(draft_id: int) -> None:
    from app.drafts.models import Review, Revision, SignOff

    draft = db.session.get(Draft, draft_id)
    revision = db.session.scalars(
        db.select(Revision).where(
            Revision.draft_id == draft_id, Revision.number == draft.current_revision
        )
    ).one()
    reviews = db.session.scalars(db.select(Review).where(Review.draft_id == draft_id)).all()
    signoffs = db.session.scalars(db.select(SignOff).where(SignOff.draft_id == draft_id)).all()
    # Nobody reviews or signs off their own draft; live decisions are on the current revision.
    assert all(review.reviewer_id != draft.author_id for review in reviews)
    assert all(signoff.signer_id != draft.author_id for signoff in signoffs)
    live = [r for r in reviews if r.voided_at is None] + [
        s for s in signoffs if s.voided_at is None
    ]
    assert all(item.revision_id == revision.id for item in live)
    if draft.state == DraftState.PUBLISHED:
        assert draft.published_at >= draft.cooling_off_until
        assert any(r.decision == ReviewDecision.APPROVED and r.voided_at is None for r in reviews)
        assert not revision.has_blocking_findings
        if draft.requires_signoff:
            signed = {s.group.value for s in signoffs if s.voided_at is None and s.approved}
            assert {reason["group"] for reason in draft.signoff_reasons} <= signed


def test_nobody_approves_their_own_draft_even_with_the_reviewer_role(ctx, users):
    both = make_user(ctx, "both@example.com", Role.AGENT, Role.REVIEWER)
    author = db.session.get(User, both.id)
    draft_id = start(ctx, users, author=author)
    act(draft_id, Action.SUBMIT, author)
    assert "colleague" in refused("self_approval", draft_id, Action.APPROVE, author)
    reviewer = person(users, "reviewer")
    act(draft_id, Action.APPROVE, reviewer)
