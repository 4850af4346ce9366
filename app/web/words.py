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

#: The analysis' entity kinds (app/analysis/rules.ENTITY_LABELS).
ENTITY_WORDS = {
    "order_ref": _l("Order"),
    "claim_ref": _l("Claim"),
    "account_ref": _l("Account number"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "card": _l("Card"),
    "national_id": _l("ID number"),
    "address": _l("Address"),
    "name": _l("Name"),
    "handle": _l("Handle"),
    "url": _l("Link"),
}

#: The categories (app/analysis/rules.CATEGORIES).
CATEGORY_WORDS = {
    "delivery": _l("Delivery"),
    "billing": _l("Billing"),
    "product": _l("Product"),
    "service": _l("Service"),
    "staff": _l("Staff"),
    "outage": _l("Outage"),
    "other": _l("Other"),
}

#: A complaint's heat (its `heat_label`) as a badge reads it, and on its own.
HEAT_WORDS = {"low": _l("low heat"), "medium": _l("medium heat"), "high": _l("high heat")}
HEAT_LEVEL_WORDS = {"low": _l("low"), "medium": _l("medium"), "high": _l("high")}

#: The complainer types (`complainer_type`).
TYPE_WORDS = {
    "aggressive": _l("aggressive"),
    "passive": _l("passive"),
    "constructive": _l("constructive"),
}

#: A complaint's status (app/complaints/models.ComplaintStatus).
STATUS_WORDS = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "replied": _l("Replied"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}

#: An import's status (app/complaints/models.ImportStatus).
IMPORT_STATUS_WORDS = {
    "queued": _l("queued"),
    "running": _l("running"),
    "done": _l("done"),
    "failed": _l("failed"),
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
