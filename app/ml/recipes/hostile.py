"""`hostile` (English): offensive language in a reply.

Positives: the tweets of TweetEval's offensive task (OLID) labelled offensive, and the
team's development replies labelled `hostile`. Negatives: the rest of OLID, half of the
real brand replies in the twcs sample (the other half measures false alarms), and the
team's development replies not labelled `hostile` (with every sentence of the brand and
team replies, since the check scores sentences). The held-out replies (tone_holdout.yaml)
are only measured, never trained on.
"""

from __future__ import annotations

from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score

from app.ml.model import TextModel
from app.ml.training import (
    SEED,
    Data,
    Recipe,
    brand_replies,
    card_data_and_training,
    card_opening,
    fit,
    olid,
    sentences,
    share,
    team_replies,
    version,
)

NAME = "hostile"
#: The probabilities the card reports the model's quality at; the check's own line is in
#: its rule file (app/tone/rules/<language>/wording.yaml).
THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
#: The numbers were chosen on OLID val and the measured half of the brand replies, never on
#: the held-out replies.
RECIPE = Recipe()


def train(shared: Path) -> tuple[TextModel, dict]:
    recipe = RECIPE
    texts, labels = olid(shared, "train")
    brand_train, brand_measured = brand_replies(shared)
    team_hostile, team_other = team_replies(NAME, "tone_dev_*.yaml", clean_only=False)
    data = Data(list(texts), list(labels), [1.0] * len(texts))
    data.add(brand_train, 0)
    data.add(team_hostile, 1, recipe.team_weight)
    data.add(team_other, 0, recipe.team_weight)
    # The check scores sentences: short everyday ones ("We'll update you tomorrow.") are
    # negatives too, or the model learns them from the hostile replies they end.
    data.add(sentences(brand_train + team_other), 0)
    weights, bias = fit(recipe, data)
    card = {
        "name": NAME,
        "language": "en",
        "label": "offensive: insults, profanity, slurs, threats",
        "features": recipe.spec.as_dict(),
        "training": {
            "algorithm": "logistic regression (liblinear, L2, balanced classes) "
            "over NB-scaled hashed features",
            "C": recipe.c,
            "team_weight": recipe.team_weight,
            "seed": SEED,
            "scikit_learn": version("sklearn"),
            "numpy": version("numpy"),
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
    model = TextModel(NAME, "en", card, weights, bias)
    card["metrics"] = measure(model, shared, brand_measured)
    return model, card


def measure(model: TextModel, shared: Path, brand_measured: list[str]) -> dict:
    val_texts, val_labels = olid(shared, "val")
    p_val = model.probabilities(val_texts)
    p_brand = model.probabilities(brand_measured)
    dev_hostile, dev_clean = (
        model.probabilities(texts) for texts in team_replies(NAME, "tone_dev_*.yaml")
    )
    held_hostile, held_clean = (
        model.probabilities(texts) for texts in team_replies(NAME, "tone_holdout.yaml")
    )
    rows = {}
    for threshold in THRESHOLDS:
        predicted = p_val >= threshold
        rows[f"{threshold:.2f}"] = {
            "olid_val_macro_f1": round(f1_score(val_labels, predicted, average="macro"), 4),
            "olid_val_precision": round(precision_score(val_labels, predicted), 4),
            "olid_val_recall": round(recall_score(val_labels, predicted), 4),
            "brand_replies_flagged": share(p_brand, threshold),
            "dev_hostile_recall": share(dev_hostile, threshold),
            "dev_clean_flagged": share(dev_clean, threshold),
            "holdout_hostile_recall": share(held_hostile, threshold),
            "holdout_clean_flagged": share(held_clean, threshold),
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


def markdown(card: dict) -> str:
    metrics = card["metrics"]
    lines = [
        *card_opening(card),
        *card_data_and_training(card),
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
