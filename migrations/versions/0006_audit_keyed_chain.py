"""The audit chain keyed and checkpointed; on PostgreSQL, an app role that cannot alter it.

- `audit_checkpoints`: the chain's head (last event, its hash, the event count) signed with
  the audit key, one row per append, append-only like `audit_events` (triggers on both
  databases). This migration writes the first one, over the events already there.
- Events written before this migration keep their plain SHA-256 hashes; the first
  checkpoint's `legacy_until` (signed) says where they end, and `verify` refuses a plain
  hash after it. New events are hashed with HMAC-SHA256 under the audit key (AUDIT_KEY, or
  derived from SECRET_KEY), which is read from the app's config: run this migration with
  the same AUDIT_KEY / SECRET_KEY as the app.
- PostgreSQL, when DATABASE_APP_ROLE names a role: it is granted SELECT, INSERT, UPDATE,
  DELETE on the ordinary tables but only SELECT, INSERT on the two audit tables, USAGE on
  the sequences, and never ownership (`app.core.roles`). Run the migrations as the owner.

Downgrading drops the checkpoints; events hashed with the key stay as they are (and will
not verify under 0004's plain SHA-256).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 06:40:00
"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

from app.audit.log import GENESIS_HASH, Head, Keyring
from app.core.roles import grant_app_role

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

checkpoints = sa.table(
    "audit_checkpoints",
    sa.column("event_id", sa.Integer),
    sa.column("event_hash", sa.String),
    sa.column("event_count", sa.Integer),
    sa.column("legacy_until", sa.Integer),
    sa.column("mac", sa.String),
)


def upgrade():
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("legacy_until", sa.Integer(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    _append_only_checkpoints()
    _first_checkpoint()
    role = current_app.config.get("DATABASE_APP_ROLE")
    if role and op.get_bind().dialect.name == "postgresql":
        grant_app_role(op.get_bind(), role)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_truncate ON audit_checkpoints")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_update_delete ON audit_checkpoints")
        op.execute("DROP FUNCTION IF EXISTS audit_checkpoints_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_delete")
    op.drop_table("audit_checkpoints")


def _append_only_checkpoints():
    """The same guard as on audit_events (0001)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_checkpoints_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_checkpoints is append-only'; END; $$ "
            "LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_checkpoints_no_update_delete "
            "BEFORE UPDATE OR DELETE ON audit_checkpoints "
            "FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints "
            "BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints "
            "BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END"
        )


def _first_checkpoint():
    """Sign the head of the events already written (all plain SHA-256) as the point after
    which every event must be keyed."""
    bind = op.get_bind()
    last = bind.execute(
        sa.text("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
    ).first()
    count = bind.scalar(sa.text("SELECT count(*) FROM audit_events"))
    head = Head(
        event_id=last.id if last else None,
        event_hash=last.hash if last else GENESIS_HASH,
        event_count=count,
        legacy_until=last.id if last else 0,
    )
    keyring = Keyring.from_config(current_app.config)
    op.execute(
        checkpoints.insert().values(
            event_id=head.event_id,
            event_hash=head.event_hash,
            event_count=head.event_count,
            legacy_until=head.legacy_until,
            mac=keyring.sign(head),
        )
    )
