"""The analysis rules, read from the data files in `app/analysis/rules/` and checked once.

A *signal* (a flag, a complainer type, a category, heat) is defined by cues:

    strong:   entries that count 1 each
    weak:     entries that count 0.5 each
    together: [{weight, all: [[...], [...]]}] one entry from every list in the same sentence
    not:      entries inside which a cue does not count ("sue for a pizza like this");
              their phrases match word for word (any case), not by lemma
    jokes_cancel: true   a cue in a sentence with a joke marker ("😂", "lol") does not count

An entry is a cue in the shared rule language (`app.nlp.rules`): a phrase matched on
lemmas or a spaCy Matcher token pattern. A language is a folder `rules/<language>/`; the
analysis knows it when the folder has a `flags.yaml`. Every mistake is a DataFileError
naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.analysis.kind import kind_rules
from app.core.datafile import (
    DataFileError,
    LocatedDict,
    LocatedList,
    check_keys,
    expect_list,
    expect_mapping,
)
from app.nlp import rules as nlp_rules
from app.nlp.rules import Entry, entries, languages_in, rule_file
from app.nlp.rules import number as _number

RULES_DIR = Path(__file__).parent / "rules"

FLAGS = (
    "billing",
    "account",
    "personal_data",
    "legal_threat",
    "safety",
    "media",
    "discrimination",
    "staff",
    "harassment",
)
FLAG_LABELS = {
    "billing": "Billing",
    "account": "Account",
    "personal_data": "Personal data",
    "legal_threat": "Legal threat",
    "safety": "Safety",
    "media": "Media",
    "discrimination": "Discrimination",
    "staff": "Staff",
    "harassment": "Harassment",
}
COMPLAINER_TYPES = ("aggressive", "passive", "constructive")
CATEGORIES = ("delivery", "billing", "product", "service", "staff", "outage", "other")
HEAT_LABELS = ("low", "medium", "high")
ENTITY_LABELS = {
    "order_ref": "Order",
    "claim_ref": "Claim",
    "account_ref": "Account number",
    "email": "E-mail",
    "phone": "Phone",
    "card": "Card",
    "national_id": "ID number",
    "address": "Address",
    "name": "Name",
    "handle": "Handle",
    "url": "Link",
}
#: Entities that are personal data: never repeated in a public reply.
PERSONAL_ENTITY_KINDS = frozenset(
    {"account_ref", "email", "phone", "card", "national_id", "address"}
)

_SIGNAL_KEYS = {"strong", "weak", "together", "not", "jokes_cancel", "description"}


@dataclass(frozen=True)
class Together:
    weight: float
    groups: tuple[tuple[Entry, ...], ...]


@dataclass(frozen=True)
class Signal:
    name: str
    strong: tuple[Entry, ...] = ()
    weak: tuple[Entry, ...] = ()
    together: tuple[Together, ...] = ()
    negative: tuple[Entry, ...] = ()
    jokes_cancel: bool = False


@dataclass(frozen=True)
class ModelInput:
    """A trained model (app/ml) as one input beside the cues: from `start` probability up,
    it adds up to `weight` (at probability 1), in proportion."""

    name: str
    start: float
    weight: float

    def adds(self, probability: float) -> float:
        if probability <= self.start:
            return 0.0
        return self.weight * (probability - self.start) / (1.0 - self.start)


@dataclass(frozen=True)
class HeatRules:
    signal: Signal
    calming: Signal
    shouting_weight: float
    shouting_max: float
    exclamation_weight: float
    exclamation_max: float
    flag_weights: dict[str, float]
    type_weights: dict[str, float]
    scale: float
    medium_at: float
    high_at: float
    #: The `anger` model's reading of the whole text (none: cues only).
    model: ModelInput | None = None


@dataclass(frozen=True)
class TypeRules:
    signals: dict[str, Signal]
    #: Aggressive when its score reaches this (shouting and "!!!" add to it).
    aggressive_at: float
    shouting_weight: float
    exclamation_weight: float
    #: Passive when its score reaches this and beats constructive's.
    passive_at: float
    #: What each flag adds to the aggressive score.
    flag_weights: dict[str, float]
    #: Words that speak to the company ("you", "your") and about it ("they", "their").
    to_company: frozenset[str] = frozenset()
    about_company: frozenset[str] = frozenset()
    #: Added to passive when the text only speaks about the company, never to it.
    passive_when_about: float = 0.0
    #: Added to constructive when the text speaks to the company.
    constructive_when_to: float = 0.0
    #: The `hostile` model's reading of each sentence, added to aggressive (insults).
    model: ModelInput | None = None


@dataclass(frozen=True)
class LanguageRules:
    """Everything the analyser knows about one language."""

    language: str
    flags: dict[str, Signal]
    types: TypeRules | None
    categories: dict[str, Signal]
    heat: HeatRules | None
    names: tuple[Entry, ...]
    #: Words written in capitals that are not shouting (ETA, UPS, NHS).
    acronyms: frozenset[str]
    jokes: tuple[Entry, ...]
    #: An attack without a complaint: insults at people, and nothing to fix.
    attack_insults: Signal | None = None
    attack_at_least: float = 2.0
    #: ... and they must outweigh the problem named (the best category score) this many times.
    attack_outweighs: float = 2.0

    @property
    def complete(self) -> bool:
        return bool(self.flags) and self.types is not None and self.heat is not None


def _signal(name: str, spec: Any, path: Path, line: int) -> Signal:
    spec = expect_mapping(spec, path, line, name)
    check_keys(spec, _SIGNAL_KEYS, path, name)
    together = []
    for index, item in enumerate(expect_list(spec.get("together", []), path, line, "together")):
        item = expect_mapping(item, path, spec["together"].line_of(index), "a together rule")
        check_keys(item, {"weight", "all"}, path, "a together rule", required={"all"})
        groups = expect_list(item["all"], path, item.line_of("all"), "all")
        if len(groups) < 2:
            raise DataFileError(path, item.line, "a together rule needs at least two lists")
        together.append(
            Together(
                weight=_number(item.get("weight", 1), path, item.line_of("weight")),
                groups=tuple(
                    entries(group, path, groups.line_of(i), "a together list")
                    for i, group in enumerate(groups)
                ),
            )
        )
    jokes_cancel = spec.get("jokes_cancel", False)
    if not isinstance(jokes_cancel, bool):
        raise DataFileError(path, spec.line_of("jokes_cancel"), "jokes_cancel is true or false")
    return Signal(
        name=name,
        strong=entries(spec.get("strong", []), path, spec.line_of("strong"), "strong"),
        weak=entries(spec.get("weak", []), path, spec.line_of("weak"), "weak"),
        together=tuple(together),
        negative=entries(spec.get("not", []), path, spec.line_of("not"), "not"),
        jokes_cancel=jokes_cancel,
    )


def _named_signals(
    path: Path,
    key: str,
    allowed: tuple[str, ...],
    *,
    require_all: bool,
    extra: frozenset[str] = frozenset(),
) -> dict[str, Signal]:
    data = rule_file(path)
    check_keys(data, {"language", key} | extra, path, "the file", required={"language", key})
    signals = expect_mapping(data[key], path, data.line_of(key), key)
    for name in signals:
        if name not in allowed:
            raise DataFileError(
                path, signals.line_of(name), f"unknown {key[:-1]} {name!r}; known: {allowed}"
            )
    missing = [name for name in allowed if name not in signals]
    if require_all and missing:
        raise DataFileError(path, signals.line, f"missing {', '.join(missing)}")
    return {
        name: _signal(name, signals[name], path, signals.line_of(name))
        for name in allowed
        if name in signals
    }


def _settings(data: LocatedDict, key: str, path: Path, names: tuple[str, ...]) -> dict[str, float]:
    spec = expect_mapping(data.get(key, LocatedDict()), path, data.line_of(key), key)
    result = {}
    for name, value in spec.items():
        if name not in names:
            raise DataFileError(path, spec.line_of(name), f"unknown name {name!r} in {key}")
        result[name] = _number(value, path, spec.line_of(name))
    return result


def _model_input(data: LocatedDict, path: Path) -> ModelInput | None:
    """`model: {name, from, weight}`: a trained model's probability as an input."""
    if "model" not in data:
        return None
    spec = expect_mapping(data["model"], path, data.line_of("model"), "model")
    check_keys(spec, {"name", "from", "weight"}, path, "model", required={"name", "from", "weight"})
    if not isinstance(spec["name"], str):
        raise DataFileError(path, spec.line_of("name"), "name: a model's name")
    start = _number(spec["from"], path, spec.line_of("from"))
    if not 0 <= start < 1:
        raise DataFileError(path, spec.line_of("from"), "from: a probability, 0 to below 1")
    return ModelInput(spec["name"], start, _number(spec["weight"], path, spec.line_of("weight")))


