"""How negative a reply reads as a whole, offline, with VADER (vaderSentiment).

VADER is a lexicon and rules tuned on social-media text; its lexicon ships in the wheel,
so nothing is fetched. A care reply uses some "negative" words kindly ("sorry",
"frustrating"): the care words in the language's context.yaml replace their lexicon scores
so empathy does not read as negativity.

VADER's lexicon is English. A language whose tone rules say `lexicon: own` (context.yaml,
`negative_tone`) is scored by its own word list alone (its care words with their scores),
VADER's English words taken out: Latvian "no" ("from") is not English "no".
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_lock = threading.Lock()
_analyzers: dict[tuple, SentimentIntensityAnalyzer] = {}


def _analyzer(care_words: dict[str, float], own: bool = False) -> SentimentIntensityAnalyzer:
    """VADER with the care words' scores; with `own`, with those scores alone (a language
    VADER's English lexicon does not read: its English words would be noise)."""
    key = (own, *sorted(care_words.items()))
    analyzer = _analyzers.get(key)
    if analyzer is None:
        with _lock:
            analyzer = _analyzers.get(key)
            if analyzer is None:
                analyzer = SentimentIntensityAnalyzer()
                if own:
                    analyzer.lexicon = {}
                for word, value in care_words.items():
                    if value == 0:
                        analyzer.lexicon.pop(word, None)
                    else:
                        analyzer.lexicon[word] = value
                _analyzers[key] = analyzer
    return analyzer


@dataclass(frozen=True)
class Sentiment:
    #: The reply's score, -1 (very negative) to +1: the mean of its sentences' VADER
    #: compound scores, weighted by their length, each lowered by its defeatist phrases.
    compound: float
    #: The sentence that reads most negative: (start, end, its score).
    worst: tuple[int, int, float] | None
    #: The share of the reply's words in sentences scoring at or below the line.
    negative_share: float = 0.0


def score(
    text: str,
    sentences: list[tuple[int, int]],
    care_words: dict[str, float],
    nudges: list[tuple[int, float]] = (),
    *,
    line: float = -0.4,
    own_lexicon: bool = False,
) -> Sentiment:
    """Sentence by sentence: VADER's negation would otherwise reach across sentences
    ("It didn't work. Thanks for …" reads "Thanks" as negated). `nudges` are (position,
    amount) pairs added to the score of the sentence they fall in."""
    analyzer = _analyzer(care_words, own_lexicon)
    total = weight = negative = 0.0
    worst = None
    for start, end in sentences:
        value = _compound(analyzer, text[start:end])
        value += sum(amount for position, amount in nudges if start <= position < end)
        value = max(-1.0, min(1.0, value))
        words = max(1, len(text[start:end].split()))
        total += value * words
        weight += words
        if value <= line:
            negative += words
        if worst is None or value < worst[2]:
            worst = (start, end, value)
    if not weight:
        return Sentiment(0.0, worst)
    return Sentiment(round(total / weight, 4), worst, round(negative / weight, 4))


def warm_up(care_words: dict[str, float], own_lexicon: bool = False) -> None:
    _analyzer(care_words, own_lexicon)


#: Sentences scored lately, per analyzer: a reply re-checked as it is typed, or with a fix
#: applied, is mostly sentences already scored. VADER's score depends on the words alone.
SENTENCES_CACHED = 4096
_scores: OrderedDict[tuple[int, str], float] = OrderedDict()
_scores_lock = threading.Lock()


def _compound(analyzer: SentimentIntensityAnalyzer, sentence: str) -> float:
    key = (id(analyzer), sentence)  # analyzers live as long as the process
    with _scores_lock:
        value = _scores.get(key)
        if value is not None:
            _scores.move_to_end(key)
            return value
    value = analyzer.polarity_scores(sentence)["compound"]
    with _scores_lock:
        _scores[key] = value
        while len(_scores) > SENTENCES_CACHED:
            _scores.popitem(last=False)
    return value
