"""Train a model and write it, with its card, into app/ml/models/<language>/.

    python -m app.ml.train hostile            # or: make models
    python -m app.ml.train hostile --out DIR  # somewhere else (the test compares the two)

Reads the public data in ../shared/data (beside the repository; never copied into it) and
the team's labelled replies in tests/data. Fixed seed; the same data give the same weights.

`hostile` (English): offensive language in a reply. Positives: the tweets of TweetEval's
offensive task (OLID) labelled offensive, and the team's development replies labelled
`hostile`. Negatives: the rest of OLID, half of the real brand replies in the twcs sample
(the other half measures false alarms), and the team's development replies not labelled
`hostile` (with every sentence of the brand and team replies, since the check scores
sentences). The held-out replies (tone_holdout.yaml) are only measured, never trained on.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score

from app.ml.features import FeatureSpec, Featuriser
from app.ml.model import MODELS_DIR, TextModel

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED = REPOSITORY.parent / "shared" / "data"
SEED = 15
#: The probabilities the card reports the model's quality at; the check's own line is in
#: its rule file (app/tone/rules/<language>/wording.yaml).
THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


@dataclass(frozen=True)
class Recipe:
    """What a model learns from and how; the numbers were chosen on OLID val and the
    measured half of the brand replies, never on the held-out replies."""

    spec: FeatureSpec = FeatureSpec()
    #: Inverse regularisation strength of the logistic regression.
    c: float = 3.0
    #: Each of the team's replies counts this many times a tweet: they are few, and they
    #: are what the product checks.
    team_weight: float = 5.0


RECIPES = {"hostile": Recipe()}


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
    folder = shared / "tweeteval" / "offensive"
    texts = _lines(folder / f"{split}_text.txt")
    labels = [int(label) for label in _lines(folder / f"{split}_labels.txt")]
    if len(texts) != len(labels):
        raise ValueError(f"{folder}: {len(texts)} {split} texts for {len(labels)} labels")
    return texts, labels


def brand_replies(shared: Path) -> tuple[list[str], list[str]]:
    """The brand replies of the twcs sample, split in two by the parity of their tweet id:
    (for training, for measuring)."""
    with (shared / "twcs_sample" / "twcs.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["inbound"] == "False"]
    train = [row["text"] for row in rows if int(row["tweet_id"]) % 2 == 0]
    measure = [row["text"] for row in rows if int(row["tweet_id"]) % 2 == 1]
    return train, measure


def team_replies(pattern: str, *, clean_only: bool = True) -> tuple[list[str], list[str]]:
    """(replies labelled `hostile`, the others) of tests/data/<pattern>: the others are the
    clean replies, or with `clean_only=False` every reply not labelled `hostile` (a row
    lists every code that applies, TONE_LABELS.md: blame or a non-apology is not hostile)."""
    rows = []
    for path in sorted((REPOSITORY / "tests" / "data").glob(pattern)):
        rows += yaml.safe_load(path.read_text(encoding="utf-8"))
    hostile = [row["text"] for row in rows if "hostile" in row["codes"]]
    others = [
        row["text"]
        for row in rows
        if "hostile" not in row["codes"] and not (clean_only and row["codes"])
    ]
    return hostile, others


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(texts: list[str]) -> list[str]:
    """The sentences of the texts that are not the whole text, split at end punctuation."""
    found = []
    for text in texts:
        parts = [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
        if len(parts) > 1:
            found += parts
    return found


def _share(values: np.ndarray, threshold: float) -> float:
    return round(float((values >= threshold).mean()), 4) if len(values) else 0.0


def measure(model: TextModel, shared: Path, brand_measured: list[str]) -> dict:
    val_texts, val_labels = olid(shared, "val")
    p_val = model.probabilities(val_texts)
    p_brand = model.probabilities(brand_measured)
    dev_hostile, dev_clean = (model.probabilities(t) for t in team_replies("tone_dev_*.yaml"))
    held_hostile, held_clean = (model.probabilities(t) for t in team_replies("tone_holdout.yaml"))
    rows = {}
    for threshold in THRESHOLDS:
        predicted = p_val >= threshold
        rows[f"{threshold:.2f}"] = {
            "olid_val_macro_f1": round(f1_score(val_labels, predicted, average="macro"), 4),
            "olid_val_precision": round(precision_score(val_labels, predicted), 4),
            "olid_val_recall": round(recall_score(val_labels, predicted), 4),
            "brand_replies_flagged": _share(p_brand, threshold),
            "dev_hostile_recall": _share(dev_hostile, threshold),
            "dev_clean_flagged": _share(dev_clean, threshold),
            "holdout_hostile_recall": _share(held_hostile, threshold),
            "holdout_clean_flagged": _share(held_clean, threshold),
        }
    return {
        "sizes": {
            "olid_val": len(val_texts),
            "brand_replies_measured": len(brand_measured),
            "dev_hostile": len(dev_hostile),
            "dev_clean": len(dev_clean),
            "holdout_hostile": len(held_hostile),
            "holdout_clean": len(held_clean),
        },
        "by_threshold": rows,
        "baseline_tfidf_lr_olid_val_macro_f1": baseline(shared),
    }


def baseline(shared: Path) -> float:
    """TF-IDF + logistic regression on OLID train, scikit-learn's defaults: the line to beat."""
    texts, labels = olid(shared, "train")
    val_texts, val_labels = olid(shared, "val")
    vectoriser = TfidfVectorizer()
    classifier = LogisticRegression(max_iter=1000, random_state=SEED)
    classifier.fit(vectoriser.fit_transform(texts), labels)
    predicted = classifier.predict(vectoriser.transform(val_texts))
    return round(f1_score(val_labels, predicted, average="macro"), 4)


