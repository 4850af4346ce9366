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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.accounts.models import Role, User
from app.accounts.permissions import Permission, can
from app.audit import log as audit
from app.complaints.models import Complaint
from app.drafts.guards import tone_refusal
from app.drafts.models import (
    Draft,
    DraftState,
    Review,
    ReviewDecision,
    Revision,
    SignOff,
    SignOffGroup,
)
from app.tone.catalogue import WARN


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

#: Flags that need legal's or PR's sign-off, and whose.
SIGNOFF_FLAGS = {
    "legal_threat": SignOffGroup.LEGAL,
    "personal_data": SignOffGroup.LEGAL,
    "discrimination": SignOffGroup.LEGAL,
    "safety": SignOffGroup.LEGAL,
    "billing": SignOffGroup.LEGAL,
    "media": SignOffGroup.PR,
    "harassment": SignOffGroup.PR,
}
#: Tone findings on the text that need sign-off whatever the complaint.
SIGNOFF_FINDINGS = {"legal_risk": SignOffGroup.LEGAL, "private_data": SignOffGroup.LEGAL}


class Refused(Exception):
    """A transition a guard refuses: `code` names the guard, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class CoolingOffPolicy:
    """How long a submitted draft cools before it may go out (PRODUCT.md)."""

    base_seconds: int = 600
    #: Added when the complaint is hot (heat label "high").
    hot_extra_seconds: int = 600
    #: Added when the draft's tone checks warn.
    warn_extra_seconds: int = 300
    #: Never shorter than this, whatever the other settings.
    floor_seconds: int = 120

    def length(self, complaint: Complaint, findings: list[dict[str, Any]]) -> timedelta:
        seconds = self.base_seconds
        if complaint.heat_label == "high":
            seconds += self.hot_extra_seconds
        if any(finding.get("severity") == WARN for finding in findings):
            seconds += self.warn_extra_seconds
        return timedelta(seconds=max(seconds, self.floor_seconds))


def signoff_reasons(complaint: Complaint, findings: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Why this reply needs sign-off, and by whom: [{"kind", "value", "group"}]."""
    reasons = [
        {"kind": "flag", "value": flag, "group": SIGNOFF_FLAGS[flag].value}
        for flag in complaint.flags or ()
        if flag in SIGNOFF_FLAGS
    ]
    for code in sorted({finding["code"] for finding in findings} & set(SIGNOFF_FINDINGS)):
        reasons.append({"kind": "finding", "value": code, "group": SIGNOFF_FINDINGS[code].value})
    return reasons


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
    """Every reason a publish would be refused right now (empty when it may go out)."""
    if draft.state != DraftState.APPROVED:
        return [Refused("needs_approval", "A colleague must approve the current revision.")]
    revision = current_revision(session, draft)
    refusals = []
    if draft.cooling_off_until is not None and now < draft.cooling_off_until:
        minutes = max(1, int((draft.cooling_off_until - now).total_seconds() // 60))
        refusals.append(
            Refused("cooling_off", f"Still cooling off: about {minutes} more minute(s).")
        )
    approvals = [
        review
        for review in _live(session, Review, revision)
        if review.decision == ReviewDecision.APPROVED and review.reviewer_id != draft.author_id
    ]
    if not approvals:
        refusals.append(Refused("needs_approval", "A colleague must approve this revision."))
    if draft.requires_signoff:
        signed = {
            signoff.group.value for signoff in _live(session, SignOff, revision) if signoff.approved
        }
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


def _guard(
    session: Session,
    draft: Draft,
    action: Action,
    *,
    actor: User,
    revision: Revision,
    now: datetime,
    group: SignOffGroup | None,
) -> None:
    """Raise Refused when a guard says no."""
    if action in (Action.APPROVE, Action.REQUEST_CHANGES) and actor.id == draft.author_id:
        raise Refused("self_approval", "You wrote this draft; a colleague must review it.")
    by_other = actor.id != draft.author_id and Role.ADMIN not in actor.roles
    if action in (Action.SUBMIT, Action.WITHDRAW, Action.PUBLISH) and by_other:
        raise Refused("forbidden", "Only the draft's author (or an admin) may do that.")
    if action == Action.SUBMIT:
        refusal = tone_refusal(revision.findings)
        if refusal:
            raise Refused("blocking_findings", refusal)
    if action == Action.APPROVE:
        signers = {s.signer_id for s in _live(session, SignOff, revision)}
        if actor.id in signers:
            raise Refused("self_approval", "You signed this revision off; someone else approves.")
    if action == Action.SIGN_OFF:
        if actor.id == draft.author_id:
            raise Refused("self_approval", "You wrote this draft; someone else signs it off.")
        reviewers = {r.reviewer_id for r in _live(session, Review, revision)}
        if actor.id in reviewers:
            raise Refused("self_approval", "You reviewed this revision; someone else signs off.")
        needed = {reason["group"] for reason in draft.signoff_reasons}
        if group is None or group.value not in needed:
            raise Refused(
                "signoff_not_needed",
                "This draft needs no sign-off by that group."
                if needed
                else "This draft needs no sign-off.",
            )
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
    policy: CoolingOffPolicy | None = None,
    comment: str = "",
    approved: bool = True,
    group: SignOffGroup | None = None,
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
    revision = current_revision(session, draft)
    _guard(session, draft, action, actor=actor, revision=revision, now=now, group=group)

    before = draft.state
    details: dict[str, Any] = {}
    if action == Action.SUBMIT:
        details = _start_cooling_off(draft, now=now, findings=revision.findings, policy=policy)
    elif action in (Action.APPROVE, Action.REQUEST_CHANGES):
        decision = (
            ReviewDecision.APPROVED
            if action == Action.APPROVE
            else ReviewDecision.CHANGES_REQUESTED
        )
        session.add(
            Review(
                draft_id=draft.id,
                revision_id=revision.id,
                reviewer_id=actor.id,
                decision=decision,
                comment=comment,
                created_at=now,
            )
        )
        details = {"comment": comment} if comment else {}
    elif action == Action.SIGN_OFF:
        session.add(
            SignOff(
                draft_id=draft.id,
                revision_id=revision.id,
                signer_id=actor.id,
                group=group,
                approved=approved,
                comment=comment,
                created_at=now,
            )
        )
        details = {"group": group.value, "approved": approved}
    elif action == Action.PUBLISH:
        draft.published_at = now
    draft.state = moves[before]
    draft.updated_at = now
    try:
        session.flush()
    except StaleDataError as error:
        raise Refused(
            "stale_revision", "Someone acted on this draft at the same moment; read it again."
        ) from error
    record(
        session,
        draft,
        f"draft.{action.value}",
        actor=actor,
        now=now,
        before=before,
        details=details,
    )
    return draft


def restart_after_edit(
    session: Session,
    draft: Draft,
    *,
    now: datetime,
    findings: list[dict[str, Any]],
    policy: CoolingOffPolicy | None = None,
) -> dict[str, Any]:
    """After an edit: void the approvals and sign-offs of earlier revisions; a submitted
    draft goes back to cooling off, from now. Returns what changed, for the audit entry."""
    voided_reviews = session.execute(
        update(Review)
        .where(Review.draft_id == draft.id, Review.voided_at.is_(None))
        .values(voided_at=now)
    ).rowcount
    voided_signoffs = session.execute(
        update(SignOff)
        .where(SignOff.draft_id == draft.id, SignOff.voided_at.is_(None))
        .values(voided_at=now)
    ).rowcount
    changes: dict[str, Any] = {"voided_reviews": voided_reviews, "voided_signoffs": voided_signoffs}
    if draft.state in (DraftState.COOLING_OFF, DraftState.APPROVED):
        draft.state = DraftState.COOLING_OFF
        changes.update(_start_cooling_off(draft, now=now, findings=findings, policy=policy))
    return changes


def _start_cooling_off(
    draft: Draft, *, now: datetime, findings: list[dict[str, Any]], policy: CoolingOffPolicy | None
) -> dict[str, Any]:
    """Cooling-off from `now` for this text, and whether it needs sign-off and why."""
    policy = policy or CoolingOffPolicy()
    draft.cooling_off_until = now + policy.length(draft.complaint, findings)
    reasons = signoff_reasons(draft.complaint, findings)
    draft.requires_signoff = bool(reasons)
    draft.signoff_reasons = reasons
    return {"cooling_off_until": draft.cooling_off_until.isoformat(), "signoff": reasons}
