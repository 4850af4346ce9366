"""Starting a reply draft and editing it part by part. No Flask: views and the API call these.

The cooling-off, review, sign-off and publishing workflow builds on these tables; here a
draft is born (state `draft`, revision 1) and every saved edit adds a revision, never
overwriting one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.accounts.models import User
from app.accounts.permissions import can_edit_draft
from app.complaints.models import Channel, Complaint, ComplaintStatus
from app.core.errors import DomainError
from app.core.text import clean_text
from app.core.words import N_, Number, Term, Words
from app.drafts import workflow, working_copy
from app.drafts.builder import Composition, PartChoice
from app.drafts.catches import (
    caught_codes,
    never_submitted,
    note_caught_codes,
    note_tone_catches,
)
from app.drafts.composer import (
    FREE_TEXT,
    HOLDING_REPLY,
    PartsCheck,
    ToneSetting,
    assemble_with_spans,
    check_parts,
)
from app.drafts.models import Draft, DraftState, Revision
from app.drafts.policy import WorkflowPolicy
from app.drafts.response_templates import PARTS

#: States in which the author may still change the text: every open one. An edit after
#: submission voids the approvals and sign-offs and restarts cooling-off
#: (workflow.restart_after_edit).
EDITABLE_STATES = DraftState.open()
#: A part longer than this is a paste gone wrong, not a reply.
MAX_PART_CHARS = 20_000


class DraftError(DomainError):
    """Why a draft operation cannot be done, in words for the agent: by default the text
    itself (`invalid`, about the `text` field)."""

    #: The input the message is about, if any.
    field: str | None = "text"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message, code, fields={self.field: message} if self.field else None)


class NotAllowed(DraftError):
    """The person's role, or not being the draft's author, forbids it."""

    default_code = "forbidden"
    field = None


class NotEditable(DraftError):
    """The draft's state forbids edits (published or withdrawn)."""

    default_code = "invalid_state"
    field = None


class StaleRevision(DraftError):
    """The draft changed since the editor was opened; nothing was saved. `current` is the
    revision it stands at now, when known (not when someone acted at the same moment)."""

    default_code = "stale_revision"
    field = None

    def __init__(self, current: int | None = None) -> None:
        self.current = current
        if current is None:
            words = Words(
                N_(
                    "Someone acted on this draft since you opened it. Your text is below, "
                    "unsaved: compare it with the current version and save again."
                )
            )
        else:
            words = Words(
                N_(
                    "Someone saved this draft since you opened it (now revision %(number)s). "
                    "Your text is below, unsaved: compare it with the current version and "
                    "save again."
                ),
                {"number": current},
            )
        super().__init__(words)


def not_editable_words(draft: Draft) -> Words:
    """ "This draft is published; it cannot be edited." """
    state = Term("state", draft.state.value, draft.state.value.replace("_", " "))
    return Words(N_("This draft is %(state)s; it cannot be edited."), {"state": state})


def active_draft(session: Session, complaint_id: int) -> Draft | None:
    return session.scalar(
        select(Draft).where(
            Draft.complaint_id == complaint_id,
            Draft.is_open,
        )
    )


def assemble(parts: dict[str, str], *, public: bool) -> str:
    """The reply text from its parts, in the order of the four."""
    return assemble_with_spans(parts, public=public)[0]


def _add_revision(
    session: Session,
    draft: Draft,
    number: int,
    text: str,
    parts: dict[str, str],
    template_ids: dict[str, str],
    *,
    tone: ToneSetting,
    actor: User,
    now: datetime,
) -> Revision:
    """A new revision of the draft, with the tone checks' findings on its exact text."""
    report = tone.check_parts(parts)
    findings = [finding.to_dict(report.text) for finding in report.findings]
    revision = Revision(
        draft_id=draft.id,
        number=number,
        author_id=actor.id,
        text=text,
        parts=parts,
        template_ids=template_ids,
        findings=findings,
        has_blocking_findings=report.blocking,
        created_at=now,
    )
    session.add(revision)
    return revision


@dataclass(frozen=True)
class Started:
    draft: Draft
    created: bool


