"""The audit chain against an attacker who owns the database but not the audit key.

Each test records events through the real `record()`, then tampers as the database's owner
would (the append-only triggers dropped or disabled first) and checks what `verify` and
`flask audit verify` tell the operator: the event and the reason.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.accounts.models import Role
from app.audit import log as audit
from app.audit.models import AuditEvent
from app.extensions import db
from tests.fixtures.app import IN_CI, T0, base_config, drop_database, need_postgres
from tests.fixtures.users import make_user

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
EVENTS = 60
CUT = 25
#: The role the app runs as on PostgreSQL; `.ci/postgres.sh` creates it.
APP_ROLE = os.environ.get("TEST_POSTGRES_APP_ROLE", "composure_app")
APP_ROLE_PASSWORD = os.environ.get("TEST_POSTGRES_APP_PASSWORD", "composure_app")


def record_events(count: int, start: int = 0) -> list[int]:
    ids = []
    for step in range(start, start + count):
        event = audit.record(
            db.session,
            action="test.step",
            entity_type="test",
            entity_id=step,
            actor_id=None,
            now=T0 + timedelta(minutes=step),
            details={"step": step},
        )
        ids.append(event.id)
    db.session.commit()
    return ids


def drop_the_guards() -> None:
    """What an owner of the database does first: switch off the append-only triggers."""
    session = db.session
    if session.get_bind().dialect.name == "sqlite":
        triggers = session.scalars(sa.text("SELECT name FROM sqlite_master WHERE type='trigger'"))
        for name in list(triggers):
            session.execute(sa.text(f'DROP TRIGGER "{name}"'))
    else:
        for table in ("audit_events", "audit_checkpoints"):
            if session.scalar(sa.text(f"SELECT to_regclass('{table}')")) is not None:
                session.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    session.commit()


def breaks() -> list[tuple[int | None, str]]:
    db.session.rollback()  # a fresh look, as a new request would have
    return [(item.event_id, item.reason) for item in audit.verify(db.session)]


def rewrite_from(event_id: int, sign) -> None:
    """Change one event's details and recompute its hash and every later one with `sign`."""
    db.session.execute(
        sa.text("UPDATE audit_events SET details = :details WHERE id = :id").bindparams(
            sa.bindparam("details", type_=sa.JSON)
        ),
        {"details": {"step": "rewritten"}, "id": event_id},
    )
    db.session.commit()
    db.session.expire_all()
    previous = db.session.scalar(
        sa.select(AuditEvent.hash).where(AuditEvent.id < event_id).order_by(AuditEvent.id.desc())
    )
    for event in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.id >= event_id).order_by(AuditEvent.id)
    ).all():
        digest = sign(previous, audit._payload(event))
        db.session.execute(
            sa.update(AuditEvent)
            .where(AuditEvent.id == event.id)
            .values(prev_hash=previous, hash=digest)
        )
        previous = digest
    db.session.commit()


def plain_sha256(previous: str, payload: str) -> str:
    return hashlib.sha256((previous + payload).encode()).hexdigest()


def wrong_key(previous: str, payload: str) -> str:
    return hmac.new(b"not the audit key", (previous + payload).encode(), "sha256").hexdigest()


# An intact chain


@BOTH
def test_an_intact_chain_has_no_break(ctx):
    record_events(EVENTS)
    assert breaks() == []


@BOTH
def test_the_cli_says_intact_and_exits_zero(app):
    with app.app_context():
        record_events(EVENTS)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"Audit chain intact: {total} events" in result.output


# (a) Truncation


@BOTH
def test_deleting_the_last_events_is_reported(ctx):
    ids = record_events(EVENTS)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    drop_the_guards()
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id > ids[-CUT - 1]))
    db.session.commit()

    found = breaks()
    assert len(found) == 1, found
    event_id, reason = found[0]
    assert event_id == ids[-1]
    assert f"the checkpoint records it as the last of {total} events" in reason
    assert f"the log ends at event #{ids[-CUT - 1]}" in reason
    assert f"{CUT} events removed from the end" in reason


@BOTH
def test_a_truncation_stays_visible_after_the_app_appends_again(ctx):
    ids = record_events(EVENTS)
    drop_the_guards()
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id > ids[-CUT - 1]))
    db.session.commit()
    (next_id,) = record_events(1, start=EVENTS)

    found = breaks()
    assert (next_id, "points at a previous event that is not the one before it") in found
    assert any(f"{CUT} events are missing" in reason for _, reason in found), found


