"""One-click fixes that leave the reply grammatical.

A fix replaces a span of the reply with new words: the cue's words, the whole clause they
are in (`scope: clause` in wording.yaml), or the whole sentence. Deleting words tidies the
commas and spaces around them and capitalises what then starts the sentence; the
customer's personal data is deleted where the words before it already name it, replaced
by words that do where they do not, and left alone where it is the agent's own. The words
each language needs are data (`fixes.yaml`); `grammar_slips` says what a fix must not add,
and the checker re-checks every fix before offering it (`checker.check`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Protocol

from spacy.tokens import Doc

from app.tone.rules import Cue, FixRules, ToneRules


class Reply(Protocol):
    """What a fix reads of the reply (`checks.Reply`)."""

    text: str
    doc: Doc
    rules: ToneRules | None
    part_spans: dict[str, tuple[int, int]]

    def sentence_at(self, position: int) -> tuple[int, int]: ...


@dataclass(frozen=True)
class Fix:
    """Replace `text[start:end]` with `suggestion`; details for the message."""

    start: int
    end: int
    suggestion: str
    details: dict = field(default_factory=dict)


#: A sentence ends at ".", "!", "?" or an emoji followed by a space and anything but a
#: lower-case letter ("… cracked 😕 You need to …" is two sentences to a reader, one to
#: the parser).
_SENTENCE_END = re.compile(
    r"(?:[.!?…]+[\"”’')]*|[\u2600-\u27bf\U0001f000-\U0001faff][\ufe0f\u200d\U0001f3fb-\U0001f3ff]*)"
    r"(?=\s+[^\sa-z])"
)
_CLAUSE_PUNCTUATION = frozenset(",;:()–—")
_TEMPLATE = re.compile(r"\{(\d)(-?)\}")


def sentence_around(reply: Reply, position: int) -> tuple[int, int]:
    """The sentence `position` is in, as a reader sees it, inside its part's box."""
    start, end = reply.sentence_at(position)
    for part_start, part_end in reply.part_spans.values():
        if part_start <= position < part_end:
            start, end = max(start, part_start), min(end, part_end)
    starts, ends = _sentence_ends(reply, start, end)
    before = bisect_right(ends, position)  # the last end at or before `position`
    after = bisect_left(starts, position)  # the first one starting at or after it
    if before:
        start = ends[before - 1]
    if after < len(starts):
        end = ends[after]
    while start < end and reply.text[start].isspace():
        start += 1
    return start, end


def _sentence_ends(reply: Reply, start: int, end: int) -> tuple[list[int], list[int]]:
    """Where each sentence end found in text[start:end] starts and ends, worked out once per
    span and kept with the doc: scanning the span again for each finding was quadratic
    (50,000 characters of one cue word: 5,000 findings, 9 s)."""
    key = (_SENTENCE_ENDS, start, end)
    found = reply.doc.user_data.get(key)
    if found is None:
        matches = list(_SENTENCE_END.finditer(reply.text, start, end))
        found = reply.doc.user_data[key] = (
            [match.start() for match in matches],
            [match.end() for match in matches],
        )
    return found


def _tokens(reply: Reply, start: int, end: int) -> list:
    """The tokens starting in [start, end), found by bisection: a scan of the whole reply
    per finding was quadratic (a reply of 10,000 characters of numbers took seconds)."""
    starts = reply.doc.user_data.get(_TOKEN_STARTS)
    if starts is None:
        starts = reply.doc.user_data[_TOKEN_STARTS] = [token.idx for token in reply.doc]
    low, high = bisect_left(starts, start), bisect_left(starts, end)
    return [token for token in reply.doc[low:high] if not token.is_space]


#: Where `_tokens` keeps the doc's token offsets (in the doc's own user data).
_TOKEN_STARTS = "composure.fixes.token_starts"  # noqa: S105 - a key, not a secret
_SENTENCE_ENDS = "composure.fixes.sentence_ends"


def _is_break(reply: Reply, token, rules: FixRules) -> bool:
    if token.text in _CLAUSE_PUNCTUATION:
        return True
    if token.text == "-":
        return token.idx > 0 and reply.text[token.idx - 1].isspace()
    return token.lower_ in rules.clause_breaks


def clause_around(reply: Reply, start: int, end: int, rules: FixRules) -> dict:
    """Where the clause holding `text[start:end]` starts and ends, the break before it
    (a comma or "and": its start, or None) and the break after it (its end, or None)."""
    sentence_start, sentence_end = sentence_around(reply, start)
    tokens = _tokens(reply, sentence_start, sentence_end)
    clause_start, lead = sentence_start, None
    for token in tokens:
        if token.idx >= start:
            break
        if _is_break(reply, token, rules):
            clause_start, lead = token.idx + len(token.text), token.idx
    clause_end, tail = sentence_end, None
    for token in tokens:
        if token.idx < end:
            continue
        if _is_break(reply, token, rules) or token.text in ".!?…":
            clause_end = token.idx
            tail = None if token.text in ".!?…" else token.idx + len(token.text)
            break
    else:
        while clause_end > end and reply.text[clause_end - 1] in ".!?…\"”’' \t":
            clause_end -= 1
    text = reply.text
    while clause_start < clause_end and text[clause_start].isspace():
        clause_start += 1
    while clause_end > clause_start and text[clause_end - 1].isspace():
        clause_end -= 1
    return {
        "start": clause_start,
        "end": clause_end,
        "lead": lead,
        "tail": tail,
        "sentence": (sentence_start, sentence_end),
    }


