"""Sessions that end, a throttle per source, API tokens with a scope and an expiry, reset
links (issue 13).

- `user_sessions`: one row per signed-in browser; the session and remember-me cookies
  carry its random `key`. Signing out revokes the row; a password change or reset revokes
  all of the user's. Everyone is signed out once by this migration (old cookies carried
  `users.login_id`, which the user loader no longer reads).
- `login_throttles`: failed sign-ins per remote address and per address + e-mail, counted
  by one atomic upsert before the password is checked.
- `api_tokens.scope` (read / draft / act; existing tokens keep "act", which is what they
  could do) and `api_tokens.expires_at` (existing tokens get 90 days from the upgrade).
- `invitations.purpose`: "invite" (existing rows) or "reset", an admin-issued link to
  set a new password.

`api_tokens` and `invitations` go through a batch copy on SQLite for their new CHECK
constraints (both small tables).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 06:40:00
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from app.core.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: What tokens made before expiry existed are given, counted from the upgrade.
GRACE = timedelta(days=90)


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("key", name=op.f("uq_user_sessions_key")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=330), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_login_throttles_failures_not_negative")),
        sa.CheckConstraint("lockouts >= 0", name=op.f("ck_login_throttles_lockouts_not_negative")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "scope",
                sa.Enum(
                    "read",
                    "draft",
                    "act",
                    name="token_scope",
                    native_enum=False,
                    create_constraint=True,
                    length=5,
                ),
                nullable=False,
                server_default="act",
            )
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        sa.text("UPDATE api_tokens SET expires_at = :expires WHERE expires_at IS NULL").bindparams(
            sa.bindparam("expires", datetime.now(UTC) + GRACE, type_=UTCDateTime())
        )
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("scope", server_default=None)
        batch_op.alter_column(
            "expires_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_check_constraint(
            op.f("ck_api_tokens_expires_after_creation"), "expires_at > created_at"
        )

    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "purpose",
                sa.Enum(
                    "invite",
                    "reset",
                    name="link_purpose",
                    native_enum=False,
                    create_constraint=True,
                    length=6,
                ),
                nullable=False,
                server_default="invite",
            ),
        )


def downgrade():
    # The enum CHECKs go first: SQLite's batch copy would keep them and miss the column.
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_invitations_link_purpose"), type_="check")
        batch_op.drop_column("purpose")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_expires_after_creation"), type_="check")
        batch_op.drop_constraint(op.f("ck_api_tokens_token_scope"), type_="check")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scope")
    op.drop_table("login_throttles")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
