"""A person's screen language and time zone (issue 19, "Five markets").

- `users.language`: the screens' language ("nl"); NULL lets the browser choose.
- `users.time_zone`: the IANA zone times are shown in ("Europe/Riga"); NULL means the
  app's DISPLAY_TIMEZONE. Stored times, the audit log's among them, stay UTC.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 22:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("language", sa.String(length=16), nullable=True))
    op.add_column("users", sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "time_zone")
    op.drop_column("users", "language")
