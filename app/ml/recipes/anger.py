"""`anger` (English): how angry or aggrieved a customer's message reads, one input to heat.

Positives: the tweets of TweetEval's emotion task labelled anger, and the tweets of the
complaints corpus (Preoţiuc-Pietro et al. 2019) labelled complaint, even tweet ids only.
Negatives: the emotion tweets labelled joy, optimism or sadness, and the corpus' even-id
tweets that are not complaints. Measured on emotion val and the corpus' odd ids, which are
never trained on; the team's labelled complaints (tests/data/analysis_*.yaml) are only
measured, so that the model is the public data's reading, and the heat thresholds are set
on the team's development sets in app/analysis/rules/en/heat.yaml.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

from app.core import datafile
from app.ml.model import TextModel
from app.ml.training import (
    REPOSITORY,
    SEED,
    Data,
    Recipe,
    card_data_and_training,
    card_opening,
    fit,
    share,
    version,
)

NAME = "anger"
ANGER = 0  # tweeteval/emotion labels: 0 anger, 1 joy, 2 optimism, 3 sadness
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
#: A complaint tweet counts half an anger tweet: it is often annoyed rather than angry.
COMPLAINT_WEIGHT = 0.5
#: The numbers were chosen on emotion val and the corpus' odd ids, never on held-out sets.
RECIPE = Recipe(c=3.0)


def emotion(shared: Path, split: str) -> tuple[list[str], list[int]]:
    folder = shared / "tweeteval" / "emotion"
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [
        int(int(label) == ANGER)
        for label in (folder / f"{split}_labels.txt").read_text(encoding="utf-8").splitlines()
    ]
    if len(texts) != len(labels):
        raise ValueError(f"{folder}: {len(texts)} {split} texts for {len(labels)} labels")
    return texts, labels


def complaints(shared: Path, odd: bool) -> tuple[list[str], list[int]]:
    """The complaints corpus' tweets with even (training) or odd (measured) ids."""
    path = shared / "complaints_preotiuc2019" / "complaints-dev.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle) if (int(row[0]) % 2 == 1) == odd]
    return [row[1] for row in rows], [int(row[2]) for row in rows]


def team_heat(pattern: str) -> tuple[list[str], list[str]]:
    """(texts labelled medium or high heat, texts labelled low) of tests/data/<pattern>."""
    rows = []
    for path in sorted((REPOSITORY / "tests" / "data").glob(pattern)):
        rows += datafile.rows(path)
    hot = [row["text"] for row in rows if row["heat"] != "low"]
    return hot, [row["text"] for row in rows if row["heat"] == "low"]


def train(shared: Path) -> tuple[TextModel, dict]:
    recipe = RECIPE
    texts, labels = emotion(shared, "train")
    corpus_texts, corpus_labels = complaints(shared, odd=False)
    data = Data(list(texts), list(labels), [1.0] * len(texts))
    data.add(
        [t for t, label in zip(corpus_texts, corpus_labels, strict=True) if label],
        1,
        COMPLAINT_WEIGHT,
    )
    data.add(
        [t for t, label in zip(corpus_texts, corpus_labels, strict=True) if not label],
        0,
        COMPLAINT_WEIGHT,
    )
    weights, bias = fit(recipe, data)
    card = {
        "name": NAME,
        "language": "en",
        "label": "angry or aggrieved: anger, or a complaint's grievance",
        "features": recipe.spec.as_dict(),
        "training": {
            "algorithm": "logistic regression (liblinear, L2, balanced classes) "
            "over NB-scaled hashed features",
            "C": recipe.c,
            "complaint_weight": COMPLAINT_WEIGHT,
            "seed": SEED,
            "scikit_learn": version("sklearn"),
            "numpy": version("numpy"),
        },
        "data": [
            {
                "source": "TweetEval emotion (SemEval 2018 Affect in Tweets), train split: "
                "anger against joy, optimism and sadness",
                "path": "../shared/data/tweeteval/emotion/train_*.txt",
                "rows": len(texts),
                "positives": int(sum(labels)),
                "licence": "TweetEval: released without restrictions; SemEval 2018 task "
                "licence applies",
            },
            {
                "source": "Complaints in social media (Preoţiuc-Pietro et al., ACL 2019), "
                "development part, even tweet ids: complaint against not",
                "path": "../shared/data/complaints_preotiuc2019/complaints-dev.csv",
                "rows": len(corpus_texts),
                "positives": int(sum(corpus_labels)),
                "licence": "none stated by the authors: research use, cite the paper",
            },
        ],
    }
    model = TextModel(NAME, "en", card, weights, bias)
    card["metrics"] = measure(model, shared)
    return model, card


