"""The response template library: reply variants per part, read from `response_templates/`.

People outside engineering edit these YAML files (see response_templates/README.md). They
are checked when the app starts and in the tests: an unknown placeholder, a missing part,
a bad condition or a duplicate id stops start-up with the file and line at fault.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.analysis.rules import CATEGORIES, COMPLAINER_TYPES, FLAGS
from app.core.datafile import (
    DataFileError,
    LocatedDict,
    check_keys,
    expect_list,
    expect_mapping,
    parse,
    read,
)
from app.core.parts import PART_LABELS, PARTS  # noqa: F401 (builder and template_checks read both here)
from app.placeholders import GAP, PLACEHOLDERS, names, unknown, without_placeholders

VISIBILITIES = ("public", "private")
FIT_WEIGHTS = {"flags": 2}


@dataclass(frozen=True)
class Conditions:
    types: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    visibility: frozenset[str] = frozenset()

    def matches(self, case: Case) -> dict[str, bool]:
        """For each key written, whether the case matches it."""
        result = {}
        if self.types:
            result["types"] = case.complainer_type in self.types
        if self.categories:
            result["categories"] = case.category in self.categories
        if self.flags:
            result["flags"] = bool(self.flags & case.flags)
        if self.visibility:
            result["visibility"] = case.visibility in self.visibility
        return result


@dataclass(frozen=True)
class Case:
    """What the choice of variants depends on."""

    complainer_type: str
    category: str
    flags: frozenset[str]
    visibility: str


@dataclass(frozen=True)
class Variant:
    id: str
    part: str
    language: str
    text: str
    suits: Conditions
    requires: Conditions
    avoid: Conditions
    #: Direction only: moves the conversation to a private channel.
    offline: bool
    placeholders: tuple[str, ...]
    path: str
    line: int

    def allowed(self, case: Case) -> bool:
        if not all(self.requires.matches(case).values()):
            return False
        return not any(self.avoid.matches(case).values())

    def fit(self, case: Case) -> int:
        """How well the variant suits the case: a point per matching `suits` key, two for
        flags (a variant written for a legal threat beats one written for calm people)."""
        return sum(FIT_WEIGHTS.get(key, 1) for key, hit in self.suits.matches(case).items() if hit)

    @property
    def personal_placeholders(self) -> set[str]:
        return {name for name in self.placeholders if PLACEHOLDERS[name].personal}


@dataclass(frozen=True)
class AttackGuidance:
    title: str
    summary: str
    steps: tuple[str, ...]
    holding_reply: str


@dataclass(frozen=True)
class FollowUpWords:
    """When the customer hears back, in one language (dates.yaml): "tomorrow", "by
    Thursday", "by 4 December", with the weekday and month names in the form the phrase
    needs (Polish "do czwartku", Latvian "līdz ceturtdienai" take other cases)."""

    tomorrow: str
    by_weekday: str
    weekdays: tuple[str, ...]
    by_date: str
    months: tuple[str, ...]

    def phrase(self, today: date, day: date) -> str:
        if day - today == timedelta(days=1):
            return self.tomorrow
        if (day - today).days <= 6:
            return self.by_weekday.format(weekday=self.weekdays[day.weekday()])
        return self.by_date.format(day=day.day, month=self.months[day.month - 1])


@dataclass(frozen=True)
class Library:
    variants: dict[tuple[str, str], tuple[Variant, ...]]
    topics: dict[str, dict[str, str]]
    attack: dict[str, AttackGuidance]
    languages: tuple[str, ...]
    dates: dict[str, FollowUpWords] = field(default_factory=dict)
    by_id: dict[str, Variant] = field(default_factory=dict)
    #: Per language, the words that make a part an apology (apology.yaml): the builder
    #: avoids apologising twice. A language without the file has none.
    apology: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def for_part(self, language: str, part: str) -> tuple[Variant, ...]:
        return self.variants.get((language, part), ())

    def apologises(self, language: str, text: str) -> bool:
        pattern = self.apology.get(language)
        return bool(pattern and pattern.search(text))


def _placeholders(text: str, path: Path, line: int) -> tuple[str, ...]:
    strange = unknown(text)
    if strange:
        known = ", ".join("{" + key + "}" for key in PLACEHOLDERS)
        raise DataFileError(path, line, f"unknown placeholder {{{strange[0]}}}; known: {known}")
    rest = without_placeholders(text)
    if "{" in rest or "}" in rest:
        raise DataFileError(
            path, line, "a brace that is not part of a placeholder; write {placeholder_name}"
        )
    if GAP.search(rest):
        raise DataFileError(path, line, "[[...]] marks a gap for agents; do not use it in texts")
    return names(text)


_CONDITION_VALUES = {
    "types": COMPLAINER_TYPES,
    "categories": CATEGORIES,
    "flags": FLAGS,
    "visibility": VISIBILITIES,
}


def _conditions(spec: Any, path: Path, line: int, what: str) -> Conditions:
    if spec is None:
        return Conditions()
    spec = expect_mapping(spec, path, line, what)
    check_keys(spec, set(_CONDITION_VALUES), path, what)
    values: dict[str, frozenset[str]] = {}
    for key, allowed in _CONDITION_VALUES.items():
        if key not in spec:
            continue
        raw = spec[key]
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not items:
            raise DataFileError(path, spec.line_of(key), f"{what}.{key} needs a value or a list")
        for item in items:
            if item not in allowed:
                raise DataFileError(
                    path,
                    spec.line_of(key),
                    f"{what}.{key}: unknown value {item!r}; known: {', '.join(allowed)}",
                )
        values[key] = frozenset(items)
    return Conditions(**values)


def _text(value: Any, path: Path, line: int, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DataFileError(path, line, f"{what} must be some text")
    return " ".join(value.split()) if "\n" not in value.strip() else value.strip()


#: path -> (text, what it parses to), so that a file is parsed again only once it changes:
#: the admin's library page and admin home read the whole library on every visit (and each
#: app start does too). What `parse` gives back is only read here, never changed.
_parsed: dict[str, tuple[str, Any]] = {}


def _load(path: Path) -> Any:
    text = read(path)
    found = _parsed.get(str(path))
    if found is not None and found[0] == text:
        return found[1]
    data = parse(path, text)
    _parsed[str(path)] = (text, data)
    return data


def _part_file(path: Path, language: str, part: str, ids: dict[str, Variant]) -> list[Variant]:
    data = expect_mapping(_load(path), path, 1, "the file")
    check_keys(
        data, {"language", "part", "variants"}, path, "the file", {"language", "part", "variants"}
    )
    if data["language"] != language:
        raise DataFileError(
            path, data.line_of("language"), f"language is {data['language']!r}, not {language!r}"
        )
    if data["part"] != part:
        raise DataFileError(path, data.line_of("part"), f"part is {data['part']!r}, not {part!r}")
    items = expect_list(data["variants"], path, data.line_of("variants"), "variants")
    variants = []
    for index, item in enumerate(items):
        item = expect_mapping(item, path, items.line_of(index), "a variant")
        variant = _variant(item, path, language, part, ids)
        ids[variant.id] = variant
        variants.append(variant)
    if not variants:
        raise DataFileError(path, data.line_of("variants"), "no variants")
    return variants


def _variant(
    item: LocatedDict, path: Path, language: str, part: str, ids: dict[str, Variant]
) -> Variant:
    """One variant of a part file (or one typed on Admin → Template library), checked."""
    check_keys(
        item,
        {"id", "text", "suits", "requires", "avoid", "offline"},
        path,
        "a variant",
        {"id", "text"},
    )
    variant_id = item["id"]
    if not isinstance(variant_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", variant_id):
        raise DataFileError(
            path, item.line_of("id"), "an id is lower-case letters, digits, - and _"
        )
    if variant_id in ids:
        other = ids[variant_id]
        raise DataFileError(
            path,
            item.line_of("id"),
            f"id {variant_id!r} is already used at {other.path}:{other.line}",
        )
    text = _text(item["text"], path, item.line_of("text"), "text")
    offline = item.get("offline", False)
    if not isinstance(offline, bool):
        raise DataFileError(path, item.line_of("offline"), "offline is true or false")
    if offline and part != "direction":
        raise DataFileError(path, item.line_of("offline"), "only direction variants go offline")
    return Variant(
        id=variant_id,
        part=part,
        language=language,
        text=text,
        suits=_conditions(item.get("suits"), path, item.line_of("suits"), "suits"),
        requires=_conditions(item.get("requires"), path, item.line_of("requires"), "requires"),
        avoid=_conditions(item.get("avoid"), path, item.line_of("avoid"), "avoid"),
        offline=offline,
        placeholders=_placeholders(text, path, item.line_of("text")),
        path=str(path),
        line=item.line,
    )


def parse_variant(
    source: str, *, language: str, part: str, others: dict[str, Variant], where: str
) -> Variant:
    """One variant as YAML text on its own (`id`, `text`, `suits` …, as in a part file),
    checked like the files; `others`: the ids already taken. A DataFileError names the
    line of `source` at fault (an unknown placeholder: the line it is written on)."""
    path = Path(where)
    try:
        item = expect_mapping(parse(path, source), path, 1, "a variant")
        return _variant(item, path, language, part, dict(others))
    except DataFileError as error:
        strange = re.match(r"unknown placeholder (\{\w+\})", error.message)
        if strange and error.line:
            lines = source.splitlines()
            for number in range(error.line, len(lines) + 1):
                if strange.group(1) in lines[number - 1]:
                    raise DataFileError(path, number, error.message) from None
        raise


def _topics(path: Path, language: str) -> dict[str, str]:
    data = expect_mapping(_load(path), path, 1, "the file")
    check_keys(data, {"language", "topics"}, path, "the file", {"language", "topics"})
    topics = expect_mapping(data["topics"], path, data.line_of("topics"), "topics")
    check_keys(topics, set(CATEGORIES), path, "topics", set(CATEGORIES))
    result = {}
    for key in CATEGORIES:
        text = _text(topics[key], path, topics.line_of(key), f"topic {key}")
        if names(text):
            raise DataFileError(path, topics.line_of(key), "a topic has no placeholders")
        result[key] = text
    return result


def _attack(path: Path) -> AttackGuidance:
    data: LocatedDict = expect_mapping(_load(path), path, 1, "the file")
    required = {"language", "title", "summary", "steps", "holding_reply"}
    check_keys(data, required, path, "the file", required)
    steps = expect_list(data["steps"], path, data.line_of("steps"), "steps")
    holding = _text(data["holding_reply"], path, data.line_of("holding_reply"), "holding_reply")
    _placeholders(holding, path, data.line_of("holding_reply"))
    return AttackGuidance(
        title=_text(data["title"], path, data.line_of("title"), "title"),
        summary=_text(data["summary"], path, data.line_of("summary"), "summary"),
        steps=tuple(
            _text(step, path, steps.line_of(index), "a step") for index, step in enumerate(steps)
        ),
        holding_reply=holding,
    )


def _dates(path: Path, language: str) -> FollowUpWords:
    data = expect_mapping(_load(path), path, 1, "the file")
    required = {"language", "tomorrow", "by_weekday", "weekdays", "by_date", "months"}
    check_keys(data, required, path, "the file", required)
    if data["language"] != language:
        raise DataFileError(
            path, data.line_of("language"), f"language is {data['language']!r}, not {language!r}"
        )
    texts = {
        key: _text(data[key], path, data.line_of(key), key)
        for key in ("tomorrow", "by_weekday", "by_date")
    }
    for key, fields in (
        ("tomorrow", set()),
        ("by_weekday", {"weekday"}),
        ("by_date", {"day", "month"}),
    ):
        text = texts[key]
        if set(names(text)) != fields or "{" in without_placeholders(text):
            wanted = " and ".join("{" + name + "}" for name in sorted(fields)) or "no braces"
            raise DataFileError(path, data.line_of(key), f"{key} needs {wanted}, and nothing else")
    lists = {}
    for key, count in (("weekdays", 7), ("months", 12)):
        items = expect_list(data[key], path, data.line_of(key), key)
        if len(items) != count:
            raise DataFileError(
                path, data.line_of(key), f"{key} needs {count} names, from the first"
            )
        lists[key] = tuple(
            _text(item, path, items.line_of(index), f"a name in {key}")
            for index, item in enumerate(items)
        )
    return FollowUpWords(
        tomorrow=texts["tomorrow"],
        by_weekday=texts["by_weekday"],
        weekdays=lists["weekdays"],
        by_date=texts["by_date"],
        months=lists["months"],
    )


def _apology(path: Path, language: str) -> re.Pattern[str] | None:
    """apology.yaml: the words and phrases that make a part an apology, as one pattern
    matched at word starts, in any case ("entschuldig*" takes any ending)."""
    if not path.exists():
        return None
    data = expect_mapping(_load(path), path, 1, "the file")
    check_keys(data, {"language", "apology"}, path, "the file", {"language", "apology"})
    if data["language"] != language:
        raise DataFileError(
            path, data.line_of("language"), f"language is {data['language']!r}, not {language!r}"
        )
    entries = expect_list(data["apology"], path, data.line_of("apology"), "apology")
    if not entries:
        raise DataFileError(path, data.line_of("apology"), "apology needs at least one word")
    alternatives = []
    for index, entry in enumerate(entries):
        text = _text(entry, path, entries.line_of(index), "an apology word").strip().lower()
        stem = text.endswith("*")
        words = text.rstrip("*").split()
        if (
            not words
            or "*" in text.rstrip("*")
            or any(not w.replace("'", "").isalpha() for w in words)
        ):
            raise DataFileError(
                path,
                entries.line_of(index),
                f"{text!r}: letters and spaces only, with at most one * at the end",
            )
        body = r"\s+".join(re.escape(word) for word in words)
        alternatives.append(body + (r"\w*" if stem else r"\b"))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


#: Libraries read in this process, by folder and the files' sizes and times: every app a
#: process makes (each test, each gunicorn worker's) reads the same files once; a changed,
#: added or removed file is read again. Libraries are frozen, so sharing one is safe.
_READ: OrderedDict[tuple, Library] = OrderedDict()
_READ_KEPT = 8


def _files_stamp(folder: Path) -> tuple:
    return tuple(
        (str(path), stat.st_mtime_ns, stat.st_size)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and (stat := path.stat())
    )


def load_library(folder: Path | str, *, required_languages: Iterable[str] = ("en",)) -> Library:
    """Read and check every language folder under `folder` (once per process while its files
    stay as they are)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFileError(folder, None, "the response template folder does not exist")
    key = (str(folder.resolve()), tuple(required_languages), _files_stamp(folder))
    if key in _READ:
        _READ.move_to_end(key)
        return _READ[key]
    library = _read_library(folder, required_languages)
    _READ[key] = library
    while len(_READ) > _READ_KEPT:
        _READ.popitem(last=False)
    return library


