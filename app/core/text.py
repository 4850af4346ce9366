"""Cleaning text people paste: keep what they wrote, drop what breaks storage or display."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 control characters except tab, newline and carriage return. NUL in particular
# cannot be stored in PostgreSQL text columns.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Lone surrogates come from broken JSON escapes ("\ud83d" without its pair).
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Characters that render as nothing; a text made only of these (and spaces) is empty.
INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f"  # zero-width space/joiners, direction marks
    "\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad"  # word joiner, invisible ops, BOM, soft hyphen
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi embeddings and isolates
)
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")


def clean_text(value: str | None) -> str:
    """NFC-normalised text with control characters and broken surrogates removed.

    Emoji sequences (which rely on zero-width joiners), right-to-left text and markup are
    kept as written; templates escape markup on display.
    """
    if value is None:
        return ""
    value = _SURROGATE.sub("\ufffd", value)
    value = _CONTROL.sub("", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", value).strip()


def is_blank(value: str) -> bool:
    """True when nothing visible is left: spaces, zero-width and direction marks only."""
    return not _INVISIBLE_RE.sub("", value).strip()


def one_line(value: str | None, limit: int = 200) -> str:
    """A single-line, length-limited form for names, handles and links."""
    value = re.sub(r"\s+", " ", clean_text(value))
    return value[:limit]
