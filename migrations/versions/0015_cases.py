"""Cases (issue 18): a customer's messages that belong together, across channels.

- `cases`: one per conversation with a customer; `complaints.case_id` says which case each
  complaint belongs to.
- `imported_replies`: a brand's replies read from an imported file (twcs), kept read-only
  in their case's timeline as "our replies (imported)".
- `case_notes`: internal notes on a case, with the colleagues they mentioned.
- `import_jobs.replies_kept_count`, `history_handled`, `handled_before`: how many brand
  replies an import kept, and the "mark history as already handled" option.
- an index on `complaints.author_handle` for a customer's history by handle.

Backfill: one case per complaint already stored (its id is the complaint's id). Grouping
old complaints by handle and channel would guess at links nobody made, across any span of
time; one case each is exactly what there was, and agents link the ones that belong
together by hand. It is two set-based statements (INSERT … SELECT, UPDATE), fast on
100,000 rows on SQLite and PostgreSQL alike.

`complaints.case_id` is added with a plain ADD COLUMN (no batch copy of `complaints`, whose
`is_open` is generated: see 0011): on SQLite with a column-level foreign key, which goes
with its column on downgrade; on PostgreSQL the foreign key is added after the backfill,
so it is checked once over the table rather than by a trigger for each updated row.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

FK_NAME = "fk_complaints_case_id_cases"


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_key", sa.String(length=32), nullable=False),
        sa.Column("customer_handle", sa.String(length=200), nullable=False),
        sa.Column("first_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "last_message_at >= first_message_at", name=op.f("ck_cases_messages_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["channel_key"], ["channels.key"], name=op.f("fk_cases_channel_key_channels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        # Never reuse a removed case's number (the audit log names cases by number).
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_cases_channel_handle_last",
        "cases",
        ["channel_key", "customer_handle", "last_message_at"],
    )
    op.create_index("ix_cases_customer_handle", "cases", ["customer_handle"])
    op.create_table(
        "imported_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("channel_key", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("in_response_to", sa.String(length=100), nullable=True),
        sa.Column("author_handle", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_imported_replies_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["channel_key"], ["channels.key"], name=op.f("fk_imported_replies_channel_key_channels")
        ),
        sa.ForeignKeyConstraint(
            ["import_job_id"],
            ["import_jobs.id"],
            name=op.f("fk_imported_replies_import_job_id_import_jobs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_replies")),
        sa.UniqueConstraint(
            "channel_key", "external_id", name=op.f("uq_imported_replies_channel_key_external_id")
        ),
    )
    op.create_index("ix_imported_replies_case_sent", "imported_replies", ["case_id", "sent_at"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("mentioned_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_case_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index("ix_case_notes_case_created", "case_notes", ["case_id", "created_at"])

    op.add_column(
        "import_jobs",
        sa.Column("replies_kept_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column(
        "import_jobs",
        sa.Column("history_handled", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )
    op.add_column(
        "import_jobs", sa.Column("handled_before", sa.DateTime(timezone=True), nullable=True)
    )

    if sqlite:
        op.execute(
            sa.text(
                f"ALTER TABLE complaints ADD COLUMN case_id INTEGER CONSTRAINT {FK_NAME} "
                "REFERENCES cases (id)"
            )
        )
    else:
        op.add_column("complaints", sa.Column("case_id", sa.Integer(), nullable=True))

    # The backfill: a case per complaint, numbered as the complaint.
    op.execute(
        sa.text(
            "INSERT INTO cases (id, channel_key, customer_handle, first_message_at, "
            "last_message_at, created_at) "
            "SELECT id, channel_key, lower(ltrim(trim(author_handle), '@')), received_at, "
            "received_at, created_at "
            "FROM complaints"
        )
    )
    op.execute(sa.text("UPDATE complaints SET case_id = id"))
    if not sqlite:
        op.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                "COALESCE((SELECT MAX(id) FROM cases), 0) + 1, false)"
            )
        )
        # After the backfill: one check of every row, not a trigger per updated row.
        op.create_foreign_key(op.f(FK_NAME), "complaints", "cases", ["case_id"], ["id"])
    op.create_index(op.f("ix_complaints_case_id"), "complaints", ["case_id"])
    op.create_index("ix_complaints_author_handle", "complaints", ["author_handle"])


def downgrade():
    op.drop_index("ix_complaints_author_handle", table_name="complaints")
    op.drop_index(op.f("ix_complaints_case_id"), table_name="complaints")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(FK_NAME), "complaints", type_="foreignkey")
    # Its foreign key goes with it on SQLite.
    op.drop_column("complaints", "case_id")
    op.drop_column("import_jobs", "handled_before")
    op.drop_column("import_jobs", "history_handled")
    op.drop_column("import_jobs", "replies_kept_count")
    op.drop_index("ix_case_notes_case_created", table_name="case_notes")
    op.drop_table("case_notes")
    op.drop_index("ix_imported_replies_case_sent", table_name="imported_replies")
    op.drop_table("imported_replies")
    op.drop_index("ix_cases_customer_handle", table_name="cases")
    op.drop_index("ix_cases_channel_handle_last", table_name="cases")
    op.drop_table("cases")
