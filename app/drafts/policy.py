"""The workflow policy: how long drafts cool off, what needs sign-off and by whom, how
each channel publishes, and each channel's response-time target (PRODUCT.md "Draft states").

Defaults come from configuration (every one settable by environment variable, see
config.py); an admin changes them on Admin → Workflow policy. Stored as `workflow.*` rows
in `settings` (response targets on the channels themselves); every change is audited.
No Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Group, User
from app.analysis.rules import FLAG_LABELS, FLAGS
from app.audit import log as audit
from app.complaints.models import Channel, Complaint
from app.core.business_time import BusinessCalendar
from app.core.clock import add_working_days
from app.core.durations import plural
from app.core.errors import Invalid
from app.core.words import N_, Duration, Semicolons, Words
from app.drafts.models import SignOffGroup
from app.settings import store
from app.tone.catalogue import CODE_LABELS, CODES, WARN

PREFIX = "workflow."
#: Cooling-off is mandatory: no setting makes it shorter than this.
MIN_FLOOR_SECONDS = 60
#: Nor longer than a day, which would only mean replies never go out.
MAX_SECONDS = 24 * 3600
NOBODY = "none"
#: Before an admin defines more groups (Admin → Users and roles → Sign-off groups).
GROUP_CHOICES = (*(group.value for group in SignOffGroup), NOBODY)


def group_choices(session: Session) -> tuple[str, ...]:
    """Who may be asked to sign off: every sign-off group there is, or nobody."""
    return (*session.scalars(select(Group.key).order_by(Group.key)), NOBODY)


PUBLISHERS = ("manual", "webhook")
#: How each publisher is said.
PUBLISHER_WORDS = {"manual": "by hand", "webhook": "by webhook"}
#: The cooling-off settings' names on Admin → Workflow policy and in the audit log.
COOLING_LABELS = {
    "base_seconds": N_("Base cooling-off"),
    "hot_extra_seconds": N_("Extra for a hot complaint"),
    "warn_extra_seconds": N_("Extra when the tone checks warn"),
    "floor_seconds": N_("Never shorter than"),
    "edit_restart_percent": N_("Share restarted after an edit"),
}


def change_words(name: str, old: Any, new: Any) -> str:
    """A workflow setting's change as the audit log shows it: "Base cooling-off: 10
    minutes → 30 minutes", "Sign-off for Legal threat: legal → nobody"."""
    kind, _, key = name.partition(".")
    if kind == "cooling_off" and key == "edit_restart_percent":
        label, shown = COOLING_LABELS[key], lambda value: f"{value}%"
    elif kind == "cooling_off":
        label, shown = COOLING_LABELS.get(key, key), lambda value: _length(int(value))
    elif kind == "signoff":
        what = key.partition(".")[2]
        label = "Sign-off " + (
            "for a complaint nobody could read"
            if name == UNREAD_LANGUAGE_KEY
            else f"for {FLAG_LABELS.get(what) or CODE_LABELS.get(what) or what}"
        )
        shown = lambda value: "nobody" if value == NOBODY else str(value)  # noqa: E731
    elif kind == "publisher":
        label, shown = f"Publishing on {key}", lambda value: PUBLISHER_WORDS.get(value, value)
    else:
        return store.change_words(name, old, new)
    old_words = "the default" if old is None else shown(old)
    return f"{label}: {old_words} → {shown(new)}"


def _exactly(seconds: int) -> dict[str, Duration]:
    """A policy length as a sentence's value: said exactly in English ("90 minutes")."""
    return {"length": Duration(timedelta(seconds=seconds), parts=2, exactly=_length(seconds))}


