"""The workflow policy page's form: what it shows (minutes and hours, a field per flag,
finding and channel) and how what an admin typed becomes the stored policy and response
targets. No Flask."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.analysis.rules import FLAGS
from app.complaints.models import Channel
from app.core.words import N_
from app.drafts import policy as workflow_settings
from app.tone.catalogue import CODES

Translate = Callable[[str], str]

#: Cooling-off settings, shown in minutes: (setting, input name, label, hint).
LABELS = workflow_settings.COOLING_LABELS
COOLING_FIELDS = (
    ("base_seconds", LABELS["base_seconds"], N_("Every submitted draft waits at least this long.")),
    (
        "hot_extra_seconds",
        LABELS["hot_extra_seconds"],
        N_("Added when the complaint's heat is high."),
    ),
    (
        "warn_extra_seconds",
        LABELS["warn_extra_seconds"],
        N_("Added when the draft has a finding that warns."),
    ),
    (
        "floor_seconds",
        LABELS["floor_seconds"],
        N_("The least any draft cools off, whatever the rest says (1 minute at least)."),
    ),
)
TARGET_UNITS = {"minutes": 60, "hours": 3600}


def _minutes(seconds: int) -> str:
    return f"{seconds / 60:g}"


def _target_on_screen(seconds: int) -> tuple[str, str]:
    if seconds % 3600 == 0:
        return f"{seconds // 3600}", "hours"
    return _minutes(seconds), "minutes"


def _seconds_from(text: str, unit_seconds: int) -> int | None:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return round(number * unit_seconds)


def values_of(current: workflow_settings.WorkflowPolicy, channels) -> dict[str, str]:
    """What the form shows: minutes for cooling-off, a group per flag and finding, a
    publisher and a response target (with its unit) per channel."""
    values = {
        f"cooling_off.{name.removesuffix('_seconds')}_minutes": _minutes(
            getattr(current.cooling_off, name)
        )
        for name, _, _ in COOLING_FIELDS
    }
    values["cooling_off.edit_restart_percent"] = str(current.cooling_off.edit_restart_percent)
    for flag in FLAGS:
        values[f"signoff.flag.{flag}"] = current.signoff_flags.get(flag, workflow_settings.NOBODY)
    for code in CODES:
        values[f"signoff.finding.{code}"] = current.signoff_findings.get(
            code, workflow_settings.NOBODY
        )
    values[workflow_settings.UNREAD_LANGUAGE_KEY] = current.signoff_unread_language
    for channel in channels:
        values[f"publisher.{channel.key}"] = current.publisher(channel.key)
        amount, unit = _target_on_screen(channel.response_target_seconds)
        values[f"target.{channel.key}"], values[f"target_unit.{channel.key}"] = amount, unit
    return values


def _settings_from(values: dict[str, str], channels) -> tuple[dict, dict, dict]:
    """The typed values as settings (seconds), as response targets (seconds), and what
    could not even be read as a number."""
    settings: dict[str, object] = {}
    problems: dict[str, str] = {}
    for name, _, _ in COOLING_FIELDS:
        field = f"cooling_off.{name.removesuffix('_seconds')}_minutes"
        seconds = _seconds_from(values[field], 60)
        if seconds is None:
            problems[field] = N_("A number of minutes, e.g. 10.")
        else:
            settings[f"cooling_off.{name}"] = seconds
    settings["cooling_off.edit_restart_percent"] = values["cooling_off.edit_restart_percent"]
    for name, value in values.items():
        if name.startswith(("signoff.", "publisher.")):
            settings[name] = value
    targets: dict[str, int] = {}
    for channel in channels:
        unit = TARGET_UNITS.get(values[f"target_unit.{channel.key}"])
        seconds = _seconds_from(values[f"target.{channel.key}"], unit or 0) if unit else None
        if seconds is None:
            problems[f"target.{channel.key}"] = N_("A number of minutes or hours, e.g. 1 hour.")
        else:
            targets[channel.key] = seconds
    return settings, targets, problems


def _as_is(message: str) -> str:
    return message


def _on_screen(fields: dict[str, str], translate: Translate = _as_is) -> dict[str, str]:
    """The policy's problems, named by the form's fields and said in its units (in the
    reader's language with `translate`, the web layer's gettext)."""
    shown = {}
    most = workflow_settings.MAX_SECONDS // 60
    for key, message in fields.items():
        name = key.removeprefix("cooling_off.")
        if key.startswith("cooling_off.") and name.endswith("_seconds"):
            field = f"cooling_off.{name.removesuffix('_seconds')}_minutes"
            if name == "floor_seconds":
                least = workflow_settings.MIN_FLOOR_SECONDS / 60
                message = translate(
                    N_("From %(least)s to %(most)s minutes: cooling-off cannot be switched off.")
                ) % {"least": f"{least:g}", "most": most}
            else:
                message = translate(N_("From 0 to %(most)s minutes (a day).")) % {"most": most}
            shown[field] = message
        elif key.startswith("target."):
            # the form lists only known channels
            shown[key] = translate(N_("From 1 minute to 24 hours."))
        else:
            shown[key] = translate(message)
    return shown


def cooling_fields() -> list[tuple[str, str, str]]:
    """(input name, label, hint) of each cooling-off field."""
    return [
        (f"cooling_off.{name.removesuffix('_seconds')}_minutes", label, hint)
        for name, label, hint in COOLING_FIELDS
    ]


def save(
    session: Session,
    values: dict[str, str],
    channels: list[Channel],
    *,
    defaults: workflow_settings.WorkflowPolicy,
    actor: User,
    now: datetime,
    translate: Translate = _as_is,
) -> dict[str, str]:
    """Store the policy and the response targets typed into the form, or return what is
    wrong, by field, in the form's units (then nothing is stored: the caller rolls back the
    targets checked alongside)."""
    settings, targets, problems = _settings_from(values, channels)
    chosen = None
    try:
        chosen = workflow_settings.clean(
            settings, defaults, workflow_settings.group_choices(session)
        )
    except workflow_settings.WorkflowPolicyError as problem:
        problems.update(_on_screen(problem.fields, translate))
    try:
        workflow_settings.set_response_targets(session, targets, actor=actor, now=now)
    except workflow_settings.WorkflowPolicyError as problem:
        problems.update(_on_screen(problem.fields, translate))
    if not problems and chosen is not None:
        workflow_settings.save(session, chosen, defaults=defaults, actor=actor, now=now)
    return problems
