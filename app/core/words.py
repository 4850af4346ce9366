"""Words for people from code that has no Flask (the domain), said later in the reader's
language.

`N_("...")` marks an English message id for `make messages` (pybabel extract -k N_) and
returns it unchanged; `Nn_(singular, plural)` marks a message with a plural form. The web
layer translates the id where it is shown (`gettext(msgid) % values`: the named
placeholders are filled AFTER translation, never before).

`Words` keeps such a sentence with its named values, so the screen can say it in the
page's language and `str()` still says it in English (logs, the API, tests). A value that
must itself be said in the reader's words (a language, a sign-off group, a tone check, a
duration) is a `Term` or a `Duration`; a list is joined ("legal and PR"); any other value
is data, shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


def N_(text: str) -> str:
    return text


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    return (singular, plural)


@dataclass(frozen=True)
class Term:
    """A thing named by its key, said in the reader's words: `kind` is "language" ("nl"),
    "group" ("legal") or "tone_code" ("blame"); `english` is what English readers see."""

    kind: str
    key: str
    english: str

    def __str__(self) -> str:
        return self.english


@dataclass(frozen=True)
class Duration:
    """How long something is, said in the reader's units (`app.core.durations.in_words`)."""

    delta: timedelta
    parts: int = 1
    #: What English readers see instead of `in_words`, when a setting is said exactly
    #: ("90 minutes", not "1 hour 30 minutes").
    exactly: str | None = None


class Number(int):
    """A count said with the reader's digit grouping ("1,234" in English, "1.234" in Dutch)."""


class Semicolons(tuple):
    """Values said one after the other, "; " between them (reasons, not a list of names)."""


def english(value: Any) -> str:
    """A value of a sentence, in English."""
    from app.core.durations import in_words  # durations reads nothing of this module

    if isinstance(value, timedelta):
        value = Duration(value)
    if isinstance(value, Duration):
        return value.exactly or in_words(value.delta, parts=value.parts)
    if isinstance(value, Number):
        return f"{value:,}"
    if isinstance(value, Semicolons):
        return "; ".join(english(item) for item in value)
    if isinstance(value, (list, tuple)):
        items = [english(item) for item in value]
        return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
    return str(value)


class Words(str):
    """A sentence for people: its English text (it is a `str`, so logs, the API and code
    that only needs English read it as before), its English message id (a
    `(singular, plural)` pair with a `count` value for a plural) and its named values."""

    msgid: str | tuple[str, str]
    values: Mapping[str, Any]

    def __new__(cls, msgid: str | tuple[str, str], values: Mapping[str, Any] | None = None):
        values = dict(values or {})
        said = {name: english(value) for name, value in values.items()}
        if isinstance(msgid, tuple):
            text = msgid[0 if values.get("count") == 1 else 1] % said
        else:
            text = msgid % said if said else msgid
        words = super().__new__(cls, text)
        words.msgid, words.values = msgid, values
        return words

    def __reduce__(self):
        return (Words, (self.msgid, self.values))
