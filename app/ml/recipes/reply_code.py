"""What the models of one tone code in a reply learn from and how they are measured (not a
recipe itself: argumentative.py, dismissive.py, sarcasm.py and blame.py each name a code).

No public corpus labels these codes, so the data are the team's labelled replies
(tests/data/tone_dev_*.yaml, written in many voices, part D for the harm hidden in polite
words) and the real brand replies of the twcs sample, which are everyday and mostly fine:

- positives: the development replies labelled with the code, and of each the sentence the
  first fit scores highest (the check scores sentences, and a reply is harmful by one of
  them: the second fit learns from that sentence as well as from the reply);
- negatives: every development reply not labelled with the code (hard negatives included:
  polite disagreement, firm policy, genuine apologies), the even-id half of the brand
  replies, and every sentence of both.

Measured: the odd-id half of the brand replies (never trained on: the share of replies
with a sentence over the line, as the check would flag them), the development replies
out of fold (five folds by reply: each scored by a model that did not see it), and the
held-out replies (tone_holdout*.yaml: reported, never trained or tuned on). The check's
threshold (app/tone/rules/en/wording.yaml) is the lowest line on the card's table with at
most 0.3% of the measured brand replies and 2% of the clean development replies (out of
fold) flagged, chosen on those two sets only. C=1 (more regularisation than hostile's 3):
out of fold, it caught more of the development replies at the brand line (C 0.3 to 30
tried on argumentative; 1 was best or level on the four codes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import sparse

from app.ml.features import FeatureSpec, Featuriser
from app.ml.model import TextModel
from app.ml.training import (
    REPOSITORY,
    SEED,
    Data,
    Recipe,
    brand_replies,
    card_data_and_training,
    card_opening,
    fit,
    labelled_rows,
    sentences,
    share,
    version,
)

#: The lines the card reports the model's quality at.
THRESHOLDS = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
#: Folds of the development replies for the out-of-fold figures.
FOLDS = 5
#: The most brand replies a model may flag at the check's line (a share)…
BRAND_LIMIT = 0.003
#: …and the most clean development replies, out of fold: the team's hard negatives (firm
#: policy, polite disagreement) are flagged far more often than everyday brand replies, and
#: four models' false alarms add up.
CLEAN_LIMIT = 0.02


def team_rows(pattern: str) -> list[dict]:
    rows = []
    for path in sorted((REPOSITORY / "tests" / "data").glob(pattern)):
        rows += labelled_rows(path)
    return rows


def parts(text: str) -> list[str]:
    """What the check scores of a reply: each sentence (the whole text when it is one)."""
    return sentences([text]) or [text.strip()]


def reply_scores(model: TextModel, texts: list[str]) -> np.ndarray:
    """Each reply's highest sentence probability: what decides whether the check flags it."""
    pieces = [parts(text) for text in texts]
    flat = [piece for each in pieces for piece in each]
    if not flat:
        return np.zeros(0)
    probabilities = model.probabilities(flat)
    ends = np.cumsum([len(each) for each in pieces])
    return np.array(
        [probabilities[end - len(each) : end].max() for each, end in zip(pieces, ends, strict=True)]
    )


def _data(recipe: Recipe, positives: list[str], negatives: list[str], brand: list[str]) -> Data:
    data = Data([], [], [])
    data.add(positives, 1, recipe.team_weight)
    data.add(negatives, 0, recipe.team_weight)
    data.add(brand, 0)
    data.add(sentences(negatives + brand), 0)
    return data


class Features:
    """Each text featurised once however many fits it is in (the folds fit ten times)."""

    def __init__(self, spec: FeatureSpec) -> None:
        self.featuriser = Featuriser(spec)
        self.rows: dict[str, int] = {}
        self.blocks: list[sparse.csr_matrix] = []
        self.matrix: sparse.csr_matrix | None = None

    def __call__(self, texts: list[str]) -> sparse.csr_matrix:
        new = [text for text in dict.fromkeys(texts) if text not in self.rows]
        if new:
            for text in new:
                self.rows[text] = len(self.rows)
            self.blocks.append(self.featuriser.transform(new))
            self.matrix = None
        if self.matrix is None:
            self.matrix = sparse.vstack(self.blocks, format="csr")
        return self.matrix[[self.rows[text] for text in texts]]


def fit_code(
    recipe: Recipe,
    positives: list[str],
    negatives: list[str],
    brand: list[str],
    features: Features,
) -> tuple[np.ndarray, float]:
    """Two fits: on the replies, then with each positive reply's top sentence added."""
    data = _data(recipe, positives, negatives, brand)
    weights, bias = fit(recipe, data, features(data.texts))
    tops = []
    for text in positives:
        pieces = parts(text)
        if len(pieces) > 1:
            logits = features(pieces) @ weights
            tops.append(pieces[int(np.argmax(logits))])
    data.add(tops, 1, recipe.team_weight)
    return fit(recipe, data, features(data.texts))