@BOTH
def test_the_cli_reports_a_truncation_and_exits_non_zero(app):
    with app.app_context():
        ids = record_events(EVENTS)
        drop_the_guards()
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id > ids[-CUT - 1]))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {ids[-1]}: missing: the checkpoint records it as the last" in result.output
    assert "The audit chain is broken in 1 place." in result.output
    assert "intact" not in result.output


# (b) A rewritten event with every later hash recomputed


@BOTH
def test_a_rewrite_recomputed_with_plain_sha256_is_reported(ctx):
    ids = record_events(EVENTS)
    middle = ids[EVENTS // 2]
    drop_the_guards()
    rewrite_from(middle, plain_sha256)

    found = breaks()
    assert found[0] == (
        middle,
        "its hash is a plain SHA-256 where the chain is keyed: it was rewritten "
        "without the audit key",
    )
    assert (
        ids[-1],
        "its hash differs from the one the checkpoint recorded: the chain was rewritten up to here",
    ) in found


@BOTH
def test_a_rewrite_recomputed_with_a_wrong_key_is_reported(ctx):
    ids = record_events(EVENTS)
    middle = ids[EVENTS // 2]
    drop_the_guards()
    rewrite_from(middle, wrong_key)

    found = breaks()
    assert found[0] == (middle, "its contents do not match its hash")
    assert all(event_id >= middle for event_id, _ in found)
    assert any(
        event_id == ids[-1] and "differs from the one the checkpoint recorded" in reason
        for event_id, reason in found
    ), found


# (c) The checkpoint removed or forged


@BOTH
def test_a_removed_checkpoint_is_reported(ctx):
    record_events(EVENTS)
    drop_the_guards()
    db.session.execute(sa.text("DELETE FROM audit_checkpoints"))
    db.session.commit()

    assert breaks() == [
        (
            None,
            "the checkpoint of the chain's last event is missing: events removed or "
            "rewritten at the end cannot be ruled out",
        )
    ]


@BOTH
def test_a_checkpoint_recomputed_without_the_key_is_reported(ctx):
    """The attacker cuts the chain and writes a checkpoint that agrees with the cut."""
    ids = record_events(EVENTS)
    keep = ids[-CUT - 1]
    drop_the_guards()
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id > keep))
    db.session.execute(sa.text("DELETE FROM audit_checkpoints"))
    kept = db.session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.id == keep))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    forged = hashlib.sha256(f"{keep}|{kept}|{count}".encode()).hexdigest()
    db.session.execute(
        sa.text(
            "INSERT INTO audit_checkpoints (event_id, event_hash, event_count, legacy_until, mac) "
            "VALUES (:id, :hash, :count, 0, :mac)"
        ),
        {"id": keep, "hash": kept, "count": count, "mac": forged},
    )
    db.session.commit()

    found = breaks()
    assert found == [
        (
            None,
            "the checkpoint's signature does not match: it was written without the audit "
            "key (or AUDIT_KEY or SECRET_KEY has changed)",
        )
    ]


@BOTH
def test_the_app_refuses_to_append_after_a_forged_checkpoint(ctx):
    """Appending would sign the forger's head with the real key and hide the forgery."""
    record_events(3)
    drop_the_guards()
    db.session.execute(sa.text("UPDATE audit_checkpoints SET event_count = 1"))
    db.session.commit()
    with pytest.raises(audit.ChainHeadError, match="signature does not match"):
        record_events(1, start=3)
    db.session.rollback()


@BOTH
def test_an_event_inserted_without_a_checkpoint_is_reported(ctx):
    ids = record_events(3)
    last = db.session.get(AuditEvent, ids[-1])
    db.session.execute(
        sa.insert(AuditEvent).values(
            at=T0,
            action="test.forged",
            entity_type="test",
            details={},
            prev_hash=last.hash,
            hash="e" * 64,
        )
    )
    db.session.commit()
    forged = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))

    assert breaks() == [
        (forged, "its contents do not match its hash"),
        (
            forged,
            f"comes after the last checkpointed event (#{ids[-1]}) without a checkpoint of "
            "its own: written outside the app",
        ),
    ]


# The checkpoint exported off the database server


