"""The schema from the migrations, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from app.audit import log as audit
from app.complaints.models import Channel
from app.extensions import db
from tests.fixtures.app import T0, pending_changes

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_migrations_and_models_agree(ctx):
    assert pending_changes() == []


@BOTH
def test_migrations_go_down_and_up_again(ctx):
    downgrade(revision="base")
    assert "complaints" not in sa.inspect(db.engine).get_table_names()
    upgrade()
    assert pending_changes() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Channel)) == 6


@BOTH
def test_channels_are_seeded_with_the_response_targets_of_the_guidance(ctx):
    channels = {c.key: c for c in db.session.scalars(sa.select(Channel))}
    assert channels["x"].is_public
    assert channels["x"].char_limit == 280
    assert channels["x"].response_target_seconds == 3600
    assert not channels["email"].is_public
    assert channels["email"].response_target_seconds == 24 * 3600


@BOTH
def test_each_channel_says_how_it_counts_length_and_nothing_else_is_accepted(ctx):
    counting = dict(db.session.execute(sa.select(Channel.key, Channel.length_counting)).all())
    assert counting.pop("x") == "x_weighted"
    assert set(counting.values()) == {"characters"}
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text("UPDATE channels SET length_counting = 'words' WHERE key = 'x'"))
    db.session.rollback()


@BOTH
def test_the_audit_log_refuses_updates_and_deletes(ctx):
    event = audit.record(
        db.session, action="test.event", entity_type="test", entity_id=1, actor_id=None, now=T0
    )
    db.session.commit()
    for statement in (
        f"UPDATE audit_events SET action = 'forged' WHERE id = {event.id}",
        f"DELETE FROM audit_events WHERE id = {event.id}",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
    assert db.session.scalar(sa.select(sa.text("action FROM audit_events"))) == "test.event"


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_audit_log_cannot_be_truncated_on_postgresql(ctx):
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text("TRUNCATE audit_events"))
    db.session.rollback()


def test_audit_chain_detects_a_changed_event(ctx):
    for number in range(3):
        audit.record(
            db.session,
            action=f"test.{number}",
            entity_type="test",
            entity_id=number,
            actor_id=None,
            now=T0,
        )
    db.session.commit()
    assert list(audit.verify(db.session)) == []
    # Someone with direct database access drops the guard and edits history.
    db.session.execute(sa.text("DROP TRIGGER audit_events_no_update"))
    db.session.execute(sa.text("UPDATE audit_events SET action = 'forged' WHERE entity_id = 1"))
    db.session.commit()
    breaks = list(audit.verify(db.session))
    assert [b.reason for b in breaks] == ["its contents do not match its hash"]


@BOTH
def test_database_refuses_naive_datetimes_and_impossible_states(ctx):
    from app.complaints.models import Complaint, ComplaintStatus

    complaint = Complaint(
        channel_key="x",
        dedupe_key="k",
        source="manual",
        text="late",
        received_at=T0,
        response_due_at=T0,
        status=ComplaintStatus.RESOLVED,
    )
    db.session.add(complaint)
    with pytest.raises(sa.exc.IntegrityError):  # resolved without resolved_at
        db.session.flush()
    db.session.rollback()
    db.session.add(
        Complaint(
            channel_key="x",
            dedupe_key="k2",
            source="manual",
            text="t",
            received_at=T0.replace(tzinfo=None),
            response_due_at=T0,
        )
    )
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_one_draft_in_the_works_per_complaint(ctx, users):
    from app.complaints import intake
    from app.drafts.models import Draft, DraftState

    valid = intake.validate(
        intake.ComplaintInput(channel="x", text="late parcel"),
        intake.load_channels(db.session),
        now=T0,
        max_chars=100,
    )
    complaint = intake.register(db.session, valid, actor=None, now=T0).complaint

    def draft(state):
        return Draft(
            complaint_id=complaint.id,
            author_id=users["agent"].id,
            channel_key="x",
            state=state,
            cooling_off_until=None if state in (DraftState.DRAFT, DraftState.WITHDRAWN) else T0,
            created_at=T0,
            updated_at=T0,
        )

    db.session.add(draft(DraftState.WITHDRAWN))
    db.session.add(draft(DraftState.DRAFT))
    db.session.commit()
    db.session.add(draft(DraftState.DRAFT))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_savepoint_stays_inside_the_callers_transaction(ctx):
    """Publishing runs in a savepoint; whatever the caller does next, the caller decides:
    on SQLite the savepoint's release used to commit a transaction of its own."""
    from app.settings.models import Setting

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Setting)) == 0  # a read
    with db.session.begin_nested():
        db.session.add(Setting(key="probe", value=1, updated_at=T0))
    db.session.rollback()
    assert db.session.get(Setting, "probe") is None


def test_a_savepoint_on_sqlite_takes_the_write_lock_before_it_reads(ctx):
    """A write committed by another connection between the savepoint's first read and its
    own write made the write fail at once ("database is locked", which busy_timeout does
    not wait out): 500s on publish under load. Now the other connection waits instead."""
    from app.settings.models import Setting

    with db.session.begin_nested():
        assert db.session.get(Setting, "probe") is None  # the read that fixes the snapshot
        with db.engine.connect() as other:
            other.exec_driver_sql("PRAGMA busy_timeout=50")
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                other.execute(sa.insert(Setting).values(key="other", value=1, updated_at=T0))
            other.rollback()
        db.session.add(Setting(key="probe", value=1, updated_at=T0))
    db.session.commit()
    assert db.session.get(Setting, "probe").value == 1


@BOTH
def test_a_complaints_kind_survives_migration_0009_down_and_up_and_old_rows_get_one(ctx):
    from app.complaints import reading
    from app.complaints.models import Complaint
    from tests.fixtures.complaints import add_complaint

    question = add_complaint(ctx, "@NorthwindHome do you ship to Riga?")
    assert db.session.get(Complaint, question).kind == "question"
    with pytest.raises(IntegrityError):  # only the four kinds
        db.session.execute(sa.text("UPDATE complaints SET kind = 'spam'"))
    db.session.rollback()

    db.session.remove()
    downgrade(revision="0008")
    assert "kind" not in {c["name"] for c in sa.inspect(db.engine).get_columns("complaints")}
    upgrade()
    assert pending_changes() == []
    complaint = db.session.get(Complaint, question)
    assert complaint.text == "@NorthwindHome do you ship to Riga?"  # the row kept
    assert complaint.kind is None  # analysed before kinds existed

    # `flask complaints analyze` (only what is missing) gives it its kind.
    assert (
        reading.reanalyze_all(db.session, now=T0, checkpoint=db.session.flush, only_missing=True)
        == 1
    )
    assert complaint.kind == "question"
    assert complaint.analysis_notes["kind"]["scores"]["question"] > 0.5
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text("UPDATE complaints SET kind = 'spam'"))
    db.session.rollback()
