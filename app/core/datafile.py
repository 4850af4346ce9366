"""Reading the YAML files non-programmers edit, so that every mistake names file and line.

`load(path)` returns plain dicts and lists whose `Located` subclasses remember the line of
each key and item; `DataFileError` carries `path:line: message` for start-up and tests.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


class DataFileError(ValueError):
    """A rule or template file that cannot be used, with where and why."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class LocatedDict(dict):
    """A mapping from a data file; `line` is where it starts, `lines[key]` where each key is."""

    line: int = 0
    lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class LocatedList(list):
    """A sequence from a data file; `lines[i]` is where item i is."""

    line: int = 0
    lines: list[int]

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


#: libyaml's parser when PyYAML was built with it (ten times faster), else pure Python.
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise DataFileError(
                loader.name, key_node.start_mark.line + 1, f"{key!r} is given twice"
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


# YAML 1.1 reads `no`, `off`, `yes` and `on` as booleans ("the Norway problem"): in word
# lists that silently turns the word "no" into False. Only `true` and `false` are booleans.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


#: `yaml.safe_load`'s reading (YAML 1.1 booleans and all) by libyaml when PyYAML has it.
_PLAIN = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def rows(path: Path) -> Any:
    """A data file read exactly as `yaml.safe_load` reads it, ten times faster: the labelled
    sets the tests, benches and training read (thousands of rows), the demo complaints."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_PLAIN)  # noqa: S506 (safe)


def load(path: Path) -> Any:
    """Parse one YAML file; syntax errors become DataFileError with the line."""
    return parse(path, read(path))


def read(path: Path) -> str:
    """The file's text; not UTF-8 is a DataFileError."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataFileError(path, None, f"not UTF-8 ({error.reason})") from None


def parse(path: Path, text: str) -> Any:
    """`load` on text already read from `path`."""
    loader = _Loader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise DataFileError(path, line, f"not valid YAML: {error.problem}") from None
    finally:
        loader.dispose()


def expect_mapping(value: Any, path: Path, line: int, what: str) -> LocatedDict:
    if not isinstance(value, dict):
        raise DataFileError(path, line, f"{what} must be a mapping (key: value lines)")
    return value  # type: ignore[return-value]


def expect_list(value: Any, path: Path, line: int, what: str) -> LocatedList:
    if not isinstance(value, list):
        raise DataFileError(path, line, f"{what} must be a list (lines starting with '- ')")
    return value  # type: ignore[return-value]


def check_keys(
    mapping: LocatedDict, allowed: set[str], path: Path, what: str, required: set[str] = frozenset()
) -> None:
    for key in mapping:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise DataFileError(
                path, mapping.line_of(key), f"unknown key {key!r} in {what}; known: {known}"
            )
    for key in sorted(required - set(mapping)):
        raise DataFileError(path, mapping.line, f"{what} needs {key!r}")
