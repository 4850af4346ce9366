"""The analysis' labels as people read them, in the page's language. The keys are the
analysis' own (app/analysis/rules.FLAG_LABELS, app/analysis/kind.KIND_LABELS, which stay
English for logs, exports and the API); tests/test_translations.py keeps the keys equal."""

from __future__ import annotations

from datetime import date, timedelta

from babel import Locale, UnknownLocaleError
from flask_babel import (
    format_date,
    format_decimal,
    format_percent,
    get_locale,
    gettext,
    ngettext,
)
from flask_babel import lazy_gettext as _l

from app.core import durations
from app.nlp.detection import language_name

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


def duration_words(delta, parts: int = 1) -> str:
    """`durations.in_words` in the page's language: "3 Stunden 5 Minuten", "2 dienas"."""
    said = durations.pieces(delta, parts=parts)
    if not said:
        return gettext("less than a minute")
    return " ".join(_UNIT_WORDS[unit](count) for count, unit in said)


_UNIT_WORDS = {
    "year": lambda count: ngettext("%(n)s year", "%(n)s years", count, n=format_decimal(count)),
    "day": lambda count: ngettext("%(n)s day", "%(n)s days", count, n=format_decimal(count)),
    "hour": lambda count: ngettext("%(n)s hour", "%(n)s hours", count, n=format_decimal(count)),
    "minute": lambda count: ngettext(
        "%(n)s minute", "%(n)s minutes", count, n=format_decimal(count)
    ),
}


def language_words(code: str | None) -> str:
    """A language's name in the page's language (CLDR): "Englisch", "angļu"; on an English
    page, and where Babel has none, the name the analysis uses ("Norwegian")."""
    code = code or ""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return language_name(code)
    try:
        said = Locale.parse(code.replace("-", "_")).get_language_name(locale)
    except (ValueError, UnknownLocaleError):
        said = None
    return said or language_name(code)


class PageWords:
    """Words said in the page's language, for domain code that takes a `say`
    (app/reports/panels.Say): gettext and ngettext with named placeholders, and numbers,
    shares, durations and days through Babel in the page's locale."""

    def gettext(self, message: str, **params) -> str:
        return gettext(message, **params)

    def ngettext(self, singular: str, plural: str, count: int, **params) -> str:
        return ngettext(singular, plural, count, **params)

    def number(self, value: float) -> str:
        return format_decimal(value)

    def share(self, value: float) -> str:
        return format_percent(value)

    def duration(self, delta: timedelta) -> str:
        return duration_words(delta, parts=2)

    def day(self, value: date, pattern: str) -> str:
        return format_date(value, pattern)


PAGE_WORDS = PageWords()
