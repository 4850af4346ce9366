"""What the three `kind` models share: their data, their settings, their cards.

A complaint's *kind* (issue 15) is one of complaint, question, praise or other. The models
are binary (`TextModel`: weights and a bias), so the kind is read by three of them:

- `kind_complaint`: is it a complaint? Trained on every text;
- `kind_question` and `kind_praise`: if it is not a complaint, is it a question / praise?
  Trained on the texts that are not complaints only (a complaint phrased as a question,
  "why has my refund still not arrived?", is the complaint model's to read).

`app/analysis/kind.py` combines them into scores that sum to 1:
complaint = p(complaint); the rest, 1 − p(complaint), is shared between question, praise
and other in proportion to p(question), p(praise) and (1 − p(question))·(1 − p(praise)).
Other is what is left when a text is none of the three: it has no model of its own.

Three binary models rather than one multinomial: TextModel, its card, its byte-identical
test and its evidence words (`TextModel.score`) stay as they are, and each question has the
data that answers it: the complaints corpus says complaint or not, and only the team's
texts (with questions weakly read off the corpus) say question or praise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from app.ml.features import FeatureSpec
from app.ml.model import TextModel
from app.ml.training import (
    SEED,
    Data,
    Recipe,
    card_data_and_training,
    card_opening,
    complaints_corpus,
    fit,
    team_kinds,
    version,
)

KINDS = ("complaint", "question", "praise", "other")
#: The numbers were chosen by five-fold cross-validation on the training part of the
#: complaints corpus (C, features: complaint-vs-not AUC 0.878 at these) and on
#: kind_dev.yaml (which data each model learns from, the team weight), never on the
#: measured part of the corpus or on kind_holdout.yaml. 2**16 hashed features per kind
#: scored as well as 2**18 and keep each model file under 0.5 MB.
RECIPE = Recipe(spec=FeatureSpec(bits=16), c=10.0, team_weight=5.0)
DEV = "kind_dev.yaml"
HOLDOUT = "kind_holdout.yaml"

CORPUS = {
    "source": "Complaints in social media (Preoţiuc-Pietro et al., ACL 2019), development "
    "file, tweet ids not divisible by 3",
    "path": "../shared/data/complaints_preotiuc2019/complaints-dev.csv",
    "licence": "none stated: a research corpus; cite Preoţiuc-Pietro, Găman and Aletras, "
    "“Automatically Identifying Complaints in Social Media”, ACL 2019. Research use; "
    "retrain without it before selling the model",
}
TEAM = {
    "source": "Composure's `kind` development texts",
    "path": f"tests/data/{DEV}",
    "licence": "the project's own, fictional",
}

LABELS = {
    "kind_complaint": "complaint: the writer reports a problem, a failure or a grievance "
    "(also when phrased as a question)",
    "kind_question": "question (given it is not a complaint): asks for information or help "
    "without reporting anything wrong",
    "kind_praise": "praise (given it is not a complaint): thanks or compliments the company "
    "or its people",
}


def data(name: str, shared: Path) -> tuple[Data, list[dict]]:
    """What model `name` learns from, and the card's list of its sources."""
    corpus = complaints_corpus(shared)
    texts, labels = corpus["train"]
    team = team_kinds(DEV)
    recipe = RECIPE
    found = Data([], [], [])
    sources = []
    if name == "kind_complaint":
        found.add([t for t, label in zip(texts, labels, strict=True) if label], 1)
        found.add([t for t, label in zip(texts, labels, strict=True) if not label], 0)
        sources.append({**CORPUS, "rows": len(texts), "positives": int(sum(labels))})
        rows = team
    else:
        kind = name.removeprefix("kind_")
        rows = [row for row in team if row["kind"] != "complaint"]
        if kind == "question":
            # Weak labels: a tweet of the corpus that is not a complaint and asks ("?") is a
            # question; the corpus's other non-complaints are not.
            others = [t for t, label in zip(texts, labels, strict=True) if not label]
            asking = [t for t in others if "?" in t]
            found.add(asking, 1)
            found.add([t for t in others if "?" not in t], 0)
            sources.append(
                {
                    **CORPUS,
                    "source": CORPUS["source"] + ": the non-complaints, those with “?” as "
                    "questions (weak labels)",
                    "rows": len(others),
                    "positives": len(asking),
                }
            )
    kind = name.removeprefix("kind_")
    positives = [row["text"] for row in rows if row["kind"] == kind]
    found.add(positives, 1, recipe.team_weight)
    found.add([row["text"] for row in rows if row["kind"] != kind], 0, recipe.team_weight)
    note = "" if name == "kind_complaint" else " (the rows not labelled complaint)"
    sources.append(
        {**TEAM, "source": TEAM["source"] + note, "rows": len(rows), "positives": len(positives)}
    )
    return found, sources


