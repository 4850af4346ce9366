"""The analysis' labels as people read them, in the page's language. The keys are the
analysis' own (app/analysis/rules.FLAG_LABELS, app/analysis/kind.KIND_LABELS, which stay
English for logs, exports and the API); tests/test_translations.py keeps the keys equal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