def train_code(name: str, label: str, recipe: Recipe, shared: Path) -> tuple[TextModel, dict]:
    rows = team_rows("tone_dev_*.yaml")
    positives = [row["text"] for row in rows if name in row["codes"]]
    negatives = [row["text"] for row in rows if name not in row["codes"]]
    brand_train, brand_measured = brand_replies(shared)
    features = Features(recipe.spec)
    weights, bias = fit_code(recipe, positives, negatives, brand_train, features)
    card = {
        "name": name,
        "language": "en",
        "label": label,
        "features": recipe.spec.as_dict(),
        "training": {
            "algorithm": "logistic regression (liblinear, L2, balanced classes) "
            "over NB-scaled hashed features, fitted twice: on whole replies, then with "
            "each positive reply's highest-scoring sentence added",
            "C": recipe.c,
            "team_weight": recipe.team_weight,
            "seed": SEED,
            "scikit_learn": version("sklearn"),
            "numpy": version("numpy"),
        },
        "data": [
            {
                "source": f"Composure's development replies ({name}; the rest negative)",
                "path": "tests/data/tone_dev_*.yaml",
                "rows": len(positives) + len(negatives),
                "positives": len(positives),
                "licence": "the project's own, fictional",
            },
            {
                "source": "Customer Support on Twitter (twcs sample), brand replies, even ids",
                "path": "../shared/data/twcs_sample/twcs.csv",
                "rows": len(brand_train),
                "positives": 0,
                "licence": "CC BY-NC-SA 4.0 (non-commercial: retrain without it to sell)",
            },
        ],
    }
    model = TextModel(name, "en", card, weights, bias)
    card["metrics"] = measure(model, recipe, rows, brand_train, brand_measured, features)
    return model, card


def out_of_fold(
    name: str, recipe: Recipe, rows: list[dict], brand: list[str], features: Features
) -> np.ndarray:
    """Each development reply scored by a model trained without its fold."""
    order = np.random.default_rng(SEED).permutation(len(rows))
    scores = np.zeros(len(rows))
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS].tolist())
        train = [row for index, row in enumerate(rows) if index not in held]
        weights, bias = fit_code(
            recipe,
            [row["text"] for row in train if name in row["codes"]],
            [row["text"] for row in train if name not in row["codes"]],
            brand,
            features,
        )
        model = TextModel(name, "en", {"features": recipe.spec.as_dict()}, weights, bias)
        indices = sorted(held)
        scores[indices] = reply_scores(model, [rows[index]["text"] for index in indices])
    return scores


def measure(
    model: TextModel,
    recipe: Recipe,
    rows: list[dict],
    brand_train: list[str],
    brand_measured: list[str],
    features: Features,
) -> dict:
    name = model.name
    p_brand = reply_scores(model, brand_measured)
    labelled = np.array([name in row["codes"] for row in rows])
    clean = np.array([not row["codes"] for row in rows])
    p_fold = out_of_fold(name, recipe, rows, brand_train, features)
    held = team_rows("tone_holdout*.yaml")
    held_labelled = [row["text"] for row in held if name in row["codes"]]
    held_clean = [row["text"] for row in held if not row["codes"]]
    p_held, p_held_clean = reply_scores(model, held_labelled), reply_scores(model, held_clean)
    table = {}
    for threshold in THRESHOLDS:
        table[f"{threshold:.2f}"] = {
            "brand_replies_flagged": share(p_brand, threshold),
            "dev_out_of_fold_recall": share(p_fold[labelled], threshold),
            "dev_out_of_fold_clean_flagged": share(p_fold[clean], threshold),
            "dev_out_of_fold_others_flagged": share(p_fold[~labelled & ~clean], threshold),
            "holdout_recall": share(p_held, threshold),
            "holdout_clean_flagged": share(p_held_clean, threshold),
        }
    lines = [
        threshold
        for threshold, m in table.items()
        if m["brand_replies_flagged"] <= BRAND_LIMIT
        and m["dev_out_of_fold_clean_flagged"] <= CLEAN_LIMIT
    ]
    return {
        "sizes": {
            "brand_replies_measured": len(brand_measured),
            "dev_labelled": int(labelled.sum()),
            "dev_clean": int(clean.sum()),
            "dev_other_codes": int((~labelled & ~clean).sum()),
            "holdout_labelled": len(held_labelled),
            "holdout_clean": len(held_clean),
        },
        "by_threshold": table,
        "line": min(lines, key=float) if lines else None,
    }


def markdown(card: dict) -> str:
    metrics = card["metrics"]
    return "\n".join(
        [
            *card_opening(card),
            *card_data_and_training(
                card,
                data_note=(
                    "Every sentence of the negative replies is a negative too (the check scores "
                    "sentences)."
                ),
            ),
            "## Quality",
            "",
            "A reply counts as flagged when one of its sentences scores at or over the line. "
            "Measured sets: the odd-id half of the twcs brand replies "
            "({brand_replies_measured}, not trained on); the development replies out of fold "
            "({dev_labelled} labelled, {dev_clean} clean, {dev_other_codes} with other codes; "
            "each scored by a model trained without it); the held-out replies "
            "({holdout_labelled} labelled, {holdout_clean} clean: never trained or tuned "
            "on).".format(**metrics["sizes"]),
            "",
            f"The check's line (app/tone/rules/en/wording.yaml): the lowest with at most "
            f"{BRAND_LIMIT:.1%} of the measured brand replies and {CLEAN_LIMIT:.0%} of the clean "
            f"development replies (out of fold) flagged: {metrics['line']}.",
            "",
            "| threshold | brand replies flagged | dev recall (out of fold) | dev clean "
            "flagged | dev other codes flagged | held-out recall | held-out clean flagged |",
            "|---|---|---|---|---|---|---|",
            *(
                f"| {threshold} | {m['brand_replies_flagged']:.2%} | "
                f"{m['dev_out_of_fold_recall']:.2f} | {m['dev_out_of_fold_clean_flagged']:.2%} | "
                f"{m['dev_out_of_fold_others_flagged']:.2%} | {m['holdout_recall']:.2f} | "
                f"{m['holdout_clean_flagged']:.2%} |"
                for threshold, m in metrics["by_threshold"].items()
            ),
            "",
        ]
    )
