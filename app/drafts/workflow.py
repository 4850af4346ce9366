"""The reply workflow (PRODUCT.md "Draft states"): submit, review, sign off, withdraw,
publish. No Flask: the views and the API call `transition()`, which checks the move and
every guard, changes the state and writes the audit entry in the caller's transaction.

    draft ──submit──▶ cooling_off ──approve──▶ approved ──publish──▶ published
      ▲                   │   ▲                   │
      └─ changes_requested ◀──┘ (request changes) ┘      any open state ──withdraw──▶ withdrawn

Cooling-off only delays publishing: review and sign-off happen while it runs. An edit (in
`operations.edit_parts`) makes a new revision, voids earlier approvals and sign-offs and
restarts cooling-off (`restart_after_edit`).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app.accounts.models import Role, User
from app.accounts.permissions import Permission, can
from app.audit import log as audit
from app.complaints.models import Complaint, ComplaintStatus
from app.core.clock import add_working_days
from app.drafts.guards import tone_refusal
from app.drafts.models import (
    Draft,
    DraftState,
    FollowUp,
    Publication,
    Review,
    ReviewDecision,
    Revision,
    SignOff,
)
from app.drafts.policy import TargetWarning, WorkflowPolicy, target_warning
from app.notifications import notify
from app.publishing import outbox


class Action(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    SIGN_OFF = "sign_off"
    WITHDRAW = "withdraw"
    PUBLISH = "publish"


OPEN = (DraftState.DRAFT, DraftState.COOLING_OFF, DraftState.CHANGES_REQUESTED, DraftState.APPROVED)

#: The allowed moves: action -> {from state: to state}. Sign-off records a decision and
#: leaves the state as it is.
TRANSITIONS: dict[Action, dict[DraftState, DraftState]] = {
    Action.SUBMIT: {
        DraftState.DRAFT: DraftState.COOLING_OFF,
        DraftState.CHANGES_REQUESTED: DraftState.COOLING_OFF,
    },
    Action.APPROVE: {DraftState.COOLING_OFF: DraftState.APPROVED},
    Action.REQUEST_CHANGES: {
        DraftState.COOLING_OFF: DraftState.CHANGES_REQUESTED,
        DraftState.APPROVED: DraftState.CHANGES_REQUESTED,
    },
    Action.SIGN_OFF: {
        DraftState.COOLING_OFF: DraftState.COOLING_OFF,
        DraftState.APPROVED: DraftState.APPROVED,
    },
    Action.WITHDRAW: {state: DraftState.WITHDRAWN for state in OPEN},
    Action.PUBLISH: {DraftState.APPROVED: DraftState.PUBLISHED},
}

#: "cannot be …" in refusals.
DONE = {
    Action.SUBMIT: "submitted",
    Action.APPROVE: "approved",
    Action.REQUEST_CHANGES: "sent back for changes",
    Action.SIGN_OFF: "signed off",
    Action.WITHDRAW: "withdrawn",
    Action.PUBLISH: "published",
}

#: Who may take each action (roles are checked on every transition).
ACTION_PERMISSIONS = {
    Action.SUBMIT: Permission.DRAFT_REPLIES,
    Action.APPROVE: Permission.REVIEW_DRAFTS,
    Action.REQUEST_CHANGES: Permission.REVIEW_DRAFTS,
    Action.SIGN_OFF: Permission.SIGN_OFF_DRAFTS,
    Action.WITHDRAW: Permission.DRAFT_REPLIES,
    Action.PUBLISH: Permission.DRAFT_REPLIES,
}


class Refused(Exception):
    """A transition a guard refuses: `code` names the guard, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def current_revision(session: Session, draft: Draft) -> Revision:
    """The revision the draft stands at: the only one approvals and sign-offs count for."""
    revision = session.scalar(
        select(Revision).where(
            Revision.draft_id == draft.id, Revision.number == draft.current_revision
        )
    )
    assert revision is not None
    return revision