def measure(model: TextModel, shared: Path) -> dict:
    val_texts, val_labels = emotion(shared, "val")
    odd_texts, odd_labels = complaints(shared, odd=True)
    p_val = model.probabilities(val_texts)
    p_odd = model.probabilities(odd_texts)
    dev_hot, dev_low = (model.probabilities(texts) for texts in team_heat("analysis_dev*.yaml"))
    held_hot, held_low = (
        model.probabilities(texts) for texts in team_heat("analysis_holdout*.yaml")
    )
    rows = {}
    for threshold in THRESHOLDS:
        predicted = p_val >= threshold
        rows[f"{threshold:.2f}"] = {
            "emotion_val_macro_f1": round(f1_score(val_labels, predicted, average="macro"), 4),
            "emotion_val_anger_recall": share(p_val[np.array(val_labels) == 1], threshold),
            "emotion_val_other_flagged": share(p_val[np.array(val_labels) == 0], threshold),
            "complaints_odd_recall": share(p_odd[np.array(odd_labels) == 1], threshold),
            "complaints_odd_others_flagged": share(p_odd[np.array(odd_labels) == 0], threshold),
            "dev_hot_recall": share(dev_hot, threshold),
            "dev_low_flagged": share(dev_low, threshold),
            "holdout_hot_recall": share(held_hot, threshold),
            "holdout_low_flagged": share(held_low, threshold),
        }
    return {
        "sizes": {
            "emotion_val": len(val_texts),
            "complaints_odd": len(odd_texts),
            "dev_hot": len(dev_hot),
            "dev_low": len(dev_low),
            "holdout_hot": len(held_hot),
            "holdout_low": len(held_low),
        },
        "auc": {
            "emotion_val_anger": round(float(roc_auc_score(val_labels, p_val)), 4),
            "complaints_odd": round(float(roc_auc_score(odd_labels, p_odd)), 4),
            "dev_hot_vs_low": _auc(dev_hot, dev_low),
            "holdout_hot_vs_low": _auc(held_hot, held_low),
        },
        "by_threshold": rows,
    }


def _auc(positives: np.ndarray, negatives: np.ndarray) -> float:
    labels = [1] * len(positives) + [0] * len(negatives)
    return round(float(roc_auc_score(labels, np.concatenate([positives, negatives]))), 4)


def markdown(card: dict) -> str:
    metrics = card["metrics"]
    auc = metrics["auc"]
    lines = [
        *card_opening(
            card,
            used="One input to a complaint's heat (app/analysis/rules/en/"
            "heat.yaml says how much it weighs).",
        ),
        *card_data_and_training(card),
        "## Quality",
        "",
        "Measured sets: TweetEval emotion val ({emotion_val} tweets); the complaints corpus' "
        "odd tweet ids ({complaints_odd}, not trained on); the team's development complaints "
        "({dev_hot} labelled medium or high heat, {dev_low} low: not trained on); the "
        "held-out complaints ({holdout_hot} hot, {holdout_low} low: never trained or tuned "
        "on).".format(**metrics["sizes"]),
        "",
        f"AUC: anger in emotion val {auc['emotion_val_anger']:.3f}; complaint vs not in the "
        f"corpus' odd ids {auc['complaints_odd']:.3f}; the team's hot vs low complaints "
        f"{auc['dev_hot_vs_low']:.3f} (development), {auc['holdout_hot_vs_low']:.3f} "
        "(held-out). Among written complaints the model barely tells medium from low: the "
        "rules carry that, the model lifts real tweets the rules do not read.",
        "",
        "| threshold | emotion macro-F1 | anger recall | other emotions flagged | "
        "complaints flagged | non-complaints flagged | dev hot recall | dev low flagged | "
        "held-out hot recall | held-out low flagged |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {threshold} | {m['emotion_val_macro_f1']:.3f} | "
            f"{m['emotion_val_anger_recall']:.2f} | {m['emotion_val_other_flagged']:.2%} | "
            f"{m['complaints_odd_recall']:.2f} | {m['complaints_odd_others_flagged']:.2%} | "
            f"{m['dev_hot_recall']:.2f} | {m['dev_low_flagged']:.2%} | "
            f"{m['holdout_hot_recall']:.2f} | {m['holdout_low_flagged']:.2%} |"
            for threshold, m in metrics["by_threshold"].items()
        ),
        "",
    ]
    return "\n".join(lines)
