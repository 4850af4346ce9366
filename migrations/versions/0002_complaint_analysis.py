"""Complaint analysis: flags as indexed rows, the analysis in words; one active draft per
complaint.

- `complaint_flags` mirrors `complaints.flags` so the inbox filters by flag through an index.
- `complaints.analysis_notes` keeps the reasons and notices shown on the complaint page.
- `uq_drafts_active_per_complaint`: at most one draft in the works per complaint (a partial
  unique index on both SQLite and PostgreSQL).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:24:04
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FLAGS = (
    "'billing', 'account', 'personal_data', 'legal_threat', 'safety', 'media', "
    "'discrimination', 'staff', 'harassment'"
)
ACTIVE = sa.text("state NOT IN ('published', 'withdrawn')")


def upgrade():
    op.create_table(
        "complaint_flags",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(length=32), nullable=False),
        sa.CheckConstraint(f"flag IN ({FLAGS})", name=op.f("ck_complaint_flags_flag_values")),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_flags_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("complaint_id", "flag", name=op.f("pk_complaint_flags")),
    )
    op.create_index(
        "ix_complaint_flags_flag_complaint", "complaint_flags", ["flag", "complaint_id"]
    )
    # Existing rows get an empty note; `flask complaints analyze` fills them in.
    op.add_column(
        "complaints",
        sa.Column("analysis_notes", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )
    op.create_index(
        "uq_drafts_active_per_complaint",
        "drafts",
        ["complaint_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade():
    op.drop_index("uq_drafts_active_per_complaint", table_name="drafts")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy cannot re-insert the generated is_open.
    op.drop_column("complaints", "analysis_notes")
    op.drop_index("ix_complaint_flags_flag_complaint", table_name="complaint_flags")
    op.drop_table("complaint_flags")