def _live(session: Session, decision: type[Review] | type[SignOff], revision: Revision) -> list:
    """The reviews or sign-offs given on this revision and not voided by a later edit."""
    return list(
        session.scalars(
            select(decision).where(
                decision.revision_id == revision.id, decision.voided_at.is_(None)
            )
        )
    )


def publish_refusals(session: Session, draft: Draft, *, now: datetime) -> list[Refused]:
    """Every reason a publish would be refused right now, most basic first (empty when the
    draft may go out). Publishing raises the first."""
    if draft.state not in OPEN:
        return [Refused("invalid_state", f"A draft that is {draft.state.value} cannot go out.")]
    revision = current_revision(session, draft)
    return _refusals(draft, revision, _hands(session, draft, revision), now=now)


def contributors(session: Session, draft: Draft, revision: Revision) -> frozenset[int]:
    """Everyone who wrote words of this revision: the draft's author and the author of
    every revision up to it (each revision is an edit of the one before). None of them
    approves or signs it off (GitLab's "prevent approvals by users who add commits")."""
    authors = session.scalars(
        select(Revision.author_id).where(
            Revision.draft_id == draft.id, Revision.number <= revision.number
        )
    )
    return frozenset({draft.author_id, *authors})


@dataclass(frozen=True)
class Hands:
    """Who has had a hand in the current revision: what the guards on people read."""

    contributors: frozenset[int]
    reviews: tuple[Review, ...]  #: live reviews of the revision
    signoffs: tuple[SignOff, ...]  #: live sign-offs of the revision

    @property
    def reviewers(self) -> frozenset[int]:
        return frozenset(review.reviewer_id for review in self.reviews)

    @property
    def signers(self) -> frozenset[int]:
        return frozenset(signoff.signer_id for signoff in self.signoffs)

    def approvals(self) -> list[Review]:
        """Approvals that count: by someone who wrote none of the words and did not also
        sign the revision off."""
        return [
            review
            for review in self.reviews
            if review.decision == ReviewDecision.APPROVED
            and review.reviewer_id not in self.contributors
            and review.reviewer_id not in self.signers
        ]

    def signed_groups(self) -> set[str]:
        """The groups that have signed this revision off: each by a member who wrote none
        of it and did not review it, one group per person. A refusal stands until an edit
        voids it: another signer of the same group cannot sign over a colleague's "no"."""
        refused = {signoff.group for signoff in self.signoffs if not signoff.approved}
        counted: dict[str, int] = {}
        for signoff in self.signoffs:
            if (
                signoff.approved
                and signoff.signer_id not in self.contributors
                and signoff.signer_id not in self.reviewers
                and signoff.group in signoff.signer.groups
                and signoff.signer_id not in counted.values()
            ):
                counted.setdefault(signoff.group, signoff.signer_id)
        return set(counted) - refused


def _hands(session: Session, draft: Draft, revision: Revision) -> Hands:
    return Hands(
        contributors=contributors(session, draft, revision),
        reviews=tuple(_live(session, Review, revision)),
        signoffs=tuple(_live(session, SignOff, revision)),
    )


def _refusals(draft: Draft, revision: Revision, hands: Hands, *, now: datetime) -> list[Refused]:
    """publish_refusals() on the live decisions of the current revision, already read."""
    refusals = []
    if draft.state in (DraftState.DRAFT, DraftState.CHANGES_REQUESTED):
        refusals.append(Refused("not_submitted", "Submit the draft first: it must cool off."))
    elif draft.cooling_off_until is not None and now < draft.cooling_off_until:
        minutes = max(1, math.ceil((draft.cooling_off_until - now).total_seconds() / 60))
        refusals.append(
            Refused("cooling_off", f"Still cooling off: about {minutes} more minute(s).")
        )
    if draft.state != DraftState.APPROVED or not hands.approvals():
        by_writers = any(
            review.decision == ReviewDecision.APPROVED and review.reviewer_id in hands.contributors
            for review in hands.reviews
        )
        refusals.append(
            Refused(
                "needs_approval",
                "An approval counts only from someone who wrote none of this revision; "
                "a colleague must approve it."
                if by_writers
                else "A colleague must approve this revision.",
            )
        )
    if draft.requires_signoff:
        signed = hands.signed_groups()
        missing = sorted({reason["group"] for reason in draft.signoff_reasons} - signed)
        if missing:
            refusals.append(Refused("needs_signoff", f"Needs sign-off by {' and '.join(missing)}."))
    refusal = tone_refusal(revision.findings)
    if refusal:
        refusals.append(Refused("blocking_findings", refusal))
    return refusals


