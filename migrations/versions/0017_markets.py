"""Markets (issue 19, "Five markets"): a market's languages, clock and company details, and
the market each channel belongs to.

- `markets`: key, name, languages, time zone (NULL = the configured DISPLAY_TIMEZONE),
  weekly business hours (NULL = 24/7), holiday country (NULL = none), company details
  (NULL = the company-wide ones), and which market is the default (one at most, by a
  partial unique index).
- One market, `default`, made here as today works: 24/7, the display time zone, no
  holidays, the company-wide details; a team with one market sees nothing new.
- `channels.market_key`: NULL = the default market.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 22:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

FK_NAME = "fk_channels_market_key_markets"


def upgrade():
    op.create_table(
        "markets",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("business_hours", sa.JSON(), nullable=True),
        sa.Column("holiday_country", sa.String(length=8), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("brand_name", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("faq_url", sa.String(length=500), nullable=True),
        sa.Column("dm_instruction", sa.String(length=160), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_markets")),
    )
    op.create_index(
        "uq_markets_one_default",
        "markets",
        ["is_default"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )
    op.execute(
        sa.text(
            "INSERT INTO markets (key, name, languages, is_default, position) "
            "VALUES ('default', 'Default market', '[]', true, 0)"
        )
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            sa.text(
                f"ALTER TABLE channels ADD COLUMN market_key VARCHAR(32) CONSTRAINT {FK_NAME} "
                "REFERENCES markets (key)"
            )
        )
    else:
        op.add_column("channels", sa.Column("market_key", sa.String(length=32), nullable=True))
        op.create_foreign_key(op.f(FK_NAME), "channels", "markets", ["market_key"], ["key"])


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(FK_NAME), "channels", type_="foreignkey")
    # Its foreign key goes with it on SQLite.
    op.drop_column("channels", "market_key")
    op.drop_index("uq_markets_one_default", table_name="markets")
    op.drop_table("markets")
