"""The reply workflow (PRODUCT.md "Draft states"): submit, review, sign off, withdraw,
publish. No Flask: the views and the API call `transition()`, which checks the move and
every guard, changes the state and writes the audit entry in the caller's transaction.

    draft ──submit──▶ cooling_off ──approve──▶ approved ──publish──▶ published
      ▲                   │   ▲                   │
      └─ changes_requested ◀──┘ (request changes) ┘      any open state ──withdraw──▶ withdrawn

Cooling-off only delays publishing: review and sign-off happen while it runs. An edit (in
`operations.edit_parts`) makes a new revision, voids earlier approvals and sign-offs and,
once the draft is submitted, takes the `edit` move back to cooling off
(`restart_after_edit`). Who may take each move is `GUARDS`: named checks from
`app.drafts.guards`, evaluated once for refusing, offering the button and saying why not.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app.accounts.models import User
from app.accounts.permissions import Permission, can
from app.audit import log as audit
from app.complaints.models import Complaint, ComplaintStatus
from app.core.errors import Refused
from app.core.words import N_, Words
from app.drafts import guards
from app.drafts.guards import Hands, Standing
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
from app.drafts.policy import CoolingOff, TargetWarning, WorkflowPolicy, target_warning
from app.notifications import notify
from app.publishing import outbox
from app.publishing.adapters import MANUAL


class Action(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    SIGN_OFF = "sign_off"
    WITHDRAW = "withdraw"
    PUBLISH = "publish"
    #: A saved edit of a submitted draft: back to cooling off (`restart_after_edit`).
    EDIT = "edit"


#: The actions people take with a button; `Action.EDIT` is taken by saving an edit.
BUTTONS = (
    Action.SUBMIT,
    Action.APPROVE,
    Action.REQUEST_CHANGES,
    Action.SIGN_OFF,
    Action.WITHDRAW,
    Action.PUBLISH,
)

#: The allowed moves: action -> {from state: to state}. Sign-off records a decision and
#: leaves the state as it is.
TRANSITIONS: dict[Action, dict[DraftState, DraftState]] = {
    Action.SUBMIT: {state: DraftState.COOLING_OFF for state in DraftState.being_written()},
    Action.APPROVE: {DraftState.COOLING_OFF: DraftState.APPROVED},
    Action.REQUEST_CHANGES: {
        state: DraftState.CHANGES_REQUESTED for state in DraftState.submitted()
    },
    Action.SIGN_OFF: {state: state for state in DraftState.submitted()},
    Action.WITHDRAW: {state: DraftState.WITHDRAWN for state in DraftState.open()},
    Action.PUBLISH: {DraftState.APPROVED: DraftState.PUBLISHED},
    Action.EDIT: {state: DraftState.COOLING_OFF for state in DraftState.submitted()},
}

#: Who may take each action (roles are checked on every transition, first).
ROLE_CHECKS: dict[Action, guards.HasRole] = {
    Action.SUBMIT: guards.HasRole(Permission.DRAFT_REPLIES, N_("Your role cannot submit.")),
    Action.APPROVE: guards.HasRole(Permission.REVIEW_DRAFTS, N_("Your role cannot approve.")),
    Action.REQUEST_CHANGES: guards.HasRole(
        Permission.REVIEW_DRAFTS, N_("Your role cannot request changes.")
    ),
    Action.SIGN_OFF: guards.HasRole(Permission.SIGN_OFF_DRAFTS, N_("Your role cannot sign off.")),
    Action.WITHDRAW: guards.HasRole(Permission.DRAFT_REPLIES, N_("Your role cannot withdraw.")),
    Action.PUBLISH: guards.HasRole(Permission.DRAFT_REPLIES, N_("Your role cannot publish.")),
    Action.EDIT: guards.HasRole(Permission.DRAFT_REPLIES, N_("Your role cannot edit.")),
}

_REVIEWING = (
    guards.NotAuthor(N_("You wrote this draft; a colleague must review it.")),
    guards.NotAContributor(),
)
#: Who publishes; a published draft is given back to them again (`publish`).
_PUBLISHER = (ROLE_CHECKS[Action.PUBLISH], guards.AuthorOrAdmin())
_READY_TO_PUBLISH = (
    guards.Submitted(),
    guards.CoolingOffOver(),
    guards.ApprovedOnThisRevision(),
    guards.SignedOffByEachGroup(),
    guards.NoBlockingFinding(),
)

#: What must hold before each action, in the order people hear about it: the one list
#: `transition()` refuses with, `DraftStatus.allowed()` offers the button with and
#: `DraftStatus.refusal()` explains with.
GUARDS: dict[Action, tuple[guards.Check, ...]] = {
    Action.SUBMIT: (
        ROLE_CHECKS[Action.SUBMIT],
        guards.StateAllows(
            TRANSITIONS[Action.SUBMIT], N_("A draft that is %(state)s cannot be submitted.")
        ),
        guards.AuthorOrAdmin(),
        guards.NoBlockingFinding(),
    ),
    Action.APPROVE: (
        ROLE_CHECKS[Action.APPROVE],
        guards.StateAllows(
            TRANSITIONS[Action.APPROVE], N_("A draft that is %(state)s cannot be approved.")
        ),
        *_REVIEWING,
        guards.NotASigner(),
        guards.ReadsTheLanguage(),
    ),
    Action.REQUEST_CHANGES: (
        ROLE_CHECKS[Action.REQUEST_CHANGES],
        guards.StateAllows(
            TRANSITIONS[Action.REQUEST_CHANGES],
            N_("A draft that is %(state)s cannot be sent back for changes."),
        ),
        *_REVIEWING,
    ),
    Action.SIGN_OFF: (
        ROLE_CHECKS[Action.SIGN_OFF],
        guards.StateAllows(
            TRANSITIONS[Action.SIGN_OFF], N_("A draft that is %(state)s cannot be signed off.")
        ),
        guards.NotAuthor(N_("You wrote this draft; someone else signs it off.")),
        guards.NotAContributor(),
        guards.NotAReviewer(),
        guards.SignOffNeeded(),
        guards.MemberOfGroup(),
        guards.OneGroupEach(),
        guards.GroupNotYetSigned(),
    ),
    Action.WITHDRAW: (
        ROLE_CHECKS[Action.WITHDRAW],
        guards.StateAllows(
            TRANSITIONS[Action.WITHDRAW], N_("A draft that is %(state)s cannot be withdrawn.")
        ),
        guards.AuthorOrAdmin(),
    ),
    Action.PUBLISH: (
        *_PUBLISHER,
        # Any open draft gets to hear what publishing still waits for (_READY_TO_PUBLISH).
        guards.StateAllows(DraftState.open(), N_("A draft that is %(state)s cannot be published.")),
        *_READY_TO_PUBLISH,
    ),
    Action.EDIT: (
        ROLE_CHECKS[Action.EDIT],
        guards.StateAllows(
            TRANSITIONS[Action.EDIT], N_("A draft that is %(state)s cannot be edited.")
        ),
        guards.AuthorOrAdmin(),
    ),
}


def current_revision(session: Session, draft: Draft) -> Revision:
    """The revision the draft stands at: the only one approvals and sign-offs count for."""
    revision = session.scalar(
        select(Revision).where(
            Revision.draft_id == draft.id, Revision.number == draft.current_revision
        )
    )
    assert revision is not None
    return revision


def contributors(session: Session, drafts: list[Draft]) -> dict[int, frozenset[int]]:
    """Everyone who wrote words of each draft's current revision, by draft id: the draft's
    author and the author of every revision up to it (each revision is an edit of the one
    before). None of them approves or signs it off (GitLab's "prevent approvals by users
    who add commits")."""
    found = {draft.id: {draft.author_id} for draft in drafts}
    rows = session.execute(
        select(Revision.draft_id, Revision.author_id)
        .join(Draft, Draft.id == Revision.draft_id)
        .where(Revision.draft_id.in_(list(found)), Revision.number <= Draft.current_revision)
    )
    for draft_id, author_id in rows:
        found[draft_id].add(author_id)
    return {draft_id: frozenset(authors) for draft_id, authors in found.items()}


def _live(
    session: Session, decision: type[Review] | type[SignOff], draft_ids: list[int]
) -> dict[int, list]:
    """The reviews or sign-offs given on each draft's current revision and not voided by a
    later edit, by draft id, in the order they were given."""
    found: dict[int, list] = {draft_id: [] for draft_id in draft_ids}
    for row in session.scalars(
        select(decision)
        .join(Revision, Revision.id == decision.revision_id)
        .join(Draft, Draft.id == decision.draft_id)
        .where(
            decision.draft_id.in_(draft_ids),
            decision.voided_at.is_(None),
            Revision.number == Draft.current_revision,
        )
        .order_by(decision.created_at, decision.id)
    ):
        found[row.draft_id].append(row)
    return found


def standings(session: Session, drafts: list[Draft], *, now: datetime) -> dict[int, Standing]:
    """Where each draft stands now, as the guards read it (live decisions only), by draft
    id: four queries for any number of drafts."""
    if not drafts:
        return {}
    ids = [draft.id for draft in drafts]
    revisions = {
        revision.draft_id: revision
        for revision in session.scalars(
            select(Revision)
            .join(Draft, Draft.id == Revision.draft_id)
            .where(Draft.id.in_(ids), Revision.number == Draft.current_revision)
        )
    }
    writers = contributors(session, drafts)
    reviews, signoffs = _live(session, Review, ids), _live(session, SignOff, ids)
    return {
        draft.id: Standing(
            draft=draft,
            revision=revisions[draft.id],
            hands=Hands(
                contributors=writers[draft.id],
                reviews=tuple(reviews[draft.id]),
                signoffs=tuple(signoffs[draft.id]),
            ),
            now=now,
        )
        for draft in drafts
    }


def standing(session: Session, draft: Draft, *, now: datetime) -> Standing:
    """Where one draft stands now, as the guards read it."""
    return standings(session, [draft], now=now)[draft.id]


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
    where = standing(session, draft, now=now)
    refusal = ROLE_CHECKS[action](actor, where, group)
    if refusal:
        raise refusal
    if revision_number != draft.current_revision:
        raise Refused(
            "stale_revision",
            Words(
                N_("The draft changed (now revision %(number)s); read it again."),
                {"number": draft.current_revision},
            ),
        )
    refusals = guards.refusals(GUARDS[action], actor, where, group)
    if refusals:
        raise refusals[0]
    comment = (comment or "").strip()
    if action == Action.REQUEST_CHANGES and not comment:
        raise Refused("comment_required", Words(N_("Say what should change.")))
    if action == Action.SIGN_OFF and not approved and not comment:
        raise Refused("comment_required", Words(N_("Say why you refuse to sign it off.")))
    revision = where.revision
    moves = TRANSITIONS[action]

    policy = policy or WorkflowPolicy()
    before = draft.state
    details: dict[str, Any] = {}
    if action in (Action.SUBMIT, Action.EDIT):
        length = None
        if action == Action.EDIT:
            length = policy.cooling_off.after_edit(draft.complaint, revision.findings)
        details = _start_cooling_off(
            draft, now=now, findings=revision.findings, policy=policy, length=length
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
            "stale_revision",
            Words(N_("Someone acted on this draft at the same moment; read it again.")),
        ) from error
    if action == Action.EDIT:
        return draft  # the edit's own audit entry says what changed (`operations.edit_parts`)
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
            "invalid_anchor",
            Words(N_("The marked passage is not in this revision's text; mark it again.")),
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
    if complaint.status in ComplaintStatus.open_statuses():
        complaint.move_to(ComplaintStatus.REPLIED)
    complaint.first_replied_at = complaint.first_replied_at or now
    follow_up = None
    if draft.follows_draft_id is None:
        follow_up = FollowUp(
            complaint_id=complaint.id,
            draft_id=draft.id,
            due_at=policy.follow_up_due(complaint, now),
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
    complaint.move_to(ComplaintStatus.RESOLVED)
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
            # Given back only to someone who may publish it (the others hear why not).
            refusals = guards.refusals(_PUBLISHER, actor, standing(session, draft, now=now))
            if refusals:
                raise refusals[0]
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


def act(
    session: Session,
    draft: Draft,
    action: Action,
    *,
    actor: User,
    now: datetime,
    revision_number: int,
    policy: WorkflowPolicy | None = None,
    **inputs: Any,
) -> bool | None:
    """Take a button's action: publishing idempotently (returns whether this call
    published), any other through `transition()` with its `inputs` (returns None)."""
    if action == Action.PUBLISH:
        _, created = publish(
            session, draft, actor=actor, now=now, revision_number=revision_number, policy=policy
        )
        return created
    transition(
        session,
        draft,
        action,
        actor=actor,
        now=now,
        revision_number=revision_number,
        policy=policy,
        **inputs,
    )
    return None


def restart_after_edit(
    session: Session,
    draft: Draft,
    *,
    actor: User,
    now: datetime,
    policy: WorkflowPolicy | None = None,
) -> dict[str, Any]:
    """After an edit: void the approvals and sign-offs of earlier revisions (whoever gave
    them is asked to read again); a submitted draft takes the `edit` move back to cooling
    off, from now, for the policy's share of the full time. Returns what changed, for the
    audit entry."""
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
    if draft.is_submitted:
        transition(
            session,
            draft,
            Action.EDIT,
            actor=actor,
            now=now,
            revision_number=draft.current_revision,
            policy=policy,
        )
        changes.update(
            cooling_off_until=draft.cooling_off_until.isoformat(), signoff=draft.signoff_reasons
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
    now: datetime
    earlier_reviews: list[Review]  #: voided by an edit, or on earlier revisions
    #: What publishing still waits for (the actor aside): the publish button's reasons.
    publish_refusals: list[Refused]
    #: Why sign-off is needed ([{"kind", "value", "group"}]); before submission, what the
    #: policy would say of the text as it stands.
    signoff_reasons: list[dict[str, str]]
    missing_signoff: list[str]  #: groups still to sign off the current revision
    target_warning: TargetWarning | None
    publication: Publication | None
    #: Before submission: how long it would cool off once submitted, and why.
    cooling_off: CoolingOff | None = None
    #: How it goes out: "manual" (someone posts it and records the link) or "webhook".
    publisher: str = MANUAL

    @property
    def by_hand(self) -> bool:
        """Someone posts the reply on the channel and records its link."""
        if self.publication is not None:
            return self.publication.adapter == MANUAL
        return self.publisher == MANUAL

    @property
    def state_words(self) -> str:
        """The draft's state as people read it (`outbox.state_words`)."""
        return outbox.state_words(self.draft.state, self.publication)

    @property
    def reviews(self) -> list[Review]:
        return list(self.hands.reviews)

    @property
    def signoffs(self) -> list[SignOff]:
        return list(self.hands.signoffs)

    @property
    def approvals(self) -> list[Review]:
        return [r for r in self.reviews if r.decision == ReviewDecision.APPROVED]

    @property
    def standing(self) -> Standing:
        return Standing(draft=self.draft, revision=self.revision, hands=self.hands, now=self.now)

    def signable_groups(self, actor: User) -> list[str]:
        """The groups still to sign off that `actor` may sign for now."""
        return [
            group
            for group in self.missing_signoff
            if not guards.refusals(GUARDS[Action.SIGN_OFF], actor, self.standing, group)
        ]

    def _groups(self, action: Action) -> list[str | None]:
        """The groups to ask the guards about: sign-off is offered when any group still to
        sign may be signed for (the page has a form for each)."""
        return list(self.missing_signoff) if action == Action.SIGN_OFF else [None]

    def refusal(self, actor: User, action: Action) -> Refused | None:
        """Why `actor` cannot take `action` now, or None when pressing the button would
        succeed: the first refusal of the same guards `transition()` refuses with. Screens
        explain with it."""
        first = None
        for group in self._groups(action) or [None]:
            refusals = guards.refusals(GUARDS[action], actor, self.standing, group)
            if not refusals:
                return None
            first = first or refusals[0]
        return first

    def publishes(self, actor: User) -> bool:
        """Whether `actor` is who publishes this draft (in a role that publishes, its author
        or an admin), whatever it still waits for: the editor keeps their Publish button
        hidden until it is offered, and the live page shows it then."""
        return not guards.refusals(_PUBLISHER, actor, self.standing)

    def allowed(self, actor: User, action: Action) -> bool:
        """Whether the page shows `actor` the button for `action`. Publishing's button is
        shown, disabled, while the draft only waits for the clock, an approval, a sign-off or
        a fix in the text (`publish_refusals` says which); submitting's while a finding
        blocks (the editor shows the finding; saving a fix and submitting is one click)."""
        return any(
            guards.shows_button(GUARDS[action], actor, self.standing, group)
            for group in self._groups(action)
        )


def publish_refusals(where: Standing) -> list[Refused]:
    """What publishing an open draft still waits for, whoever presses the button: the
    refusals `status()` shows beside the publish button (the live pages and "My replies")."""
    return guards.refusals(_READY_TO_PUBLISH, None, where)


def status(session: Session, draft: Draft, *, now: datetime, policy: WorkflowPolicy) -> DraftStatus:
    where = standing(session, draft, now=now)
    revision, hands = where.revision, where.hands
    reviews = session.scalars(
        select(Review).where(Review.draft_id == draft.id).order_by(Review.created_at, Review.id)
    ).all()
    reasons = draft.signoff_reasons
    if draft.is_being_written:
        reasons = policy.signoff_reasons(draft.complaint, revision.findings)
    missing = hands.missing_groups(reasons)
    if draft.is_being_written:
        warning = target_warning(draft.complaint, revision.findings, now=now, policy=policy)
    elif draft.is_submitted:
        warning = target_warning(
            draft.complaint,
            revision.findings,
            now=now,
            policy=policy,
            cooling_off_until=draft.cooling_off_until,
        )
    else:
        warning = None
    refusals = []
    if draft.is_open:
        refusals = publish_refusals(where)
    return DraftStatus(
        draft=draft,
        revision=revision,
        hands=hands,
        now=now,
        earlier_reviews=[r for r in reviews if r not in hands.reviews],
        publish_refusals=refusals,
        signoff_reasons=reasons,
        missing_signoff=missing if draft.is_open else [],
        target_warning=warning,
        publication=outbox.publication_for(session, draft),
        cooling_off=(
            policy.cooling_off.explain(draft.complaint, revision.findings)
            if draft.is_being_written
            else None
        ),
        publisher=policy.publisher(draft.channel_key),
    )
