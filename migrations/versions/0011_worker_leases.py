"""Workers of their own (issue 17): import jobs held by a lease, and the clocks' warnings.

- `import_jobs.claimed_by` / `lease_expires_at` / `heartbeat_at`: the process running a
  job and until when it holds it; it renews the lease at each committed batch. A running
  job whose lease has run out is taken over by another process, which resumes it from
  `processed_rows`. A lease only while running (a CHECK).
- `import_jobs.resumes`: how many times that happened to the job (0 for those already
  there).
- `complaints.due_warning_at`: when the worker warned that the complaint's response-time
  target is near; NULL for every complaint already there (those long past their due time
  are never warned: the worker only looks at due times around now).

Running jobs already there have no lease: the first worker takes them over (they were
left by a process from before this revision, which never renews one).

SQLite cannot add a table CHECK to an existing table without a batch copy, and a batch
copy of `complaints` cannot re-insert the generated `is_open` (see 0002, 0009, 0010): on
SQLite the CHECK is the new column's own, in its ADD COLUMN, and goes with it on DROP
COLUMN. PostgreSQL gets a named table CHECK, as the model declares.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LEASE_WHILE_RUNNING = "lease_expires_at IS NULL OR status = 'running'"
CHECK_NAME = "ck_import_jobs_lease_only_while_running"


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("import_jobs", sa.Column("claimed_by", sa.String(length=120), nullable=True))
    if sqlite:
        op.execute(
            sa.text(
                "ALTER TABLE import_jobs ADD COLUMN lease_expires_at DATETIME "
                f"CONSTRAINT {CHECK_NAME} CHECK ({LEASE_WHILE_RUNNING})"
            )
        )
    else:
        op.add_column(
            "import_jobs",
            sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        )
        op.create_check_constraint(op.f(CHECK_NAME), "import_jobs", LEASE_WHILE_RUNNING)
    op.add_column(
        "import_jobs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "import_jobs",
        sa.Column("resumes", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    # Plain ADD COLUMN (no batch copy of `complaints`, whose `is_open` is generated).
    op.add_column(
        "complaints", sa.Column("due_warning_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    op.drop_column("complaints", "due_warning_at")
    op.drop_column("import_jobs", "resumes")
    op.drop_column("import_jobs", "heartbeat_at")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(CHECK_NAME), "import_jobs", type_="check")
    # Its CHECK goes with it on SQLite.
    op.drop_column("import_jobs", "lease_expires_at")
    op.drop_column("import_jobs", "claimed_by")
