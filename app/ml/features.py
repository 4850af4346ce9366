"""Text to features, the same at training and at scoring: no vocabulary is stored.

A model's features are hashed (scikit-learn's HashingVectorizer): words and word pairs, and
character 2–5-grams inside words (which catch spellings such as "f*cking" or "idiooot" that
no word list has). The text is normalised first as the training tweets are: handles become
"@user", links "http", so that a reply's "@AmazonHelp" weighs as much as a tweet's "@USER".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction._hashing_fast import transform as _hash_ngrams
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

_HANDLE = re.compile(r"@\w+")
_LINK = re.compile(r"https?://\S+|\bURL\b|www\.\S+")
#: What the word features count as a word (scikit-learn's default, with apostrophes and
#: the masked letters of "f*ck" kept inside words).
WORD_PATTERN = r"(?u)\b\w[\w'’*]*\w\b|\b\w\b"


def normalise(text: str) -> str:
    return _LINK.sub(" http ", _HANDLE.sub("@user", text)).lower()


@dataclass(frozen=True)
class FeatureSpec:
    """How text becomes features; stored in the model's card so scoring rebuilds it."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    #: log2 of the number of hashed features, per kind (words; characters).
    bits: int = 18

    def as_dict(self) -> dict:
        return {
            "word_ngrams": list(self.word_ngrams),
            "char_ngrams": list(self.char_ngrams),
            "bits": self.bits,
        }

    @classmethod
    def from_dict(cls, data: dict) -> FeatureSpec:
        return cls(tuple(data["word_ngrams"]), tuple(data["char_ngrams"]), int(data["bits"]))


class Featuriser:
    """Word and character features side by side, each row scaled to unit length per kind."""

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        common = {
            "n_features": 2**spec.bits,
            "alternate_sign": False,
            "lowercase": False,
            "norm": None,
        }
        self.words = HashingVectorizer(
            analyzer="word", ngram_range=spec.word_ngrams, token_pattern=WORD_PATTERN, **common
        )
        self.chars = HashingVectorizer(analyzer="char_wb", ngram_range=spec.char_ngrams, **common)
        self._words = self.words.build_analyzer()
        self._chars = self.chars.build_analyzer()

    @property
    def size(self) -> int:
        return 2 * 2**self.spec.bits

    def transform(self, texts: Sequence[str], *, norm: bool = True) -> sparse.csr_matrix:
        normalised = [normalise(text) for text in texts]
        blocks = [self.words.transform(normalised), self.chars.transform(normalised)]
        if norm:
            blocks = [normalize(block) for block in blocks]
        return sparse.hstack(blocks, format="csr", dtype=np.float64)

    def dot(self, texts: Sequence[str], weights: np.ndarray) -> np.ndarray:
        """`transform(texts) @ weights`, the scoring path: the n-grams hashed straight into
        indices, without the sparse matrices (a quarter of the time for a tweet).
        tests/test_models.py holds it equal to the public path."""
        return self.dots(texts, weights[:, np.newaxis])[:, 0]

    def dots(self, texts: Sequence[str], weights: np.ndarray) -> np.ndarray:
        """`transform(texts) @ weights` for a (features, models) matrix of several models'
        weights: the texts hashed once for all of them."""
        normalised = [normalise(text) for text in texts]
        total = np.zeros((len(texts), weights.shape[1]))
        size = 2**self.spec.bits
        for offset, analyse in ((0, self._words), (size, self._chars)):
            indices, indptr, _ = _hash_ngrams(
                (((gram, 1) for gram in analyse(text)) for text in normalised),
                size,
                np.float64,
                False,
            )
            rows = np.repeat(np.arange(len(texts)), np.diff(indptr))
            keys, counts = np.unique(rows * size + np.asarray(indices), return_counts=True)
            rows, columns = np.divmod(keys, size)
            picked = weights[offset + columns]
            norms = np.sqrt(np.bincount(rows, counts.astype(np.float64) ** 2, minlength=len(texts)))
            for model in range(weights.shape[1]):
                dots = np.bincount(rows, counts * picked[:, model], minlength=len(texts))
                total[:, model] += np.divide(dots, norms, out=np.zeros(len(texts)), where=norms > 0)
        return total

    def tokens(self, text: str) -> list[tuple[int, int]]:
        """Where the words are in `text` (the words the features count), as character spans;
        not inside handles or links, which the features see only as "@user" and "http"."""
        hidden = [match.span() for match in _HANDLE.finditer(text)]
        hidden += [match.span() for match in _LINK.finditer(text)]
        return [
            match.span()
            for match in re.finditer(WORD_PATTERN, text)
            if not any(start <= match.start() < end for start, end in hidden)
        ]
