#!/usr/bin/env python3
"""The import graph, file by file: no loops, and no import from a lower layer to a higher one
except those listed in ALLOWED with the reason they stay.

    python .ci/layers.py [ROOT]          # exit 1 on a loop or an unlisted upward import
    python .ci/layers.py [ROOT] --edges  # and every import, file -> file

The layers are in LAYERS below, lowest first.
"""

from __future__ import annotations

import ast
import fnmatch
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Lowest first; a file may import its own layer and any layer below it. A file belongs to
#: the first layer (in MATCH_ORDER) with a pattern that matches its path.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("config.py", "app/core/*", "app/extensions.py")),
    ("shared", ("app/nlp/*", "app/ml/*", "app/channels.py", "app/placeholders.py")),
    ("records", ("app/*/models.py", "app/audit/log.py", "app/settings/store.py")),
    ("judgments", ("app/analysis/*", "app/tone/*")),
    # The domain, by feature: people and records, complaints, drafts and their publication,
    # and what looks over all of them (reports, the admin settings and template library).
    ("people", ("app/accounts/*", "app/audit/*", "app/notifications/*", "app/settings/company.py")),
    ("complaints", ("app/complaints/*",)),
    ("drafts", ("app/drafts/*", "app/publishing/*")),
    ("overview", ("app/reports/*", "app/settings/*", "app/live/*")),
    # What builds the services in force from config, and runs work off the request with them.
    ("services", ("app/services.py", "app/*/jobs.py", "app/workers/*")),
    (
        "web",
        (
            "app/web/*",
            "app/api/*",
            "app/serving/*",
            "app/*/views.py",
            "app/*/*_views.py",
            "app/*/forms.py",
        ),
    ),
    (
        "entry points",
        ("app/cli.py", "app/*/cli.py", "app/demo/*", "app/models.py", "app/__init__.py"),
    ),
]
#: Specific patterns before the catch-all "domain".
MATCH_ORDER = [10, 9, 0, 1, 2, 3, 8, 4, 5, 6, 7]

#: Upward imports that stay, each with why: (importer, imported) -> reason.
ALLOWED: dict[tuple[str, str], str] = {}


def layer_of(path: str) -> int:
    for index in MATCH_ORDER:
        if any(fnmatch.fnmatch(path, pattern) for pattern in LAYERS[index][1]):
            return index
    raise SystemExit(f"{path}: in no layer; add it to LAYERS in .ci/layers.py")


def modules(root: Path) -> dict[str, str]:
    """Module name -> path relative to the repository."""
    found = {}
    for path in sorted([*root.glob("app/**/*.py"), *root.glob("config.py")]):
        relative = path.relative_to(root).as_posix()
        name = relative[:-3].replace("/", ".").removesuffix(".__init__")
        found[name] = relative
    return found


def imports(root: Path, name: str, relative: str, known: dict[str, str]) -> set[str]:
    tree = ast.parse((root / relative).read_text(encoding="utf-8"), relative)
    package = name if relative.endswith("__init__.py") else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            # `from pkg import module` imports the module; `from pkg import name` the package.
            candidates = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def main(argv: list[str]) -> int:
    paths = [arg for arg in argv if not arg.startswith("--")]
    root = Path(paths[0]).resolve() if paths else ROOT
    known = modules(root)
    graph = {name: imports(root, name, path, known) for name, path in known.items()}
    problems = []
    for component in loops(graph):
        problems.append("loop: " + " -> ".join(component))
    upward = []
    for name, targets in sorted(graph.items()):
        for target in sorted(targets):
            low, high = layer_of(known[name]), layer_of(known[target])
            if high > low:
                pair = (known[name], known[target])
                reason = ALLOWED.get(pair)
                line = f"{pair[0]} ({LAYERS[low][0]}) -> {pair[1]} ({LAYERS[high][0]})"
                if reason:
                    upward.append(f"{line}: {reason}")
                else:
                    problems.append(f"upward import: {line}")
    if "--edges" in argv:
        for name, targets in sorted(graph.items()):
            for target in sorted(targets):
                print(f"{known[name]} -> {known[target]}")
    for line in upward:
        print(f"allowed {line}")
    for line in problems:
        print(line)
    print(
        f"{len(known)} files, {sum(map(len, graph.values()))} imports, "
        f"{len(upward)} allowed upward, {len(problems)} problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
