"""Load a trained model once per process and score sentences with it.

A score is the probability of the model's label and the words that weigh most towards it,
so that a finding can point at them ("idiot", "pathetic") and not only at a sentence.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.ml.features import FeatureSpec, Featuriser

MODELS_DIR = Path(__file__).parent / "models"
#: Up to this many words, a word's weight is how far the score falls without it; beyond,
#: each word is scored alone (leaving each out of a long text would cost n long scorings).
LEFT_OUT_WORDS = 80


class ModelMissing(LookupError):
    """No model of that name for that language."""


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    #: How much the word pushes the score towards the label (log-odds).
    weight: float


@dataclass(frozen=True)
class Score:
    probability: float
    #: The words that weigh most towards the label, heaviest first (only positive weights).
    words: tuple[Word, ...]


class TextModel:
    """A logistic regression over hashed word and character features."""

    def __init__(self, name: str, language: str, card: dict, weights: np.ndarray, bias: float):
        self.name = name
        self.language = language
        self.card = card
        self.featuriser = Featuriser(FeatureSpec.from_dict(card["features"]))
        if weights.shape != (self.featuriser.size,):
            raise ValueError(f"{name}.npz: {weights.shape[0]} weights for {self.featuriser.size}")
        self.weights = weights.astype(np.float64)
        self.bias = float(bias)

    @classmethod
    def read(cls, folder: Path, name: str, language: str) -> TextModel:
        card = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        with np.load(folder / f"{name}.npz", allow_pickle=False) as stored:
            return cls(name, language, card, stored["weights"], float(stored["bias"][0]))

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        return self.featuriser.dot(texts, self.weights) + self.bias

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-self.logits(texts)))

    def words(self, text: str, top: int = 3, *, alone: bool = False) -> tuple[Word, ...]:
        """The `top` words of `text` that weigh most towards the label: how far the score
        falls (in log-odds) when the word is left out; with `alone`, or in a long text,
        each word's own weight (one scoring, not one per word: where speed matters)."""
        spans = self.featuriser.tokens(text)
        if not spans:
            return ()
        if alone:
            return self._words_each(text, spans, top)
        if len(spans) > LEFT_OUT_WORDS:
            return self._words_alone(text, spans, top)
        without = [text[:start] + text[end:] for start, end in spans]
        whole, *each = self.logits([text, *without])
        ranked = [
            Word(start, end, float(whole - logit))
            for (start, end), logit in zip(spans, each, strict=True)
            if whole - logit > 0
        ]
        return _heaviest(ranked, top)

    def _words_each(self, text: str, spans: list[tuple[int, int]], top: int) -> tuple[Word, ...]:
        """Each word scored as a text of its own on the fast path (its features scaled as a
        text's are): a few words' weights for the price of one short scoring."""
        scores = self.featuriser.dot([text[start:end] for start, end in spans], self.weights)
        ranked = [
            Word(start, end, float(weight))
            for (start, end), weight in zip(spans, scores, strict=True)
            if weight > 0
        ]
        return _heaviest(ranked, top)

    def _words_alone(self, text: str, spans: list[tuple[int, int]], top: int) -> tuple[Word, ...]:
        """In a long text, each word's weight on its own: one scoring, not one per word."""
        alone = self.featuriser.transform([text[start:end] for start, end in spans], norm=False)
        ranked = [
            Word(start, end, float(weight))
            for (start, end), weight in zip(spans, alone @ self.weights, strict=True)
            if weight > 0
        ]
        return _heaviest(ranked, top)

    def score(self, texts: Sequence[str], explain_from: float = 0.5, top: int = 3) -> list[Score]:
        """Each text's probability, with its weightiest words for the texts scored at or over
        `explain_from` (those someone will read about; finding them costs a second pass)."""
        return [
            Score(float(p), self.words(text, top) if p >= explain_from else ())
            for text, p in zip(texts, self.probabilities(texts), strict=True)
        ]


#: A word is named only when it weighs at least this share of the heaviest word: "coward",
#: not "coward", "are", "a".
NAMED_SHARE = 0.25


def _heaviest(words: list[Word], top: int) -> tuple[Word, ...]:
    words = sorted(words, key=lambda word: -word.weight)
    if not words:
        return ()
    return tuple(word for word in words[:top] if word.weight >= NAMED_SHARE * words[0].weight)


class Models:
    """Several models scoring the same texts. Models whose features are made the same way
    (an equal FeatureSpec) share one hashing of each text: their weights are side by side
    in one matrix, each text featurised once and dotted with all of them."""

    def __init__(self, models: Sequence[TextModel]) -> None:
        self.models = tuple(models)
        groups: dict[FeatureSpec, list[int]] = {}
        for index, model in enumerate(self.models):
            groups.setdefault(model.featuriser.spec, []).append(index)
        self._groups = [
            (
                self.models[members[0]].featuriser,
                members,
                np.column_stack([self.models[index].weights for index in members]),
                np.array([self.models[index].bias for index in members]),
            )
            for members in groups.values()
        ]

    def read(self, text: str, top: int = 3) -> tuple[np.ndarray, list[tuple[Word, ...]]]:
        """The probability of each model's label for `text`, and for each model the `top`
        words that weigh most towards it, each word weighed alone (its features' weight,
        scaled like a text's): one scoring of the text and its words together, where
        leaving each word out would score the text once per word. For models over the same
        features (the three `kind` models read every complaint)."""
        if len(self._groups) != 1:
            raise ValueError(f"models over different features: {[m.name for m in self.models]}")
        featuriser, _, weights, biases = self._groups[0]
        spans = featuriser.tokens(text)
        scores = featuriser.dot([text, *(text[start:end] for start, end in spans)], weights)
        probabilities = 1.0 / (1.0 + np.exp(-(scores[0] + biases)))
        words = [
            _heaviest(
                [
                    Word(start, end, float(weight))
                    for (start, end), weight in zip(spans, scores[1:, column], strict=True)
                    if weight > 0
                ],
                top,
            )
            for column in range(len(self.models))
        ]
        return probabilities, words

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """A row a text, a column a model (in the order given)."""
        found = np.zeros((len(texts), len(self.models)))
        if not texts:
            return found
        for featuriser, members, weights, biases in self._groups:
            logits = featuriser.dot(texts, weights) + biases
            found[:, members] = 1.0 / (1.0 + np.exp(-logits))
        return found


_loaded: dict[tuple[str, str], TextModel | None] = {}
_lock = threading.Lock()


def find(name: str, language: str = "en") -> TextModel | None:
    """The model, read from app/ml/models/<language>/ on first use and kept for the
    process; None when there is no such model for the language."""
    key = (name, language)
    if key in _loaded:
        return _loaded[key]
    with _lock:
        if key not in _loaded:
            folder = MODELS_DIR / language
            exists = (folder / f"{name}.npz").is_file()
            _loaded[key] = TextModel.read(folder, name, language) if exists else None
        return _loaded[key]


def load(name: str, language: str = "en") -> TextModel:
    """The model (as `find`), or ModelMissing."""
    model = find(name, language)
    if model is None:
        raise ModelMissing(f"no model {name!r} for {language!r} in {MODELS_DIR / language}")
    return model


_together: dict[tuple[tuple[str, ...], str], Models] = {}


def together(names: Sequence[str], language: str = "en") -> Models:
    """The named models (each as `load`) scoring together, built once per process."""
    key = (tuple(names), language)
    found = _together.get(key)
    if found is None:
        found = Models([load(name, language) for name in names])
        with _lock:
            found = _together.setdefault(key, found)
    return found