def fit(recipe: Recipe, data: Data) -> tuple[np.ndarray, float]:
    """Weights and bias of a logistic regression over NB-scaled features (Wang & Manning
    2012): each feature scaled by how much more often it is in positives than negatives,
    folded into the weights so that scoring is one dot product."""
    featuriser = Featuriser(recipe.spec)
    features = featuriser.transform(data.texts)
    labels = np.array(data.labels)
    present = (features > 0).astype(np.float64)
    positive = np.asarray(present[labels == 1].sum(axis=0)).ravel() + 1.0
    negative = np.asarray(present[labels == 0].sum(axis=0)).ravel() + 1.0
    ratio = np.log((positive / positive.sum()) / (negative / negative.sum()))
    classifier = LogisticRegression(
        C=recipe.c, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=SEED
    )
    classifier.fit(features.multiply(ratio).tocsr(), labels, sample_weight=data.weights)
    weights = (classifier.coef_.ravel() * ratio).astype(np.float32)
    return weights, float(np.float32(classifier.intercept_[0]))


def train(name: str, shared: Path = SHARED) -> tuple[TextModel, dict]:
    if name not in RECIPES:
        raise SystemExit(f"no recipe for {name!r}; known: {', '.join(RECIPES)}")
    recipe = RECIPES[name]
    texts, labels = olid(shared, "train")
    brand_train, brand_measured = brand_replies(shared)
    team_hostile, team_other = team_replies("tone_dev_*.yaml", clean_only=False)
    data = Data(list(texts), list(labels), [1.0] * len(texts))
    data.add(brand_train, 0)
    data.add(team_hostile, 1, recipe.team_weight)
    data.add(team_other, 0, recipe.team_weight)
    # The check scores sentences: short everyday ones ("We'll update you tomorrow.") are
    # negatives too, or the model learns them from the hostile replies they end.
    data.add(sentences(brand_train + team_other), 0)
    weights, bias = fit(recipe, data)
    card = {
        "name": name,
        "language": "en",
        "label": "offensive: insults, profanity, slurs, threats",
        "features": recipe.spec.as_dict(),
        "training": {
            "algorithm": "logistic regression (liblinear, L2, balanced classes) "
            "over NB-scaled hashed features",
            "C": recipe.c,
            "team_weight": recipe.team_weight,
            "seed": SEED,
            "scikit_learn": _version("sklearn"),
            "numpy": _version("numpy"),
        },
        "data": [
            {
                "source": "TweetEval offensive (OLID, OffensEval 2019), train split",
                "path": "../shared/data/tweeteval/offensive/train_*.txt",
                "rows": len(texts),
                "positives": int(sum(labels)),
                "licence": "TweetEval: released without restrictions; OLID task licence applies",
            },
            {
                "source": "Customer Support on Twitter (twcs sample), brand replies, even ids",
                "path": "../shared/data/twcs_sample/twcs.csv",
                "rows": len(brand_train),
                "positives": 0,
                "licence": "CC BY-NC-SA 4.0 (non-commercial: retrain without it to sell)",
            },
            {
                "source": "Composure's development replies (hostile; the rest negative)",
                "path": "tests/data/tone_dev_*.yaml",
                "rows": len(team_hostile) + len(team_other),
                "positives": len(team_hostile),
                "licence": "the project's own, fictional",
            },
        ],
    }
    model = TextModel(name, "en", card, weights, bias)
    card["metrics"] = measure(model, shared, brand_measured)
    return model, card


