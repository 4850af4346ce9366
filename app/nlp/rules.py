"""The rule language the analysis and the tone checks both write their cues in.

A cue (`Entry`) is a phrase (matched on lemmas, any case: "sue" matches "SUING" and
"sued") or `{pattern: [...]}`, a spaCy Matcher token pattern, for what a phrase cannot say.
Rule files live in `<feature>/rules/<language>/*.yaml`: a language is a folder
(`languages_in`), nothing in the loaders names one. Every mistake is a DataFileError
naming the file and line; every regex is probed for linear time (`app.core.patterns`).

Also here: what every reading of a language shares, `rules/<language>/words.yaml` (the
words written in capitals that are not shouting, and the short words that are shouting
only among longer capitals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from spacy.schemas import validate_token_pattern

from app.core.datafile import (
    DataFileError,
    LocatedDict,
    LocatedList,
    check_keys,
    expect_list,
    expect_mapping,
    load,
)
from app.core.patterns import check_linear

RULES_DIR = Path(__file__).parent / "rules"

#: The token attributes a pattern may use.
TOKEN_ATTRS = frozenset(
    {
        "ORTH",
        "TEXT",
        "LOWER",
        "LEMMA",
        "NORM",
        "SHAPE",
        "LENGTH",
        "IS_ALPHA",
        "IS_ASCII",
        "IS_DIGIT",
        "IS_LOWER",
        "IS_UPPER",
        "IS_TITLE",
        "IS_PUNCT",
        "IS_SPACE",
        "IS_STOP",
        "IS_SENT_START",
        "LIKE_NUM",
        "LIKE_URL",
        "LIKE_EMAIL",
        "OP",
        "ENT_TYPE",
    }
)


@dataclass(frozen=True)
class Entry:
    """One cue: a lemma phrase or a token pattern, with where it was written."""

    phrase: str | None
    pattern: tuple | None
    line: int

    @property
    def label(self) -> str:
        return self.phrase if self.phrase is not None else f"pattern at line {self.line}"


def entry(value: Any, path: Path, line: int) -> Entry:
    if isinstance(value, str):
        phrase = " ".join(value.split())
        if not phrase:
            raise DataFileError(path, line, "empty phrase")
        return Entry(phrase=phrase, pattern=None, line=line)
    if isinstance(value, dict):
        check_keys(value, {"pattern"}, path, "a cue", required={"pattern"})
        pattern = token_pattern(value["pattern"], path, value.line)
        return Entry(phrase=None, pattern=freeze(pattern), line=value.line)
    raise DataFileError(path, line, f"a cue must be a phrase or {{pattern: [...]}}, not {value!r}")


def entries(value: Any, path: Path, line: int, what: str) -> tuple[Entry, ...]:
    items = expect_list(value, path, line, what)
    return tuple(entry(item, path, items.line_of(index)) for index, item in enumerate(items))


def token_pattern(value: Any, path: Path, line: int) -> LocatedList:
    """A spaCy Matcher token pattern, its attributes checked."""
    pattern = expect_list(value, path, line, "pattern")
    if not pattern:
        raise DataFileError(path, line, "empty pattern")
    for index, token in enumerate(pattern):
        token = expect_mapping(token, path, pattern.line_of(index), "a pattern token")
        for attr in token:
            if attr not in TOKEN_ATTRS:
                raise DataFileError(
                    path,
                    token.line_of(attr),
                    f"unknown token attribute {attr!r}; use one of "
                    f"{', '.join(sorted(TOKEN_ATTRS))}",
                )
    problems = validate_token_pattern(thaw(freeze(pattern)))
    if problems:
        raise DataFileError(path, line, f"bad pattern: {'; '.join(problems)}")
    for index, token in enumerate(pattern):
        for value in token.values():
            if isinstance(value, dict) and isinstance(value.get("REGEX"), str):
                where = pattern.line_of(index)
                try:
                    regex = re.compile(value["REGEX"])
                except re.error as error:
                    raise DataFileError(path, where, f"bad regex: {error}") from None
                check_linear(regex, path, where)
    return pattern


def freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple((key, freeze(item)) for key, item in value.items())
    if isinstance(value, list):
        return ("__list__", tuple(freeze(item) for item in value))
    return value


def thaw(value: Any) -> Any:
    """The plain pattern spaCy wants, from an Entry's frozen (hashable) form."""
    if isinstance(value, tuple) and value and value[0] == "__list__":
        return [thaw(item) for item in value[1]]
    if isinstance(value, tuple):
        return {key: thaw(item) for key, item in value}
    return value