def _length(seconds: int) -> str:
    """A policy setting's length, exactly: "10 minutes", "1 hour", "90 minutes"."""
    minutes, rest = divmod(seconds, 60)
    if rest:
        return plural(seconds, "second")
    if minutes and minutes % 60 == 0:
        return plural(minutes // 60, "hour")
    return plural(minutes, "minute")


@dataclass(frozen=True)
class CoolingOff:
    """How long a draft cools off once submitted, and the policy's reasons, in words."""

    length: timedelta
    reasons: tuple[Words, ...]

    @property
    def words(self) -> Words:
        """What the editor says before submitting (in the page's language: `|say`)."""
        return Words(
            N_("When you submit, this reply waits %(length)s before it can go out: %(reasons)s."),
            {"length": Duration(self.length, parts=2), "reasons": Semicolons(self.reasons)},
        )

    @property
    def message(self) -> str:
        """The same in English (the API, the logs)."""
        return str(self.words)


@dataclass(frozen=True)
class CoolingOffPolicy:
    """How long a submitted draft cools before it may go out."""

    base_seconds: int = 600
    #: Added when the complaint is hot (heat label "high").
    hot_extra_seconds: int = 600
    #: Added when the draft's tone checks warn.
    warn_extra_seconds: int = 300
    #: Never shorter than this, whatever the other settings.
    floor_seconds: int = 120
    #: After an edit, this share (in percent) of the full length starts again.
    edit_restart_percent: int = 100

    def explain(self, complaint: Complaint, findings: list[dict[str, Any]]) -> CoolingOff:
        """How long a reply to `complaint` with these findings cools off, and why that long:
        the one computation the submission uses and the editor shows beforehand."""
        seconds = self.base_seconds
        reasons = [Words(N_("%(length)s for every reply"), _exactly(self.base_seconds))]
        if complaint.heat_label == "high" and self.hot_extra_seconds:
            seconds += self.hot_extra_seconds
            reasons.append(
                Words(
                    N_("%(length)s more because the customer is very angry"),
                    _exactly(self.hot_extra_seconds),
                )
            )
        if self.warn_extra_seconds and any(finding.get("severity") == WARN for finding in findings):
            seconds += self.warn_extra_seconds
            reasons.append(
                Words(
                    N_("%(length)s more because the tone checks warn about the reply"),
                    _exactly(self.warn_extra_seconds),
                )
            )
        if seconds < self.floor_seconds:
            seconds = self.floor_seconds
            reasons = [
                Words(N_("%(length)s, the least any reply waits"), _exactly(self.floor_seconds))
            ]
        return CoolingOff(timedelta(seconds=seconds), tuple(reasons))

    def length(self, complaint: Complaint, findings: list[dict[str, Any]]) -> timedelta:
        return self.explain(complaint, findings).length

    def after_edit(self, complaint: Complaint, findings: list[dict[str, Any]]) -> timedelta:
        full = self.length(complaint, findings).total_seconds()
        return timedelta(seconds=max(full * self.edit_restart_percent / 100, self.floor_seconds))


#: Flags that need legal's or PR's sign-off, and whose (PRODUCT.md "Who uses it").
DEFAULT_SIGNOFF_FLAGS = {
    "legal_threat": SignOffGroup.LEGAL.value,
    "personal_data": SignOffGroup.LEGAL.value,
    "discrimination": SignOffGroup.LEGAL.value,
    "safety": SignOffGroup.LEGAL.value,
    "billing": SignOffGroup.LEGAL.value,
    "media": SignOffGroup.PR.value,
    "harassment": SignOffGroup.PR.value,
}
#: Who signs off a reply to a complaint in a language Composure has no rules for: nothing
#: sensitive could be ruled out, so legal reads it by default. Never "nobody".
DEFAULT_SIGNOFF_UNREAD_LANGUAGE = SignOffGroup.LEGAL.value
UNREAD_LANGUAGE_KEY = "signoff.unread_language"
#: Tone findings on the reply's text that need sign-off whatever the complaint.
DEFAULT_SIGNOFF_FINDINGS = {
    "legal_risk": SignOffGroup.LEGAL.value,
    "private_data": SignOffGroup.LEGAL.value,
}


@dataclass(frozen=True)
class WorkflowPolicy:
    cooling_off: CoolingOffPolicy = field(default_factory=CoolingOffPolicy)
    #: Complaint flag -> group that signs off ("legal", "pr"); flags not listed need none.
    signoff_flags: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SIGNOFF_FLAGS))
    #: Tone finding code -> group that signs off.
    signoff_findings: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SIGNOFF_FINDINGS))
    #: The group that signs off every reply to a complaint whose language Composure could
    #: not read (no analysis rules): its flags were never checked. A group, never "none".
    signoff_unread_language: str = DEFAULT_SIGNOFF_UNREAD_LANGUAGE
    #: Channel key -> "manual" or "webhook"; channels not listed publish by hand.
    publishers: dict[str, str] = field(default_factory=dict)
    #: Working days from a published reply to its follow-up: the company's promise
    #: ("we'll update you by Thursday"), set on Admin → Company details, not stored here.
    follow_up_days: int = 2
    #: The working-day calendar of a complaint's market (its time zone and holidays), for
    #: follow-up dates; None counts Monday to Friday. Set by the services, not stored.
    calendar_of: Callable[[Complaint], BusinessCalendar | None] | None = None

    def follow_up_due(self, complaint: Complaint, published_at: datetime) -> datetime:
        """When the follow-up of a reply published at `published_at` is due."""
        days = max(self.follow_up_days, 1)
        calendar = self.calendar_of(complaint) if self.calendar_of else None
        if calendar is None:
            return add_working_days(published_at, days)
        return calendar.add_working_days(published_at, days)

    def signoff_reasons(
        self, complaint: Complaint, findings: list[dict[str, Any]]
    ) -> list[dict[str, str]]:
        """Why a reply needs sign-off, and by whom: [{"kind", "value", "group"}]. A
        complaint Composure could not read is {"kind": "language", "value": "fr"}: nothing
        sensitive could be ruled out."""
        reasons = []
        if not complaint.language_read:
            reasons.append(
                {
                    "kind": "language",
                    "value": complaint.language or "",
                    "group": self.signoff_unread_language,
                }
            )
        reasons += [
            {"kind": "flag", "value": flag, "group": self.signoff_flags[flag]}
            for flag in complaint.flags or ()
            if self.signoff_flags.get(flag, NOBODY) != NOBODY
        ]
        codes = {finding["code"] for finding in findings}
        for code in sorted(codes):
            group = self.signoff_findings.get(code, NOBODY)
            if group != NOBODY:
                reasons.append({"kind": "finding", "value": code, "group": group})
        return reasons

    def publisher(self, channel_key: str) -> str:
        return self.publishers.get(channel_key, "manual")

    def as_settings(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            f"cooling_off.{name}": getattr(self.cooling_off, name)
            for name in CoolingOffPolicy.__dataclass_fields__
        }
        values.update(
            {f"signoff.flag.{flag}": self.signoff_flags.get(flag, NOBODY) for flag in FLAGS}
        )
        values.update(
            {f"signoff.finding.{code}": self.signoff_findings.get(code, NOBODY) for code in CODES}
        )
        values[UNREAD_LANGUAGE_KEY] = self.signoff_unread_language
        values.update({f"publisher.{key}": value for key, value in self.publishers.items()})
        return values


