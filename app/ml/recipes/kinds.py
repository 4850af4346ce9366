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

In the other languages (`train_in`; train.py names them "<language>/kind_*") there is no
complaint corpus: each model learns from the language's tests/data/<language>/kind_dev.yaml
(written by the language's helper), and the question model also from the language's
shippable tweets or subtitles, those with "?" as questions (weak labels, QUESTIONS, weight
WEAK_WEIGHT): five-fold cross-validated, it lifted the question model's AUC in every
language (nl 0.83 to 0.94, de 0.86 to 0.98, es 0.92 to 0.94, pl 0.989 to 0.999, lv 0.92
to 0.96 at 0.05 or 0.2; WEAK_ROWS says why only the first 2,000). The Latvian positive
tweets as praise (0.88 to 0.85) and negative ones as complaints (0.90 to 0.83) lowered
it: not used. C and the features are English's
(C 1 to 30 tried: within 0.02 either way). Measured by five-fold cross-validation on
kind_dev.yaml (each row scored by the model fitted on the other folds, the weak data in
every fold's training), beside a TF-IDF + logistic regression baseline in the same folds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from app.ml.features import FeatureSpec, Featuriser
from app.ml.model import TextModel
from app.ml.training import (
    FOLDS,
    SEED,
    Data,
    Recipe,
    card_data_and_training,
    card_opening,
    complaints_corpus,
    corpus_features,
    fit,
    folds,
    germeval2018,
    latvian_tweets,
    out_of_fold,
    poleval2019,
    team_kinds,
    version,
    xed,
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
    if card["language"] != "en":
        return markdown_in(card)
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


# The other languages.

#: The weight of a weakly labelled tweet or subtitle line against a team row (1).
WEAK_WEIGHT = 0.1
#: The weak rows are the corpus's first 2,000: in cross-validation they scored as all of
#: them (question AUC nl 0.954 against 0.927 with all, de 0.975/0.976, es 0.957/0.938,
#: pl 0.986/0.999, lv 0.963/0.964) in a fifth of the time, which the retraining test pays.
WEAK_ROWS = 2000
#: English's settings, solved in the dual: the same optimum, far sooner with thousands of
#: weak rows (the features are the same, so the three models still score together).
LANGUAGE_RECIPE = Recipe(spec=RECIPE.spec, c=RECIPE.c, dual=True)


def _germeval(shared: Path) -> list[str]:
    return germeval2018(shared)[0]


def _poleval(shared: Path) -> list[str]:
    return poleval2019(shared)[0]


def _latvian(shared: Path) -> list[str]:
    return [text for texts, _ in latvian_tweets(shared).values() for text in texts]


def _subtitles(language: str):
    return lambda shared: xed(shared, language)[0]


#: Each language's weak questions: (the corpus, its reader, source, path, licence). Tweets
#: where there are shippable ones (closer to a customer's message than subtitles; de: the
#: same AUC either way), else XED's subtitles.
QUESTIONS = {
    "nl": (
        "nl/xed",
        _subtitles("nl"),
        "XED film subtitles (nl)",
        "../shared/data/ml/nl/xed/Projections_nl-projections.tsv",
        "CC BY 4.0",
    ),
    "de": (
        "de/germeval2018",
        _germeval,
        "GermEval 2018 tweets, training part",
        "../shared/data/ml/de/germeval2018/germeval2018.training.txt",
        "CC BY 4.0",
    ),
    "es": (
        "es/xed",
        _subtitles("es"),
        "XED film subtitles (es)",
        "../shared/data/ml/es/xed/Projections_es-projections.tsv",
        "CC BY 4.0",
    ),
    "pl": (
        "pl/poleval2019",
        _poleval,
        "PolEval 2019 task 6 tweets, training part",
        "../shared/data/ml/pl/poleval2019/training_set_clean_only_text.txt",
        "BSD-3-Clause",
    ),
    "lv": (
        "lv/tweets",
        _latvian,
        "LTEC (training part) and Peisenieks tweets",
        "../shared/data/ml/lv/{ltec/train.json,peisenieks/tweet_corpus.json}",
        "MIT",
    ),
}


def language_data(
    name: str, language: str, shared: Path
) -> tuple[Data, Data | None, object, list[dict]]:
    """What model `name` of `language` learns from: (the team's rows, the weak rows or
    None, the weak rows' features, the card's list of sources)."""
    kind = name.removeprefix("kind_")
    rows = team_kinds(f"{language}/{DEV}")
    if kind != "complaint":
        rows = [row for row in rows if row["kind"] != "complaint"]
    labels = [int(row["kind"] == kind) for row in rows]
    team = Data([row["text"] for row in rows], labels, [1.0] * len(rows))
    note = "" if kind == "complaint" else " (the rows not labelled complaint)"
    sources = [
        {
            **TEAM,
            "source": TEAM["source"] + f" ({language}){note}",
            "path": f"tests/data/{language}/{DEV}",
            "rows": len(rows),
            "positives": sum(labels),
        }
    ]
    if kind != "question":
        return team, None, None, sources
    corpus, read, source, path, licence = QUESTIONS[language]
    everything = read(shared)
    texts = everything[:WEAK_ROWS]
    asking = [int("?" in text) for text in texts]
    weak = Data(list(texts), asking, [WEAK_WEIGHT] * len(texts))
    sources.append(
        {
            "source": f"{source}: those with “?” as questions (weak labels, weight {WEAK_WEIGHT})",
            "path": path,
            "rows": len(texts),
            "positives": sum(asking),
            "licence": licence,
        }
    )
    features = corpus_features(LANGUAGE_RECIPE.spec, corpus, everything)[:WEAK_ROWS]
    return team, weak, features, sources


def train_in(name: str, language: str, shared: Path) -> tuple[TextModel, dict]:
    team, weak, weak_features, sources = language_data(name, language, shared)
    features = Featuriser(LANGUAGE_RECIPE.spec).transform(team.texts)
    if weak is None:
        weights, bias = fit(LANGUAGE_RECIPE, team, features)
    else:
        both = Data(team.texts + weak.texts, team.labels + weak.labels, team.weights + weak.weights)
        weights, bias = fit(LANGUAGE_RECIPE, both, sparse.vstack([features, weak_features]).tocsr())
    card = {
        "name": name,
        "language": language,
        "label": LABELS[name],
        "features": LANGUAGE_RECIPE.spec.as_dict(),
        "training": {
            "algorithm": "logistic regression (liblinear, dual, L2, balanced classes) "
            "over NB-scaled hashed features",
            "C": LANGUAGE_RECIPE.c,
            "seed": SEED,
            "scikit_learn": version("sklearn"),
            "numpy": version("numpy"),
        },
        "combined_as": "app/analysis/kind.py: complaint = p(complaint); question, praise and "
        "other share 1 - p(complaint) in proportion to p(question), p(praise) and "
        "(1 - p(question))(1 - p(praise))",
        "data": sources,
    }
    probabilities = out_of_fold(LANGUAGE_RECIPE, team, features, weak, weak_features)
    card["metrics"] = cross_validated(team.texts, team.labels, probabilities)
    return TextModel(name, language, card, weights, bias), card


#: The lines the card reports the complaint model at (kind.yaml's complaint_at).
LINES = (0.25, 0.5)


def cross_validated(texts: list[str], labels: list[int], probabilities: np.ndarray) -> dict:
    """Out-of-fold figures on the team's rows: AUC, and precision and recall at LINES;
    the baseline's AUC in the same folds."""
    found = np.array(labels)
    at = {}
    for line in LINES:
        predicted = probabilities >= line
        hits = int((predicted & (found == 1)).sum())
        at[f"{line:.2f}"] = {
            "precision": round(hits / max(1, int(predicted.sum())), 4),
            "recall": round(hits / max(1, int(found.sum())), 4),
        }
    return {
        "cross_validation": f"{FOLDS}-fold, stratified, shuffled with seed {SEED}",
        "rows": len(labels),
        "positives": int(found.sum()),
        "auc": _auc(labels, probabilities),
        "baseline_tfidf_lr_auc": _baseline_in_folds(texts, labels),
        "at": at,
    }


def _baseline_in_folds(texts: list[str], labels: list[int]) -> float | None:
    """TF-IDF + logistic regression (scikit-learn's defaults, the liblinear solver: a
    hundred rows) on the team's rows alone, out of fold in the same folds."""
    found = np.zeros(len(labels))
    labels_array = np.array(labels)
    for train, test in folds(labels):
        vectoriser = TfidfVectorizer()
        classifier = LogisticRegression(solver="liblinear", random_state=SEED)
        classifier.fit(vectoriser.fit_transform([texts[i] for i in train]), labels_array[train])
        found[test] = classifier.predict_proba(vectoriser.transform([texts[i] for i in test]))[:, 1]
    return _auc(labels, found)


def markdown_in(card: dict) -> str:
    metrics = card["metrics"]
    question = card["name"] != "kind_complaint"
    lines = [
        *card_opening(card),
        "One of the three models behind a complaint's `kind` (complaint, question, praise, "
        f"other). Combined in {card['combined_as']}. What it learns from and why: "
        "app/ml/recipes/kinds.py.",
        "",
        *card_data_and_training(card),
        "## Quality (cross-validated on the team's rows)",
        "",
        f"{metrics['cross_validation']}, on the {metrics['rows']} rows of "
        f"tests/data/{card['language']}/{DEV}"
        + (" not labelled complaint" if question else "")
        + f" ({metrics['positives']} positive): each row scored by the model fitted on the "
        "other folds (the weak rows, if any, in every fold's training). Written by one "
        "person: expect less on others' texts.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| ROC AUC | {_figure(metrics['auc'])} |",
        f"| … baseline: TF-IDF + logistic regression on the team's rows, same folds | "
        f"{_figure(metrics['baseline_tfidf_lr_auc'])} |",
        *(
            f"| precision / recall at {line} | {m['precision']:.2f} / {m['recall']:.2f} |"
            for line, m in metrics["at"].items()
        ),
        "",
    ]
    return "\n".join(lines)
