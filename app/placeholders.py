"""The placeholder language of the reply templates, read in one place.

A template's text names what it is filled with in braces: `{customer_name}`. A placeholder
that cannot be filled stays visible in the draft as a gap for the agent, `[[customer's
first name]]`, never as a literal `{customer_name}`. The template loader, the draft builder
and the template-library check all read texts with these functions; the tone check looks
for the gaps left. No Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Placeholder:
    name: str
    #: How an unfilled one shows in the draft: [[order number]].
    label: str
    #: Comes from the complaint and is personal: never filled on a public channel.
    personal: bool = False


PLACEHOLDERS = {
    placeholder.name: placeholder
    for placeholder in (
        Placeholder("customer_name", "customer's first name"),
        Placeholder("handle", "customer's handle"),
        Placeholder("order_ref", "order number", personal=True),
        Placeholder("claim_ref", "claim number", personal=True),
        Placeholder("company_name", "company name"),
        Placeholder("company_phone", "company phone number"),
        Placeholder("company_email", "company e-mail address"),
        Placeholder("faq_url", "help page link"),
        Placeholder("dm_instruction", "how to reach us privately"),
        Placeholder("agent_name", "your first name"),
        Placeholder("follow_up_when", "when we will follow up"),
        Placeholder("topic", "what went wrong"),
    )
}
#: A placeholder: a name in braces. Any such name is read, so an unknown one can be named.
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]*)\}")
#: A gap left in a draft for the agent to fill.
GAP = re.compile(r"\[\[([^\[\]\n]{1,60})\]\]")
_UNFILLED = re.compile(f"{GAP.pattern}|{PLACEHOLDER.pattern}")
#: Letters a literal placeholder an agent typed is made of (`{order_ref}`, not `{Ok}`).
_NAME_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz_")


@dataclass(frozen=True)
class Segment:
    """A piece of a template's text: plain words, or a placeholder (`name` set)."""

    text: str
    name: str | None = None

    @property
    def known(self) -> bool:
        return self.name is None or self.name in PLACEHOLDERS

    @property
    def label(self) -> str:
        if self.name is None:
            return ""
        placeholder = PLACEHOLDERS.get(self.name)
        return placeholder.label if placeholder else "unknown placeholder"


def names(text: str) -> tuple[str, ...]:
    """The placeholders `text` names, known or not, each once, in reading order."""
    return tuple(dict.fromkeys(match.group(1) for match in PLACEHOLDER.finditer(text)))


def unknown(text: str) -> tuple[str, ...]:
    """The names in braces that are no placeholder."""
    return tuple(name for name in names(text) if name not in PLACEHOLDERS)


def without_placeholders(text: str) -> str:
    """The text with its placeholders taken out (to look for stray braces or gaps)."""
    return PLACEHOLDER.sub("", text)


def segments(text: str) -> tuple[Segment, ...]:
    """The text cut at its placeholders, so a screen can mark them."""
    pieces: list[Segment] = []
    position = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > position:
            pieces.append(Segment(text[position : match.start()]))
        pieces.append(Segment(match.group(0), match.group(1)))
        position = match.end()
    if position < len(text):
        pieces.append(Segment(text[position:]))
    return tuple(pieces)


def marker(name: str) -> str:
    """The gap an unfilled placeholder leaves: `[[order number]]`."""
    return f"[[{PLACEHOLDERS[name].label}]]"


def fill(text: str, values: dict[str, str], *, public: bool = False) -> tuple[str, tuple[str, ...]]:
    """The text with each placeholder replaced by its value, and the names left as gaps.

    A placeholder without a value becomes its gap (`marker`); so does a personal one on a
    public channel, whatever its value. An unknown name stays as written (the loader
    refuses those; the library check shows them).
    """
    unfilled: list[str] = []

    def replace(match: re.Match) -> str:
        name = match.group(1)
        placeholder = PLACEHOLDERS.get(name)
        if placeholder is None:
            return match.group(0)
        value = values.get(name, "")
        if value and not (placeholder.personal and public):
            return value
        unfilled.append(name)
        return marker(name)

    filled = PLACEHOLDER.sub(replace, text)
    return filled, tuple(dict.fromkeys(unfilled))


def unfilled_markers(text: str) -> list[tuple[int, int, str]]:
    """Gaps the agent still has to fill: `[[order number]]` or a literal `{order_ref}`."""
    found = []
    for match in _UNFILLED.finditer(text):
        gap, name = match.group(1), match.group(2)
        if gap is None and not (2 <= len(name) <= 40 and set(name) <= _NAME_LETTERS):
            continue
        found.append((match.start(), match.end(), gap or name))
    return found