def train(name: str, shared: Path) -> tuple[TextModel, dict]:
    found, sources = data(name, shared)
    weights, bias = fit(RECIPE, found)
    card = {
        "name": name,
        "language": "en",
        "label": LABELS[name],
        "features": RECIPE.spec.as_dict(),
        "training": {
            "algorithm": "logistic regression (liblinear, L2, balanced classes) "
            "over NB-scaled hashed features",
            "C": RECIPE.c,
            "team_weight": RECIPE.team_weight,
            "seed": SEED,
            "scikit_learn": version("sklearn"),
            "numpy": version("numpy"),
        },
        "combined_as": "app/analysis/kind.py: complaint = p(complaint); question, praise and "
        "other share 1 - p(complaint) in proportion to p(question), p(praise) and "
        "(1 - p(question))(1 - p(praise))",
        "data": sources,
    }
    model = TextModel(name, "en", card, weights, bias)
    card["metrics"] = measure(model, shared)
    return model, card


def _auc(labels: list[int], scores: np.ndarray) -> float | None:
    if len(set(labels)) < 2:
        return None
    return round(float(roc_auc_score(labels, scores)), 4)


def measure(model: TextModel, shared: Path) -> dict:
    """The model's own question, as ROC AUC: on the team's development texts (trained on:
    optimistic) and held-out texts (never trained or tuned on); the complaint model also on
    the measured third of the complaints corpus, beside a TF-IDF baseline."""
    kind = model.name.removeprefix("kind_")
    metrics: dict = {}
    for key, pattern in (("dev", DEV), ("holdout", HOLDOUT)):
        rows = team_kinds(pattern)
        if kind != "complaint":
            rows = [row for row in rows if row["kind"] != "complaint"]
        labels = [int(row["kind"] == kind) for row in rows]
        metrics[f"{key}_rows"] = len(rows)
        metrics[f"{key}_auc"] = _auc(labels, model.probabilities([row["text"] for row in rows]))
    if kind == "complaint":
        texts, labels = complaints_corpus(shared)["measured"]
        metrics["corpus_measured_rows"] = len(texts)
        metrics["corpus_measured_auc"] = _auc(labels, model.probabilities(texts))
        metrics["baseline_tfidf_lr_corpus_measured_auc"] = baseline(shared)
    return metrics


def baseline(shared: Path) -> float | None:
    """TF-IDF + logistic regression on the corpus's training part, scikit-learn's defaults."""
    corpus = complaints_corpus(shared)
    texts, labels = corpus["train"]
    measured, measured_labels = corpus["measured"]
    vectoriser = TfidfVectorizer()
    classifier = LogisticRegression(max_iter=1000, random_state=SEED)
    classifier.fit(vectoriser.fit_transform(texts), labels)
    return _auc(measured_labels, classifier.predict_proba(vectoriser.transform(measured))[:, 1])


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def markdown(card: dict) -> str:
    metrics = card["metrics"]
    lines = [
        *card_opening(card),
        "One of the three models behind a complaint's `kind` (complaint, question, praise, "
        f"other). Combined in {card['combined_as']}. Three binary models, not one "
        "multinomial: each keeps the TextModel format (weights and a bias), its byte-identical "
        "retraining test and its evidence words, and each learns from the data that answers "
        "its own question (app/ml/recipes/kinds.py says more).",
        "",
        *card_data_and_training(card),
        "## Quality (ROC AUC of its own yes/no question)",
        "",
        "| set | rows | AUC |",
        "|---|---|---|",
        f"| tests/data/{DEV} (trained on: optimistic) | {metrics['dev_rows']} | "
        f"{_figure(metrics['dev_auc'])} |",
        f"| tests/data/{HOLDOUT} (never trained or tuned on) | {metrics['holdout_rows']} | "
        f"{_figure(metrics['holdout_auc'])} |",
    ]
    if "corpus_measured_auc" in metrics:
        lines += [
            f"| complaints corpus, measured third (tweet ids divisible by 3; never trained "
            f"or tuned on) | {metrics['corpus_measured_rows']} | "
            f"{_figure(metrics['corpus_measured_auc'])} |",
            f"| … baseline: TF-IDF + logistic regression on the corpus's training part | "
            f"{metrics['corpus_measured_rows']} | "
            f"{_figure(metrics['baseline_tfidf_lr_corpus_measured_auc'])} |",
        ]
    if card["name"] != "kind_complaint":
        lines += ["", "Measured on the texts not labelled complaint, as it is trained."]
    lines += [
        "",
        "Per-kind precision and recall of the combined reading: `bench/analysis.py`.",
        "",
    ]
    return "\n".join(lines)