@BOTH
def test_an_exported_checkpoint_catches_a_consistent_rollback(app, tmp_path):
    """An owner rolls both tables back to an earlier, consistent state: the database alone
    cannot tell, the head the operator kept elsewhere can."""
    exported = tmp_path / "head.json"
    runner = app.test_cli_runner()
    with app.app_context():
        ids = record_events(EVENTS)
    result = runner.invoke(args=["audit", "checkpoint", "--output", str(exported)])
    assert result.exit_code == 0, result.output
    head = json.loads(exported.read_text())
    assert head["event_id"] == ids[-1]
    assert f"Checkpoint of event #{ids[-1]} written to {exported}" in result.output

    with app.app_context():
        record_events(5, start=EVENTS)
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(exported)])
    assert result.exit_code == 0, result.output
    assert f"contains event #{ids[-1]} of the exported checkpoint" in result.output

    with app.app_context():
        keep = ids[-CUT - 1]
        drop_the_guards()
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id > keep))
        db.session.execute(
            sa.text("DELETE FROM audit_checkpoints WHERE event_id > :keep"),
            {"keep": keep},
        )
        db.session.commit()
        assert breaks() == []  # consistent in the database itself
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(exported)])
    assert result.exit_code == 1
    assert (
        f"event {ids[-1]}: missing: the exported checkpoint records it as the last of "
        f"{head['event_count']} events" in result.output
    )


@BOTH
def test_an_exported_checkpoint_catches_a_chain_recomputed_with_the_key(app, tmp_path):
    """Even someone holding the key cannot rewrite what an exported head already covers."""
    exported = tmp_path / "head.json"
    runner = app.test_cli_runner()
    with app.app_context():
        ids = record_events(10)
    assert runner.invoke(args=["audit", "checkpoint", "--output", str(exported)]).exit_code == 0
    with app.app_context():
        keyring = audit.keyring_for(db.session)
        drop_the_guards()
        rewrite_from(ids[2], keyring.event_hash)
        db.session.execute(sa.text("DELETE FROM audit_checkpoints"))
        db.session.commit()
        head = audit.Head(
            event_id=ids[-1],
            event_hash=db.session.get(AuditEvent, ids[-1]).hash,
            event_count=10,
            legacy_until=0,
        )
        db.session.add(audit.checkpoint_row(head, keyring))
        db.session.commit()
        assert breaks() == []
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(exported)])
    assert result.exit_code == 1
    assert (
        f"event {ids[-1]}: its hash differs from the one the exported checkpoint recorded"
        in result.output
    )


def test_a_tampered_exported_checkpoint_is_refused(app, tmp_path):
    exported = tmp_path / "head.json"
    runner = app.test_cli_runner()
    with app.app_context():
        record_events(3)
    assert runner.invoke(args=["audit", "checkpoint", "--output", str(exported)]).exit_code == 0
    head = json.loads(exported.read_text())
    exported.write_text(json.dumps({**head, "event_count": 2}))
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(exported)])
    assert result.exit_code == 1
    assert "the exported checkpoint's signature does not match" in result.output


def test_no_checkpoint_is_exported_from_a_broken_chain(app):
    with app.app_context():
        ids = record_events(5)
        drop_the_guards()
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == ids[-1]))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 1
    assert "The audit chain is broken in 1 place: see `flask audit verify`." in result.output


def test_the_checkpoint_command_prints_the_signed_head(app):
    with app.app_context():
        ids = record_events(2)
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    head = json.loads(result.output)
    assert head["event_id"] == ids[-1]
    assert set(head) == {
        "version",
        "event_id",
        "event_hash",
        "event_count",
        "legacy_until",
        "signature",
    }


# The key


def test_a_different_key_sees_every_keyed_event_as_changed(ctx):
    ids = record_events(3)
    other = audit.Keyring(b"some other key")
    found = [(b.event_id, b.reason) for b in audit.verify(db.session, keyring=other)]
    assert (ids[0], "its contents do not match its hash") in found
    assert any("signature does not match" in reason for _, reason in found)


def test_the_audit_key_defaults_to_one_derived_from_the_secret_key():
    keys = [
        audit.Keyring.from_config(config).key
        for config in (
            {"SECRET_KEY": "one", "AUDIT_KEY": ""},
            {"SECRET_KEY": "two", "AUDIT_KEY": ""},
            {"SECRET_KEY": "one", "AUDIT_KEY": "kept apart"},
        )
    ]
    assert len(set(keys)) == 3
    assert b"one" not in keys[0]  # derived, under its own label, not SECRET_KEY itself
    assert keys[2] == b"kept apart"


def test_the_app_hashes_with_the_key_from_its_config(app):
    with app.app_context():
        (event_id,) = record_events(1)
        event = db.session.get(AuditEvent, event_id)
        keyring = audit.Keyring.from_config({"SECRET_KEY": "test-secret"})
        assert event.hash == keyring.event_hash(event.prev_hash, audit._payload(event))
        assert event.hash != plain_sha256(event.prev_hash, audit._payload(event))


# (e) A database from before the keyed chain


@pytest.fixture
def empty_database_url(backend, tmp_path, request) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    admin, _ = request.getfixturevalue("postgres_template")
    name = f"composure_empty_{os.getpid()}_{tmp_path.name[-12:]}".replace("-", "_")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    drop_database(admin, name)


