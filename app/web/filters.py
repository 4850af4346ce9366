"""What every template can use: filters (local time, durations, highlighted words) and the
names every page reads (permissions, labels, the clock)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import get_locale, gettext
from flask_login import current_user
from markupsafe import Markup, escape

from app.accounts.models import Role
from app.accounts.permissions import Permission, can
from app.analysis.kind import KINDS
from app.analysis.rules import FLAGS
from app.complaints import inbox
from app.web import say
from app.web.compiled_templates import COMPILED
from app.web.js_words import js_words
from app.web.services import company, display_zone, now, services
from app.web.words import (
    CATEGORY_WORDS,
    ENTITY_WORDS,
    FLAG_WORDS,
    HEAT_LEVEL_WORDS,
    HEAT_WORDS,
    IMPORT_STATUS_WORDS,
    KIND_WORDS,
    PART_WORDS,
    SEVERITY_WORDS,
    STATUS_WORDS,
    TYPE_WORDS,
)


def author_label(name: str | None, handle: str | None) -> str:
    """How an author reads: their name, else their handle. A handle that is only digits
    (the anonymised customer ids of the Customer Support on Twitter corpus, "115712")
    reads "customer 115712", so it is not taken for a count or a complaint number."""
    name, handle = (name or "").strip(), (handle or "").strip()
    if name:
        return name
    if handle.isdigit():
        return gettext("customer %(handle)s", handle=handle)
    return handle or gettext("Unknown author")


def localtime(
    value: datetime | None,
    fmt: str = "%d %b %Y, %H:%M",
    zone: bool = False,
    in_zone: str | None = None,
) -> str:
    """Every date and time a page shows, in the person's time zone (else the display time
    zone; `in_zone` names another, as the audit log's "UTC"): "7 Dec 2026, 14:02" (the day
    without a leading zero, the month in letters, in the page's language through Babel's
    CLDR data: never "12/07", which half the world reads as July). `zone=True` names the
    zone ("14:02 UTC") where a time is acted on: when a reply is due, when cooling-off ends."""
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(in_zone) if in_zone else display_zone())
    fmt = fmt.replace("%d %b", f"{local.day} %b").replace("%b", _month_abbreviation(local))
    text = local.strftime(fmt)
    return f"{text} {local.strftime('%Z')}" if zone else text


def _month_abbreviation(local: datetime) -> str:
    """ "Dec", "dec.", "Dez.", "dic", "gru", "dec." for the page's language (CLDR)."""
    locale = get_locale()
    if locale is None:
        return local.strftime("%b")
    month = locale.months["format"]["abbreviated"][local.month]
    return month.replace("%", "%%")


def highlight_findings(text: str, findings: list[dict]) -> Markup:
    """The reply with each finding's words marked: focusable, titled with what is wrong and
    described by the finding's entry in the list (`finding-<n>`). Where findings overlap,
    the first (the worst at that place) is marked."""
    out, position = [], 0
    for index, finding in enumerate(findings):
        start, end = finding["start"], finding["end"]
        if start < position or end > len(text) or start >= end:
            continue
        out.append(escape(text[position:start]))
        opening = Markup(
            '<mark class="finding sev-{}" tabindex="0" title="{}: {}" '
            'aria-describedby="finding-{}">'
        ).format(finding["severity"], finding["label"], finding["message"], index)
        out.append(opening + escape(text[start:end]) + Markup("</mark>"))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def highlight(text: str, spans, css: str = "evidence") -> Markup:
    """The text, escaped, with each (start, end, title) span wrapped in <mark>."""
    spans = sorted(
        (item["start"], item["end"], item.get("title", "")) if isinstance(item, dict) else item
        for item in spans
    )
    out, position = [], 0
    for start, end, title in spans:
        if start < position or end > len(text) or start >= end:
            continue
        out.append(escape(text[position:start]))
        label = Markup(' title="{}"').format(title) if title else Markup("")
        opening = Markup('<mark class="{}"{}>').format(css, label)
        out.append(opening + escape(text[start:end]) + Markup("</mark>"))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def response_clock(complaint, at: datetime) -> inbox.Clock:
    """A complaint's clock at `at`, counted on its market's clock (business time)."""
    return inbox.clock(complaint, at, services().market_of(complaint).calendar)


def register_template_filters(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["duration"] = say.duration
    app.jinja_env.filters["say"] = say.say
    app.jinja_env.filters["reason"] = say.reason
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.filters["highlight_findings"] = highlight_findings
    app.jinja_env.filters["language_name"] = say.language
    # Globals, not context: the editor's tone macros are also rendered on their own.
    app.jinja_env.globals["PART_LABELS"] = PART_WORDS
    app.jinja_env.globals["author_label"] = author_label
    app.jinja_env.globals["draft_state_words"] = say.state
    app.jinja_env.globals["js_words"] = js_words
    app.jinja_env.globals["Role"] = Role  # its labels are marked English, translated by _()
    app.jinja_env.globals["SEVERITY_WORDS"] = SEVERITY_WORDS
    app.jinja_env.globals["HEAT_WORDS"] = HEAT_WORDS
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.bytecode_cache = COMPILED  # each template compiled once per process

    @app.context_processor
    def inject():
        return {
            "Permission": Permission,
            "can": lambda permission: can(current_user, permission),
            "now": now,
            "response_clock": response_clock,
            "display_zone_name": display_zone().key,
            "company_name": company().name if current_user.is_authenticated else "",
            "FLAGS": FLAGS,
            "FLAG_LABELS": FLAG_WORDS,
            "ENTITY_LABELS": ENTITY_WORDS,
            "CATEGORY_WORDS": CATEGORY_WORDS,
            "HEAT_WORDS": HEAT_WORDS,
            "HEAT_LEVEL_WORDS": HEAT_LEVEL_WORDS,
            "TYPE_WORDS": TYPE_WORDS,
            "STATUS_WORDS": STATUS_WORDS,
            "IMPORT_STATUS_WORDS": IMPORT_STATUS_WORDS,
            "KINDS": KINDS,
            "KIND_LABELS": KIND_WORDS,
            "PART_LABELS": PART_WORDS,
            "signoff_group_names": say.group_names,
        }
