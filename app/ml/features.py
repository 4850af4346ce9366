"""Text to features, the same at training and at scoring: no vocabulary is stored.

A model's features are hashed (as scikit-learn's HashingVectorizer hashes them): words and
word pairs, and character 2–5-grams inside words (which catch spellings such as "f*cking"
or "idiooot" that no word list has). The text is normalised first as the training tweets
are: handles become "@user", links "http", so that a reply's "@AmazonHelp" weighs as much
as a tweet's "@USER".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mmh3
import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

_HANDLE = re.compile(r"@\w+")
_LINK = re.compile(r"https?://\S+|\bURL\b|www\.\S+")
#: What the word features count as a word (scikit-learn's default, with apostrophes and
#: the masked letters of "f*ck" kept inside words).
WORD_PATTERN = r"(?u)\b\w[\w'’*]*\w\b|\b\w\b"
_WORD = re.compile(WORD_PATTERN)
_SPACES = re.compile(r"\s\s+")
#: murmurhash3's value whose absolute value does not fit: scikit-learn's index for it.
_INT_MIN = -(2**31)


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
    """Word and character features side by side, each row scaled to unit length per kind.

    Scoring (`dot`) needs only NumPy and murmurhash3 (mmh3): the n-grams are made and hashed
    exactly as scikit-learn's HashingVectorizer makes and hashes them, which training
    (`transform`) still uses. scikit-learn and SciPy cost a worker some 90 MB and a second
    of start-up; tests/test_models.py holds the two paths equal.
    """

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec

    @property
    def size(self) -> int:
        return 2 * 2**self.spec.bits

    def _vectorisers(self):
        from sklearn.feature_extraction.text import HashingVectorizer

        common = {
            "n_features": 2**self.spec.bits,
            "alternate_sign": False,
            "lowercase": False,
            "norm": None,
        }
        words = HashingVectorizer(
            analyzer="word", ngram_range=self.spec.word_ngrams, token_pattern=WORD_PATTERN, **common
        )
        chars = HashingVectorizer(analyzer="char_wb", ngram_range=self.spec.char_ngrams, **common)
        return words, chars

    def transform(self, texts: Sequence[str], *, norm: bool = True) -> sparse.csr_matrix:
        """The features as a sparse matrix, by scikit-learn: the training path."""
        from scipy import sparse
        from sklearn.preprocessing import normalize

        normalised = [normalise(text) for text in texts]
        blocks = [vectoriser.transform(normalised) for vectoriser in self._vectorisers()]
        if norm:
            blocks = [normalize(block) for block in blocks]
        return sparse.hstack(blocks, format="csr", dtype=np.float64)

    def word_grams(self, text: str) -> list[str]:
        """scikit-learn's word n-grams: the words, then each run of n of them joined by a
        space, n up to the spec's largest."""
        words = _WORD.findall(text)
        low, high = self.spec.word_ngrams
        grams = list(words) if low == 1 else []
        for n in range(max(low, 2), min(high, len(words)) + 1):
            grams += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
        return grams

    def char_grams(self, text: str) -> list[str]:
        """scikit-learn's `char_wb` n-grams: inside each word padded with a space; a word
        shorter than n gives itself once."""
        low, high = self.spec.char_ngrams
        grams = []
        for word in _SPACES.sub(" ", text).split():
            padded = f" {word} "
            length = len(padded)
            for n in range(low, high + 1):
                grams += [padded[i : i + n] for i in range(max(1, length - n + 1))]
                if length <= n:
                    break
        return grams

    def dot(self, texts: Sequence[str], weights: np.ndarray) -> np.ndarray:
        """`transform(texts) @ weights`, the scoring path: the n-grams hashed straight into
        indices, without the sparse matrices (a quarter of the time for a tweet).
        `weights` is one model's (a vector: one score a text) or several models' side by
        side (a matrix, a column each: a row of scores a text, the text hashed once)."""
        normalised = [normalise(text) for text in texts]
        n = len(texts)
        total = np.zeros((n, *weights.shape[1:]))
        size = 2**self.spec.bits
        hash_ = mmh3.hash
        for offset, grams_of in ((0, self.word_grams), (size, self.char_grams)):
            rows_list: list[int] = []
            indices: list[int] = []
            for row, text in enumerate(normalised):
                hashed = [hash_(gram) for gram in grams_of(text)]
                indices += [
                    abs(value) % size if value != _INT_MIN else (2**31 - 1 - (size - 1)) % size
                    for value in hashed
                ]
                rows_list += [row] * len(hashed)
            if not indices:
                continue
            rows = np.asarray(rows_list, dtype=np.int64)
            keys, counts = np.unique(rows * size + np.asarray(indices), return_counts=True)
            rows, columns = np.divmod(keys, size)
            norms = np.sqrt(np.bincount(rows, counts.astype(np.float64) ** 2, minlength=n))
            picked = weights[offset + columns]
            for column in range(1 if picked.ndim == 1 else picked.shape[1]):
                each = picked if picked.ndim == 1 else picked[:, column]
                dots = np.bincount(rows, counts * each, minlength=n)
                scaled = np.divide(dots, norms, out=np.zeros(n), where=norms > 0)
                if picked.ndim == 1:
                    total += scaled
                else:
                    total[:, column] += scaled
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
