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
    "tests.fixtures.mail",
]

#: The modules that take longest (worker time, `--durations`), heaviest first. xdist's
#: loadscope hands modules to the two workers in collection order, so starting these first
#: lets the short ones fill the gaps and both workers finish together (longest first): the
#: suite's tail was one worker retraining models while the other sat idle.
HEAVIEST_FIRST = (
    "tests/browser/test_screens.py",
    "tests/test_models.py",
    "tests/test_patterns_linear.py",
    "tests/test_guards_agree.py",
    "tests/test_suggestions.py",
    "tests/browser/test_journeys.py",
    "tests/test_api_contract.py",
    "tests/browser/test_languages.py",
    "tests/test_workers.py",
    "tests/test_serving.py",
    "tests/test_admin_screens.py",
    "tests/test_imports.py",
    "tests/test_workflow.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {path: index for index, path in enumerate(HEAVIEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
