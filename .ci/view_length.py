"""Fail on a Flask view longer than 30 lines: a view loads, calls one operation, answers.

A view is a function under app/ decorated with `@<blueprint>.route(...)` (or `.get`,
`.post`, `.put`, `.patch`, `.delete`) or passed to `add_url_rule`. Its length runs from
the `def` line to its last line: decorators are not counted, the docstring is.

    python .ci/view_length.py [root]     # exit 1 and `file:line name length` per view too long
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

LIMIT = 30
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _is_route(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ROUTE_DECORATORS
    )


def _registered_names(tree: ast.AST) -> set[str]:
    """Names of functions passed to `add_url_rule` (as `view_func=` or third argument)."""
    names = set()
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_url_rule"
        ):
            continue
        candidates = [kw.value for kw in node.keywords if kw.arg == "view_func"]
        candidates += node.args[2:3]
        names.update(c.id for c in candidates if isinstance(c, ast.Name))
    return names


def views(path: Path) -> Iterator[Function]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    registered = _registered_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, Function) and (
            node.name in registered or any(_is_route(d) for d in node.decorator_list)
        ):
            yield node


def length(function: Function) -> int:
    return function.end_lineno - function.lineno + 1


def too_long(root: Path) -> list[str]:
    problems = []
    for path in sorted((root / "app").rglob("*.py")):
        for function in views(path):
            if length(function) > LIMIT:
                where = path.relative_to(root)
                problems.append(f"{where}:{function.lineno} {function.name} {length(function)}")
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    problems = too_long(root)
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} view(s) over {LIMIT} lines.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
