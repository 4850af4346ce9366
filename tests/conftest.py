"""The suite's fixtures come from one plugin, `tests/fixtures/` (see its __init__).

The names below stay importable from `tests.conftest` for tests written before the plugin;
new tests import them from `tests.fixtures.*`.
"""

from __future__ import annotations

import pytest

# The plugin's asserts read like the tests' own (the re-exports below import it early).
pytest.register_assert_rewrite("tests.fixtures")

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.users",
    "tests.fixtures.web",
    "tests.fixtures.browser",
]

from tests.fixtures.app import (  # noqa: E402
    IN_CI,
    SHARED_DATA,
    T0,
    base_config,
    drop_database,
    need_postgres,
    shared_data,
)
from tests.fixtures.users import PASSWORD, Person, get_user, login, make_user  # noqa: E402
from tests.fixtures.web import main_form, web_login  # noqa: E402

__all__ = [
    "IN_CI",
    "PASSWORD",
    "SHARED_DATA",
    "T0",
    "Person",
    "base_config",
    "drop_database",
    "get_user",
    "login",
    "main_form",
    "make_user",
    "need_postgres",
    "shared_data",
    "web_login",
]
