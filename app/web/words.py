"""The analysis' labels as people read them, in the page's language. The keys are the
analysis' own (app/analysis/rules.FLAG_LABELS, app/analysis/kind.KIND_LABELS, which stay
English for logs, exports and the API); tests/test_translations.py keeps the keys equal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.parts import PART_LABELS

FLAG_WORDS = {
    "billing": _l("Billing"),
    "account": _l("Account"),
    "personal_data": _l("Personal data"),
    "legal_threat": _l("Legal threat"),
    "safety": _l("Safety"),
    "media": _l("Media"),
    "discrimination": _l("Discrimination"),
    "staff": _l("Staff"),
    "harassment": _l("Harassment"),
}

KIND_WORDS = {
    "complaint": _l("Complaint"),
    "question": _l("Question"),
    "praise": _l("Praise"),
    "other": _l("Other"),
}

HEAT_WORDS = {
    "low": _l("low heat"),
    "medium": _l("medium heat"),
    "high": _l("high heat"),
}

#: A tone finding's severity, on its badge (app/tone: "block", "warn", "info").
SEVERITY_WORDS = {
    "block": _l("block"),
    "warn": _l("warn"),
    "info": _l("info"),
}

#: The tone checks' names on the screen (the keys are app.tone.catalogue.CODE_LABELS', which
#: stay English for the API and the audit log; tests/test_translations.py keeps them equal).
CODE_WORDS = {
    "blame": _l("Blames the customer"),
    "non_apology": _l("Non-apology"),
    "dismissive": _l("Dismissive"),
    "argumentative": _l("Argues with the customer"),
    "hostile": _l("Hostile"),
    "shouting": _l("Shouting"),
    "sarcasm": _l("Sarcasm"),
    "overpromise": _l("Overpromise"),
    "legal_risk": _l("Legal risk"),
    "private_data": _l("Personal data in public"),
    "private_topic": _l("Private matter in public"),
    "missing_validate": _l("No validation"),
    "missing_responsibility": _l("No responsibility taken"),
    "missing_direction": _l("No next step"),
    "missing_close_loop": _l("Loop not closed"),
    "too_long": _l("Too long"),
    "hard_to_read": _l("Hard to read"),
    "negative_tone": _l("Negative tone"),
    "mirrors_anger": _l("Mirrors the customer's anger"),
    "unfilled_placeholder": _l("Gap to fill in"),
}

#: The four parts of a reply as the editor names them (their English ids are marked in
#: app/core/parts.py).
PART_WORDS = {part: _l(label) for part, label in PART_LABELS.items()}
