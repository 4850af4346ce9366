"""What every recipe trains with: the shared data's readers, the team's labelled texts, one
fit (a logistic regression over NB-scaled hashed features) and the files a model is
written as. A recipe (app/ml/recipes/<name>.py) says what one model learns from and how it
is measured; `python -m app.ml.train NAME` runs it.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

from app.ml.features import FeatureSpec, Featuriser
from app.ml.model import TextModel

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED = REPOSITORY.parent / "shared" / "data"
SEED = 15


@dataclass(frozen=True)
class Recipe:
    """How a model learns: its features, regularisation and the weight of the team's own
    labelled texts. Each recipe (app/ml/recipes/) says why its numbers are what they are."""

    spec: FeatureSpec = FeatureSpec()
    #: Inverse regularisation strength of the logistic regression.
    c: float = 3.0
    #: Each of the team's replies counts this many times a tweet: they are few, and they
    #: are what the product checks.
    team_weight: float = 5.0
    #: Solve the dual problem: the same optimum, five times sooner with fewer texts than
    #: features (the reply-code recipes fit twelve times each).
    dual: bool = False


@dataclass
class Data:
    texts: list[str]
    labels: list[int]
    weights: list[float]

    def add(self, texts: list[str], label: int, weight: float = 1.0) -> None:
        self.texts += texts
        self.labels += [label] * len(texts)
        self.weights += [weight] * len(texts)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def olid(shared: Path, split: str) -> tuple[list[str], list[int]]:
    return tweeteval(shared, "offensive", split)


def tweeteval(shared: Path, task: str, split: str) -> tuple[list[str], list[int]]:
    """One TweetEval task's split: (texts, labels), e.g. ("sentiment", "val")."""
    folder = shared / "tweeteval" / task
    texts = _lines(folder / f"{split}_text.txt")
    labels = [int(label) for label in _lines(folder / f"{split}_labels.txt")]
    if len(texts) != len(labels):
        raise ValueError(f"{folder}: {len(texts)} {split} texts for {len(labels)} labels")
    return texts, labels


#: The complaints corpus (Preoţiuc-Pietro et al., ACL 2019) is split by tweet id: a third
#: is the measured part, never trained or tuned on.
COMPLAINTS_MEASURED_EVERY = 3


def complaints_corpus(shared: Path) -> dict[str, tuple[list[str], list[int]]]:
    """The complaints corpus's development file, split in two by tweet id: {"train": ...,
    "measured": ...}, each (texts, labels), label 1 a complaint. Ids divisible by three are
    the measured part (764 of 2,309 tweets)."""
    path = shared / "complaints_preotiuc2019" / "complaints-dev.csv"
    parts: dict[str, tuple[list[str], list[int]]] = {"train": ([], []), "measured": ([], [])}
    with path.open(encoding="utf-8", newline="") as handle:
        for tweet_id, text, label, _domain in csv.reader(handle):
            part = parts["measured" if int(tweet_id) % COMPLAINTS_MEASURED_EVERY == 0 else "train"]
            part[0].append(text)
            part[1].append(int(label))
    return parts


def team_kinds(pattern: str) -> list[dict]:
    """The rows of tests/data/<pattern> labelled with a `kind` (kind_dev.yaml, ...)."""
    rows = []
    for path in sorted((REPOSITORY / "tests" / "data").glob(pattern)):
        rows += yaml.safe_load(path.read_text(encoding="utf-8"))
    return rows