def _heat(path: Path) -> HeatRules:
    data = rule_file(path)
    allowed = {
        "language",
        "description",
        "cues",
        "calming",
        "shouting",
        "exclamations",
        "flags",
        "types",
        "scale",
        "labels",
        "model",
    }
    check_keys(data, allowed, path, "the file", required={"language", "cues", "labels", "scale"})

    def pair(key: str) -> tuple[float, float]:
        spec = expect_mapping(data.get(key, {}), path, data.line_of(key), key)
        check_keys(spec, {"per_item", "at_most"}, path, key)
        return (
            _number(spec.get("per_item", 0), path, spec.line_of("per_item")),
            _number(spec.get("at_most", 0), path, spec.line_of("at_most")),
        )

    labels = expect_mapping(data["labels"], path, data.line_of("labels"), "labels")
    check_keys(labels, {"medium", "high"}, path, "labels", required={"medium", "high"})
    medium = _number(labels["medium"], path, labels.line_of("medium"))
    high = _number(labels["high"], path, labels.line_of("high"))
    if not 0 < medium < high < 1:
        raise DataFileError(path, labels.line, "labels need 0 < medium < high < 1")
    shouting, exclamations = pair("shouting"), pair("exclamations")
    return HeatRules(
        signal=_signal("heat", data["cues"], path, data.line_of("cues")),
        calming=_signal("calming", data.get("calming", {}), path, data.line_of("calming")),
        shouting_weight=shouting[0],
        shouting_max=shouting[1],
        exclamation_weight=exclamations[0],
        exclamation_max=exclamations[1],
        flag_weights=_settings(data, "flags", path, FLAGS),
        type_weights=_settings(data, "types", path, COMPLAINER_TYPES),
        scale=_number(data["scale"], path, data.line_of("scale")),
        medium_at=medium,
        high_at=high,
        model=_model_input(data, path),
    )