def number(value: Any, path: Path, line: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataFileError(path, line, f"expected a number, not {value!r}")
    return float(value)


def rule_file(path: Path) -> LocatedDict:
    """A rule file's top-level mapping, parsed once per version of the file (several
    sections of a file are read separately)."""
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@cache
def _parsed(path: Path, _mtime_ns: int, _size: int) -> LocatedDict:
    return expect_mapping(load(path), path, 1, "the file")


def languages_in(rules_dir: Path, marker: str | None = None) -> tuple[str, ...]:
    """The languages a feature has rules for: the folders of `rules_dir` (with a `marker`,
    only those holding that file)."""
    return tuple(
        sorted(
            folder.name
            for folder in rules_dir.iterdir()
            if folder.is_dir() and (marker is None or (folder / marker).is_file())
        )
    )


@cache
def acronyms(language: str) -> frozenset[str]:
    """Words written in capitals without shouting in `language` (upper case), from
    `rules/<language>/words.yaml`; none for a language without the file."""
    path = RULES_DIR / language / "words.yaml"
    if not path.is_file():
        return frozenset()
    data = rule_file(path)
    check_keys(data, {"language", "acronyms", "short_words", "endings"}, path, "the file")
    words = expect_list(data.get("acronyms", []), path, data.line_of("acronyms"), "acronyms")
    return frozenset(str(word).upper() for word in words)


@cache
def short_words(language: str) -> frozenset[str]:
    """Short words that are shouting only among longer capitals ("IT IS NOT OUR FAULT"),
    from `rules/<language>/words.yaml`; none for a language without the file."""
    path = RULES_DIR / language / "words.yaml"
    if not path.is_file():
        return frozenset()
    data = rule_file(path)
    words = expect_list(
        data.get("short_words", []), path, data.line_of("short_words"), "short_words"
    )
    return frozenset(str(word).upper() for word in words)


@cache
def endings(language: str) -> tuple[str, ...]:
    """The inflectional endings a word loses before it is matched, longest first, from
    `rules/<language>/words.yaml` (for a language without a lemma table, such as Latvian:
    "pārdevējam", "pārdevēja" and "pārdevējs" all become "pārdevēj"); none by default."""
    path = RULES_DIR / language / "words.yaml"
    if not path.is_file():
        return ()
    data = rule_file(path)
    items = expect_list(data.get("endings", []), path, data.line_of("endings"), "endings")
    found = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip() or item != item.strip().lower():
            raise DataFileError(
                path, items.line_of(index), f"an ending is a lower-case string, not {item!r}"
            )
        found.append(item)
    return tuple(sorted(set(found), key=lambda ending: (-len(ending), ending)))


#: The shortest stem an ending may leave: "kas" keeps its "s", "tas" too.
MIN_STEM = 3


def strip_ending(word: str, language_endings: tuple[str, ...]) -> str:
    """`word` without its longest ending that leaves a stem of MIN_STEM letters or more."""
    for ending in language_endings:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def check_all() -> list[str]:
    """Load every language's shared words (once per process); returns the languages."""
    languages = languages_in(RULES_DIR, "words.yaml")
    for language in languages:
        acronyms(language)
        short_words(language)
        endings(language)
    return list(languages)
