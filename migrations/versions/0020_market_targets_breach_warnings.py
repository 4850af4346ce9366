"""Response targets per market and channel, and warnings before a breach (issue 19).

- `market_targets`: a market's own response-time target on a channel (X in Latvia: 4
  business hours); a channel with none in a market keeps the channel's target there.
- `breach_warnings`: one row per complaint and due time once its holder or team has been
  warned that the response is about to fall due; the unique key keeps it to one warning
  however many workers run. `complaints.due_warning_at` (0011) stays: the last warning.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 23:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "market_targets",
        sa.Column("market_key", sa.String(length=32), nullable=False),
        sa.Column("channel_key", sa.String(length=32), nullable=False),
        sa.Column("response_target_seconds", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "response_target_seconds > 0", name=op.f("ck_market_targets_target_positive")
        ),
        sa.ForeignKeyConstraint(
            ["market_key"],
            ["markets.key"],
            name=op.f("fk_market_targets_market_key_markets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["channel_key"],
            ["channels.key"],
            name=op.f("fk_market_targets_channel_key_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("market_key", "channel_key", name=op.f("pk_market_targets")),
    )
    op.create_table(
        "breach_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("to_holder", sa.Boolean(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_breach_warnings_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_warnings")),
        sa.UniqueConstraint(
            "complaint_id", "due_at", name=op.f("uq_breach_warnings_complaint_id_due_at")
        ),
    )


def downgrade() -> None:
    op.drop_table("breach_warnings")
    op.drop_table("market_targets")