def record(
    session: Session,
    draft: Draft,
    action: str,
    *,
    actor: User,
    now: datetime,
    before: DraftState | None,
    details: dict[str, Any],
) -> None:
    """The audit entry for something done to a draft: who, what, states, revision."""
    audit.record(
        session,
        action=action,
        entity_type="draft",
        entity_id=draft.id,
        complaint_id=draft.complaint_id,
        draft_id=draft.id,
        actor_id=actor.id,
        now=now,
        from_state=before.value if before else None,
        to_state=draft.state.value,
        revision=draft.current_revision,
        details=details,
    )


def _role_refusal(actor: User, action: Action) -> Refused | None:
    if not can(actor, ACTION_PERMISSIONS[action]):
        return Refused("forbidden", f"Your role cannot {action.value.replace('_', ' ')}.")
    return None


def person_refusal(
    actor: User,
    action: Action,
    draft: Draft,
    hands: Hands,
    *,
    group: str | None,
) -> Refused | None:
    """Why `actor` may not take `action` on the current revision because of who they are
    (its writer, its reviewer, its signer, not in the group), or None. The one place these
    guards are written: `transition()` refuses with it and `DraftStatus.allowed()` offers
    buttons with it."""
    deciding = action in (Action.APPROVE, Action.REQUEST_CHANGES, Action.SIGN_OFF)
    if deciding and actor.id in hands.contributors:
        if actor.id == draft.author_id:
            if action == Action.SIGN_OFF:
                return Refused("self_approval", "You wrote this draft; someone else signs it off.")
            return Refused("self_approval", "You wrote this draft; a colleague must review it.")
        return Refused(
            "self_approval",
            "You wrote words of this revision; someone who did not must review or sign it.",
        )
    by_other = actor.id != draft.author_id and Role.ADMIN not in actor.roles
    if action in (Action.SUBMIT, Action.WITHDRAW, Action.PUBLISH) and by_other:
        return Refused("forbidden", "Only the draft's author (or an admin) may do that.")
    if action == Action.APPROVE and actor.id in hands.signers:
        return Refused("self_approval", "You signed this revision off; someone else approves.")
    if action == Action.SIGN_OFF:
        if actor.id in hands.reviewers:
            return Refused("self_approval", "You reviewed this revision; someone else signs off.")
        needed = {reason["group"] for reason in draft.signoff_reasons}
        if group is None or group not in needed:
            return Refused(
                "signoff_not_needed",
                "This draft needs no sign-off by that group."
                if needed
                else "This draft needs no sign-off.",
            )
        if group not in actor.groups:
            return Refused(
                "not_a_member", f"You are not in the {group} group, so you cannot sign for it."
            )
        if actor.id in hands.signers:
            return Refused(
                "one_group_each",
                "You already signed this revision off; each group needs a different person.",
            )
    return None


def _guard(
    session: Session,
    draft: Draft,
    action: Action,
    *,
    actor: User,
    revision: Revision,
    now: datetime,
    group: str | None,
) -> None:
    """Raise Refused when a guard says no."""
    refusal = person_refusal(actor, action, draft, _hands(session, draft, revision), group=group)
    if refusal:
        raise refusal
    if action == Action.SUBMIT:
        tone = tone_refusal(revision.findings)
        if tone:
            raise Refused("blocking_findings", tone)
    if action == Action.PUBLISH:
        refusals = publish_refusals(session, draft, now=now)
        if refusals:
            raise refusals[0]


