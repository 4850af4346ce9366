"""The words the page's scripts show (app/static/js/*.js), in the page's language.

base.html renders `js_words()` once per page as a JSON island
(`<script type="application/json" id="words">`: data, never run, so the
Content-Security-Policy's `script-src 'self'` stays as it is); app/static/js/words.js reads
it and the scripts ask it by key: `words.t("work.kept_at", {time: "14:02"})`,
`words.n("editor.findings", 3)`. Placeholders are named (`%(time)s`), as in the rest of the
catalog.

A plural message is sent as one form per CLDR plural category of the page's language
("one", "few", "many", "zero", "other"), each the catalog's form for a number of that
category; the browser picks the category with `Intl.PluralRules` (the same CLDR rules
Babel wrote the catalogs' Plural-Forms from), so Polish and Latvian get their three forms.
"""

from __future__ import annotations

from typing import NamedTuple

from babel import Locale
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l


class Plural(NamedTuple):
    singular: str
    plural: str


def ngettext(singular: str, plural: str) -> Plural:
    """Marks a plural message (pybabel extracts `ngettext` calls); its forms are chosen in
    the browser, by count, from those `js_words()` sends."""
    return Plural(singular, plural)


#: key -> the words, for the scripts.
WORDS = {
    # live.js: toasts, read out politely
    "toast.dismiss": _l("Dismiss"),
    "live.review_waiting": _l("A draft is waiting for your review."),
    "live.signoff_waiting": _l("A draft is waiting for your sign-off."),
    "live.mine_ready": _l("Cooling-off is over: a reply of yours is ready to publish."),
    "live.draft_ready": _l("Cooling-off is over: draft #%(id)s is ready to publish."),
    "live.draft_now": _l("Draft #%(id)s is now: %(state)s."),
    "live.draft_revision": _l("Draft #%(id)s has a new revision (%(revision)s): show it."),
    "live.here": _l("Also here now: %(names)s."),
    "live.ready": _l("Ready to publish."),
    # draft_work.js: the editor's autosave line, keys and wordings
    "work.kept_at": _l("Kept as you typed, at %(time)s; not yet saved as a revision."),
    "work.not_kept_because": _l("Not kept: %(reason)s Save to keep it."),
    "work.not_kept": _l("Not kept: the server refused it. Save to keep it."),
    "work.offline": _l("Offline? What you typed is not kept yet; it is tried again as you type."),
    "work.not_kept_yet": _l("Not kept yet…"),
    "work.wording_changed_in": _l("Wording changed (%(part)s); not saved yet."),
    "work.wording_changed": _l("Wording changed; not saved yet."),
    "work.choose_save": _l("Choose below how to save over the newer revision."),
    "work.confirm_submit": _l(
        "Save and submit this reply for review? Cooling-off starts when you do."
    ),
    # draft_editor.js: the live tone check
    "editor.checking": _l("checking…"),
    "editor.check_failed": _l("The tone check failed; save to check."),
    "editor.no_findings": _l("no findings"),
    "editor.offline": _l("Offline? The check runs again when you save."),
    "editor.text_changed": _l("That text has changed; nothing applied."),
    "editor.fix_applied_for": _l("Fix applied (%(finding)s)."),
    "editor.fix_applied": _l("Fix applied."),
    "editor.undone": _l("%(change)s: undone."),
    # inbox.js, bulk.js
    "inbox.auto_hint": _l("The list updates as soon as you change a filter."),
    "bulk.hint": _l("Tick complaints below to act on them together."),
    # workflow.js: the cooling-off countdown, the review page, the publish page
    "countdown.over": _l("(over)"),
    "countdown.left": _l("(%(time)s left)"),
    "countdown.minutes_seconds": _l("%(minutes)s min %(seconds)s s"),
    "countdown.seconds": _l("%(seconds)s s"),
    "review.quote_hint": _l("Select the words in the reply above, or copy them here."),
    "copy.done": _l("Copied."),
    "copy.failed": _l("Could not copy; the text is selected, press Ctrl+C."),
    "copy.selected": _l("The text is selected; press Ctrl+C to copy it."),
}

#: key -> a plural message; `%(num)s` is the count.
PLURALS = {
    "editor.findings": ngettext("%(num)s finding", "%(num)s findings"),
    "bulk.selected": ngettext("%(num)s selected on this page.", "%(num)s selected on this page."),
    "bulk.all_selected": ngettext(
        "Selected: the %(num)s complaint matching this filter.",
        "Selected: all %(num)s matching this filter.",
    ),
}

#: Counts tried to find a number of each plural category (1000000: Spanish "many").
_SAMPLES = [*range(0, 200), 1_000_000]


def _forms(plural: Plural, locale: Locale) -> dict[str, str]:
    """{CLDR category: the catalog's form for a number of that category}."""
    translations = get_translations()
    forms: dict[str, str] = {}
    for count in _SAMPLES:
        category = locale.plural_form(count)
        if category not in forms:
            forms[category] = translations.ungettext(plural.singular, plural.plural, count)
    return forms


def js_words() -> dict:
    """What base.html puts in the page for words.js: the language, the words, the plurals."""
    locale = get_locale() or Locale("en")
    return {
        "lang": str(locale),
        "words": {key: str(text) for key, text in WORDS.items()},
        "plurals": {key: _forms(plural, locale) for key, plural in PLURALS.items()},
    }
