"""The tone check catalogue (PRODUCT.md): the codes, their default severities, a finding.

The words each code looks for are data (`app/tone/rules/<language>/`); which checks run, in
what order, is `checks.REGISTRY`; how severe each code is comes from the policy, starting
from `DEFAULT_SEVERITIES` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

BLOCK, WARN, INFO = "block", "warn", "info"
SEVERITIES = (BLOCK, WARN, INFO)
#: Worst first, for sorting and for "the worst finding on this span".
SEVERITY_RANK = {BLOCK: 0, WARN: 1, INFO: 2}

PART_CODES = {
    "validate": "missing_validate",
    "responsibility": "missing_responsibility",
    "direction": "missing_direction",
    "close_loop": "missing_close_loop",
}

CODES = (
    "blame",
    "non_apology",
    "dismissive",
    "argumentative",
    "hostile",
    "shouting",
    "sarcasm",
    "overpromise",
    "legal_risk",
    "private_data",
    "private_topic",
    *PART_CODES.values(),
    "too_long",
    "hard_to_read",
    "negative_tone",
    "mirrors_anger",
    "unfilled_placeholder",
)

CODE_LABELS = {
    "blame": "Blames the customer",
    "non_apology": "Non-apology",
    "dismissive": "Dismissive",
    "argumentative": "Argues with the customer",
    "hostile": "Hostile",
    "shouting": "Shouting",
    "sarcasm": "Sarcasm",
    "overpromise": "Overpromise",
    "legal_risk": "Legal risk",
    "private_data": "Personal data in public",
    "private_topic": "Private matter in public",
    "missing_validate": "No validation",
    "missing_responsibility": "No responsibility taken",
    "missing_direction": "No next step",
    "missing_close_loop": "Loop not closed",
    "too_long": "Too long",
    "hard_to_read": "Hard to read",
    "negative_tone": "Negative tone",
    "mirrors_anger": "Mirrors the customer's anger",
    "unfilled_placeholder": "Gap to fill in",
}

#: PRODUCT.md's defaults: what can hurt in public at once blocks; the rest warns.
DEFAULT_SEVERITIES = {
    "blame": WARN,
    "non_apology": WARN,
    "dismissive": WARN,
    "argumentative": WARN,
    "hostile": BLOCK,
    "shouting": WARN,
    "sarcasm": WARN,
    "overpromise": WARN,
    "legal_risk": WARN,
    "private_data": BLOCK,
    "private_topic": WARN,
    "missing_validate": WARN,
    "missing_responsibility": WARN,
    "missing_direction": WARN,
    "missing_close_loop": WARN,
    "too_long": BLOCK,  # where the channel has threads, a split is offered and it warns
    "hard_to_read": WARN,
    "negative_tone": WARN,
    "mirrors_anger": WARN,
    "unfilled_placeholder": BLOCK,
}
#: Codes whose severity an admin may not lower below `block`: a gap left in the text would
#: go out as "[[order number]]".
FIXED_SEVERITIES = frozenset({"unfilled_placeholder"})


@dataclass(frozen=True)
class Finding:
    """One problem in a reply: the words at fault and what to do about them.

    `start`/`end` are character offsets into the checked text (equal for a finding about
    something absent, such as a missing part). `suggestion` replaces the text between
    `replace_start` and `replace_end` (the span itself unless they say otherwise).
    """

    code: str
    severity: str
    start: int
    end: int
    message: str
    suggestion: str | None = None
    replace_start: int | None = None
    replace_end: int | None = None
    #: Extra facts for the screen (the thread split, the reading-ease score).
    details: dict[str, Any] = field(default_factory=dict)

    def with_severity(self, severity: str) -> Finding:
        return replace(self, severity=severity)

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "label": CODE_LABELS.get(self.code, self.code),
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "suggestion": self.suggestion,
        }
        if text is not None:
            data["text"] = text[self.start : self.end]
        if self.suggestion is not None:
            data["replace_start"] = self.start if self.replace_start is None else self.replace_start
            data["replace_end"] = self.end if self.replace_end is None else self.replace_end
            if text is not None:
                data["replace_text"] = text[data["replace_start"] : data["replace_end"]]
        if self.details:
            data["details"] = self.details
        return data