def start_draft(
    session: Session,
    complaint: Complaint,
    composition: Composition | None,
    *,
    tone: ToneSetting,
    actor: User,
    now: datetime,
    text: str | None = None,
    follows: Draft | None = None,
) -> Started:
    """Create the complaint's draft from a composition (or from a `text` the agent wrote),
    or return the one already started.

    Two clicks, or two agents at once, end with one draft: the database's partial unique
    index decides, and the loser gets the winner's draft back. `follows` makes it the
    public follow-up ("it's sorted") of a published reply; it goes through the same flow.
    A complaint nobody holds goes to the draft's author ("take it", audited); one a
    colleague holds stays theirs.
    """
    # Imported here: this function is the only part of the module that assigns.
    from app.complaints import assignment

    refusal = can_edit_draft(actor, actor.id)
    if refusal:
        raise NotAllowed(refusal)
    existing = active_draft(session, complaint.id)
    if existing is not None:
        return Started(existing, created=False)
    if follows is not None and (
        follows.complaint_id != complaint.id or follows.state != DraftState.PUBLISHED
    ):
        # The other draft's state decides, not the request's shape: a conflict (409).
        raise DraftError(
            "A follow-up answers a reply already published on this complaint.",
            code="not_followable",
        )
    if text is not None:
        text = clean_text(text)
        if not text.strip():
            raise DraftError(Words(N_("The reply is empty. Write at least one sentence.")))
        if len(text) > MAX_PART_CHARS:
            raise DraftError(
                f"The reply is {len(text):,} characters; the limit is {MAX_PART_CHARS:,}."
            )
        mode = "follow_up" if follows is not None else "text"
        parts, template_ids = {FREE_TEXT: text}, {}
    elif composition is None:
        raise DraftError("Nothing to start the draft from.")
    elif composition.mode == "attack":
        mode = composition.mode
        parts = {HOLDING_REPLY: composition.text}
        template_ids = {HOLDING_REPLY: "attack"}
    else:
        mode = composition.mode
        parts = {part: choice.text for part, choice in composition.parts.items()}
        template_ids = {part: choice.variant_id for part, choice in composition.parts.items()}
    reply = composition.text if text is None else text
    savepoint = session.begin_nested()
    draft = Draft(
        complaint_id=complaint.id,
        author_id=actor.id,
        channel_key=complaint.channel_key,
        follows_draft_id=follows.id if follows is not None else None,
        language=composition.language if composition is not None and text is None else None,
        state=DraftState.DRAFT,
        current_revision=1,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    try:
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        existing = active_draft(session, complaint.id)
        if existing is None:
            raise
        return Started(existing, created=False)
    savepoint.commit()
    _add_revision(session, draft, 1, reply, parts, template_ids, tone=tone, actor=actor, now=now)
    if complaint.status in (ComplaintStatus.NEW, ComplaintStatus.CLOSED):
        # A reply to one closed as not a complaint reopens it (it was one after all).
        complaint.move_to(ComplaintStatus.IN_PROGRESS)
    session.flush()
    workflow.record(
        session,
        draft,
        "draft.created",
        actor=actor,
        now=now,
        before=None,
        details={
            "mode": mode,
            "templates": template_ids,
            **({"follows_draft": follows.id} if follows is not None else {}),
        },
    )
    assignment.assign_to_drafter(session, complaint, actor=actor, now=now)
    return Started(draft, created=True)


def edit_parts(
    session: Session,
    draft: Draft,
    parts: dict[str, str],
    *,
    tone: ToneSetting,
    actor: User,
    now: datetime,
    based_on: int,
    template_ids: dict[str, str] | None = None,
    policy: WorkflowPolicy | None = None,
    replace: bool = False,
    caught: Iterable[str] = (),
) -> Revision:
    """Save edited parts as a new revision; nothing changes when the text is the same.
    `replace` makes the given parts the whole reply (the API's `text`); otherwise they are
    merged into the current ones. `caught` are the codes the live check found while the
    parts were typed (`live_check`), counted as caught before review like the saved ones.

    `based_on` is the revision the editor showed: if another save came first, nothing is
    saved and StaleRevision says so (the caller shows the agent's text again).
    """
    refusal = can_edit_draft(actor, draft.author_id)
    if refusal:
        raise NotAllowed(refusal)
    if draft.state not in EDITABLE_STATES:
        raise NotEditable(not_editable_words(draft))
    if based_on != draft.current_revision:
        raise StaleRevision(draft.current_revision)
    before = workflow.current_revision(session, draft)
    cleaned = {}
    for name, value in parts.items():
        known = name in PARTS and FREE_TEXT not in before.parts
        if name not in before.parts and not known and not (replace and name == FREE_TEXT):
            # The draft's own shape decides (one written as a single text has no parts).
            raise DraftError(f"Unknown part {name!r}.", code="unknown_part")
        value = clean_text(value)
        if len(value) > MAX_PART_CHARS:
            raise DraftError(
                Words(
                    N_("“%(part)s” is %(length)s characters; the limit is %(limit)s."),
                    {
                        "part": Term("part", name, name.replace("_", " ")),
                        "length": Number(len(value)),
                        "limit": Number(MAX_PART_CHARS),
                    },
                )
            )
        cleaned[name] = value
    merged = cleaned if replace else {**before.parts, **cleaned}
    text = assemble(merged, public=draft.complaint.channel.is_public)
    if not text.strip():
        raise DraftError(Words(N_("The reply is empty. Write at least one part.")))
    note_caught_codes(draft, caught)
    if merged == before.parts and text == before.text:
        return before
    number = draft.current_revision + 1
    revision = _add_revision(
        session,
        draft,
        number,
        text,
        merged,
        {} if replace else {**before.template_ids, **(template_ids or {})},
        tone=tone,
        actor=actor,
        now=now,
    )
    note_tone_catches(draft, revision.findings)  # saved with a finding: caught before review
    draft.current_revision = number
    draft.updated_at = now
    try:
        session.flush()  # the draft's version check: a save or decision at the same moment
    except StaleDataError as error:
        raise StaleRevision() from error
    from_state = draft.state
    restarted = workflow.restart_after_edit(session, draft, actor=actor, now=now, policy=policy)
    session.flush()
    workflow.record(
        session,
        draft,
        "draft.edited",
        actor=actor,
        now=now,
        before=from_state,
        details={
            "parts": sorted(name for name in merged if merged[name] != before.parts.get(name)),
            **restarted,
        },
    )
    return revision


class NotOffered(DraftError):
    """The wording chosen ("Use this") is no longer offered for the complaint."""


@dataclass(frozen=True)
class EditorSave:
    """What saving the editor did: the revision the draft stands at, whether it is new,
    and whether the edit restarted a submitted draft's cooling-off."""

    revision: Revision
    created: bool
    restarted: bool


def offered_wording(composition: Composition, part: str, variant_id: str) -> PartChoice | None:
    """The wording `variant_id` for `part` if the composition still offers it."""
    offered = [composition.parts.get(part), *composition.alternatives.get(part, [])]
    return next((c for c in offered if c is not None and c.variant_id == variant_id), None)


def swap_wording(composition: Composition, parts: dict[str, str], use: str) -> dict[str, str]:
    """The parts with `use` ("part:variant") put into its part: "Other wordings → Use
    this" without JavaScript. Nothing is saved (the person saves when ready), so nothing
    in the workflow moves. Raises NotOffered."""
    part, _, variant_id = use.partition(":")
    chosen = offered_wording(composition, part, variant_id)
    if chosen is None or part not in parts:
        raise NotOffered("That wording is no longer offered for this complaint; nothing changed.")
    return {**parts, part: chosen.text}


def save_from_editor(
    session: Session,
    draft: Draft,
    parts: dict[str, str],
    *,
    chosen: Mapping[str, str],
    compose: Callable[[], Composition],
    tone: ToneSetting,
    actor: User,
    now: datetime,
    based_on: int,
    policy: WorkflowPolicy,
    caught: Iterable[str] = (),
) -> EditorSave:
    """Save the editor's parts. `chosen` ({part: variant}) are the offered wordings the
    person put into parts ("Use this"); each is remembered as the part's template when the
    part still reads as that wording. Raises DraftError (StaleRevision, …)."""
    template_ids = {}
    if chosen:
        composition = compose()
        for part, variant_id in chosen.items():
            choice = offered_wording(composition, part, variant_id)
            if choice is not None and clean_text(parts.get(part, "")) == choice.text:
                template_ids[part] = variant_id
    return _save_in_editor(
        session,
        draft,
        parts,
        tone=tone,
        actor=actor,
        now=now,
        based_on=based_on,
        template_ids=template_ids,
        policy=policy,
        caught=caught,
    )


def rebuild_in_language(
    session: Session,
    draft: Draft,
    composition: Composition,
    *,
    tone: ToneSetting,
    actor: User,
    now: datetime,
    based_on: int,
    policy: WorkflowPolicy,
) -> EditorSave:
    """The draft built again in the language the agent chose (`composition`, composed in
    it), as a new revision: every part in the new language, the wordings it came from
    remembered, and the editor's other wordings offered in that language from now on.
    A reply written by hand is not rebuilt. Audited as an edit, with the language."""
    before = workflow.current_revision(session, draft)
    if FREE_TEXT in before.parts:
        raise DraftError(
            Words(N_("This reply was written by hand; there are no parts to rebuild."))
        )
    if composition.mode == "attack":
        parts, template_ids = {HOLDING_REPLY: composition.text}, {HOLDING_REPLY: "attack"}
    else:
        parts = {part: choice.text for part, choice in composition.parts.items()}
        template_ids = {part: choice.variant_id for part, choice in composition.parts.items()}
    if set(parts) - set(before.parts):
        raise DraftError(
            Words(N_("This draft's parts differ from a built draft's; edit it by hand."))
        )
    draft.language = composition.language
    return _save_in_editor(
        session,
        draft,
        parts,
        tone=tone,
        actor=actor,
        now=now,
        based_on=based_on,
        template_ids=template_ids,
        policy=policy,
    )


def _save_in_editor(session: Session, draft: Draft, parts: dict[str, str], **edit) -> EditorSave:
    """`edit_parts`, and what the editor says of it: whether a revision was made and whether
    that restarted a submitted draft's cooling-off. The person's working copy goes: what
    they wrote is a revision now."""
    was_submitted = draft.is_submitted
    number = draft.current_revision
    revision = edit_parts(session, draft, parts, **edit)
    created = revision.number != number
    working_copy.discard(session, draft, actor=edit["actor"])  # saved: nothing left to restore
    return EditorSave(revision, created=created, restarted=created and was_submitted)


@dataclass(frozen=True)
class LiveCheck:
    """The live check's answer: the parts checked (with how they fit the channel), and
    the codes that count as caught before review if the person saves (see
    `app.drafts.catches`); nothing is stored."""

    check: PartsCheck
    #: The stored channel, for the words of the length line.
    channel: Channel
    caught: list[str]


def live_check(
    session: Session, draft: Draft, parts: object, *, tone: ToneSetting, actor: User
) -> LiveCheck:
    """Check the parts as typed in the editor. Raises DraftError when `parts` is not a
    mapping of the draft's part names to texts (ToneCheckError when the text is too long).
    Only what the draft's author types before its first submission is caught."""
    if not isinstance(parts, dict) or not all(
        isinstance(name, str) and isinstance(value, str) for name, value in parts.items()
    ):
        raise DraftError('Send {"parts": {"validate": "...", ...}} as JSON.')
    revision = workflow.current_revision(session, draft)
    unknown = [name for name in parts if name not in revision.parts and name not in PARTS]
    if unknown:
        raise DraftError(f"Unknown part {unknown[0]!r}.")
    checked = check_parts(tone, {name: clean_text(value) for name, value in parts.items()})
    channel = draft.complaint.channel
    counts = can_edit_draft(actor, draft.author_id) is None and never_submitted(draft)
    return LiveCheck(
        check=checked,
        channel=channel,
        caught=caught_codes(checked.findings) if counts else [],
    )