def brand_replies(shared: Path) -> tuple[list[str], list[str]]:
    """The brand replies of the twcs sample, split in two by the parity of their tweet id:
    (for training, for measuring)."""
    with (shared / "twcs_sample" / "twcs.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["inbound"] == "False"]
    train = [row["text"] for row in rows if int(row["tweet_id"]) % 2 == 0]
    measure = [row["text"] for row in rows if int(row["tweet_id"]) % 2 == 1]
    return train, measure


def team_replies(
    code: str, pattern: str, *, clean_only: bool = True
) -> tuple[list[str], list[str]]:
    """(replies labelled `code`, the others) of tests/data/<pattern>: the others are the
    clean replies, or with `clean_only=False` every reply not labelled `code` (a row lists
    every code that applies, TONE_LABELS.md: blame or a non-apology is not hostile)."""
    rows = []
    for path in sorted((REPOSITORY / "tests" / "data").glob(pattern)):
        rows += yaml.safe_load(path.read_text(encoding="utf-8"))
    labelled = [row["text"] for row in rows if code in row["codes"]]
    others = [
        row["text"]
        for row in rows
        if code not in row["codes"] and not (clean_only and row["codes"])
    ]
    return labelled, others


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(texts: list[str]) -> list[str]:
    """The sentences of the texts that are not the whole text, split at end punctuation."""
    found = []
    for text in texts:
        parts = [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
        if len(parts) > 1:
            found += parts
    return found


def share(values: np.ndarray, threshold: float) -> float:
    return round(float((values >= threshold).mean()), 4) if len(values) else 0.0


def fit(recipe: Recipe, data: Data, features=None) -> tuple[np.ndarray, float]:
    """Weights and bias of a logistic regression over NB-scaled features (Wang & Manning
    2012): each feature scaled by how much more often it is in positives than negatives,
    folded into the weights so that scoring is one dot product. `features`: the texts'
    features when the caller has them already (the same as `Featuriser.transform`)."""
    if features is None:
        features = Featuriser(recipe.spec).transform(data.texts)
    labels = np.array(data.labels)
    present = (features > 0).astype(np.float64)
    positive = np.asarray(present[labels == 1].sum(axis=0)).ravel() + 1.0
    negative = np.asarray(present[labels == 0].sum(axis=0)).ravel() + 1.0
    ratio = np.log((positive / positive.sum()) / (negative / negative.sum()))
    classifier = LogisticRegression(
        C=recipe.c,
        class_weight="balanced",
        solver="liblinear",
        dual=recipe.dual,
        max_iter=2000,
        random_state=SEED,
    )
    classifier.fit(features.multiply(ratio).tocsr(), labels, sample_weight=data.weights)
    weights = (classifier.coef_.ravel() * ratio).astype(np.float32)
    return weights, float(np.float32(classifier.intercept_[0]))


def version(module: str) -> str:
    return __import__(module).__version__


def write(model: TextModel, card: dict, card_text: str, folder: Path) -> None:
    """The weights (arrays only, no pickle), the card as JSON and the card for people."""
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        folder / f"{model.name}.npz",
        weights=model.weights.astype(np.float32),
        bias=np.array([model.bias], dtype=np.float32),
    )
    (folder / f"{model.name}.json").write_text(
        json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / f"{model.name}.md").write_text(card_text, encoding="utf-8")


def card_opening(card: dict, *, used: str = "") -> list[str]:
    """The start of every model card: the model, what it predicts, that the script writes
    it, and (`used`) what the product does with it."""
    return [
        f"# Model card: `{card['name']}` ({card['language']})",
        "",
        f"Predicts: {card['label']}. Written by `python -m app.ml.train {card['name']}`; "
        f"do not edit by hand.{' ' + used if used else ''}",
        "",
    ]


def card_data_and_training(card: dict, *, data_note: str = "") -> list[str]:
    """The card's data (each source with its rows, positives and licence) and training
    (algorithm, seed, library versions, features) sections."""
    return [
        "## Data",
        "",
        "| source | rows | positives | licence |",
        "|---|---|---|---|",
        *(
            f"| {d['source']} (`{d['path']}`) | {d['rows']:,} | {d['positives']:,} | "
            f"{d['licence']} |"
            for d in card["data"]
        ),
        "",
        *([data_note, ""] if data_note else []),
        "## Training",
        "",
        *(f"- {key}: {value}" for key, value in card["training"].items()),
        f"- features: {card['features']}",
        "",
    ]
