"""`flask backup create` and `flask backup restore`: a round trip keeps every row and an
audit chain that verifies, on SQLite and PostgreSQL; a database that holds anything is
replaced only with --force; on PostgreSQL the app's role still cannot touch the audit log
after a restore."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import Role
from app.complaints import intake
from app.core.backup import COUNTED
from app.extensions import db
from tests.fixtures.app import IN_CI, T0, base_config, need_postgres, run
from tests.fixtures.users import make_user

APP_ROLE = "composure_app"
APP_ROLE_PASSWORD = "composure_app"


def add_complaints(app, count: int = 3, start: int = 0) -> None:
    """Complaints through intake, each with its audit event."""
    with app.app_context():
        for number in range(start, start + count):
            intake.add(
                db.session,
                intake.ComplaintInput(channel="x", text=f"Order NW-{number} never came"),
                actor=None,
                now=T0,
                max_chars=50_000,
            )
        db.session.commit()


def counts(app) -> dict[str, int]:
    with app.app_context():
        found = {
            table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table, _ in COUNTED
        }
        db.session.remove()
        return found


def some_data(app) -> dict[str, int]:
    make_user(app, "agent@example.com", Role.AGENT)
    make_user(app, "admin@example.com", Role.ADMIN)
    add_complaints(app)
    found = counts(app)
    assert found["complaints"] == 3
    assert found["audit_events"] >= 5
    return found


def test_sqlite_round_trip(app, tmp_path, clock):
    before = some_data(app)
    snapshot = tmp_path / "snapshot.sqlite3"
    created = run(app, "backup", "create", str(snapshot))
    assert created.exit_code == 0, created.output
    assert "Backed up 3 complaints, 0 drafts, 2 people" in created.output

    restored_app = create_app(base_config(f"sqlite:///{tmp_path / 'new.sqlite3'}", clock))
    restored = run(restored_app, "backup", "restore", str(snapshot))
    assert restored.exit_code == 0, restored.output
    assert "Audit log protections in place." in restored.output
    assert f"Audit chain intact: {before['audit_events']} events." in restored.output
    verified = run(restored_app, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert counts(restored_app) == before
    with restored_app.app_context():
        db.engine.dispose()


def test_a_sqlite_backup_is_a_consistent_snapshot_while_the_app_writes(app, tmp_path):
    some_data(app)
    live = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a request in the middle of its transaction
    writer.execute("UPDATE complaints SET text = 'half written'")
    snapshot = tmp_path / "snapshot.sqlite3"
    try:
        assert run(app, "backup", "create", str(snapshot)).exit_code == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    copy = sqlite3.connect(snapshot)
    assert copy.execute(
        "SELECT count(*) FROM complaints WHERE text = 'half written'"
    ).fetchone() == (0,)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file
    copy.close()


def test_restore_refuses_a_database_with_data_unless_forced(app, tmp_path):
    before = some_data(app)
    snapshot = tmp_path / "snapshot.sqlite3"
    assert run(app, "backup", "create", str(snapshot)).exit_code == 0
    again = run(app, "backup", "create", str(snapshot))
    assert again.exit_code == 1
    assert "exists: choose a new name" in again.output

    add_complaints(app, 1, start=3)  # made after the backup: a forced restore loses it
    refused = run(app, "backup", "restore", str(snapshot))
    assert refused.exit_code == 1
    assert "restoring would replace 4 complaints, 0 drafts, 2 people" in refused.output
    assert counts(app)["complaints"] == 4
    forced = run(app, "backup", "restore", "--force", str(snapshot))
    assert forced.exit_code == 0, forced.output
    assert counts(app) == before


def test_restore_refuses_a_file_that_is_no_backup(app, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database")
    result = run(app, "backup", "restore", str(junk))
    assert result.exit_code == 1
    assert "is not an SQLite database" in result.output


# PostgreSQL: pg_dump, pg_restore, and the app's role afterwards


def need_pg_tools() -> None:
    if shutil.which("pg_dump") and shutil.which("pg_restore"):
        return
    message = "pg_dump/pg_restore are not on PATH"
    if IN_CI:
        pytest.fail(message + " (CI=true: install postgresql-client)")
    pytest.skip(message)


@pytest.fixture
def second_database(postgres_clones):
    """Another migrated, empty database to restore into (the owner's, as in production)."""
    name = postgres_clones.take()
    yield postgres_clones.admin.url.set(database=name).render_as_string(hide_password=False)
    postgres_clones.give_back(name)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgres_round_trip_keeps_the_audit_log_protected(app, second_database, tmp_path, clock):
    need_postgres()
    need_pg_tools()
    before = some_data(app)
    snapshot = tmp_path / "snapshot.dump"
    created = run(app, "backup", "create", str(snapshot))
    assert created.exit_code == 0, created.output

    target = create_app({**base_config(second_database, clock), "DATABASE_APP_ROLE": APP_ROLE})
    restored = run(target, "backup", "restore", str(snapshot))
    assert restored.exit_code == 0, restored.output
    assert f"Audit log protections in place ({APP_ROLE} may only read and append)." in (
        restored.output
    )
    assert f"Audit chain intact: {before['audit_events']} events." in restored.output
    assert run(target, "audit", "verify").exit_code == 0
    assert counts(target) == before
    with target.app_context():
        db.engine.dispose()

    as_app = sa.make_url(second_database).set(username=APP_ROLE, password=APP_ROLE_PASSWORD)
    engine = sa.create_engine(as_app)
    try:
        for statement in (
            "DELETE FROM audit_events",
            "ALTER TABLE audit_events DISABLE TRIGGER USER",
        ):
            with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError):
                conn.execute(sa.text(statement))
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM complaints")) == 3
    finally:
        engine.dispose()

    # As the app's role, a restore is refused: the tables would become its own.
    as_app_role = create_app(
        {
            **base_config(as_app.render_as_string(hide_password=False), clock),
            "DATABASE_APP_ROLE": APP_ROLE,
        }
    )
    refused = run(as_app_role, "backup", "restore", "--force", str(snapshot))
    assert refused.exit_code == 1
    assert "Restore as the role that runs migrations." in refused.output
    with as_app_role.app_context():
        db.engine.dispose()


def test_a_missing_or_older_pg_dump_is_named(tmp_path, monkeypatch):
    from app.core.backup import BackupError, pg_tool

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump is not on PATH.*postgresql-client-16"):
        pg_tool("pg_dump", 16)
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)'\n")
    old.chmod(0o755)
    with pytest.raises(BackupError, match="is version 15, older than the server \\(16\\)"):
        pg_tool("pg_dump", 16)
    assert pg_tool("pg_dump", 15) == str(old)