def transition(
    session: Session,
    draft: Draft,
    action: Action,
    *,
    actor: User,
    now: datetime,
    revision_number: int,
    policy: WorkflowPolicy | None = None,
    comment: str = "",
    approved: bool = True,
    group: str | None = None,
    anchor_start: int | None = None,
    anchor_end: int | None = None,
) -> Draft:
    """Take `action` on the draft as `actor`, or raise Refused naming the guard.

    `revision_number` is the revision the actor saw: acting on an older one is refused
    (`stale_revision`), so nobody approves words they did not read. The caller commits;
    a concurrent change to the same draft surfaces as Refused("stale_revision") too.
    """
    refusal = _role_refusal(actor, action)
    if refusal:
        raise refusal
    if revision_number != draft.current_revision:
        raise Refused(
            "stale_revision",
            f"The draft changed (now revision {draft.current_revision}); read it again.",
        )
    moves = TRANSITIONS[action]
    if action == Action.PUBLISH and draft.state in OPEN and draft.state not in moves:
        raise publish_refusals(session, draft, now=now)[0]  # say which guard, not "state"
    if draft.state not in moves:
        raise Refused(
            "invalid_state",
            f"A draft that is {draft.state.value.replace('_', ' ')} cannot be {DONE[action]}.",
        )
    comment = (comment or "").strip()
    if action == Action.REQUEST_CHANGES and not comment:
        raise Refused("comment_required", "Say what should change.")
    if action == Action.SIGN_OFF and not approved and not comment:
        raise Refused("comment_required", "Say why you refuse to sign it off.")
    revision = current_revision(session, draft)
    _guard(session, draft, action, actor=actor, revision=revision, now=now, group=group)

    policy = policy or WorkflowPolicy()
    before = draft.state
    details: dict[str, Any] = {}
    if action == Action.SUBMIT:
        details = _start_cooling_off(
            draft, now=now, findings=revision.findings, policy=policy, length=None
        )
    elif action in (Action.APPROVE, Action.REQUEST_CHANGES):
        decision = (
            ReviewDecision.APPROVED
            if action == Action.APPROVE
            else ReviewDecision.CHANGES_REQUESTED
        )
        anchor = _anchor(revision, anchor_start, anchor_end)
        session.add(
            Review(
                draft_id=draft.id,
                revision_id=revision.id,
                reviewer_id=actor.id,
                decision=decision,
                comment=comment,
                anchor_start=anchor[0] if anchor else None,
                anchor_end=anchor[1] if anchor else None,
                created_at=now,
            )
        )
        details = {"comment": comment} if comment else {}
        if anchor:
            details["anchor"] = {"start": anchor[0], "end": anchor[1], "text": anchor[2]}
    elif action == Action.SIGN_OFF:
        session.add(
            SignOff(
                draft_id=draft.id,
                revision_id=revision.id,
                signer_id=actor.id,
                group=str(group),
                approved=approved,
                comment=comment,
                created_at=now,
            )
        )
        details = {"group": str(group), "approved": approved}
        if comment:
            details["comment"] = comment
    elif action == Action.PUBLISH:
        draft.published_at = now
    draft.state = moves[before]
    draft.updated_at = now
    # Always an UPDATE, so always the version check, even for a sign-off that leaves the
    # state (and, at the same instant, the time) as it was: it binds the decision to the
    # revision read.
    flag_modified(draft, "updated_at")
    try:
        session.flush()
    except StaleDataError as error:
        raise Refused(
            "stale_revision", "Someone acted on this draft at the same moment; read it again."
        ) from error
    if action == Action.PUBLISH:
        details = _after_publish(session, draft, revision, actor=actor, now=now, policy=policy)
    record(
        session,
        draft,
        f"draft.{action.value}",
        actor=actor,
        now=now,
        before=before,
        details=details,
    )
    _notify(session, draft, action, actor=actor, now=now, comment=comment, approved=approved)
    return draft


def _anchor(revision: Revision, start: int | None, end: int | None) -> tuple[int, int, str] | None:
    """The passage a comment is about, checked against the revision's text."""
    if start is None and end is None:
        return None
    if start is None or end is None or not 0 <= start < end <= len(revision.text):
        raise Refused(
            "invalid_anchor", "The marked passage is not in this revision's text; mark it again."
        )
    return start, end, revision.text[start:end]