def legacy_events(count: int) -> list[int]:
    """Events as 0004's `record()` wrote them: plain SHA-256, no checkpoint."""
    previous, ids = "0" * 64, []
    for step in range(count):
        event = AuditEvent(
            at=T0 + timedelta(minutes=step),
            action="test.old",
            entity_type="test",
            entity_id=step,
            details={"step": step},
            prev_hash=previous,
        )
        event.hash = plain_sha256(previous, audit._payload(event))
        db.session.add(event)
        db.session.flush()
        previous = event.hash
        ids.append(event.id)
    db.session.commit()
    return ids


@BOTH
def test_a_database_from_0004_keeps_verifying_and_continues_keyed(empty_database_url, clock):
    app = create_app(base_config(empty_database_url, clock))
    with app.app_context():
        upgrade(revision="0004")
        old = legacy_events(20)
        upgrade()
        assert breaks() == []
        new = record_events(5, start=20)
        assert breaks() == []
        assert [e.hash for e in db.session.scalars(sa.select(AuditEvent))][-5:] == [
            audit.keyring_for(db.session).event_hash(e.prev_hash, audit._payload(e))
            for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id.in_(new)))
        ]

        # Rewriting an old event and recomputing the rest with plain SHA-256 is seen where
        # the plain hashes reach past the events the migration found.
        drop_the_guards()
        rewrite_from(old[5], plain_sha256)
        found = breaks()
        assert found[0][0] == new[0]
        assert "plain SHA-256 where the chain is keyed" in found[0][1]
        db.session.remove()
        db.engine.dispose()


# PostgreSQL: the app's role cannot alter what protects the log


def app_role_url(database_url: str) -> str:
    """`database_url` as the app's role; in CI its absence is a failure, not a skip."""
    need_postgres()
    as_app = sa.make_url(database_url).set(username=APP_ROLE, password=APP_ROLE_PASSWORD)
    url = as_app.render_as_string(hide_password=False)
    engine = sa.create_engine(url)
    try:
        engine.connect().close()
    except sa.exc.OperationalError as error:
        message = f"cannot connect as {APP_ROLE} (.ci/postgres.sh creates it): {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return url


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_app_role_cannot_alter_the_audit_tables(empty_database_url, clock):
    url = app_role_url(empty_database_url)
    owner = create_app({**base_config(empty_database_url, clock), "DATABASE_APP_ROLE": APP_ROLE})
    with owner.app_context():
        upgrade()
        record_events(3)
        db.session.remove()
        db.engine.dispose()

    refused = [
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
        "DROP TRIGGER audit_events_no_update_delete ON audit_events",
        "DELETE FROM audit_events",
        "UPDATE audit_events SET action = 'forged'",
        "TRUNCATE audit_events",
        "DROP TABLE audit_events",
        "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER",
        "DELETE FROM audit_checkpoints",
        "UPDATE audit_checkpoints SET event_count = 0",
        "TRUNCATE audit_checkpoints",
    ]
    engine = sa.create_engine(url)
    try:
        for statement in refused:
            with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as error:
                conn.execute(sa.text(statement))
            assert "must be owner" in str(error.value) or "permission denied" in str(error.value), (
                statement
            )
    finally:
        engine.dispose()

    # …and the app, running as that role, still works and keeps the chain.
    app = create_app(base_config(url, clock))
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT current_user")) == APP_ROLE
        record_events(2, start=3)
    make_user(app, "lee@example.com", Role.AGENT)  # ordinary tables, and its audit event
    with app.app_context():
        assert breaks() == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 6
        db.session.remove()
        db.engine.dispose()


def test_granting_an_app_role_is_refused_on_sqlite(app):
    result = app.test_cli_runner().invoke(args=["audit", "grant-app-role", "composure_app"])
    assert result.exit_code == 1
    assert "Separate database roles are a PostgreSQL feature." in result.output


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_owner_cannot_be_named_the_app_role(app, database_url):
    app_role_url(database_url)
    owner = sa.make_url(need_postgres()).username
    result = app.test_cli_runner().invoke(args=["audit", "grant-app-role", owner])
    assert result.exit_code == 1
    assert "the migration role itself" in result.output
    result = app.test_cli_runner().invoke(args=["audit", "grant-app-role", "nobody_here"])
    assert result.exit_code == 1
    assert "There is no database role 'nobody_here'" in result.output
    result = app.test_cli_runner().invoke(args=["audit", "grant-app-role", APP_ROLE])
    assert result.exit_code == 0, result.output