class WorkflowPolicyError(Invalid):
    """Values that cannot be used, a message per field."""


def _seconds(value: Any, *, low: int = 0) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= MAX_SECONDS else None


def _from_values(
    values: dict[str, Any], defaults: WorkflowPolicy, groups: tuple[str, ...] = GROUP_CHOICES
) -> tuple[WorkflowPolicy, dict]:
    """A policy from flat setting values over `defaults`, and what was wrong with them."""
    problems: dict[str, str] = {}
    cooling: dict[str, int] = {}
    for name in CoolingOffPolicy.__dataclass_fields__:
        key = f"cooling_off.{name}"
        if key not in values:
            continue
        if name == "edit_restart_percent":
            number = _seconds(values[key])
            if number is None or number > 100:
                problems[key] = "A share from 0 to 100 (100 restarts the whole cooling-off)."
                continue
        elif name == "floor_seconds":
            number = _seconds(values[key], low=MIN_FLOOR_SECONDS)
            if number is None:
                problems[key] = (
                    f"Seconds from {MIN_FLOOR_SECONDS} to {MAX_SECONDS}: cooling-off cannot "
                    "be switched off."
                )
                continue
        else:
            number = _seconds(values[key])
            if number is None:
                problems[key] = f"Seconds from 0 to {MAX_SECONDS} (a day)."
                continue
        cooling[name] = number
    maps: dict[str, dict[str, str]] = {
        "flag": dict(defaults.signoff_flags),
        "finding": dict(defaults.signoff_findings),
    }
    for kind, names in (("flag", FLAGS), ("finding", CODES)):
        for name in names:
            key = f"signoff.{kind}.{name}"
            if key not in values:
                continue
            if values[key] not in groups:
                problems[key] = f"One of {', '.join(groups)}."
            else:
                maps[kind][name] = values[key]
    unread = defaults.signoff_unread_language
    if UNREAD_LANGUAGE_KEY in values:
        signers = [group for group in groups if group != NOBODY]
        if values[UNREAD_LANGUAGE_KEY] not in signers:
            problems[UNREAD_LANGUAGE_KEY] = (
                f"One of {', '.join(signers)}: a reply to a complaint nobody could read "
                "always needs sign-off."
            )
        else:
            unread = values[UNREAD_LANGUAGE_KEY]
    publishers = dict(defaults.publishers)
    for key, value in values.items():
        if key.startswith("publisher."):
            if value not in PUBLISHERS:
                problems[key] = f"One of {', '.join(PUBLISHERS)}."
            else:
                publishers[key.removeprefix("publisher.")] = value
    policy = replace(
        defaults,
        cooling_off=replace(defaults.cooling_off, **cooling),
        signoff_flags=maps["flag"],
        signoff_findings=maps["finding"],
        signoff_unread_language=unread,
        publishers=publishers,
    )
    return policy, problems


