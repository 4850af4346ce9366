"""An e-mailed notice in its recipient's language (their profile's, else the team's
default): the subject, the greeting and the notice. The e-mail worker runs outside any
request, so the language is forced for each message (Flask-Babel's `force_locale`)."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import force_locale, gettext

from app.core.words import N_

_CASE = r"draft #(?P<draft>\d+) \(complaint #(?P<complaint>\d+)\)"
#: The notices app/notifications/notify.py stores (in English, with names and numbers in
#: them), matched whole, and their marked messages with the same named parts.
NOTICE_WORDS = [
    (re.compile(pattern), message)
    for pattern, message in (
        (
            rf"(?P<actor>.+) asks for a review of {_CASE}\.",
            N_("%(actor)s asks for a review of draft #%(draft)s (complaint #%(complaint)s)."),
        ),
        (
            r"(?P<actor>.+) assigned complaint #(?P<complaint>\d+) to you\.",
            N_("%(actor)s assigned complaint #%(complaint)s to you."),
        ),
        (
            r"(?P<actor>.+) assigned (?P<count>[\d,]+) complaints to you\.",
            N_("%(actor)s assigned %(count)s complaints to you."),
        ),
        (
            r"(?P<actor>.+) mentioned you in an internal note on case #(?P<case>\d+)\.",
            N_("%(actor)s mentioned you in an internal note on case #%(case)s."),
        ),
        (
            rf"(?P<actor>.+) changed {_CASE} after your decision; please read it again\.",
            N_(
                "%(actor)s changed draft #%(draft)s (complaint #%(complaint)s) after your "
                "decision; please read it again."
            ),
        ),
        (
            rf"Cooling-off of {_CASE} has ended: it is ready to publish\.",
            N_(
                "Cooling-off of draft #%(draft)s (complaint #%(complaint)s) has ended: it is "
                "ready to publish."
            ),
        ),
    )
]


def notice_words(message: str) -> str:
    """A stored notice in the current language where it is one NOTICE_WORDS knows."""
    for pattern, words in NOTICE_WORDS:
        found = pattern.fullmatch(message)
        if found:
            return gettext(words, **found.groupdict())
    return gettext(message)


def compose(name: str, message: str, language: str | None, link: str) -> tuple[str, str]:
    """(subject, body) of the e-mail copy of a notice for `name`. A notice NOTICE_WORDS
    knows is translated; other notices keep their (English) words."""
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        said = notice_words(message)
        subject = gettext("Composure: %(notice)s", notice=said[:80])
        lines = [gettext("Hello %(name)s,", name=name), said]
        if link:
            lines.append(gettext("Open it in Composure: %(link)s", link=link))
        lines.append(gettext("You get this e-mail because a notice for you is unread."))
    return subject, "\n\n".join(lines) + "\n"
