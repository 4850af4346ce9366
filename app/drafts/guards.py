"""The guards on the reply workflow, each written once as a small named check.

A check answers for (actor, where the draft stands, group) with None when it holds or a
`Refused` naming it (a stable code and a reason in plain words). `app.drafts.workflow`
lists which checks stand before each action (`GUARDS`); the one evaluation of that list
(`refusals`) refuses the transition, decides whether the page offers the button, and
gives the "why not" the page shows, so the three cannot drift apart. No Flask.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Permission, author_or_admin, can
from app.core.errors import Refused
from app.core.words import N_, Duration, Nn_, Term, Words
from app.drafts.models import Draft, DraftState, Review, ReviewDecision, Revision, SignOff
from app.nlp.detection import language_name
from app.tone.catalogue import BLOCK, CODE_LABELS


def blocking_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [finding for finding in findings if finding.get("severity") == BLOCK]


def tone_refusal(findings: list[dict[str, Any]]) -> Words | None:
    """Why the text cannot be submitted or published, or None when no finding blocks it."""
    blocking = blocking_findings(findings)
    if not blocking:
        return None
    codes = list(dict.fromkeys(finding["code"] for finding in blocking))
    labels = [Term("tone_code", code, CODE_LABELS.get(code, code)) for code in codes]
    return Words(
        Nn_(
            "%(count)s problem must be fixed before this reply can go further: %(labels)s.",
            "%(count)s problems must be fixed before this reply can go further: %(labels)s.",
        ),
        {"count": len(blocking), "labels": labels},
    )


@dataclass(frozen=True)
class Hands:
    """Who has had a hand in the current revision: what the guards on people read."""

    contributors: frozenset[int]  #: everyone who wrote words of the revision
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

    def missing_groups(self, reasons: list[dict[str, Any]]) -> list[str]:
        """The groups `reasons` route the draft to that have not signed this revision off."""
        return sorted({reason["group"] for reason in reasons} - self.signed_groups())


@dataclass(frozen=True)
class Standing:
    """Where a draft stands, as the guards read it: its current revision, who had a hand
    in it, and the time."""

    draft: Draft
    revision: Revision
    hands: Hands
    now: datetime

    @property
    def needed_groups(self) -> set[str]:
        return {reason["group"] for reason in self.draft.signoff_reasons}

    @property
    def missing_groups(self) -> list[str]:
        """The groups still to sign the current revision off."""
        return self.hands.missing_groups(self.draft.signoff_reasons)

    @property
    def unread_language(self) -> str | None:
        """The complaint's language when Composure could not read it (no rules), else None:
        then only a reviewer who reads it approves (`reads_the_language`)."""
        complaint = self.draft.complaint
        return None if complaint.language_read else complaint.language or ""

    def approvals(self) -> list[Review]:
        """The approvals that count: `Hands.approvals`, and when Composure could not read
        the complaint, only those of reviewers who read its language."""
        return [
            review
            for review in self.hands.approvals()
            if reads_the_language(review.reviewer, self.unread_language)
        ]


def reads_the_language(person: User, language: str | None) -> bool:
    """Whether `person` reads `language` (None: any language Composure reads will do).
    Nobody's languages are assumed: none listed on their profile means none known."""
    return language is None or language in (person.languages or ())


def _language_refusal(language: str) -> Refused:
    name = Term("language", language, language_name(language))
    return Refused(
        "language_not_read",
        Words(
            N_(
                "Composure cannot read %(name)s, so this reply needs a reviewer who reads "
                "%(name)s; %(name)s is not among your languages (your profile lists them)."
            ),
            {"name": name},
        ),
    )


class Check:
    """One named guard. Called with (actor, standing, group): None or a refusal."""

    #: True for what the text or the clock still needs (publishing's readiness, the tone):
    #: the page still shows the button, disabled or next to the reason. A failing check
    #: that is not `shows_button` hides the button, and "why not" says why.
    shows_button = False

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        raise NotImplementedError

    def keeps_button(self, standing: Standing) -> bool:
        return self.shows_button


@dataclass(frozen=True)
class HasRole(Check):
    """The actor's role includes `permission` (`doing`: the reason, "Your role cannot
    approve.", marked with `N_`)."""

    permission: Permission
    doing: str

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if can(actor, self.permission):
            return None
        return Refused("forbidden", Words(self.doing))


@dataclass(frozen=True)
class StateAllows(Check):
    """The draft is in one of `states` (`done`: the reason, "A draft that is %(state)s
    cannot be approved.", marked with `N_`)."""

    states: Collection[DraftState]
    done: str

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        state = standing.draft.state
        if state in self.states:
            return None
        return Refused(
            "invalid_state",
            Words(self.done, {"state": Term("state", state.value, state.value.replace("_", " "))}),
        )


class AuthorOrAdmin(Check):
    """Only the draft's author (or an admin) submits, withdraws or publishes it."""

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if author_or_admin(actor, standing.draft.author_id):
            return None
        return Refused("forbidden", Words(N_("Only the draft's author (or an admin) may do that.")))


@dataclass(frozen=True)
class NotAuthor(Check):
    """The draft's author does not review or sign off their own draft."""

    reason: str  #: what the author hears: who does it instead

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if actor.id != standing.draft.author_id:
            return None
        return Refused("self_approval", Words(self.reason))


class NotAContributor(Check):
    """Nobody who wrote words of the revision reviews or signs it off (GitLab's "prevent
    approvals by users who add commits")."""

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if actor.id not in standing.hands.contributors:
            return None
        return Refused(
            "self_approval",
            Words(
                N_("You wrote words of this revision; someone who did not must review or sign it.")
            ),
        )


