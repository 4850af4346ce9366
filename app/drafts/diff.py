"""What changed between two revisions, word by word, and where a quoted passage sits in a
revision. No Flask: the review page shows the result, the tests read it directly.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

#: Words, runs of spaces and single punctuation marks: "late." and "late!" differ only in
#: the mark, so only the mark is shown as changed.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

Kind = Literal["same", "del", "ins"]


@dataclass(frozen=True)
class Segment:
    kind: Kind
    text: str


def tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def word_diff(before: str, after: str) -> list[Segment]:
    """The text of `after` with what `before` had instead: kept, deleted and inserted runs
    in reading order (a changed stretch is its deletion followed by its insertion).

    Joining the "same" and "del" runs gives `before` back; "same" and "ins" give `after`.
    """
    old, new = tokens(before), tokens(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    chunks = [
        (opcode == "equal", "".join(old[i1:i2]), "".join(new[j1:j2]))
        for opcode, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    segments: list[Segment] = []
    deleted = inserted = ""
    for index, (same, was, now) in enumerate(chunks):
        # A lone space between two changes reads better inside them: "<del>a b</del>"
        # rather than "<del>a</del> <del>b</del>".
        inside = same and was.isspace() and 0 < index < len(chunks) - 1
        if not same or inside:
            deleted, inserted = deleted + was, inserted + now
            continue
        segments.extend(_changed(deleted, inserted))
        deleted = inserted = ""
        segments.append(Segment("same", was))
    segments.extend(_changed(deleted, inserted))
    return segments


def _changed(deleted: str, inserted: str) -> list[Segment]:
    return [Segment(kind, text) for kind, text in (("del", deleted), ("ins", inserted)) if text]


def changed(segments: list[Segment]) -> bool:
    return any(segment.kind != "same" for segment in segments)


def find_passage(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quoted passage first occurs in `text` (character offsets), or None.

    Spaces in the quote match any run of spaces in the text, so a passage copied across a
    line break is still found.
    """
    quote = quote.strip()
    if not quote:
        return None
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None