def _capitalised_after(text: str, start: int, end: int, replacement: str) -> tuple[int, str]:
    """Delete text[start:end] (replacing it with `replacement`) at a sentence's start: the
    word that now starts the sentence gets its capital."""
    following = text[end : end + 1]
    if not replacement and following.islower():
        return end + 1, following.upper()
    return end, replacement


def delete_words(reply: Reply, start: int, end: int) -> Fix:
    """Delete the words with the comma or space that would be left doubled."""
    text = reply.text
    sentence_start = sentence_around(reply, start)[0]
    while end < len(text) and text[end] in ",;:":
        end += 1
    if end < len(text) and text[end] == " ":
        end += 1
    elif start > 0 and text[start - 1] == " ":
        start -= 1
    # "refund, as stated, takes" -> "refund takes": the commas go with the words.
    if text[max(0, start - 2) : start] == ", " and text[end - 2 : end] == ", ":
        start, end = start - 2, end - 1
    # "We'll fix it, as stated." -> "We'll fix it.": the comma goes with the last words.
    elif text[max(0, start - 1) : start] == "," and text[end : end + 1] in (".", "!", "?"):
        start -= 1
    if start <= sentence_start:
        start = sentence_start
        end, suggestion = _capitalised_after(text, start, end, "")
        return Fix(start, end, suggestion)
    return Fix(start, end, "")


def delete_sentence(reply: Reply, position: int) -> Fix:
    """Delete the whole sentence around `position` with the space after it (or before it,
    for the last sentence in its box), naming the sentence for the message."""
    start, end = sentence_around(reply, position)
    low, high = 0, len(reply.text)
    for part_start, part_end in reply.part_spans.values():
        if part_start <= position < part_end:
            low, high = part_start, part_end
    sentence = reply.text[start:end]
    while end < high and reply.text[end] in " \t":
        end += 1
    if end == sentence_around(reply, position)[1]:  # the last sentence: the space before
        while start > low and reply.text[start - 1] in " \t":
            start -= 1
    return Fix(start, end, "", {"deletes": sentence})


def _filled(suggestion: str, reply: Reply, start: int, end: int) -> str:
    """The suggestion with `{n}` as the match's word n and `{n-}` as its words from n to
    the end, as written ("you'll", "you will")."""
    tokens = _tokens(reply, start, end)

    def word(match: re.Match) -> str:
        index = int(match.group(1))
        if index >= len(tokens):
            return ""
        if match.group(2):
            return reply.text[tokens[index].idx : end]
        return tokens[index].text

    return _TEMPLATE.sub(word, suggestion)


def _cased(
    suggestion: str, at_sentence_start: bool, capitalised: frozenset[str] = frozenset()
) -> str:
    if at_sentence_start:
        return suggestion[:1].upper() + suggestion[1:]
    first = suggestion.split(" ", 1)[0]
    if first in capitalised:  # Latvian "Jūsu": capital in any place
        return suggestion
    if suggestion[:2].istitle() and not suggestion.startswith(("I ", "I'")):
        return suggestion[:1].lower() + suggestion[1:]
    return suggestion


def cue_fix(reply: Reply, start: int, end: int, cue: Cue, otherwise: str | None) -> Fix | None:
    """The fix a cue offers: its suggestion over its words or its clause, or deleting the
    sentence where the check says so, or none."""
    rules = reply.rules.fixes
    if cue.suggestion is None:
        return delete_sentence(reply, start) if otherwise == "delete_sentence" else None
    suggestion = _filled(cue.suggestion, reply, start, end)
    if cue.scope == "clause_end":
        clause = clause_around(reply, start, end, rules)
        at_start = start == clause["sentence"][0]
        return Fix(start, max(end, clause["end"]), _cased(suggestion, at_start, rules.capitalised))
    if cue.scope == "clause":
        clause = clause_around(reply, start, end, rules)
        at_start = clause["start"] == clause["sentence"][0]
        if suggestion:
            return Fix(
                clause["start"], clause["end"], _cased(suggestion, at_start, rules.capitalised)
            )
        if clause["tail"] is not None:  # "Calm down, we …" / "calm down and let us …"
            stop = clause["tail"]
            while stop < len(reply.text) and reply.text[stop] == " ":
                stop += 1
            if at_start:
                stop, replacement = _capitalised_after(reply.text, clause["start"], stop, "")
                return Fix(clause["start"], stop, replacement)
            return Fix(clause["start"], stop, "")
        if clause["lead"] is not None:  # "It's on its way, relax." -> "It's on its way."
            begin = clause["lead"]
            while begin > 0 and reply.text[begin - 1] == " ":
                begin -= 1
            return Fix(begin, clause["end"], "")
        return delete_sentence(reply, start)
    if not suggestion:
        return delete_words(reply, start, end)
    at_start = start == sentence_around(reply, start)[0]
    return Fix(start, end, _cased(suggestion, at_start, rules.capitalised))


