"""The review and sign-off queues: who is waiting for whom. No Flask.

- review: drafts cooling off, so waiting for a colleague's decision on their current
  revision, that the viewer may decide, the soonest due first;
- sign-off: submitted drafts (cooling off or approved) a group still has to sign off on
  their current revision and the viewer may sign for, with the reasons they were routed
  there.

Who may act is the workflow's guards (`workflow.GUARDS`), the same checks that refuse the
move and offer its button; the queries only narrow the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.analysis.rules import FLAG_LABELS
from app.complaints.models import Complaint
from app.core.words import N_, Term, Words
from app.drafts import guards, workflow
from app.drafts.guards import Standing
from app.drafts.models import Draft, DraftState, Revision, SignOff
from app.drafts.policy import TargetWarning, WorkflowPolicy, target_warning
from app.nlp.detection import language_name
from app.tone.catalogue import CODE_LABELS


def reason_words(reason: dict[str, Any]) -> Words:
    """A sign-off reason as people read it: "flag: legal threat", "finding: legal risk",
    "Composure cannot read French, so nothing sensitive could be ruled out"."""
    value = reason.get("value", "")
    if reason.get("kind") == "language":
        return Words(
            N_("Composure cannot read %(language)s, so nothing sensitive could be ruled out"),
            {"language": Term("language", value, language_name(value))},
        )
    if reason.get("kind") == "flag":
        label = FLAG_LABELS.get(value, value.replace("_", " "))
        return Words(N_("flag: %(label)s"), {"label": Term("flag", value, label.lower())})
    if reason.get("kind") == "finding":
        label = CODE_LABELS.get(value, value.replace("_", " "))
        return Words(N_("finding: %(label)s"), {"label": Term("tone_code", value, label.lower())})
    label = CODE_LABELS.get(value, value.replace("_", " "))
    return Words(f"{reason.get('kind', 'reason')}: {label.lower()}")


@dataclass(frozen=True)
class QueueItem:
    draft: Draft
    complaint: Complaint
    revision: Revision
    target_warning: TargetWarning | None
    #: Why sign-off is needed: [{"kind", "value", "group"}]; empty when it is not.
    reasons: list[dict[str, Any]]
    #: Groups that still have to sign off the current revision.
    missing: list[str]
    #: Live refusals on the current revision (the author has to change the text).
    refusals: list[SignOff]
    #: Where the draft stands, as the workflow's guards read it.
    standing: Standing

    @property
    def reason_words(self) -> list[Words]:
        return [reason_words(reason) for reason in self.reasons]

    def reasons_for(self, group: str) -> list[Words]:
        return [reason_words(r) for r in self.reasons if r["group"] == group]


def _items(
    session: Session, drafts: list[Draft], *, now: datetime, policy: WorkflowPolicy
) -> list[QueueItem]:
    if not drafts:
        return []
    standings = workflow.standings(session, drafts, now=now)
    items = []
    for draft in drafts:
        where = standings[draft.id]
        revision, hands = where.revision, where.hands
        reasons = list(draft.signoff_reasons or [])
        items.append(
            QueueItem(
                draft=draft,
                complaint=draft.complaint,
                revision=revision,
                target_warning=target_warning(
                    draft.complaint,
                    revision.findings,
                    now=now,
                    policy=policy,
                    cooling_off_until=draft.cooling_off_until,
                ),
                reasons=reasons,
                missing=hands.missing_groups(reasons),
                refusals=[s for s in hands.signoffs if not s.approved],
                standing=where,
            )
        )
    return items


def review_queue(
    session: Session, viewer: User, *, now: datetime, policy: WorkflowPolicy
) -> list[QueueItem]:
    """Drafts waiting for a reviewer's decision on their current revision that the
    workflow's guards let `viewer` decide (not the author, no words of theirs in it), the
    soonest response due first."""
    drafts = list(
        session.scalars(
            select(Draft)
            .join(Complaint, Complaint.id == Draft.complaint_id)
            .where(Draft.state == DraftState.COOLING_OFF, Draft.author_id != viewer.id)
            .order_by(Complaint.response_due_at, Draft.id)
        )
    )
    decide = workflow.GUARDS[workflow.Action.REQUEST_CHANGES]
    return [
        item
        for item in _items(session, drafts, now=now, policy=policy)
        if not guards.refusals(decide, viewer, item.standing)
    ]


def signoff_queue(
    session: Session, viewer: User, *, now: datetime, policy: WorkflowPolicy
) -> list[QueueItem]:
    """Submitted drafts with a sign-off still missing on their current revision that the
    workflow's guards let `viewer` give now (a member of the group, who wrote none of it,
    not yet signing for another group), the soonest response due first."""
    sign = workflow.GUARDS[workflow.Action.SIGN_OFF]
    drafts = list(
        session.scalars(
            select(Draft)
            .join(Complaint, Complaint.id == Draft.complaint_id)
            .where(
                Draft.is_submitted,
                Draft.requires_signoff.is_(True),
                Draft.author_id != viewer.id,
            )
            .order_by(Complaint.response_due_at, Draft.id)
        )
    )
    return [
        item
        for item in _items(session, drafts, now=now, policy=policy)
        if any(not guards.refusals(sign, viewer, item.standing, group) for group in item.missing)
    ]
