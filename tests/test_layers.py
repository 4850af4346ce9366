"""The import graph file by file (.ci/layers.py): no loops, and no import from a lower layer
to a higher one, so a feature can change without pulling the house down."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.scripts import ROOT, run_ci_script


def run(root: Path):
    return run_ci_script("layers.py", root)


def test_the_app_has_no_loop_and_no_upward_import():
    result = run(ROOT)
    assert result.returncode == 0, result.stdout
    assert "0 problem(s)" in result.stdout


def test_the_script_names_a_loop_and_an_upward_import(tmp_path):
    def write(path: str, text: str = "") -> None:
        file = tmp_path / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)

    write("app/__init__.py")
    write("app/core/__init__.py")
    # The clock reaches up into the workflow: an upward import.
    write("app/core/clock.py", "from app.drafts import workflow\n")
    write("app/drafts/__init__.py")
    # Two domain files that import each other: a loop.
    write("app/drafts/workflow.py", "from app.drafts.queues import signoff_reasons\n")
    write("app/drafts/queues.py", "from app.drafts import models, workflow\n")
    write("app/drafts/models.py", "import enum\n")

    result = run(tmp_path)

    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if not line.endswith("problem(s)")]
    assert sorted(problems) == [
        "loop: app.drafts.queues -> app.drafts.workflow",
        "upward import: app/core/clock.py (base) -> app/drafts/workflow.py (drafts)",
    ]
