"""Templates compiled once per process (app/web/compiled_templates.py): a second app uses
the compiled code, and an edited template is compiled again."""

from __future__ import annotations

from jinja2 import DictLoader, Environment

from app.web.compiled_templates import CompiledTemplates


def test_a_second_environment_reuses_the_code_and_an_edit_is_compiled_again():
    compiled = CompiledTemplates()
    sources = {"page.html": "Hello {{ name }}"}

    def environment() -> Environment:
        return Environment(  # noqa: S701  (a test's plain text, nothing to escape)
            loader=DictLoader(sources), bytecode_cache=compiled, trim_blocks=True
        )

    assert environment().get_template("page.html").render(name="Ada") == "Hello Ada"
    assert len(compiled._code) == 1
    key = next(iter(compiled._code))
    # A second environment (another app) finds the code: nothing new is compiled.
    assert environment().get_template("page.html").render(name="Bo") == "Hello Bo"
    assert list(compiled._code) == [key]
    # An edited template's checksum differs: it is compiled again, under the same key.
    sources["page.html"] = "Goodbye {{ name }}"
    assert environment().get_template("page.html").render(name="Ada") == "Goodbye Ada"
    assert list(compiled._code) == [key]
    # Other settings compile other code.
    other = Environment(loader=DictLoader(sources), bytecode_cache=compiled)  # noqa: S701
    assert other.get_template("page.html").render(name="Cy") == "Goodbye Cy"
    assert len(compiled._code) == 2
