"""The domain's words for people, said in the page's language.

The domain (no Flask) marks its English message ids with `N_` and gives a refusal or a
notice as `app.core.words.Words`; here the id is translated and THEN its named values are
filled in, each value said in the reader's words too (a duration, a language, a sign-off
group, a tone check, a draft's state). An English page reads exactly what `str()` says.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from flask import g
from flask_babel import format_date, format_decimal, format_percent, get_locale, gettext, ngettext
from markupsafe import Markup, escape

from app.accounts.models import group_word
from app.core import durations
from app.core.errors import DomainError
from app.core.words import N_, Duration, Nn_, Semicolons, Term, Words, english
from app.extensions import db
from app.nlp.detection import language_name
from app.publishing import outbox
from app.tone.messages import message_in
from app.web.words import CODE_WORDS, FLAG_WORDS, KIND_WORDS, PART_WORDS


def _english() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "en"


def _unit(count: int, unit: str) -> str:
    num = format_decimal(count)
    if unit == "year":
        return ngettext("%(number)s year", "%(number)s years", count, number=num)
    if unit == "day":
        return ngettext("%(number)s day", "%(number)s days", count, number=num)
    if unit == "hour":
        return ngettext("%(number)s hour", "%(number)s hours", count, number=num)
    return ngettext("%(number)s minute", "%(number)s minutes", count, number=num)


def unit_words() -> durations.UnitWords:
    """How the page's language says a duration (its catalog's plural forms)."""
    if _english():
        return durations.ENGLISH
    return durations.UnitWords(
        unit=_unit,
        less_than_a_minute=gettext("less than a minute"),
        # TRANSLATORS: a duration of two units, "3 hours 5 minutes".
        pair=lambda larger, smaller: gettext(
            "%(larger)s %(smaller)s", larger=larger, smaller=smaller
        ),
    )


def duration(delta: timedelta, parts: int = 1) -> str:
    """`in_words` in the page's language: the `duration` filter."""
    return durations.in_words(delta, parts=parts, words=unit_words())


def language(code: str | None) -> str:
    """A language's name in the page's language: "Pools" on a Dutch page."""
    code = code or ""
    if _english():
        return language_name(code)
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(get_locale())
    except (ValueError, UnknownLocaleError):
        name = None
    return name or language_name(code)


def group_names() -> dict[str, str]:
    """{key: name} of the sign-off groups as the admins set them (read once per request),
    a built-in group's own name in the page's language."""
    from app.accounts import grants

    if "signoff_group_names" not in g:
        g.signoff_group_names = {
            key: group_word(key, name, gettext)
            for key, name in grants.group_names(db.session).items()
        }
    return g.signoff_group_names


def group(key: str) -> str:
    """A sign-off group's name, as `group_names` says it."""
    return group_names().get(key, key)


def state(state_value: Any, publication=None) -> str:
    """A draft's state as the page's language calls it (`outbox.state_words`)."""
    return gettext(outbox.state_words(state_value, publication))


def _term(term: Term) -> str:
    if term.kind == "language":
        return language(term.key)
    if term.kind == "group":
        return group(term.key)
    if term.kind == "tone_code":
        return str(CODE_WORDS.get(term.key, term.english))
    if term.kind == "part":
        return str(PART_WORDS.get(term.key, term.english))
    if term.kind == "flag":
        return str(FLAG_WORDS.get(term.key, term.english))
    if term.kind == "state":
        return state(term.key)
    return term.english


def _value(value: Any) -> str:
    if isinstance(value, timedelta):
        value = Duration(value)
    if isinstance(value, Duration):
        return duration(value.delta, value.parts)
    if isinstance(value, Term):
        return _term(value)
    if isinstance(value, Words):
        return say(value)
    if isinstance(value, Semicolons):
        return "; ".join(_value(item) for item in value)
    if isinstance(value, (list, tuple)):
        return format_list([_value(item) for item in value], locale=get_locale())
    if isinstance(value, int):
        return format_decimal(value)
    return str(value)


def value(said: Any) -> str:
    """One value of a sentence (a `Term`, a `Duration`, a list of them) in the page's
    language; in English as `str(Words)` says it."""
    return english(said) if _english() else _value(said)


def say(said: Any) -> str:
    """What the domain said, in the page's language: `Words`, a `DomainError` that carries
    them, a message marked with `N_` (its translation), or other text (shown as it is)."""
    if said is None:
        return ""
    if isinstance(said, DomainError):
        said = said.words or str(said)
    if _english():
        return str(said)
    if not isinstance(said, Words):
        return gettext(str(said)) if str(said).strip() else str(said)
    values = {name: _value(value) for name, value in said.values.items()}
    if isinstance(said.msgid, tuple):
        singular, plural = said.msgid
        return ngettext(singular, plural, said.values.get("count", 0), **values)
    return gettext(said.msgid, **values)


def _said_by_code(finding: dict[str, Any]) -> str | None:
    """The message of the findings the checks say in code (not in the rule files), in the
    page's language."""
    details = finding.get("details") or {}
    if finding.get("code") == "too_long" and "limit" in details:
        over = max(details.get("length", 0) - details["limit"], 0)
        values = {"over": format_decimal(over), "limit": format_decimal(details["limit"])}
        if details.get("thread"):
            return ngettext(
                "%(over)s character over the %(limit)s a post allows. Shorten it, or post "
                "it as a thread of %(posts)s.",
                "%(over)s characters over the %(limit)s a post allows. Shorten it, or post "
                "it as a thread of %(posts)s.",
                over,
                posts=format_decimal(len(details["thread"])),
                **values,
            )
        return ngettext(
            "%(over)s character over the %(limit)s this channel allows.",
            "%(over)s characters over the %(limit)s this channel allows.",
            over,
            **values,
        )
    if finding.get("code") == "unfilled_placeholder":
        gap = (finding.get("text") or "").strip("[] ")
        return gettext("Fill in “%(gap)s” before this goes out.", gap=gap)
    return None


