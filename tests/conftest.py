"""Fixtures: a migrated database per test (SQLite by default, PostgreSQL where asked),
a frozen clock, signed-in clients per role, and WebTest for filling in real forms.

The schema always comes from the migrations, never from `create_all`, so every test also
exercises them. SQLite: migrated once per session into a template file copied per test.
PostgreSQL: migrated once into a template database cloned per test (`TEMPLATE`).
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask_migrate import upgrade
from webtest import TestApp

from app import create_app
from app.accounts import operations, passwords
from app.accounts.models import Role, User
from app.core.clock import FrozenClock
from app.extensions import db

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"

# Argon2id at its real cost takes most of a second per hash here and the suite hashes
# thousands of passwords; the tests are about who may do what, not about Argon2's cost.
passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def base_config(url: str, clock: FrozenClock) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "CLOCK": clock,
        "IMPORTS_IN_BACKGROUND": False,
        "SERVER_NAME": "composure.test",
    }


def need_postgres() -> str:
    """The PostgreSQL URL for tests; in CI its absence is a failure, not a skip."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url
    message = "TEST_POSTGRES_URL is not set: no PostgreSQL server to test against"
    if IN_CI:
        pytest.fail(message + " (CI=true: .ci/run must start one)")
    pytest.skip(message)


def shared_data(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing: CI runs with shared/ beside the repository")
        pytest.skip(f"{path} is not on this machine")
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app(base_config(f"sqlite:///{path}", FrozenClock(T0)))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


_pg_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[sa.Engine, str]]:
    url = need_postgres()
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"composure_template_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    template_url = sa.make_url(url).set(database=name)
    app = create_app(
        base_config(template_url.render_as_string(hide_password=False), FrozenClock(T0))
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield admin, name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _postgres_database(postgres_template) -> Iterator[str]:
    admin, template = postgres_template
    name = f"composure_test_{os.getpid()}_{next(_pg_counter)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    drop_database(admin, name)


def drop_database(admin: sa.Engine, name: str, attempts: int = 40) -> None:
    """Drop a test database. FORCE ends our own leftover sessions, but not an autovacuum
    worker (the server's own role) that a big import set off: wait for it to finish."""
    for attempt in range(attempts):
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except sa.exc.DBAPIError as error:
            if "pg_signal_backend" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.25)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture(params=["sqlite"])
def backend(request) -> str:
    """Override with `@pytest.mark.parametrize("backend", ["sqlite", "postgresql"],
    indirect=True)` for tests that must hold on both databases."""
    return request.param


@pytest.fixture
def database_url(backend, tmp_path, request) -> Iterator[str]:
    if backend == "postgresql":
        template = request.getfixturevalue("postgres_template")
        yield from _postgres_database(template)
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url, clock) -> Iterator[Flask]:
    """The app, with no context pushed: a pushed app context would be shared by the test
    client's requests (and with it `g` and the session), which no real request does.
    Use `with app.app_context():` for direct database work, or the `ctx` fixture."""
    app = create_app(base_config(database_url, clock))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(app) -> Iterator[Flask]:
    """An app context for tests that work on the database without requests."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def plain_app(app) -> Flask:
    """The app without CSRF checks, for tests about roles rather than forms."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str


def make_user(
    app: Flask,
    email: str,
    *roles: Role,
    name: str | None = None,
    password: str = PASSWORD,
    now: datetime = T0,
    groups: set[str] = frozenset(),
) -> Person:
    with app.app_context():
        user = operations.create_user(
            db.session,
            email=email,
            name=name or email.split("@")[0],
            roles=set(roles),
            groups=set(groups),
            password=password,
            actor=None,
            now=now,
        )
        db.session.commit()
        return Person(user.id, user.email, user.name)


def get_user(person: Person) -> User:
    """The stored user behind a Person, in the current app context."""
    return db.session.get(User, person.id)


@pytest.fixture
def users(app) -> dict[str, Person]:
    """One person per role, plus one with no role at all."""
    return {
        "agent": make_user(app, "agent@example.com", Role.AGENT, name="Alex Agent"),
        "reviewer": make_user(app, "reviewer@example.com", Role.REVIEWER, name="Riya Reviewer"),
        "signoff": make_user(
            app, "signoff@example.com", Role.SIGNOFF, name="Sam Signoff", groups={"legal", "pr"}
        ),
        "admin": make_user(app, "admin@example.com", Role.ADMIN, name="Ada Admin"),
        "norole": make_user(app, "norole@example.com", name="Nora Norole"),
    }


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def client_for(plain_app, users):
    """`client_for("agent")`: a test client signed in as that person (CSRF off)."""

    def make(role: str):
        client = plain_app.test_client()
        response = login(client, users[role].email)
        assert response.status_code == 302, response.data
        return client

    return make


@pytest.fixture
def web(app) -> TestApp:
    """WebTest over the real app (CSRF on): fill in forms as a person would."""
    return TestApp(app, extra_environ={"HTTP_HOST": "composure.test", "REMOTE_ADDR": "203.0.113.7"})


def main_form(page):
    """The page's own form (not the sign-out button in the header)."""
    return next(
        form
        for _, form in sorted(page.forms.items())
        if not (form.action or "").endswith("/logout")
    )


def web_login(web: TestApp, email: str, password: str = PASSWORD):
    form = main_form(web.get("/login"))
    form["email"] = email
    form["password"] = password
    return form.submit(status="*")


@pytest.fixture
def token_for(app, users):
    def make(role: str) -> str:
        with app.app_context():
            _, secret = operations.create_api_token(
                db.session, user=get_user(users[role]), name="test", actor=None, now=T0
            )
            db.session.commit()
            return secret

    return make
