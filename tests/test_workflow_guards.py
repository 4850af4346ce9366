"""Every guard of the reply workflow on its own, and the workflow policy: each test names
the refusal a person would see and why."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import Role, User
from app.complaints.models import Complaint
from app.drafts import policy as workflow_policy
from app.drafts import workflow
from app.drafts.models import Draft, DraftState, FollowUp, SignOffGroup
from app.drafts.policy import CoolingOffPolicy, WorkflowPolicy
from app.drafts.workflow import Action
from app.extensions import db
from app.notifications.models import Notification
from tests.fixtures.app import T0
from tests.fixtures.complaints import LEGAL
from tests.fixtures.users import make_user
from tests.fixtures.workflow import act, edit, person, refused, start


def approved_draft(ctx, users, text=None) -> int:
    draft_id = start(ctx, users, text) if text else start(ctx, users)
    act(draft_id, Action.SUBMIT, person(users, "agent"))
    act(draft_id, Action.APPROVE, person(users, "reviewer"))
    return draft_id


def test_cooling_off_refuses_publishing_until_it_is_over(ctx, users):
    draft_id = approved_draft(ctx, users)
    until = db.session.get(Draft, draft_id).cooling_off_until
    agent = person(users, "agent")
    message = refused("cooling_off", draft_id, Action.PUBLISH, agent, until - timedelta(seconds=1))
    assert message == "Still cooling off for less than a minute."
    assert act(draft_id, Action.PUBLISH, agent, until).state == DraftState.PUBLISHED


def test_self_approval_in_every_form(ctx, users):
    both = db.session.get(User, make_user(ctx, "both@example.com", Role.AGENT, Role.REVIEWER).id)
    draft_id = start(ctx, users, LEGAL, author=both)
    act(draft_id, Action.SUBMIT, both)
    refused("self_approval", draft_id, Action.APPROVE, both)
    refused("self_approval", draft_id, Action.REQUEST_CHANGES, both, comment="Mine.")
    # The same colleague cannot be both the second pair of eyes and the sign-off.
    double = db.session.get(
        User, make_user(ctx, "double@example.com", Role.REVIEWER, Role.SIGNOFF, groups={"legal"}).id
    )
    act(draft_id, Action.APPROVE, double)
    message = refused("self_approval", draft_id, Action.SIGN_OFF, double, group=SignOffGroup.LEGAL)
    assert "reviewed" in message
    signer = person(users, "signoff")
    act(draft_id, Action.SIGN_OFF, signer, group=SignOffGroup.LEGAL)


def test_a_signer_does_not_then_approve(ctx, users):
    double = db.session.get(
        User, make_user(ctx, "double@example.com", Role.REVIEWER, Role.SIGNOFF, groups={"legal"}).id
    )
    draft_id = start(ctx, users, LEGAL)
    act(draft_id, Action.SUBMIT, person(users, "agent"))
    act(draft_id, Action.SIGN_OFF, double, group=SignOffGroup.LEGAL)
    assert "signed" in refused("self_approval", draft_id, Action.APPROVE, double)


def test_publishing_needs_an_approval_on_the_current_revision(ctx, users):
    agent = person(users, "agent")
    draft_id = start(ctx, users)
    act(draft_id, Action.SUBMIT, agent)
    later = T0 + timedelta(days=1)
    refused("needs_approval", draft_id, Action.PUBLISH, agent, later)


def test_sign_off_binds_to_the_revision(ctx, users):
    agent, signer = person(users, "agent"), person(users, "signoff")
    draft_id = approved_draft(ctx, users, LEGAL)
    act(draft_id, Action.SIGN_OFF, signer, group=SignOffGroup.LEGAL)
    draft = db.session.get(Draft, draft_id)
    edit(draft, {"close_loop": "We'll update you tomorrow."}, agent, T0 + timedelta(minutes=5))
    act(draft_id, Action.APPROVE, person(users, "reviewer"), T0 + timedelta(minutes=6))
    later = T0 + timedelta(days=1)
    assert "legal" in refused("needs_signoff", draft_id, Action.PUBLISH, agent, later)


def test_a_refused_sign_off_keeps_the_reply_back(ctx, users):
    agent, signer = person(users, "agent"), person(users, "signoff")
    draft_id = approved_draft(ctx, users, LEGAL)
    act(
        draft_id,
        Action.SIGN_OFF,
        signer,
        group=SignOffGroup.LEGAL,
        approved=False,
        comment="Don't admit the double charge in public.",
    )
    refused("needs_signoff", draft_id, Action.PUBLISH, agent, T0 + timedelta(days=1))
    notice = db.session.scalars(db.select(Notification).where(Notification.user_id == agent.id))
    assert any("refused sign-off" in n.message for n in notice)


def test_blocking_findings_refuse_publishing_too(ctx, users):
    agent = person(users, "agent")
    draft_id = approved_draft(ctx, users)
    # An admin switches hostile to warn, an agent slips in an insult, the admin switches it
    # back: the stored findings still say block, so publishing is refused.
    from app.drafts.models import Revision

    revision = workflow.current_revision(db.session, db.session.get(Draft, draft_id))
    revision.findings = [*revision.findings, {"code": "hostile", "severity": "block"}]
    db.session.commit()
    assert db.session.get(Revision, revision.id).findings[-1]["code"] == "hostile"
    refused("blocking_findings", draft_id, Action.PUBLISH, agent, T0 + timedelta(days=1))


def test_stale_revision_and_invalid_state(ctx, users):
    agent, reviewer = person(users, "agent"), person(users, "reviewer")
    draft_id = start(ctx, users)
    refused("invalid_state", draft_id, Action.APPROVE, reviewer)
    act(draft_id, Action.SUBMIT, agent)
    edit(db.session.get(Draft, draft_id), {"validate": "Thanks for telling us, Kim."}, agent)
    assert "revision 2" in refused(
        "stale_revision", draft_id, Action.APPROVE, reviewer, revision_number=1
    )
    act(draft_id, Action.WITHDRAW, agent)
    refused("invalid_state", draft_id, Action.PUBLISH, agent)


def test_a_comment_can_point_at_a_passage_of_the_revision(ctx, users):
    agent, reviewer = person(users, "agent"), person(users, "reviewer")
    draft_id = start(ctx, users)
    act(draft_id, Action.SUBMIT, agent)
    text = workflow.current_revision(db.session, db.session.get(Draft, draft_id)).text
    refused(
        "invalid_anchor",
        draft_id,
        Action.REQUEST_CHANGES,
        reviewer,
        comment="This bit.",
        anchor_start=5,
        anchor_end=len(text) + 10,
    )
    act(
        draft_id,
        Action.REQUEST_CHANGES,
        reviewer,
        comment="Warmer, please.",
        anchor_start=0,
        anchor_end=10,
    )
    from app.audit.models import AuditEvent

    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "draft.request_changes")
    ).one()
    assert event.details["anchor"] == {"start": 0, "end": 10, "text": text[:10]}


def test_publishing_schedules_the_follow_up_and_resolve_closes_it(ctx, users):
    agent = person(users, "agent")
    draft_id = approved_draft(ctx, users)
    complaint_id = db.session.get(Draft, draft_id).complaint_id
    refused_resolve = pytest.raises(workflow.Refused)
    with refused_resolve as problem:
        workflow.resolve(db.session, db.session.get(Complaint, complaint_id), actor=agent, now=T0)
    assert problem.value.code == "needs_reply"
    friday = T0 + timedelta(days=4)  # T0 is a Monday; the reply goes out on Friday
    act(draft_id, Action.PUBLISH, agent, friday)
    follow_up = db.session.scalars(db.select(FollowUp)).one()
    assert follow_up.due_at == friday + timedelta(days=4)  # two working days: Tuesday
    complaint = db.session.get(Complaint, complaint_id)
    assert complaint.status.value == "replied"
    assert complaint.first_replied_at == friday
    workflow.resolve(db.session, complaint, actor=agent, now=friday, note="Parcel arrived.")
    db.session.commit()
    assert complaint.status.value == "resolved"
    assert db.session.get(FollowUp, follow_up.id).done_at == friday


def test_submission_asks_the_reviewers_and_the_signers(ctx, users):
    draft_id = start(ctx, users, LEGAL)
    act(draft_id, Action.SUBMIT, person(users, "agent"))
    kinds = {(n.user_id, n.kind, n.link) for n in db.session.scalars(db.select(Notification)).all()}
    assert (users["reviewer"].id, "review_requested", f"/drafts/{draft_id}/review") in kinds
    assert (users["signoff"].id, "signoff_requested", f"/drafts/{draft_id}/sign-off") in kinds
    assert all(user_id != users["agent"].id for user_id, _, _ in kinds)


# The policy


def test_cooling_off_length_follows_the_policy(ctx, users):
    draft_id = start(ctx, users)
    complaint = db.session.get(Draft, draft_id).complaint
    cooling = CoolingOffPolicy(
        base_seconds=300, hot_extra_seconds=900, warn_extra_seconds=60, floor_seconds=120
    )
    assert cooling.length(complaint, []) == timedelta(seconds=300)
    complaint.heat_label = "high"
    assert cooling.length(complaint, [{"severity": "warn"}]) == timedelta(seconds=1260)
    half = CoolingOffPolicy(base_seconds=600, edit_restart_percent=50, floor_seconds=120)
    complaint.heat_label = "low"
    assert half.after_edit(complaint, []) == timedelta(seconds=300)
    tiny = CoolingOffPolicy(base_seconds=0, edit_restart_percent=0, floor_seconds=120)
    assert tiny.after_edit(complaint, []) == timedelta(seconds=120)  # the floor holds


def test_the_policy_refuses_switching_cooling_off_off():
    with pytest.raises(workflow_policy.WorkflowPolicyError) as problem:
        workflow_policy.clean(
            {
                "cooling_off.floor_seconds": "10",
                "cooling_off.base_seconds": "ten",
                "cooling_off.edit_restart_percent": "150",
                "signoff.flag.media": "marketing",
                "publisher.x": "carrier pigeon",
            },
            WorkflowPolicy(),
        )
    assert set(problem.value.fields) == {
        "cooling_off.floor_seconds",
        "cooling_off.base_seconds",
        "cooling_off.edit_restart_percent",
        "signoff.flag.media",
        "publisher.x",
    }


def test_who_signs_off_what_is_policy(ctx, users):
    draft_id = start(ctx, users, LEGAL)
    complaint = db.session.get(Draft, draft_id).complaint
    relaxed = workflow_policy.clean(
        {"signoff.flag.legal_threat": "none", "signoff.flag.billing": "pr"}, WorkflowPolicy()
    )
    assert {"legal_threat", "billing"} <= set(complaint.flags)
    assert relaxed.signoff_reasons(complaint, []) == [
        {"kind": "flag", "value": "billing", "group": "pr"}
    ]
    assert {"kind": "finding", "value": "legal_risk", "group": "legal"} in relaxed.signoff_reasons(
        complaint, [{"code": "legal_risk"}]
    )
    admin = person(users, "admin")
    workflow_policy.save(db.session, relaxed, defaults=WorkflowPolicy(), actor=admin, now=T0)
    db.session.commit()
    assert (
        workflow_policy.load(db.session, WorkflowPolicy()).signoff_flags["legal_threat"] == "none"
    )


def test_the_target_warning_says_when_cooling_off_would_make_the_reply_late(ctx, users):
    draft_id = start(ctx, users)
    complaint = db.session.get(Draft, draft_id).complaint  # on X: due an hour after it came
    slow = WorkflowPolicy(cooling_off=CoolingOffPolicy(base_seconds=3000, floor_seconds=120))
    due = complaint.response_due_at
    assert (
        workflow_policy.target_warning(complaint, [], now=due - timedelta(hours=1), policy=slow)
        is None
    )
    warning = workflow_policy.target_warning(
        complaint, [], now=due - timedelta(minutes=20), policy=slow
    )
    assert warning is not None
    assert warning.message.startswith(
        "Submitted now, cooling-off would end 30 minutes after the response target."
    )
    # A cooling-off running 1266 minutes past the target reads in hours.
    running = workflow_policy.target_warning(
        complaint,
        [],
        now=due - timedelta(minutes=1),
        policy=slow,
        cooling_off_until=due + timedelta(minutes=1266),
    )
    assert running.message.startswith("Cooling-off ends 21 hours after the response target.")
    # Only while true: not once cooling-off is over, not once the reply is overdue anyway.
    late = due + timedelta(minutes=1266)
    for now, until in ((late + timedelta(seconds=1), late), (due, late)):
        assert (
            workflow_policy.target_warning(
                complaint, [], now=now, policy=slow, cooling_off_until=until
            )
            is None
        )


def test_response_targets_change_per_channel_and_are_audited(ctx, users):
    admin = person(users, "admin")
    with pytest.raises(workflow_policy.WorkflowPolicyError) as problem:
        workflow_policy.set_response_targets(
            db.session, {"x": "5", "fax": "3600"}, actor=admin, now=T0
        )
    assert set(problem.value.fields) == {"target.x", "target.fax"}
    changed = workflow_policy.set_response_targets(
        db.session, {"x": "1800", "email": "86400"}, actor=admin, now=T0
    )
    assert changed == {"x": 1800}
    from app.audit.models import AuditEvent

    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "settings.response_targets_updated")
    ).one()
    assert event.details == {
        "changed": {"x": 1800},
        "before": {"x": 3600},
        "changes": ["Response target on X (Twitter): 1 hour → 30 minutes"],
    }
