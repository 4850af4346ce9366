"""What every recipe trains with: the shared data's readers, the team's labelled texts, one
fit (a logistic regression over NB-scaled hashed features) and the files a model is
written as. A recipe (app/ml/recipes/<name>.py) says what one model learns from and how it
is measured; `python -m app.ml.train NAME` runs it.
"""

from __future__ import annotations

import csv
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from app.core import datafile
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
        rows += labelled_rows(path)
    return rows


def labelled_rows(path: Path) -> list[dict]:
    """A labelled file's rows, parsed once a process while it is unchanged (the three kind
    models read one file, the four reply-code models another). Read, never changed."""
    return _rows(path, path.stat().st_mtime_ns)


@functools.cache
def _rows(path: Path, _modified: int) -> list[dict]:
    return datafile.rows(path)


def clear_caches() -> None:
    """Forget the labelled sets and corpus features read so far (app/ml/provenance.py
    records what a training opens: it must open everything)."""
    _rows.cache_clear()
    _FEATURES.clear()


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
        rows += datafile.rows(path)
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
    recipe = card["name"] if card["language"] == "en" else f"{card['language']}/{card['name']}"
    return [
        f"# Model card: `{card['name']}` ({card['language']})",
        "",
        f"Predicts: {card['label']}. Written by `python -m app.ml.train {recipe}`; "
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


# The other languages' public data (../shared/data/ml/<language>/; README.md there lists
# each corpus with its licence). Each reader returns (texts, labels), in the file's order.

ML = "ml"


def germeval2018(shared: Path) -> tuple[list[str], list[int]]:
    """GermEval 2018 (task 1), the training part: 1 OFFENSE, 0 OTHER."""
    path = shared / ML / "de" / "germeval2018" / "germeval2018.training.txt"
    rows = [line.split("\t") for line in _lines(path) if line.strip()]
    return [row[0] for row in rows], [int(row[1] == "OFFENSE") for row in rows]


def gahd(shared: Path) -> tuple[list[str], list[int]]:
    """GAHD (German adversarial hate speech), train and dev parts: 1 hate."""
    path = shared / ML / "de" / "gahd" / "gahd_train_dev.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [int(row["label"]) for row in rows]


def poleval2019(shared: Path) -> tuple[list[str], list[int]]:
    """PolEval 2019 task 6, the training part: 1 harmful (cyberbullying or hate), 0 not."""
    folder = shared / ML / "pl" / "poleval2019"
    texts = _lines(folder / "training_set_clean_only_text.txt")
    tags = _lines(folder / "training_set_clean_only_tags.txt")
    if len(texts) != len(tags):
        raise ValueError(f"{folder}: {len(texts)} texts for {len(tags)} tags")
    return texts, [int(int(tag) > 0) for tag in tags]


#: XED's labels (Plutchik's eight emotions), by number.
XED_EMOTIONS = {
    1: "anger",
    2: "anticipation",
    3: "disgust",
    4: "fear",
    5: "joy",
    6: "sadness",
    7: "surprise",
    8: "trust",
}


def xed(shared: Path, language: str) -> tuple[list[str], list[frozenset[str]]]:
    """XED's projected subtitles: (lines, each line's emotions). A few subtitle lines span
    several lines of the file; those are left out (their labels cannot be told apart)."""
    path = shared / ML / language / "xed" / f"Projections_{language}-projections.tsv"
    texts, emotions = [], []
    for line in _lines(path):
        text, _, labels = line.rpartition("\t")
        try:
            found = frozenset(XED_EMOTIONS[int(label)] for label in labels.split(","))
        except (KeyError, ValueError):
            continue
        if text.strip():
            texts.append(text)
            emotions.append(found)
    return texts, emotions


_PEISENIEKS_ROW = re.compile(r'"text":"(?P<text>.*)","sentiment":"(?P<sentiment>[A-Z]+)"')
_PEISENIEKS = {"POZ": "pos", "NEU": "neu", "NEG": "neg"}


def latvian_tweets(shared: Path) -> dict[str, tuple[list[str], list[str]]]:
    """The Latvian sentiment tweets, each corpus's (texts, pos | neu | neg): {"ltec": ...
    (the Latvian Twitter Eater Corpus, training part), "peisenieks": ...}. Peisenieks' file
    is not strict JSON (unescaped quotes inside texts): read a row a line."""
    rows = json.loads((shared / ML / "lv" / "ltec" / "train.json").read_text(encoding="utf-8"))
    found = {"ltec": ([r["tweet_text"] for r in rows], [r["sentiment"] for r in rows])}
    texts, labels = [], []
    for line in _lines(shared / ML / "lv" / "peisenieks" / "tweet_corpus.json"):
        match = _PEISENIEKS_ROW.search(line)
        if match and match["sentiment"] in _PEISENIEKS:
            texts.append(match["text"].replace('\\"', '"').replace("\\/", "/"))
            labels.append(_PEISENIEKS[match["sentiment"]])
    found["peisenieks"] = (texts, labels)
    return found


def xlmt_sentiment(shared: Path, language: str) -> tuple[list[str], list[str]]:
    """XLM-T's tweets (de: SB-10K, es: InterTASS), train and val: (texts, negative |
    neutral | positive). Their terms allow evaluation and development only: never train a
    shipped model on them."""
    folder = shared / ML / language / "xlmt_sentiment"
    texts, labels = [], []
    for split in ("train", "val"):
        texts += _lines(folder / f"{split}_text.txt")
        labels += [
            ("negative", "neutral", "positive")[int(x)]
            for x in _lines(folder / f"{split}_labels.txt")
        ]
    if len(texts) != len(labels):
        raise ValueError(f"{folder}: {len(texts)} texts for {len(labels)} labels")
    return texts, labels


FOLDS = 5


def folds(labels: list[int], count: int = FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """(training rows, test rows) of each fold: stratified, shuffled with the seed."""
    splitter = StratifiedKFold(count, shuffle=True, random_state=SEED)
    return list(splitter.split(np.zeros(len(labels)), labels))


def out_of_fold(
    recipe: Recipe, data: Data, features, extra: Data | None = None, extra_features=None
) -> np.ndarray:
    """Each text's probability from the model fitted on the other folds (`folds`): k-fold
    cross-validation on the features computed once (hashed, so no fold learns anything
    from another's texts). `extra`: texts every fold also trains on (never scored), with
    their features when the caller has them."""
    labels = np.array(data.labels)
    weights = np.array(data.weights)
    found = np.zeros(len(labels))
    if extra is not None and extra_features is None:
        extra_features = Featuriser(recipe.spec).transform(extra.texts)
    for train, test in folds(data.labels):
        part = Data([data.texts[i] for i in train], list(labels[train]), list(weights[train]))
        part_features = features[train]
        if extra is not None:
            part = Data(
                part.texts + extra.texts,
                part.labels + extra.labels,
                part.weights + extra.weights,
            )
            part_features = sparse.vstack([part_features, extra_features]).tocsr()
        w, b = fit(recipe, part, part_features)
        found[test] = 1.0 / (1.0 + np.exp(-(features[test] @ w + b)))
    return found


#: A corpus's features, by (features, corpus): recipes of one process that read the same
#: corpus with the same features hash it once (the retraining test trains them all).
_FEATURES: dict[tuple[FeatureSpec, str], sparse.csr_matrix] = {}


def corpus_features(spec: FeatureSpec, corpus: str, texts: list[str]) -> sparse.csr_matrix:
    """The features of a whole corpus's texts (`corpus` names it: "de/germeval2018"), kept
    for the process."""
    key = (spec, corpus)
    found = _FEATURES.get(key)
    if found is None or found.shape[0] != len(texts):
        found = _FEATURES[key] = Featuriser(spec).transform(texts)
    return found
