"""The four parts of a reply (PRODUCT.md "What a good reply does"), in their natural
order, with the names the editor shows: every page, the history and the audit log say
them the same way (English message ids: the screens show them in the page's language,
`app.web.words.PART_WORDS`)."""

from __future__ import annotations

from collections.abc import Callable

from app.core.words import N_

PARTS = ("validate", "responsibility", "direction", "close_loop")
PART_LABELS = {
    "validate": N_("Validate the concern"),
    "responsibility": N_("Take responsibility"),
    "direction": N_("Give direction"),
    "close_loop": N_("Close the loop"),
}


def parts_in_words(parts, translate: Callable[[str], str] = lambda message: message) -> str:
    """ "Validate the concern, Give direction and Close the loop": the parts named as the
    editor names them, in the reply's order (unknown names last, as written); `translate`
    (the web layer's gettext) says them in the reader's language."""
    known = [translate(PART_LABELS[part]) for part in PARTS if part in parts]
    other = [str(part).replace("_", " ") for part in parts if part not in PART_LABELS]
    names = known + other
    if len(names) <= 1:
        return "".join(names)
    return translate(N_("%(names)s and %(last)s")) % {
        "names": ", ".join(names[:-1]),
        "last": names[-1],
    }