def _attack(path: Path) -> dict[str, Any]:
    """The `attack` section of flags.yaml: insults that, with no problem to fix, are an attack."""
    if not path.exists():
        return {}
    data = rule_file(path)
    if "attack" not in data:
        return {}
    spec = expect_mapping(data["attack"], path, data.line_of("attack"), "attack")
    check_keys(
        spec, {"description", "insults", "at_least", "outweighs"}, path, "attack", {"insults"}
    )
    wrapper = LocatedDict(strong=spec["insults"])
    wrapper.line, wrapper.lines = spec.line, {"strong": spec.line_of("insults")}
    insults = _signal("attack", wrapper, path, spec.line_of("insults"))
    return {
        "attack_insults": insults,
        "attack_at_least": _number(spec.get("at_least", 2), path, spec.line_of("at_least")),
        "attack_outweighs": _number(spec.get("outweighs", 2), path, spec.line_of("outweighs")),
    }


def _types(path: Path) -> TypeRules:
    signals = _named_signals(
        path, "types", COMPLAINER_TYPES, require_all=True, extra=frozenset({"decision", "address"})
    )
    data = rule_file(path)
    thresholds = expect_mapping(
        data.get("decision", {}), path, data.line_of("decision"), "decision"
    )
    required = {"aggressive_at", "passive_at", "shouting_per_word", "exclamation_per_run"}
    check_keys(thresholds, required | {"flags", "model"}, path, "decision", required=required)
    address = expect_mapping(
        data.get("address", LocatedDict()), path, data.line_of("address"), "address"
    )
    address_keys = {"to_company", "about_company", "passive_when_about", "constructive_when_to"}
    check_keys(address, address_keys, path, "address")

    def words(key: str) -> frozenset[str]:
        items = expect_list(address.get(key, []), path, address.line_of(key), key)
        return frozenset(str(item).lower() for item in items)

    return TypeRules(
        signals=signals,
        aggressive_at=_number(thresholds["aggressive_at"], path, thresholds.line),
        passive_at=_number(thresholds["passive_at"], path, thresholds.line),
        shouting_weight=_number(thresholds["shouting_per_word"], path, thresholds.line),
        exclamation_weight=_number(thresholds["exclamation_per_run"], path, thresholds.line),
        flag_weights=_settings(thresholds, "flags", path, FLAGS),
        to_company=words("to_company"),
        about_company=words("about_company"),
        passive_when_about=_number(
            address.get("passive_when_about", 0), path, address.line_of("passive_when_about")
        ),
        constructive_when_to=_number(
            address.get("constructive_when_to", 0), path, address.line_of("constructive_when_to")
        ),
        model=_model_input(thresholds, path),
    )


def _language(language: str) -> LanguageRules:
    folder = RULES_DIR / language
    path = folder / "context.yaml"
    context = rule_file(path) if path.exists() else LocatedDict()
    if context:
        check_keys(context, {"language", "jokes", "names"}, path, "the file")
    types_path = folder / "types.yaml"
    flags_path = folder / "flags.yaml"
    categories_path = folder / "categories.yaml"
    heat_path = folder / "heat.yaml"
    types = None
    if types_path.exists():
        types = _types(types_path)
    return LanguageRules(
        language=language,
        flags=_named_signals(
            flags_path, "flags", FLAGS, require_all=True, extra=frozenset({"attack"})
        )
        if flags_path.exists()
        else {},
        **_attack(flags_path),
        types=types,
        categories=_named_signals(categories_path, "categories", CATEGORIES[:-1], require_all=True)
        if categories_path.exists()
        else {},
        heat=_heat(heat_path) if heat_path.exists() else None,
        names=entries(context.get("names", []), path, context.line_of("names"), "names"),
        acronyms=nlp_rules.acronyms(language),
        jokes=entries(context.get("jokes", []), path, context.line_of("jokes"), "jokes"),
    )


@cache
def language_rules(language: str) -> LanguageRules:
    return _language(language)


@cache
def languages_with_rules() -> tuple[str, ...]:
    return languages_in(RULES_DIR, "flags.yaml")


def check_all() -> list[str]:
    """Load every rule file (once per process); used at start-up. Returns the languages."""
    languages = languages_with_rules()
    for language in languages:
        language_rules(language)
        kind_rules(language)
    return list(languages)


__all__ = [
    "CATEGORIES",
    "COMPLAINER_TYPES",
    "FLAGS",
    "HEAT_LABELS",
    "PERSONAL_ENTITY_KINDS",
    "DataFileError",
    "LanguageRules",
    "LocatedList",
    "Signal",
    "check_all",
    "language_rules",
]