def _words_before(reply: Reply, position: int, count: int) -> list[str]:
    start = sentence_around(reply, position)[0]
    words = [
        token.lower_
        for token in _tokens(reply, start, position)
        if token.idx + len(token.text) <= position and not token.is_punct
    ]
    return words[-count:]


def _joined_words(reply: Reply, start: int, end: int) -> list[tuple[int, str]]:
    """The words between start and end as a reader sees them: (where it starts, in lower
    case); "e-mail" and "no." are one word each, not the parser's two or three."""
    words: list[tuple[int, str]] = []
    last_end = -1
    for token in _tokens(reply, start, end):
        if token.idx + len(token.text) > end:
            break
        glued = token.idx == last_end and words
        if glued and (token.text in "-." or words[-1][1].endswith("-")):
            words[-1] = (words[-1][0], words[-1][1] + token.lower_)
        else:
            words.append((token.idx, token.lower_))
        last_end = token.idx + len(token.text)
    return words


def private_data_fix(reply: Reply, start: int, end: int, kind: str, words: str) -> Fix | None:
    """The customer's detail taken out of the reply: deleted where "your …" before it
    already names it ("your order #NW-48213 has shipped" -> "your order has shipped"),
    the name and detail replaced by `words` where the name has no "your" ("I've checked
    order NW-48213" -> "I've checked your order"), the detail replaced by `words`
    otherwise; none where it is the agent's own ("call me on my mobile 07700 900123")."""
    rules = reply.rules.fixes
    before = _words_before(reply, start, 4)
    for phrase in rules.own:
        size = len(phrase)
        if any(tuple(before[i : i + size]) == phrase for i in range(len(before) - size + 1)):
            return None
    text = reply.text
    if text[start - 1 : start] == "(" and text[end : end + 1] == ")":
        start, end = start - 1, end + 1  # "your e-mail (sam@…)": the brackets go too
    named = rules.named_by.get(kind, frozenset())
    sentence_start = sentence_around(reply, start)[0]
    earlier = _joined_words(reply, sentence_start, start)
    index = len(earlier)
    while index and earlier[index - 1][1] in rules.lead_in and len(earlier) - index < 3:
        index -= 1  # "ending in", "number", "#"
    lead = index
    while index and earlier[index - 1][1] in named:
        index -= 1  # "order", "phone number"
    if index < lead:
        name_start = earlier[index][0]
        if index and earlier[index - 1][1] in rules.determiners:
            cut = earlier[lead][0] if lead < len(earlier) else start
            return delete_words(reply, cut, end)
        return Fix(name_start, end, _cased(words, name_start == sentence_start, rules.capitalised))
    if before and before[-1] in rules.linking and named.intersection(before):
        # "Your e-mail is sam@example.com": the sentence is there to give the detail.
        return delete_sentence(reply, start)
    return Fix(start, end, _cased(words, start == sentence_start, rules.capitalised))


_DOUBLED_WORD = re.compile(r"\b(\w{2,})\s+\1\b", re.IGNORECASE)
_STRAY_PUNCTUATION = re.compile(r"(?<!\.)\.\.(?!\.)|[,;:]\s*[.,;:!?]|^\s*[,;:.]")
_LOWER_START = re.compile(r"(?:^|[.!?]\s+)[a-z]")


def grammar_slips(text: str, rules: FixRules) -> dict[str, int]:
    """How often the text shows each slip a fix can make: a word doubled, stray
    punctuation, a sentence starting in lower case, a clause ending in a word that cannot
    end one. A fix must not add any."""
    dangling = "|".join(re.escape(word) for word in sorted(rules.dangling))
    return {
        "doubled word": len(_DOUBLED_WORD.findall(text)),
        "stray punctuation": len(_STRAY_PUNCTUATION.findall(text)),
        "lower-case start": len(_LOWER_START.findall(text)),
        "dangling word": len(re.findall(rf"\b(?:{dangling})\s*(?:[.!?;,]|$)", text, re.IGNORECASE)),
    }


def preview(text: str, start: int, end: int, suggestion: str) -> dict[str, str]:
    """The sentence(s) a fix touches, before and after it, for the agent to read before
    applying it."""
    low = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            break
        low = match.end()
    high = len(text)
    match = _SENTENCE_END.search(text, max(end, start + 1) - 1)
    if match:
        high = match.end()
    fixed = text[:start] + suggestion + text[end:]
    before = text[low:high].strip()
    after = fixed[low : high + len(fixed) - len(text)].strip()
    return {"before": before, "after": after}
