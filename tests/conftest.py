"""The suite's fixtures come from one plugin, `tests/fixtures/` (see its __init__); tests
import helpers from `tests.fixtures.*`, never from another test module."""

from __future__ import annotations

import pytest

# The plugin's asserts read like the tests' own.
pytest.register_assert_rewrite("tests.fixtures")

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.users",
    "tests.fixtures.web",
    "tests.fixtures.browser",
    "tests.fixtures.templates",
]
