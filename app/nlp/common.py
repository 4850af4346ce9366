"""The language-independent rules every pipeline runs, from `rules/common.yaml`.

What a reference, a phone number, a card fragment or an address looks like (regexes and
entity-ruler patterns, labelled with `ENTITY_KINDS`), the languages the detector chooses
between, and the language a text too short to tell is read in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.core.datafile import DataFileError, check_keys, expect_list, expect_mapping
from app.core.patterns import check_linear
from app.nlp.rules import RULES_DIR, freeze, rule_file, thaw, token_pattern

#: The entities the pipelines find (labels on `doc.ents`).
ENTITY_KINDS = (
    "order_ref",
    "claim_ref",
    "account_ref",
    "email",
    "phone",
    "card",
    "national_id",
    "address",
    "name",
    "handle",
    "url",
)


@dataclass(frozen=True)
class RegexEntity:
    kind: str
    regex: re.Pattern
    group: int | str
    line: int


@dataclass(frozen=True)
class CommonRules:
    """Language-independent rules: references, phones, cards, addresses; emoji cues."""

    regex_entities: tuple[RegexEntity, ...]
    ruler_patterns: tuple[dict[str, Any], ...]
    default_language: str
    languages: tuple[str, ...]


def read_common(path: Path) -> CommonRules:
    """Read and check a common rules file (`common_rules()` is the process's own)."""
    data = rule_file(path)
    check_keys(
        data,
        {"default_language", "languages", "entities", "ruler"},
        path,
        "the file",
        required={"default_language", "languages", "entities"},
    )
    regexes = []
    entities = expect_list(data["entities"], path, data.line_of("entities"), "entities")
    for index, item in enumerate(entities):
        item = expect_mapping(item, path, entities.line_of(index), "an entity rule")
        check_keys(item, {"kind", "regex", "group", "ignore_case"}, path, "an entity rule")
        if item.get("kind") not in ENTITY_KINDS:
            raise DataFileError(
                path, item.line_of("kind"), f"unknown entity kind {item.get('kind')!r}"
            )
        flags = re.IGNORECASE if item.get("ignore_case") else 0
        try:
            regex = re.compile(str(item["regex"]), flags)
        except (re.error, KeyError) as error:
            raise DataFileError(path, item.line_of("regex"), f"bad regex: {error}") from None
        check_linear(regex, path, item.line_of("regex"))
        group = item.get("group", 0)
        if (isinstance(group, int) and group > regex.groups) or (
            isinstance(group, str) and group not in regex.groupindex
        ):
            raise DataFileError(path, item.line_of("group"), f"the regex has no group {group!r}")
        regexes.append(RegexEntity(item["kind"], regex, group, item.line))
    ruler = expect_list(data.get("ruler", []), path, data.line_of("ruler"), "ruler")
    patterns = []
    for index, item in enumerate(ruler):
        item = expect_mapping(item, path, ruler.line_of(index), "a ruler pattern")
        check_keys(item, {"kind", "pattern"}, path, "a ruler pattern", required={"kind", "pattern"})
        if item["kind"] not in ENTITY_KINDS:
            raise DataFileError(path, item.line_of("kind"), f"unknown entity kind {item['kind']!r}")
        pattern = token_pattern(item["pattern"], path, item.line_of("pattern"))
        patterns.append({"label": item["kind"], "pattern": thaw(freeze(pattern))})
    languages = expect_list(data["languages"], path, data.line_of("languages"), "languages")
    return CommonRules(
        regex_entities=tuple(regexes),
        ruler_patterns=tuple(patterns),
        default_language=str(data["default_language"]),
        languages=tuple(str(code) for code in languages),
    )


@cache
def common_rules() -> CommonRules:
    return read_common(RULES_DIR / "common.yaml")
