"""A complaint's kind (issue 15): complaint, question, praise or other.

`complaints.kind`, NULL until the complaint is analysed (`flask complaints analyze` fills
the rows stored before this revision), with a CHECK on the four values, and an index for
the inbox's filter by kind, most urgent first. The score per kind and the reasons go into
the existing `analysis_notes` JSON and the words into `evidence`: no column for them.

SQLite cannot add a table CHECK to an existing table, and a batch copy of `complaints`
cannot re-insert the generated `is_open` (see 0002): there the CHECK is the new column's
own, in its ADD COLUMN, which DROP COLUMN removes with it. PostgreSQL gets a named table
CHECK, as the model declares.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 14:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KINDS = "kind IS NULL OR kind IN ('complaint', 'question', 'praise', 'other')"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            sa.text(
                "ALTER TABLE complaints ADD COLUMN kind VARCHAR(16) "
                f"CONSTRAINT ck_complaints_kind_values CHECK ({KINDS})"
            )
        )
    else:
        op.add_column("complaints", sa.Column("kind", sa.String(length=16), nullable=True))
        op.create_check_constraint(op.f("ck_complaints_kind_values"), "complaints", KINDS)
    op.create_index(
        "ix_complaints_kind_due", "complaints", ["kind", "response_due_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_complaints_kind_due", table_name="complaints")
    # Plain DROP COLUMN (its CHECK goes with it; SQLite 3.35+): no batch copy, see 0002.
    op.drop_column("complaints", "kind")