def _after_publish(
    session: Session,
    draft: Draft,
    revision: Revision,
    *,
    actor: User,
    now: datetime,
    policy: WorkflowPolicy,
) -> dict[str, Any]:
    """The outbox row, the complaint's new status and the follow-up, in the same
    transaction as the state change."""
    adapter = policy.publisher(draft.channel_key)
    publication = outbox.enqueue(session, draft, revision, adapter=adapter, actor=actor, now=now)
    complaint = draft.complaint
    if complaint.status in (ComplaintStatus.NEW, ComplaintStatus.IN_PROGRESS):
        complaint.status = ComplaintStatus.REPLIED
    complaint.first_replied_at = complaint.first_replied_at or now
    follow_up = None
    if draft.follows_draft_id is None:
        follow_up = FollowUp(
            complaint_id=complaint.id,
            draft_id=draft.id,
            due_at=add_working_days(now, max(policy.follow_up_days, 1)),
            created_at=now,
        )
        session.add(follow_up)
    session.flush()
    return {
        "adapter": adapter,
        "publication_id": publication.id,
        "idempotency_key": publication.idempotency_key,
        **({"follow_up_due": follow_up.due_at.isoformat()} if follow_up else {}),
    }


#: What the author hears when a colleague acts ("Riya approved draft #3").
_DECIDED = {
    Action.APPROVE: "approved",
    Action.REQUEST_CHANGES: "asked for changes to",
}


def _notify(
    session: Session,
    draft: Draft,
    action: Action,
    *,
    actor: User,
    now: datetime,
    comment: str,
    approved: bool,
) -> None:
    if action == Action.SUBMIT:
        notify.submitted(session, draft, actor=actor, now=now)
    elif action in _DECIDED:
        notify.decided(session, draft, actor=actor, what=_DECIDED[action], now=now, comment=comment)
    elif action == Action.SIGN_OFF:
        what = "signed off" if approved else "refused sign-off on"
        notify.decided(session, draft, actor=actor, what=what, now=now, comment=comment)


def resolve(
    session: Session, complaint: Complaint, *, actor: User, now: datetime, note: str = ""
) -> Complaint:
    """Mark a complaint resolved once a reply is out: open follow-ups are done with it."""
    if not can(actor, Permission.DRAFT_REPLIES):
        raise Refused("forbidden", "Your role cannot resolve complaints.")
    if complaint.status == ComplaintStatus.RESOLVED:
        raise Refused("invalid_state", "This complaint is already resolved.")
    if complaint.status != ComplaintStatus.REPLIED:
        raise Refused(
            "needs_reply", "Publish a reply first: every complaint gets an answer before it closes."
        )
    before = complaint.status
    complaint.status = ComplaintStatus.RESOLVED
    complaint.resolved_at = now
    note = (note or "").strip()[:2000]
    for follow_up in session.scalars(
        select(FollowUp).where(FollowUp.complaint_id == complaint.id, FollowUp.done_at.is_(None))
    ):
        follow_up.done_at, follow_up.done_by_id = now, actor.id
        follow_up.note = follow_up.note or "Resolved."
    session.flush()
    audit.record(
        session,
        action="complaint.resolved",
        entity_type="complaint",
        entity_id=complaint.id,
        complaint_id=complaint.id,
        actor_id=actor.id,
        now=now,
        from_state=before.value,
        to_state=complaint.status.value,
        details={"note": note} if note else {},
    )
    return complaint


def complete_follow_up(
    session: Session, follow_up: FollowUp, *, actor: User, now: datetime, note: str = ""
) -> FollowUp:
    """The agent checked back with the customer."""
    if not can(actor, Permission.DRAFT_REPLIES):
        raise Refused("forbidden", "Your role cannot record follow-ups.")
    if follow_up.done_at is not None:
        raise Refused("invalid_state", "This follow-up is already done.")
    follow_up.done_at, follow_up.done_by_id = now, actor.id
    follow_up.note = (note or "").strip()[:2000]
    session.flush()
    audit.record(
        session,
        action="follow_up.done",
        entity_type="follow_up",
        entity_id=follow_up.id,
        complaint_id=follow_up.complaint_id,
        draft_id=follow_up.draft_id,
        actor_id=actor.id,
        now=now,
        details={"note": follow_up.note} if follow_up.note else {},
    )
    return follow_up