def _read_library(folder: Path, required_languages: Iterable[str]) -> Library:
    languages = sorted(
        child.name for child in folder.iterdir() if child.is_dir() and len(child.name) <= 8
    )
    for language in required_languages:
        if language not in languages:
            raise DataFileError(folder / language, None, f"no templates for {language!r}")
    variants: dict[tuple[str, str], tuple[Variant, ...]] = {}
    topics: dict[str, dict[str, str]] = {}
    attack: dict[str, AttackGuidance] = {}
    dates: dict[str, FollowUpWords] = {}
    apology: dict[str, re.Pattern[str]] = {}
    ids: dict[str, Variant] = {}
    for language in languages:
        base = folder / language
        for part in PARTS:
            path = base / f"{part}.yaml"
            if not path.exists():
                raise DataFileError(path, None, f"missing part {part!r} for language {language!r}")
            variants[(language, part)] = tuple(_part_file(path, language, part, ids))
        for name in ("topics", "attack", "dates"):
            path = base / f"{name}.yaml"
            if not path.exists():
                raise DataFileError(path, None, f"missing {name}.yaml for language {language!r}")
        topics[language] = _topics(base / "topics.yaml", language)
        attack[language] = _attack(base / "attack.yaml")
        dates[language] = _dates(base / "dates.yaml", language)
        words = _apology(base / "apology.yaml", language)
        if words is not None:
            apology[language] = words
        direction = variants[(language, "direction")]
        if not any(variant.offline for variant in direction):
            raise DataFileError(
                base / "direction.yaml", None, "needs at least one `offline: true` variant"
            )
    return Library(
        variants, topics, attack, tuple(languages), dates=dates, by_id=ids, apology=apology
    )


def with_versions(library: Library, changed: Iterable[Variant], retired: Iterable[str]) -> Library:
    """`library` with the `changed` variants in place of those with their ids (or added at
    the end of their part) and the `retired` ids taken out: the files plus what admins
    saved on Admin → Template library. Raises DataFileError when a part would be left with
    no variant, or a language's direction with none that goes offline."""
    changed = {variant.id: variant for variant in changed}
    gone = set(retired) - set(changed)
    variants: dict[tuple[str, str], tuple[Variant, ...]] = {}
    for key, shipped in library.variants.items():
        kept = [changed.pop(v.id, v) for v in shipped if v.id not in gone]
        variants[key] = tuple(kept)
    for variant in changed.values():
        key = (variant.language, variant.part)
        variants[key] = (*variants.get(key, ()), variant)
    for (language, part), chosen in variants.items():
        if not chosen:
            raise DataFileError(f"{language}/{part}", None, "a part needs at least one variant")
        if part == "direction" and not any(v.offline for v in chosen):
            raise DataFileError(
                f"{language}/{part}", None, "needs at least one `offline: true` variant"
            )
    by_id = {v.id: v for chosen in variants.values() for v in chosen}
    return replace(library, variants=variants, by_id=by_id)
