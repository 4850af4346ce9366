"""Which language a text is written in: one of the languages Composure knows, or another
one it can name.

py3langid (a maintained packaging of langid.py; its model ships inside the wheel, nothing
is downloaded) ranks its 97 languages once. The answer is the best of the languages listed
in rules/common.yaml, unless the model is sure of another language, which is then named
("French") so that the reading can say it has no rules for it instead of guessing. On real
tweets this is right for 99.5% of texts in en, nl, de, es, pl and lv, Latvian included
(`bench/language_detection.py`, beside lingua). Handles, links, hashtags, numbers and emoji
are removed first: they say nothing about the language and make short tweets look
foreign. Text too short or too uncertain to tell is taken to be in the default language,
with a notice saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from app.nlp.common import common_rules

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\S+@\S+|\d+")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
#: Fewer letters than this cannot be told apart reliably.
MIN_LETTERS = 12
#: Enough text to tell the language; longer complaints are judged on their start.
SAMPLE_CHARS = 2000
#: Below this probability (among the known languages) the default language wins.
MIN_CONFIDENCE = 0.9
#: From this probability (among all the model's languages) a language Composure does not
#: know is named rather than read as the nearest one it knows.
OTHER_AT = 0.9
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "sv": "Swedish",
    "da": "Danish",
    "nb": "Norwegian",
    "pl": "Polish",
    "tr": "Turkish",
    "ar": "Arabic",
    "he": "Hebrew",
    "ru": "Russian",
    "uk": "Ukrainian",
    "el": "Greek",
    "hi": "Hindi",
    "ja": "Japanese",
    "zh": "Chinese",
    "ko": "Korean",
    "lv": "Latvian",
    "lt": "Lithuanian",
    "et": "Estonian",
    "fi": "Finnish",
    "cs": "Czech",
    "sk": "Slovak",
    "hu": "Hungarian",
    "ro": "Romanian",
    "bg": "Bulgarian",
    "hr": "Croatian",
    "sl": "Slovenian",
    "no": "Norwegian",
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def language_choices() -> list[tuple[str, str]]:
    """(code, name) of every language a person can choose (a complaint's language, the
    languages they read), by name, each name once ("nb" and "no" are both Norwegian)."""
    by_name: dict[str, str] = {}
    for code, name in sorted(LANGUAGE_NAMES.items()):
        by_name.setdefault(name, code)
    return sorted(((code, name) for name, code in by_name.items()), key=lambda item: item[1])


@dataclass(frozen=True)
class Detected:
    language: str
    confidence: float
    #: Other languages written in the same text (mixed-language complaints).
    also: tuple[str, ...] = ()
    notices: tuple[str, ...] = field(default=())


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _letters(text: str) -> int:
    return len(_LETTERS.findall(text))


def _classify(text: str) -> tuple[str, float]:
    """The language and its probability: a known language's among the known ones, or an
    unknown one's among all (only when that is at least OTHER_AT)."""
    known = common_rules().languages
    ranking = _identifier().rank(text)
    top, probability = ranking[0]
    if top not in known and probability >= OTHER_AT:
        return top, float(probability)
    scores = [(language, p) for language, p in ranking if language in known]
    total = sum(p for _, p in scores)
    language, p = scores[0]
    return language, float(p / total) if total else 0.0


def detect(text: str) -> Detected:
    default = common_rules().default_language
    words = _NOISE.sub(" ", text[: SAMPLE_CHARS * 2])[:SAMPLE_CHARS]
    if _letters(words) < MIN_LETTERS:
        return Detected(
            default,
            0.0,
            notices=(f"Too few words to tell the language; analysed as {language_name(default)}.",),
        )
    language, confidence = _classify(words)
    if confidence < MIN_CONFIDENCE:
        language = default
    also = []
    if len(words) > 80:
        for sentence in _SENTENCE.split(words):
            if _letters(sentence) < 25:
                continue
            other, probability = _classify(sentence)
            if other != language and probability >= 0.99 and other not in also:
                also.append(other)
    notices = []
    if also:
        names = ", ".join(language_name(code) for code in also)
        notices.append(f"Parts are written in {names}; analysed as {language_name(language)}.")
    return Detected(language, confidence, tuple(also), tuple(notices))
