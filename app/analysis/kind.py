"""A complaint's kind: complaint, question, praise or other, with a score per kind.

An imported feed mixes complaints with questions, thanks, spam and chit-chat; the kind lets
a triager list the non-complaints and close them together (issue 15). Three trained binary
models read it (app/ml/recipes/kinds.py): is it a complaint; if not, is it a question,
is it praise. Their probabilities become one score per kind, summing to 1:

    complaint = p(complaint)
    question, praise, other share 1 - p(complaint) in proportion to
        p(question), p(praise) and (1 - p(question)) * (1 - p(praise))

The kind is `complaint` from a lower score than the others need (`complaint_at`: closing
a complaint with the non-complaints costs more than reading a question), else the highest
score. The words that weigh most towards it are its evidence (each word's weight alone,
`Models.read`: the text and its words hashed once for the three models). What the
page says, and which model reads which kind, is data: app/analysis/rules/<language>/kind.yaml,
or the default language's for a language that has only its models (app/ml/models/<language>/).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.core.datafile import DataFileError, check_keys, expect_mapping, load
from app.ml import model as text_models
from app.nlp.common import common_rules

KINDS = ("complaint", "question", "praise", "other")
KIND_LABELS = {
    "complaint": "Complaint",
    "question": "Question",
    "praise": "Praise",
    "other": "Other",
}
RULES_DIR = Path(__file__).parent / "rules"


@dataclass(frozen=True)
class KindRules:
    #: kind -> the model that reads it (None for `other`).
    models: dict[str, str | None]
    because: dict[str, str]
    without_words: dict[str, str]
    complaint_at: float
    words: int
    unsure_below: float
    unsure: str


@dataclass(frozen=True)
class Kind:
    label: str
    #: One score per kind, summing to 1.
    scores: dict[str, float]
    #: The words that weigh most towards the kind: (start, end) in the analysed text.
    words: tuple[tuple[int, int], ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "scores": dict(self.scores)}


def _kind_rules(path: Path) -> KindRules:
    data = expect_mapping(load(path), path, 1, "the file")
    keys = {"kinds", "complaint_at", "words", "unsure_below", "unsure"}
    check_keys(data, keys, path, "the file", keys)
    kinds = expect_mapping(data["kinds"], path, data.line_of("kinds"), "kinds")
    if set(kinds) != set(KINDS):
        raise DataFileError(path, data.line_of("kinds"), f"kinds must be {', '.join(KINDS)}")
    for name in KINDS:
        spec = expect_mapping(kinds[name], path, kinds.line_of(name), name)
        required = {"because", "without_words"} | ({"model"} if name != "other" else set())
        check_keys(spec, required, path, name, required)
        if "{words}" not in spec["because"] and name != "other":
            raise DataFileError(path, spec.line_of("because"), "`because` needs {words}")
    for key in ("complaint_at", "unsure_below"):
        if not 0 < float(data[key]) <= 1:
            raise DataFileError(path, data.line_of(key), f"{key} must be between 0 and 1")
    return KindRules(
        models={name: kinds[name].get("model") for name in KINDS},
        because={name: str(kinds[name]["because"]) for name in KINDS},
        without_words={name: str(kinds[name]["without_words"]) for name in KINDS},
        complaint_at=float(data["complaint_at"]),
        words=int(data["words"]),
        unsure_below=float(data["unsure_below"]),
        unsure=str(data["unsure"]),
    )


@cache
def kind_languages() -> tuple[str, ...]:
    """The languages whose kind can be read (rules and models)."""
    return tuple(
        sorted(folder.name for folder in RULES_DIR.iterdir() if _models(folder.name) is not None)
    )


@cache
def kind_rules(language: str) -> KindRules | None:
    """The language's kind rules, read once. A language with no kind.yaml of its own reads
    the default language's (which model reads which kind, the lines, what the page says)
    with its own models: adding a language's kind is adding its three models. None when
    there is neither."""
    path = RULES_DIR / language / "kind.yaml"
    if not path.exists():
        path = RULES_DIR / common_rules().default_language / "kind.yaml"
    return _kind_rules(path) if path.exists() else None


@cache
def _models(
    language: str,
) -> tuple[dict[str, text_models.TextModel], text_models.Models] | None:
    """The kind models of the language (by kind) and the group that scores them together;
    None when a rule or a model is missing."""
    rules = kind_rules(language)
    if rules is None:
        return None
    found = {}
    for name, model_name in rules.models.items():
        if model_name is not None:
            model = text_models.find(model_name, language)
            if model is None:
                return None
            found[name] = model
    return found, text_models.Models(list(found.values()))


def combine(complaint: float, question: float, praise: float) -> dict[str, float]:
    """The three models' probabilities as one score per kind, summing to 1."""
    other = (1.0 - question) * (1.0 - praise)
    rest = 1.0 - complaint
    share = question + praise + other
    scores = {
        "complaint": complaint,
        "question": rest * question / share,
        "praise": rest * praise / share,
        "other": rest * other / share,
    }
    return {name: round(value, 4) for name, value in scores.items()}


def read_kind(text: str, language: str) -> Kind | None:
    """The kind of `text` (cleaned as intake cleans it), or None when `language` has no
    kind rules or models: a Spanish text is not `other` because English models cannot
    read it."""
    rules = kind_rules(language)
    loaded = _models(language)
    if rules is None or loaded is None:
        return None
    models, group = loaded
    probabilities, weighed = group.read(text, top=rules.words)
    p = dict(zip(models, probabilities, strict=True))
    scores = combine(float(p["complaint"]), float(p["question"]), float(p["praise"]))
    label = (
        "complaint"
        if scores["complaint"] >= rules.complaint_at
        else max(KINDS[1:], key=lambda name: scores[name])
    )
    words: tuple[tuple[int, int], ...] = ()
    if label in models:
        found = weighed[list(models).index(label)]
        words = tuple((word.start, word.end) for word in found)
    return Kind(label, scores, words, _reasons(text, label, scores, words, rules))


def nothing() -> Kind:
    """The kind of an empty text: other, for sure."""
    return Kind("other", {name: float(name == "other") for name in KINDS}, (), ())


def _reasons(
    text: str,
    label: str,
    scores: dict[str, float],
    words: tuple[tuple[int, int], ...],
    rules: KindRules,
) -> tuple[str, ...]:
    named = ", ".join(f"“{text[start:end]}”" for start, end in words)
    reasons = [rules.because[label].format(words=named) if named else rules.without_words[label]]
    second = max((name for name in KINDS if name != label), key=lambda name: scores[name])
    if scores[label] < rules.unsure_below:
        reasons.append(
            rules.unsure.format(second=KIND_LABELS[second].lower(), score=f"{scores[second]:.2f}")
        )
    return tuple(reasons)