def load(
    session: Session, defaults: WorkflowPolicy, *, rows: Mapping[str, Any] | None = None
) -> WorkflowPolicy:
    """The policy in force: stored values over the configured defaults (a stored value that
    no longer passes the checks is ignored rather than stopping every request). Read from
    `rows`, the settings rows `store.stored_under` read, when given."""
    values = store.stored(session, PREFIX, rows=rows)
    groups = group_choices(session)
    policy, problems = _from_values(values, defaults, groups)
    if problems:
        kept = {k: v for k, v in values.items() if k not in problems}
        policy, _ = _from_values(kept, defaults, groups)
    return policy


def clean(
    values: dict[str, Any], defaults: WorkflowPolicy, groups: tuple[str, ...] = GROUP_CHOICES
) -> WorkflowPolicy:
    """Check what an admin entered; raise WorkflowPolicyError naming each bad field."""
    policy, problems = _from_values(values, defaults, groups)
    if problems:
        raise WorkflowPolicyError(problems)
    return policy


def save(
    session: Session,
    policy: WorkflowPolicy,
    *,
    defaults: WorkflowPolicy,
    actor: User,
    now: datetime,
) -> WorkflowPolicy:
    """Store the policy; audit what changed."""
    store.save(
        session,
        PREFIX,
        policy.as_settings(),
        action="settings.workflow_policy_updated",
        actor=actor,
        now=now,
        defaults=defaults.as_settings(),
        describe=change_words,
    )
    return policy


def response_targets(session: Session) -> list[Channel]:
    """The channels with their response-time targets, in display order."""
    return list(session.scalars(select(Channel).order_by(Channel.position, Channel.key)))


def set_response_targets(
    session: Session, targets: dict[str, Any], *, actor: User, now: datetime
) -> dict[str, int]:
    """Change channels' response-time targets (seconds); raise WorkflowPolicyError naming
    each bad value. Complaints already in keep the due time they came in with."""
    problems: dict[str, str] = {}
    changed: dict[str, int] = {}
    before: dict[str, int] = {}
    channels = {channel.key: channel for channel in response_targets(session)}
    for key, value in targets.items():
        channel = channels.get(key)
        if channel is None:
            problems[f"target.{key}"] = "No such channel."
            continue
        seconds = _seconds(value, low=60)
        if seconds is None:
            problems[f"target.{key}"] = f"Seconds from 60 to {MAX_SECONDS} (a day)."
        elif seconds != channel.response_target_seconds:
            changed[key], before[key] = seconds, channel.response_target_seconds
    if problems:
        raise WorkflowPolicyError(problems)
    for key, seconds in changed.items():
        channels[key].response_target_seconds = seconds
    if changed:
        session.flush()
        audit.record(
            session,
            action="settings.response_targets_updated",
            entity_type="settings",
            entity_id=None,
            actor_id=actor.id,
            now=now,
            details={
                "changed": changed,
                "before": before,
                "changes": [
                    f"Response target on {channels[key].name}: {_length(before[key])} → "
                    f"{_length(seconds)}"
                    for key, seconds in changed.items()
                ],
            },
        )
    return changed


@dataclass(frozen=True)
class TargetWarning:
    """Cooling-off would push the reply past the complaint's response-time target."""

    cooling_off_until: datetime
    due_at: datetime
    #: True once the draft is submitted (its cooling-off is running); False: if it were now.
    running: bool = True

    @property
    def late_by(self) -> timedelta:
        return self.cooling_off_until - self.due_at

    @property
    def lateness_words(self) -> Words:
        """ "21 hours after the response target"."""
        return Words(N_("%(late)s after the response target"), {"late": Duration(self.late_by)})

    @property
    def lateness(self) -> str:
        return str(self.lateness_words)

    @property
    def words(self) -> Words:
        if self.running:
            return Words(
                N_("Cooling-off ends %(late)s. Tell your lead if the reply will be late."),
                {"late": self.lateness_words},
            )
        return Words(
            N_(
                "Submitted now, cooling-off would end %(late)s. Submit as soon as it reads "
                "right, and tell your lead if it will be late."
            ),
            {"late": self.lateness_words},
        )

    @property
    def message(self) -> str:
        return str(self.words)


def target_warning(
    complaint: Complaint,
    findings: list[dict[str, Any]],
    *,
    now: datetime,
    policy: WorkflowPolicy,
    cooling_off_until: datetime | None = None,
) -> TargetWarning | None:
    """A warning when the reply cannot go out before the complaint's target: from a
    submission now, or from the cooling-off already running (`cooling_off_until`). Only
    while it is true and still helps: not once cooling-off is over, and not once the
    target has passed (the response clock says "overdue" then)."""
    if complaint.first_replied_at is not None or now >= complaint.response_due_at:
        return None
    until = cooling_off_until or now + policy.cooling_off.length(complaint, findings)
    if until <= now or until <= complaint.response_due_at:
        return None
    return TargetWarning(
        cooling_off_until=until,
        due_at=complaint.response_due_at,
        running=cooling_off_until is not None,
    )
