"""The tone policy: how severe each finding is, and the readability and sentiment lines.

Defaults follow PRODUCT.md (`catalogue.DEFAULT_SEVERITIES`); an admin changes them on the
settings page. Stored as `tone.*` rows in `settings`; every change is audited. No Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.errors import Invalid
from app.core.words import N_
from app.settings import store
from app.tone.catalogue import CODE_LABELS, CODES, DEFAULT_SEVERITIES, FIXED_SEVERITIES, SEVERITIES

PREFIX = "tone."
#: An admin may also switch a code off; `block` codes in FIXED_SEVERITIES stay `block`.
CHOICES = (*SEVERITIES, "off")
READABILITY_RANGE = (0.0, 100.0)
NEGATIVE_RANGE = (-1.0, 0.0)


@dataclass(frozen=True)
class TonePolicy:
    severities: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITIES))
    #: Flesch reading ease below this is `hard_to_read` (60-70 is plain English).
    readability_min: float = 50.0
    #: A sentence whose sentiment (VADER compound, -1..1) is at or below this reads negative;
    #: enough such sentences (context.yaml's negative_share) make a `negative_tone` reply.
    negative_at: float = -0.4

    def severity(self, code: str) -> str:
        return self.severities.get(code, DEFAULT_SEVERITIES.get(code, "warn"))

    def as_settings(self) -> dict[str, Any]:
        values: dict[str, Any] = {f"severity.{code}": self.severity(code) for code in CODES}
        values["readability_min"] = self.readability_min
        values["negative_at"] = self.negative_at
        return values


class TonePolicyError(Invalid):
    """Values that cannot be used, a message per field."""


def load(session: Session, *, rows: Mapping[str, Any] | None = None) -> TonePolicy:
    """The policy in force: stored values over the defaults (read from `rows`, the
    settings rows `store.stored_under` read, when given)."""
    values = store.stored(session, PREFIX, rows=rows)
    severities = dict(DEFAULT_SEVERITIES)
    for code in CODES:
        value = values.get(f"severity.{code}")
        if value in CHOICES and code not in FIXED_SEVERITIES:
            severities[code] = value
    defaults = TonePolicy()
    return TonePolicy(
        severities=severities,
        readability_min=float(values.get("readability_min", defaults.readability_min)),
        negative_at=float(values.get("negative_at", defaults.negative_at)),
    )


def _number(value: Any, bounds: tuple[float, float]) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if bounds[0] <= number <= bounds[1] else None


def clean(values: dict[str, Any]) -> TonePolicy:
    """Check what an admin entered; raise TonePolicyError naming each bad field."""
    problems: dict[str, str] = {}
    severities = dict(DEFAULT_SEVERITIES)
    for code in CODES:
        value = values.get(f"severity.{code}", DEFAULT_SEVERITIES[code])
        if code in FIXED_SEVERITIES:
            if value != DEFAULT_SEVERITIES[code]:
                problems[f"severity.{code}"] = N_("This one always blocks.")
            continue
        if value not in CHOICES:
            problems[f"severity.{code}"] = f"One of {', '.join(CHOICES)}."
        else:
            severities[code] = value
    readability_min = _number(values.get("readability_min"), READABILITY_RANGE)
    if readability_min is None:
        problems["readability_min"] = N_("A reading ease from 0 to 100 (60 is plain English).")
    negative_at = _number(values.get("negative_at"), NEGATIVE_RANGE)
    if negative_at is None:
        problems["negative_at"] = N_(
            "A score from -1 to 0 (-0.4 marks clearly negative sentences)."
        )
    if problems:
        raise TonePolicyError(problems)
    return TonePolicy(severities, readability_min, negative_at)


#: The policy's two numbers, as Admin → Tone policy names them in the audit log.
NUMBER_LABELS = {
    "readability_min": "Lowest reading ease",
    "negative_at": "A sentence reads negative at or below",
}


def change_words(name: str, old: Any, new: Any) -> str:
    """A tone setting's change for the audit log: "Blame: warn → block"."""
    code = name.removeprefix("severity.")
    if code != name:
        return f"{CODE_LABELS.get(code, code)}: {old or 'the default'} → {new}"
    if name in NUMBER_LABELS:
        return f"{NUMBER_LABELS[name]}: {old} → {new}"
    return store.change_words(name, old, new)


def save(session: Session, policy: TonePolicy, *, actor: User, now: datetime) -> TonePolicy:
    """Store the policy; audit what changed."""
    store.save(
        session,
        PREFIX,
        policy.as_settings(),
        action="settings.tone_policy_updated",
        actor=actor,
        now=now,
        defaults=TonePolicy().as_settings(),
        describe=change_words,
    )
    return policy