def _version(module: str) -> str:
    return __import__(module).__version__


def write(model: TextModel, card: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        folder / f"{model.name}.npz",
        weights=model.weights.astype(np.float32),
        bias=np.array([model.bias], dtype=np.float32),
    )
    (folder / f"{model.name}.json").write_text(
        json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / f"{model.name}.md").write_text(markdown(card), encoding="utf-8")


def markdown(card: dict) -> str:
    metrics = card["metrics"]
    lines = [
        f"# Model card: `{card['name']}` ({card['language']})",
        "",
        f"Predicts: {card['label']}. Written by `python -m app.ml.train {card['name']}`; "
        "do not edit by hand.",
        "",
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
        "## Training",
        "",
        *(f"- {key}: {value}" for key, value in card["training"].items()),
        f"- features: {card['features']}",
        "",
        "## Quality",
        "",
        "Measured sets: OLID val ({olid_val} tweets); the odd-id half of the twcs brand "
        "replies ({brand_replies_measured}, not trained on); the team's development replies "
        "({dev_hostile} hostile, {dev_clean} clean: trained on, so optimistic); the held-out "
        "replies ({holdout_hostile} hostile, {holdout_clean} clean: never trained or tuned "
        "on).".format(**metrics["sizes"]),
        "",
        f"Baseline, TF-IDF + logistic regression on OLID train: OLID val macro-F1 "
        f"{metrics['baseline_tfidf_lr_olid_val_macro_f1']:.3f}.",
        "",
        "| threshold | OLID macro-F1 | precision | recall | brand replies flagged | "
        "dev hostile recall | dev clean flagged | held-out hostile recall | "
        "held-out clean flagged |",
        "|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {threshold} | {m['olid_val_macro_f1']:.3f} | {m['olid_val_precision']:.3f} | "
            f"{m['olid_val_recall']:.3f} | {m['brand_replies_flagged']:.2%} | "
            f"{m['dev_hostile_recall']:.2f} | {m['dev_clean_flagged']:.2%} | "
            f"{m['holdout_hostile_recall']:.2f} | {m['holdout_clean_flagged']:.2%} |"
            for threshold, m in metrics["by_threshold"].items()
        ),
        "",
        "Scores are per text (a whole tweet or reply); the tone check scores each sentence.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(RECIPES))
    parser.add_argument("--out", type=Path, help="folder (default app/ml/models/en)")
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared data folder")
    args = parser.parse_args(argv)
    model, card = train(args.name, args.data)
    folder = args.out or MODELS_DIR / "en"
    write(model, card, folder)
    print(markdown(card))


if __name__ == "__main__":
    main()