def publish(
    session: Session,
    draft: Draft,
    *,
    actor: User,
    now: datetime,
    revision_number: int,
    policy: WorkflowPolicy | None = None,
) -> tuple[Publication, bool]:
    """Publish, idempotently: (the publication, whether this call made it).

    A second click, or a second server acting at the same moment, gets the one publication
    back instead of an error; every other refusal is raised as usual. The move runs in a
    savepoint: when a concurrent publish wins, only this call's own part is undone (the
    caller's transaction stays as it was) and the winner's publication returned.
    """
    if draft.state == DraftState.PUBLISHED:
        existing = outbox.publication_for(session, draft)
        if existing is not None:
            return existing, False
    draft_id = draft.id
    try:
        with session.begin_nested():
            transition(
                session,
                draft,
                Action.PUBLISH,
                actor=actor,
                now=now,
                revision_number=revision_number,
                policy=policy,
            )
    except Refused as refusal:
        if refusal.code != "stale_revision":
            raise
        draft = session.get(Draft, draft_id, populate_existing=True)
        existing = outbox.publication_for(session, draft) if draft else None
        if existing is None:
            raise
        return existing, False
    return outbox.publication_for(session, draft), True


def restart_after_edit(
    session: Session,
    draft: Draft,
    *,
    actor: User,
    now: datetime,
    findings: list[dict[str, Any]],
    policy: WorkflowPolicy | None = None,
) -> dict[str, Any]:
    """After an edit: void the approvals and sign-offs of earlier revisions (whoever gave
    them is asked to read again); a submitted draft goes back to cooling off, from now, for
    the policy's share of the full time. Returns what changed, for the audit entry."""
    policy = policy or WorkflowPolicy()
    live_reviews = list(
        session.scalars(
            select(Review).where(Review.draft_id == draft.id, Review.voided_at.is_(None))
        )
    )
    voided_signoffs = session.execute(
        update(SignOff)
        .where(SignOff.draft_id == draft.id, SignOff.voided_at.is_(None))
        .values(voided_at=now)
    ).rowcount
    for review in live_reviews:
        review.voided_at = now
    changes: dict[str, Any] = {
        "voided_reviews": len(live_reviews),
        "voided_signoffs": voided_signoffs,
    }
    if draft.state in (DraftState.COOLING_OFF, DraftState.APPROVED):
        draft.state = DraftState.COOLING_OFF
        length = policy.cooling_off.after_edit(draft.complaint, findings)
        changes.update(
            _start_cooling_off(draft, now=now, findings=findings, policy=policy, length=length)
        )
    approvers = [review.reviewer for review in live_reviews]
    if approvers:
        notify.approvals_voided(session, draft, approvers, actor=actor, now=now)
    if draft.state == DraftState.COOLING_OFF and draft.requires_signoff and voided_signoffs:
        notify.signoff_needed(session, draft, actor=actor, now=now)
    return changes


def _start_cooling_off(
    draft: Draft,
    *,
    now: datetime,
    findings: list[dict[str, Any]],
    policy: WorkflowPolicy,
    length: timedelta | None,
) -> dict[str, Any]:
    """Cooling-off from `now` for this text, and whether it needs sign-off and why."""
    length = length or policy.cooling_off.length(draft.complaint, findings)
    draft.cooling_off_until = now + length
    reasons = policy.signoff_reasons(draft.complaint, findings)
    draft.requires_signoff = bool(reasons)
    draft.signoff_reasons = reasons
    return {"cooling_off_until": draft.cooling_off_until.isoformat(), "signoff": reasons}