def findings(found: list[dict[str, Any]], reply_language: str | None) -> list[dict[str, Any]]:
    """The tone findings as the page shows them: each check's name in the page's language,
    and its message too when the reply is in another language (the check's general
    message from the page language's rule files, `app.tone.messages`). The words found and
    the suggested rewrite stay as they are: they are the reply's."""
    locale = get_locale()
    page = locale.language if locale is not None else "en"
    reply_language = reply_language or "en"
    if page == "en" and reply_language == "en":
        return found
    shown = []
    for finding in found:
        code = finding.get("code", "")
        seen = dict(finding)
        if page != "en":
            seen["label"] = str(CODE_WORDS.get(code, finding.get("label", code)))
            said = _said_by_code(finding)
            if said is not None:
                seen["message"] = said
        if reply_language != page and code not in ("too_long", "unfilled_placeholder"):
            seen["message"] = message_in(code, page) or finding.get("message", "")
        shown.append(seen)
    return shown


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
        return duration(delta, parts=2)

    def day(self, value: date, pattern: str) -> str:
        return format_date(value, pattern)


PAGE_WORDS = PageWords()


#: The analysis' reasons as app/analysis stores them (English, for the API and exports):
#: each pattern with the message id the page says it with. Reasons written in another
#: language (a Dutch complaint's kind, from its own rules) are shown as they are.
_REASONS = [
    (re.compile(pattern), message)
    for pattern, message in (
        (
            r"(?P<num>\d+) words? in capitals",
            Nn_("%(num)s word in capitals", "%(num)s words in capitals"),
        ),
        (
            r"(?P<num>\d+) runs? of !!! or \?\?\?",
            Nn_("%(num)s run of !!! or ???", "%(num)s runs of !!! or ???"),
        ),
        (r"(?P<num>\d+) characters", Nn_("%(num)s character", "%(num)s characters")),
        (
            r"personal data: (?P<num>\d+) items? \(numbers, addresses, references\)",
            Nn_(
                "personal data: %(num)s item (numbers, addresses, references)",
                "personal data: %(num)s items (numbers, addresses, references)",
            ),
        ),
        (
            r"insults, threats or demands: (?P<words>.+)",
            N_("insults, threats or demands: %(words)s"),
        ),
        (
            r"reads as insulting \(trained model\): (?P<words>.+)",
            N_("reads as insulting (trained model): %(words)s"),
        ),
        (r"reads as an attack", N_("reads as an attack")),
        (
            r"talks about the company to others: (?P<words>.+)",
            N_("talks about the company to others: %(words)s"),
        ),
        (r"talks about the company to others", N_("talks about the company to others")),
        (r"speaks about the company, never to it", N_("speaks about the company, never to it")),
        (r"calm and asks for a fix: (?P<words>.+)", N_("calm and asks for a fix: %(words)s")),
        (
            r"No shouting, insults or warnings to others\.",
            N_("No shouting, insults or warnings to others."),
        ),
        (r"angry words: (?P<words>.+)", N_("angry words: %(words)s")),
        (
            r"reads angry \(trained model\): (?P<words>.+)",
            N_("reads angry (trained model): %(words)s"),
        ),
        (r"calming words: (?P<words>.+)", N_("calming words: %(words)s")),
        (
            r"Reads as a complaint; the words that weigh most: (?P<words>.+)\.",
            N_("Reads as a complaint; the words that weigh most: %(words)s."),
        ),
        (r"Reads as a complaint\.", N_("Reads as a complaint.")),
        (
            r"Asks something without reporting a problem; the words that weigh most: "
            r"(?P<words>.+)\.",
            N_("Asks something without reporting a problem; the words that weigh most: %(words)s."),
        ),
        (
            r"Asks something without reporting a problem\.",
            N_("Asks something without reporting a problem."),
        ),
        (
            r"Thanks or praises; the words that weigh most: (?P<words>.+)\.",
            N_("Thanks or praises; the words that weigh most: %(words)s."),
        ),
        (r"Thanks or praises\.", N_("Thanks or praises.")),
        (
            r"Neither a complaint, a question nor praise\.",
            N_("Neither a complaint, a question nor praise."),
        ),
        (
            r"Not sure: (?P<second>\w+) scores (?P<score>[\d.]+)\.",
            N_("Not sure: %(second)s scores %(score)s."),
        ),
    )
]


def reason(text: str) -> Markup:
    """One of the analysis' reasons in the page's language; the customer's words it quotes
    stay as they are (marked as data)."""
    for pattern, message in _REASONS:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        values = {
            name: Markup('<span translate="no">%s</span>') % value if name == "words" else value
            for name, value in found.groupdict().items()
        }
        if "second" in values:
            values["second"] = str(KIND_WORDS.get(values["second"], values["second"]))
        if isinstance(message, tuple):
            count = int(values["num"])
            return escape(ngettext(*message, count))
        return escape(gettext(message)) % values
    return Markup('<span translate="no">%s</span>') % text
