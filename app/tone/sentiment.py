"""How negative a reply reads as a whole, offline, with VADER (vaderSentiment).

VADER is a lexicon and rules tuned on social-media text; its lexicon ships in the wheel,
so nothing is fetched. A care reply uses some "negative" words kindly ("sorry",
"frustrating"): the care words in the language's context.yaml replace their lexicon scores
so empathy does not read as negativity.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_lock = threading.Lock()
_analyzers: dict[tuple[tuple[str, float], ...], SentimentIntensityAnalyzer] = {}


def _analyzer(care_words: dict[str, float]) -> SentimentIntensityAnalyzer:
    key = tuple(sorted(care_words.items()))
    analyzer = _analyzers.get(key)
    if analyzer is None:
        with _lock:
            analyzer = _analyzers.get(key)
            if analyzer is None:
                analyzer = SentimentIntensityAnalyzer()
                for word, value in care_words.items():
                    if value == 0:
                        analyzer.lexicon.pop(word, None)
                    else:
                        analyzer.lexicon[word] = value
                _analyzers[key] = analyzer
    return analyzer


@dataclass(frozen=True)
class Sentiment:
    #: VADER's compound score, -1 (very negative) to +1 (very positive).
    compound: float
    #: The sentence that reads most negative: (start, end, its compound score).
    worst: tuple[int, int, float] | None


def score(text: str, sentences: list[tuple[int, int]], care_words: dict[str, float]) -> Sentiment:
    analyzer = _analyzer(care_words)
    compound = analyzer.polarity_scores(text)["compound"]
    worst = None
    if compound < 0:
        for start, end in sentences:
            value = analyzer.polarity_scores(text[start:end])["compound"]
            if worst is None or value < worst[2]:
                worst = (start, end, value)
    return Sentiment(compound, worst)


def warm_up(care_words: dict[str, float]) -> None:
    _analyzer(care_words)
