"""The reply workflow's domain layer: every guard on its own, the whole path, and random
sequences of actions by random people checked against the invariants after each step.
Time is moved, never slept."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.accounts.models import Role, User
from app.audit import log as audit
from app.complaints.models import ComplaintStatus
from app.drafts import operations, workflow
from app.drafts.models import (
    Draft,
    DraftState,
    Publication,
    Review,
    ReviewDecision,
    Revision,
    SignOff,
    SignOffGroup,
)
from app.drafts.workflow import Action, Refused
from app.extensions import db
from app.publishing import outbox
from tests.fixtures.app import T0
from tests.fixtures.complaints import CALM, LEGAL
from tests.fixtures.users import make_user
from tests.fixtures.workflow import POLICY, act, edit, person, refused, start


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
    assert "Still cooling off for 9 minutes." in message
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


#: The cast of the random sequences: the users fixture's five, plus a signer for each group
#: alone, a second admin, and an admin who also holds the sign-off role in both groups (the
#: person who would put words out alone if any guard let them).
ROLES = ("agent", "reviewer", "signoff", "admin", "norole", "legal", "pr", "admin2", "boss")
EXTRA_CAST = {
    "legal": ("lee.legal@example.com", (Role.SIGNOFF,), {"legal"}),
    "pr": ("pat.pr@example.com", (Role.SIGNOFF,), {"pr"}),
    "admin2": ("ada2@example.com", (Role.ADMIN,), set()),
    "boss": ("boss@example.com", (Role.ADMIN, Role.SIGNOFF), {"legal", "pr"}),
}
#: Whose move each step is when a step's role is None (the author's unless named here), so
#: that the way forward comes up about as often as the refusals.
WHOSE_MOVE = {
    Action.APPROVE: "reviewer",
    Action.REQUEST_CHANGES: "reviewer",
    Action.SIGN_OFF: "signoff",
}
STEPS = st.lists(
    st.tuples(
        st.sampled_from([*Action, "edit", "wait", "resolve", "workflow.publish"]),
        st.sampled_from([None, *ROLES]),
        st.sampled_from([None, *SignOffGroup]),
        st.sampled_from([False, False, True]),  # act on a stale revision
        st.sampled_from(["close_loop", "validate"]),  # the part an edit changes
    ),
    max_size=14,
)
#: How far the draft has got before the random steps, so that publishing and resolving
#: come up within a few steps.
HEAD_STARTS = ("new", "submitted", "approved", "ready")
SEE_IT_THROUGH = (
    (Action.SUBMIT, "agent", None),
    (Action.APPROVE, "reviewer", None),
    (Action.SIGN_OFF, "legal", SignOffGroup.LEGAL),
    (Action.SIGN_OFF, "pr", SignOffGroup.PR),
    ("workflow.publish", "agent", None),
    ("workflow.publish", "admin", None),
    ("resolve", "agent", None),
)
_examples = itertools.count(1)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS, sensitive=st.booleans(), head_start=st.sampled_from(HEAD_STARTS))
def test_random_sequences_keep_the_invariants(ctx, users, steps, sensitive, head_start):
    # The database lives as long as the test, not the example: each example has its own
    # complaint.
    for role, (email, roles, groups) in EXTRA_CAST.items():
        if role not in users:
            users[role] = make_user(ctx, email, *roles, groups=groups)
    draft_id = start(
        ctx, users, LEGAL if sensitive else CALM, external_id=f"example-{next(_examples)}"
    )
    now = get_ahead(draft_id, users, head_start)
    check_invariants(draft_id)
    for step, role, group, stale, part in steps:
        now = take(
            draft_id,
            step,
            person(users, role or WHOSE_MOVE.get(step, "agent")),
            now,
            group=group,
            stale=stale,
            part=part,
        )
        check_invariants(draft_id)
    # Then, however it went, the draft is seen through where it still can be: submitted,
    # approved and signed off, and a day later published, published again (the same
    # publication back) and the complaint resolved.
    for step, role, group in SEE_IT_THROUGH:
        if step == "workflow.publish" and role == "agent":
            now += timedelta(days=1)
        take(draft_id, step, person(users, role), now, group=group)
        check_invariants(draft_id)
    # The audit chain once per example: it holds every example's events, so checking it
    # after every step cost more than the steps. A break stays in it (each event links to
    # the signed head before it, and the log refuses changes), so it shows here too.
    assert list(audit.verify(db.session)) == []


def take(
    draft_id: int,
    step: Action | str,
    actor: User,
    now: datetime,
    *,
    group: SignOffGroup | None = None,
    stale: bool = False,
    part: str = "close_loop",
) -> datetime:
    """One step by `actor` (refusals are part of the game); returns the time after it.
    An edit is by whoever the step names: the author, an admin, or a reviewer (refused)."""
    draft = db.session.get(Draft, draft_id)
    revision_number = draft.current_revision - 1 if stale else draft.current_revision
    try:
        if step == "wait":
            return now + timedelta(minutes=7)
        if step == "edit":
            words = f"{actor.name} wrote this at {now:%H:%M}."
            edit(draft, {part: f"{draft_part(draft, part)} {words}"}, actor, now)
        elif step == "resolve":
            workflow.resolve(db.session, draft.complaint, actor=actor, now=now, note="Sorted.")
            db.session.commit()
        elif step == "workflow.publish":
            publish_once(draft, actor, now, revision_number)
        else:
            act(
                draft_id,
                step,
                actor,
                now,
                revision_number=revision_number,
                comment="Please change it.",
                group=group,
            )
    except (Refused, operations.DraftError):
        db.session.rollback()
    return now


def get_ahead(draft_id: int, users, head_start: str) -> datetime:
    """Take the draft as far as `head_start` by the usual path; returns the time it is."""
    if head_start == "new":
        return T0
    act(draft_id, Action.SUBMIT, person(users, "agent"))
    if head_start == "submitted":
        return T0
    act(draft_id, Action.APPROVE, person(users, "reviewer"))
    draft = db.session.get(Draft, draft_id)
    if head_start == "approved":
        return T0
    for group in sorted({reason["group"] for reason in draft.signoff_reasons}):
        act(draft_id, Action.SIGN_OFF, person(users, group), group=group)
    return draft.cooling_off_until


def draft_part(draft: Draft, part: str) -> str:
    return workflow.current_revision(db.session, draft).parts.get(part, "")


def publish_once(draft: Draft, actor: User, now: datetime, revision_number: int) -> None:
    """Publish through `workflow.publish`: a draft already out gives its one publication
    back to whoever may publish it (its author or an admin), whatever revision they name;
    anyone else hears why not. Refusals are raised."""
    before = outbox.publication_for(db.session, draft)
    try:
        publication, created = workflow.publish(
            db.session, draft, actor=actor, now=now, revision_number=revision_number, policy=POLICY
        )
    except Refused:
        may_publish = actor.id == draft.author_id or Role.ADMIN in actor.roles
        assert before is None or not may_publish
        raise
    db.session.commit()
    assert created == (before is None)
    assert publication.draft_id == draft.id
    if before is not None:
        assert publication.id == before.id


def check_invariants(draft_id: int) -> None:
    draft = db.session.get(Draft, draft_id)
    revision = db.session.scalars(
        db.select(Revision).where(
            Revision.draft_id == draft_id, Revision.number == draft.current_revision
        )
    ).one()
    reviews = db.session.scalars(db.select(Review).where(Review.draft_id == draft_id)).all()
    signoffs = db.session.scalars(db.select(SignOff).where(SignOff.draft_id == draft_id)).all()
    # Nobody reviews or signs off words they wrote: not the draft's author, and not whoever
    # wrote any revision up to the one decided on (an admin's edit included).
    writers = {
        number: {draft.author_id}
        | {
            r.author_id
            for r in db.session.scalars(
                db.select(Revision).where(Revision.draft_id == draft_id, Revision.number <= number)
            )
        }
        for number in range(1, draft.current_revision + 1)
    }
    number_of = {
        r.id: r.number
        for r in db.session.scalars(db.select(Revision).where(Revision.draft_id == draft_id))
    }
    assert all(r.reviewer_id not in writers[number_of[r.revision_id]] for r in reviews)
    assert all(s.signer_id not in writers[number_of[s.revision_id]] for s in signoffs)
    live = [r for r in reviews if r.voided_at is None] + [
        s for s in signoffs if s.voided_at is None
    ]
    assert all(item.revision_id == revision.id for item in live)
    live_approvals = [
        r for r in reviews if r.voided_at is None and r.decision == ReviewDecision.APPROVED
    ]
    live_signoffs = [s for s in signoffs if s.voided_at is None]
    # Each live sign-off by a member of its group, one per person.
    assert all(s.group in s.signer.groups for s in live_signoffs)
    assert len({s.signer_id for s in live_signoffs}) == len(live_signoffs)
    # Nobody both approved and signed off the same revision.
    assert not {a.reviewer_id for a in live_approvals} & {s.signer_id for s in live_signoffs}
    # One publication for a published draft, of the revision that went out; none otherwise.
    publications = db.session.scalars(
        db.select(Publication).where(Publication.draft_id == draft_id)
    ).all()
    if draft.state == DraftState.PUBLISHED:
        [publication] = publications
        assert publication.revision_id == revision.id
        assert draft.published_at >= draft.cooling_off_until
        assert live_approvals
        assert not revision.has_blocking_findings
        # No one person's words went out on their own approval or sign-off alone.
        assert {a.reviewer_id for a in live_approvals} - writers[revision.number]
        if draft.requires_signoff:
            signed = {s.group for s in live_signoffs if s.approved}
            assert {reason["group"] for reason in draft.signoff_reasons} <= signed
    else:
        assert publications == []
    # A complaint is answered (replied, then perhaps resolved) once a reply is out.
    complaint = draft.complaint
    out = db.session.scalar(
        db.select(db.func.count()).where(
            Draft.complaint_id == complaint.id, Draft.state == DraftState.PUBLISHED
        )
    )
    answered = complaint.status in (ComplaintStatus.REPLIED, ComplaintStatus.RESOLVED)
    assert answered == (out > 0)


def test_nobody_approves_their_own_draft_even_with_the_reviewer_role(ctx, users):
    both = make_user(ctx, "both@example.com", Role.AGENT, Role.REVIEWER)
    author = db.session.get(User, both.id)
    draft_id = start(ctx, users, author=author)
    act(draft_id, Action.SUBMIT, author)
    assert "colleague" in refused("self_approval", draft_id, Action.APPROVE, author)
    reviewer = person(users, "reviewer")
    act(draft_id, Action.APPROVE, reviewer)
