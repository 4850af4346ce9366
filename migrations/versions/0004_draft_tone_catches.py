"""What the tone checks caught before a draft was first submitted, for the dashboard.

- `drafts.tone_catches`: the distinct `warn` / `block` codes the checks found while the
  agent wrote, before the first submission (fixes made while typing are never saved as
  revisions). Existing drafts start with an empty list.

Plain ADD / DROP COLUMN (SQLite 3.35+), not a batch copy of `drafts`: the copy would have
to rebuild its partial unique index and check constraints for one new column.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:05:07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "drafts",
        sa.Column("tone_catches", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade():
    op.drop_column("drafts", "tone_catches")
