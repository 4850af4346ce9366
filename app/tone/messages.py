"""What each tone check says, in a language other than the reply's.

A finding's message comes from the rules of the reply's language (the cue that matched,
its suggestion). A person whose screen is in another language reads instead the check's
general message in the screen's language: every language's rule files already say it
(`parts.yaml`, `context.yaml`, `wording.yaml`), so nothing is translated twice. The
rules are read once per process (`tone_rules` is cached).
"""

from __future__ import annotations

from app.tone.catalogue import PART_CODES
from app.tone.rules import tone_rules

#: The part each "missing_*" code is about.
PART_OF_CODE = {code: part for part, code in PART_CODES.items()}
#: The codes whose message is one of context.yaml's, by the rules' attribute.
CONTEXT_MESSAGES = {
    "mirrors_anger": "anger_message",
    "private_data": "private_message",
    "shouting": "shouting_message",
    "negative_tone": "negative_message",
    "hard_to_read": "readability_message",
}


def message_in(code: str, language: str) -> str | None:
    """The general message of `code` in `language`'s rule files, or None when the
    language has no rules or the code no message there (too_long and unfilled_placeholder
    are said by the code, not the rule files)."""
    rules = tone_rules(language)
    if rules is None:
        return None
    if code in rules.wording:
        return rules.wording[code].message
    part = PART_OF_CODE.get(code)
    if part is not None and part in rules.parts:
        return rules.parts[part].message
    attribute = CONTEXT_MESSAGES.get(code)
    return getattr(rules, attribute) if attribute else None
