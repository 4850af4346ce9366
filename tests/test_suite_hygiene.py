"""The suite's own rules: a test module imports helpers from `tests.fixtures`, never from
another test module (importing one runs its module body again under another name and ties
the two files together)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(path: Path, root: Path = TESTS.parent) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, at any depth, relative ones resolved
    (`root` is the folder the `tests` package is in)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def is_test_module(module: str) -> bool:
    return module.startswith("tests.") and module.split(".")[-1].startswith("test_")


def test_no_test_module_imports_another_test_module():
    offending = [
        f"{path.relative_to(TESTS.parent)}:{line}: {module}"
        for path in sorted(TESTS.rglob("test_*.py"))
        if "node_modules" not in path.parts
        for line, module in imported_modules(path)
        if is_test_module(module)
    ]
    assert offending == []


def test_the_check_finds_such_an_import(tmp_path):
    # Laid out like the suite, so the relative import resolves as it would there.
    path = tmp_path / "tests" / "browser" / "test_x.py"
    path.parent.mkdir(parents=True)
    path.write_text(
        "from tests.fixtures.app import T0\n"
        "def test_y():\n"
        "    from tests.test_drafts import add_complaint\n"
        "    from ..test_workflow import start\n"
        "    import tests.test_outbox\n"
    )
    found = imported_modules(path, root=tmp_path)
    assert [module for _, module in found if is_test_module(module)] == [
        "tests.test_drafts",
        "tests.test_workflow",
        "tests.test_outbox",
    ]
