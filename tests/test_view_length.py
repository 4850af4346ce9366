"""No Flask view over 30 lines (.ci/view_length.py): a view loads, calls one operation and
answers; the logic lives below it."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.scripts import ROOT, run_ci_script


def run(root: Path):
    return run_ci_script("view_length.py", root)


def test_no_view_is_over_30_lines():
    result = run(ROOT)
    assert result.returncode == 0, result.stdout


def _view(name: str, lines: int, decorator: str = '@bp.route("/x")') -> str:
    """A function `lines` long from its `def` (a docstring, assignments, a return), under
    two decorators."""
    body = "".join(f"    x{i} = {i}\n" for i in range(lines - 3))
    return f'{decorator}\n@requires("x")\ndef {name}():\n    """Doc."""\n{body}    return x0\n'


def test_the_script_names_each_view_too_long_and_nothing_else(tmp_path):
    app = tmp_path / "app" / "feature"
    app.mkdir(parents=True)
    (app / "views.py").write_text(
        _view("fits", 30)
        + _view("too_long", 31, '@bp.post("/y")')
        + _view("not_a_view", 40, "@other.arguments(Schema)")
        + _view("added", 32, "@helper")
        + "bp.add_url_rule('/z', 'added', added)\n"
    )
    result = run(tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "app/feature/views.py:35 too_long 31",
        "app/feature/views.py:110 added 32",
    ]