@dataclass(frozen=True)
class DraftStatus:
    """Where a draft stands, as the editor, the queues and the API show it."""

    draft: Draft
    revision: Revision
    hands: Hands  #: who wrote, reviewed and signed the current revision (live decisions)
    earlier_reviews: list[Review]  #: voided by an edit, or on earlier revisions
    publish_refusals: list[Refused]
    #: Why sign-off is needed ([{"kind", "value", "group"}]); before submission, what the
    #: policy would say of the text as it stands.
    signoff_reasons: list[dict[str, str]]
    missing_signoff: list[str]  #: groups still to sign off the current revision
    target_warning: TargetWarning | None
    publication: Publication | None

    @property
    def reviews(self) -> list[Review]:
        return list(self.hands.reviews)

    @property
    def signoffs(self) -> list[SignOff]:
        return list(self.hands.signoffs)

    @property
    def approvals(self) -> list[Review]:
        return [r for r in self.reviews if r.decision == ReviewDecision.APPROVED]

    def signable_groups(self, actor: User) -> list[str]:
        """The groups still to sign off that `actor` may sign for now."""
        return [
            group
            for group in self.missing_signoff
            if not person_refusal(actor, Action.SIGN_OFF, self.draft, self.hands, group=group)
        ]

    def refusal(self, actor: User, action: Action) -> Refused | None:
        """Why `actor` is not offered `action` now, or None when the button is offered (the
        transition still checks everything when it is pressed). Screens explain with it."""
        role = _role_refusal(actor, action)
        if role:
            return role
        if action == Action.SIGN_OFF and not self.missing_signoff:
            return Refused(
                "signoff_not_needed", "Nothing is waiting for sign-off on this revision."
            )
        if self.draft.state not in TRANSITIONS[action]:
            state = self.draft.state.value.replace("_", " ")
            return Refused("invalid_state", f"This draft is {state}; it is not waiting for that.")
        if action != Action.SIGN_OFF:
            return person_refusal(actor, action, self.draft, self.hands, group=None)
        refusals = [
            person_refusal(actor, action, self.draft, self.hands, group=group)
            for group in self.missing_signoff
        ]
        return None if None in refusals else refusals[0]

    def allowed(self, actor: User, action: Action) -> bool:
        """Whether to offer `actor` the button for `action` now."""
        return self.refusal(actor, action) is None


def status(session: Session, draft: Draft, *, now: datetime, policy: WorkflowPolicy) -> DraftStatus:
    revision = current_revision(session, draft)
    reviews = session.scalars(
        select(Review).where(Review.draft_id == draft.id).order_by(Review.created_at, Review.id)
    ).all()
    signoffs = session.scalars(
        select(SignOff).where(SignOff.draft_id == draft.id).order_by(SignOff.created_at)
    ).all()
    live_reviews = [r for r in reviews if r.voided_at is None and r.revision_id == revision.id]
    live_signoffs = [s for s in signoffs if s.voided_at is None and s.revision_id == revision.id]
    hands = Hands(
        contributors=contributors(session, draft, revision),
        reviews=tuple(live_reviews),
        signoffs=tuple(live_signoffs),
    )
    reasons = draft.signoff_reasons
    if draft.state in (DraftState.DRAFT, DraftState.CHANGES_REQUESTED):
        reasons = policy.signoff_reasons(draft.complaint, revision.findings)
    missing = sorted({reason["group"] for reason in reasons} - hands.signed_groups())
    if draft.state in (DraftState.DRAFT, DraftState.CHANGES_REQUESTED):
        warning = target_warning(draft.complaint, revision.findings, now=now, policy=policy)
    elif draft.state in (DraftState.COOLING_OFF, DraftState.APPROVED):
        warning = target_warning(
            draft.complaint,
            revision.findings,
            now=now,
            policy=policy,
            cooling_off_until=draft.cooling_off_until,
        )
    else:
        warning = None
    refusals = _refusals(draft, revision, hands, now=now) if draft.state in OPEN else []
    return DraftStatus(
        draft=draft,
        revision=revision,
        hands=hands,
        earlier_reviews=[r for r in reviews if r not in live_reviews],
        publish_refusals=refusals,
        signoff_reasons=reasons,
        missing_signoff=missing if draft.state in OPEN else [],
        target_warning=warning,
        publication=outbox.publication_for(session, draft),
    )