class ReadsTheLanguage(Check):
    """When Composure could not read the complaint (no rules for its language), only a
    reviewer who reads the language approves the reply: nobody else can tell whether it
    answers what the customer wrote, or whether anything sensitive was in it."""

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        language = standing.unread_language
        if reads_the_language(actor, language):
            return None
        return _language_refusal(language or "")


class NotASigner(Check):
    """Whoever signed the revision off does not also approve it."""

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if actor.id not in standing.hands.signers:
            return None
        return Refused(
            "self_approval", Words(N_("You signed this revision off; someone else approves."))
        )


class NotAReviewer(Check):
    """Whoever reviewed the revision does not also sign it off."""

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if actor.id not in standing.hands.reviewers:
            return None
        return Refused(
            "self_approval", Words(N_("You reviewed this revision; someone else signs off."))
        )


class SignOffNeeded(Check):
    """The group signed for is one the draft needs."""

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        needed = standing.needed_groups
        if group is not None and group in needed:
            return None
        if group is None and needed and not standing.missing_groups:
            return Refused(
                "signoff_not_needed", Words(N_("Nothing is waiting for sign-off on this revision."))
            )
        return Refused(
            "signoff_not_needed",
            Words(N_("This draft needs no sign-off by that group."))
            if needed
            else Words(N_("This draft needs no sign-off.")),
        )


class MemberOfGroup(Check):
    """Only a member of a group signs for it."""

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if group in actor.groups:
            return None
        return Refused(
            "not_a_member",
            Words(
                N_("You are not in the %(group)s group, so you cannot sign for it."),
                {"group": Term("group", group or "", group or "")},
            ),
        )


class OneGroupEach(Check):
    """One person never stands in for two groups on the same revision."""

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if actor.id not in standing.hands.signers:
            return None
        return Refused(
            "one_group_each",
            Words(N_("You already signed this revision off; each group needs a different person.")),
        )


class GroupNotYetSigned(Check):
    """A group signs a revision off once."""

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if group in standing.missing_groups:
            return None
        return Refused(
            "signoff_not_needed",
            Words(
                N_("The %(group)s sign-off of this revision is done."),
                {"group": Term("group", group or "", group or "")},
            ),
        )


class Submitted(Check):
    """The draft was submitted: publishing waits for cooling-off and review."""

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if standing.draft.state not in DraftState.being_written():
            return None
        return Refused("not_submitted", Words(N_("Submit the draft first: it must cool off.")))


class CoolingOffOver(Check):
    """The cooling-off time of a submitted draft has run out."""

    shows_button = True

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        until = standing.draft.cooling_off_until
        if standing.draft.state in DraftState.being_written() or until is None:
            return None
        if standing.now >= until:
            return None
        return Refused(
            "cooling_off",
            Words(N_("Still cooling off for %(left)s."), {"left": Duration(until - standing.now)}),
        )


class ApprovedOnThisRevision(Check):
    """A colleague who wrote none of the current revision approved it."""

    shows_button = True

    def keeps_button(self, standing: Standing) -> bool:
        # Until the draft is approved there is no publish button to show, disabled or not.
        return standing.draft.state == DraftState.APPROVED

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        hands = standing.hands
        if standing.draft.state == DraftState.APPROVED and standing.approvals():
            return None
        if standing.unread_language is not None and hands.approvals():
            # Approved, but by nobody who reads the language (the language was set after).
            code = standing.unread_language
            return Refused(
                "needs_approval",
                Words(
                    N_(
                        "Composure cannot read %(name)s: an approval counts only from a "
                        "reviewer who reads %(name)s."
                    ),
                    {"name": Term("language", code, language_name(code))},
                ),
            )
        by_writers = any(
            review.decision == ReviewDecision.APPROVED and review.reviewer_id in hands.contributors
            for review in hands.reviews
        )
        return Refused(
            "needs_approval",
            Words(
                N_(
                    "An approval counts only from someone who wrote none of this revision; "
                    "a colleague must approve it."
                )
            )
            if by_writers
            else Words(N_("A colleague must approve this revision.")),
        )


class SignedOffByEachGroup(Check):
    """Every group the draft needs signed the current revision off."""

    shows_button = True

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        if not standing.draft.requires_signoff or not standing.missing_groups:
            return None
        groups = [Term("group", group, group) for group in standing.missing_groups]
        return Refused(
            "needs_signoff", Words(N_("Needs sign-off by %(groups)s."), {"groups": groups})
        )


class NoBlockingFinding(Check):
    """No tone finding of the current revision blocks it."""

    shows_button = True

    def __call__(self, actor: User, standing: Standing, group: str | None) -> Refused | None:
        refusal = tone_refusal(standing.revision.findings)
        return Refused("blocking_findings", refusal) if refusal else None


def refusals(
    checks: Sequence[Check], actor: User, standing: Standing, group: str | None = None
) -> list[Refused]:
    """Every refusal of `checks`, in their order: the first is the one people hear."""
    found = (check(actor, standing, group) for check in checks)
    return [refusal for refusal in found if refusal is not None]


def shows_button(
    checks: Sequence[Check], actor: User, standing: Standing, group: str | None = None
) -> bool:
    """Whether the page shows the button: every failing check lets it stay (disabled)."""
    return all(
        check.keeps_button(standing)
        for check in checks
        if check(actor, standing, group) is not None
    )
