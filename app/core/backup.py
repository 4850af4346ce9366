"""Backing up the database and restoring it, for `flask backup create|restore`.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot
while the app keeps running, into one self-contained file. PostgreSQL: `pg_dump
--format=custom`, restored with `pg_restore --clean --if-exists --no-owner` by the role that
runs migrations, after which the app's role (DATABASE_APP_ROLE) is granted again what
migration 0006 grants it and the audit log's protections are checked. No Flask here: the
CLI passes the engine and the settings in.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.core import roles

#: What a restore would replace, counted to say what would be lost.
COUNTED = (
    ("complaints", "complaints"),
    ("drafts", "drafts"),
    ("users", "people"),
    ("audit_events", "audit events"),
)
#: The audit tables and the triggers that keep them append-only (migrations 0001, 0006).
AUDIT_TRIGGERS = {
    "postgresql": {
        "audit_events": ("audit_events_no_update_delete", "audit_events_no_truncate"),
        "audit_checkpoints": (
            "audit_checkpoints_no_update_delete",
            "audit_checkpoints_no_truncate",
        ),
    },
    "sqlite": {
        "audit_events": ("audit_events_no_update", "audit_events_no_delete"),
        "audit_checkpoints": ("audit_checkpoints_no_update", "audit_checkpoints_no_delete"),
    },
}


class BackupError(RuntimeError):
    """Why a backup or a restore cannot be done, for the operator."""


@dataclass(frozen=True)
class Contents:
    """What a database holds, by COUNTED's names (absent tables count 0)."""

    counts: dict[str, int]
    revision: str | None

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())

    def described(self) -> str:
        return ", ".join(f"{count} {label}" for label, count in self.counts.items())


def contents(connection: sa.Connection) -> Contents:
    tables = set(sa.inspect(connection).get_table_names())
    counts = {
        label: connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
        if table in tables
        else 0
        for table, label in COUNTED
    }
    revision = (
        connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
        if "alembic_version" in tables
        else None
    )
    return Contents(counts, revision)


# SQLite


def sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    return Path(url.database)


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """The backup API, then one file: WAL mode off in the copy, its integrity checked."""
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")
        problems = destination.execute("PRAGMA integrity_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"The copy failed its integrity check: {problems[:3]}")
    finally:
        destination.close()


def create_sqlite(database: Path, target: Path) -> None:
    """A consistent snapshot of `database` in `target` (written beside it, then renamed,
    so a failed run leaves no half file), while the app may be writing."""
    if not database.exists():
        raise BackupError(f"There is no database at {database}.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        _copy(source, partial)
    finally:
        source.close()
    partial.replace(target)


def check_sqlite_backup(backup: Path) -> Contents:
    """The backup file is a Composure database, whole; what it holds."""
    try:
        connection = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        problems = connection.execute("PRAGMA integrity_check").fetchall()
        connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup} is not an SQLite database: {error}") from error
    if problems != [("ok",)]:
        raise BackupError(f"{backup} failed its integrity check: {problems[:3]}")
    engine = sa.create_engine(f"sqlite:///{backup}")
    try:
        with engine.connect() as connection:
            found = contents(connection)
    finally:
        engine.dispose()
    if found.revision is None:
        raise BackupError(f"{backup} is not a Composure database (no alembic_version).")
    return found


def restore_sqlite(backup: Path, database: Path) -> None:
    """Replace the contents of `database` with the backup's, through the backup API (the
    file keeps its name and permissions)."""
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        _copy(source, database)
    finally:
        source.close()


# PostgreSQL


def _major(version: str) -> int:
    """16 from "pg_dump (PostgreSQL) 16.4 (Debian 16.4-1)" or from "16.4"."""
    found = re.search(r"(?:\(PostgreSQL\)\s+)?(\d+)", version)
    if not found:
        raise BackupError(f"Cannot read a version in {version!r}.")
    return int(found.group(1))


def pg_tool(name: str, server_major: int) -> str:
    """The path of pg_dump or pg_restore, as new as the server (an older one cannot read
    a newer server's catalogue)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools "
            f"(version {server_major} or newer), e.g. apt install postgresql-client-{server_major}."
        )
    output = subprocess.run(  # noqa: S603  (a tool found on PATH, our own arguments)
        [path, "--version"], capture_output=True, text=True, check=True
    ).stdout
    major = _major(output)
    if major < server_major:
        raise BackupError(
            f"{path} is version {major}, older than the server ({server_major}): "
            f"install postgresql-client-{server_major} or newer and put it first on PATH."
        )
    return path


def server_major(connection: sa.Connection) -> int:
    return int(connection.scalar(sa.text("SHOW server_version_num"))) // 10000


def _libpq(url: sa.URL) -> tuple[list[str], dict[str, str]]:
    """`--dbname` and the environment for libpq tools: the password goes in PGPASSWORD,
    never on a command line other users can read."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    arguments = ["--dbname", str(url.database)]
    for option, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            arguments += [option, str(value)]
    return arguments, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def create_postgres(url: sa.URL, connection: sa.Connection, target: Path) -> None:
    pg_dump = pg_tool("pg_dump", server_major(connection))
    arguments, env = _libpq(url)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _run([pg_dump, "--format=custom", "--file", str(partial), *arguments], env)
    partial.replace(target)


def check_postgres_backup(backup: Path, server: int) -> None:
    """The file is a pg_dump archive pg_restore can read (its table of contents)."""
    pg_restore = pg_tool("pg_restore", server)
    result = subprocess.run(  # noqa: S603
        [pg_restore, "--list", str(backup)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or "audit_events" not in result.stdout:
        why = result.stderr.strip() or "no audit log in it"
        raise BackupError(f"{backup} is not a Composure pg_dump archive: {why}")


def restore_postgres(
    url: sa.URL, connection: sa.Connection, backup: Path, *, app_role: str | None
) -> None:
    """pg_restore into the configured database as the role that owns the tables; then the
    app's role gets again exactly what migration 0006 gives it."""
    who = connection.scalar(sa.text("SELECT current_user"))
    if app_role and who == app_role:
        raise BackupError(
            f"Connected as {who}, the app's role (DATABASE_APP_ROLE): restored tables would "
            "be its own and it could switch off the audit log's protections. Restore as the "
            "role that runs migrations."
        )
    pg_restore = pg_tool("pg_restore", server_major(connection))
    arguments, env = _libpq(url)
    _run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--exit-on-error", *arguments]
        + [str(backup)],
        env,
    )
    if app_role:
        engine = sa.create_engine(url)
        try:
            with engine.begin() as fresh:
                roles.grant_app_role(fresh, app_role)
        finally:
            engine.dispose()


def protections(connection: sa.Connection, *, app_role: str | None) -> Iterator[str]:
    """What no longer protects the audit log (nothing: all is well): its triggers present
    and enabled, and on PostgreSQL the app's role neither owning the audit tables nor
    allowed to change them."""
    dialect = connection.dialect.name
    for table, triggers in AUDIT_TRIGGERS[dialect].items():
        if dialect == "postgresql":
            found = set(
                connection.scalars(
                    sa.text(
                        "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(:table) "
                        "AND NOT tgisinternal AND tgenabled <> 'D'"
                    ),
                    {"table": table},
                )
            )
        else:
            found = set(
                connection.scalars(
                    sa.text(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"
                    ),
                    {"t": table},
                )
            )
        for trigger in triggers:
            if trigger not in found:
                yield f"{table}: trigger {trigger} is missing or disabled"
        if dialect == "postgresql" and app_role:
            owner = connection.scalar(
                sa.text("SELECT tableowner FROM pg_tables WHERE tablename = :t"), {"t": table}
            )
            if owner == app_role:
                yield f"{table} is owned by {app_role}, the app's role"
            for privilege in ("UPDATE", "DELETE", "TRUNCATE"):
                if connection.scalar(
                    sa.text("SELECT has_table_privilege(:role, :table, :privilege)"),
                    {"role": app_role, "table": table, "privilege": privilege},
                ):
                    yield f"{app_role} may {privilege} {table}"
