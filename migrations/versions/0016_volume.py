"""The inbox at scale (issue 18, "Volume"): tags, saved filters, a `closed` status, and a
word index for the search.

- `tags` and `complaint_tags`: labels on complaints, filterable in the inbox.
- `saved_filters`: a person's named inbox filters (an admin may share one with the team).
- `complaints.status` may be `closed` (closed as not a complaint, no reply). SQLite cannot
  alter a CHECK, and a batch copy of `complaints` cannot re-insert the generated `is_open`
  (see 0002, 0009): the CHECK's list of values is widened in the stored schema, the way
  SQLite documents for loosening a constraint (writable_schema, then a new schema version;
  every existing row still satisfies it). The downgrade reopens closed complaints first.
- The word index (`app.complaints.search`): on SQLite an FTS5 table over the text, name
  and handle (external content, porter stemmer on unicode61), kept in step by triggers
  and built from the rows already there; on PostgreSQL a stored generated tsvector column `search_words`
  (text, name and handle, through the configuration `composure_words`: English snowball
  stemming, no stop words) with a GIN index, which the database computes for the rows
  already there. A stored column, not an expression index: the matches' recheck reads it
  instead of parsing each text again.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

STATUSES = "'new', 'in_progress', 'replied', 'resolved'"
WITH_CLOSED = "'new', 'in_progress', 'replied', 'resolved', 'closed'"

#: Kept equal to app.complaints.search (a migration does not import the app).
DELETE_OLD = (
    "INSERT INTO complaints_fts(complaints_fts, rowid, text, author_name, author_handle) "
    "VALUES ('delete', old.id, old.text, old.author_name, old.author_handle);"
)
INSERT_NEW = (
    "INSERT INTO complaints_fts(rowid, text, author_name, author_handle) "
    "VALUES (new.id, new.text, new.author_name, new.author_handle);"
)
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE complaints_fts USING fts5(text, author_name, author_handle, "
    "content='complaints', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER complaints_fts_insert AFTER INSERT ON complaints BEGIN {INSERT_NEW} END",
    f"CREATE TRIGGER complaints_fts_delete AFTER DELETE ON complaints BEGIN {DELETE_OLD} END",
    "CREATE TRIGGER complaints_fts_update AFTER UPDATE OF text, author_name, author_handle "
    f"ON complaints BEGIN {DELETE_OLD} {INSERT_NEW} END",
    "INSERT INTO complaints_fts(complaints_fts) VALUES ('rebuild')",
]
#: English stemming without English stop words (as SQLite's porter): "internet down
#: again" keeps "down" and "again", and a phrase keeps its gaps.
PG_WORDS = [
    "CREATE TEXT SEARCH DICTIONARY composure_stem (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION composure_words (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION composure_words ALTER MAPPING FOR asciiword, asciihword, "
    "hword_asciipart, word, hword, hword_part WITH composure_stem",
    "ALTER TABLE complaints ADD COLUMN search_words tsvector GENERATED ALWAYS AS "
    "(to_tsvector('composure_words'::regconfig, "
    "text || ' ' || author_name || ' ' || author_handle)) STORED",
    "CREATE INDEX ix_complaints_search_words ON complaints USING gin (search_words)",
]


def _sqlite_status_check(old: str, new: str) -> None:
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
            "WHERE type = 'table' AND name = 'complaints'"
        ),
        {"old": f"CHECK (status IN ({old}))", "new": f"CHECK (status IN ({new}))"},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _status_check(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_status_check(old, new)
    else:
        op.drop_constraint(op.f("ck_complaints_complaint_status"), "complaints", type_="check")
        op.create_check_constraint(
            op.f("ck_complaints_complaint_status"), "complaints", f"status IN ({new})"
        )


def upgrade():
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(key) > 0", name=op.f("ck_tags_key_not_empty")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_tags_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("key", name=op.f("uq_tags_key")),
    )
    op.create_table(
        "complaint_tags",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_tags_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_complaint_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("complaint_id", "tag_id", name=op.f("pk_complaint_tags")),
    )
    op.create_index("ix_complaint_tags_tag_complaint", "complaint_tags", ["tag_id", "complaint_id"])
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("shared", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_saved_filters_name_not_empty")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_saved_filters_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filters")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_filters_user_id_name")),
    )
    op.create_index(op.f("ix_saved_filters_user_id"), "saved_filters", ["user_id"])
    _status_check(STATUSES, WITH_CLOSED)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        for statement in PG_WORDS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER complaints_fts_{name}")
        op.execute("DROP TABLE complaints_fts")
    else:
        op.execute("DROP INDEX ix_complaints_search_words")
        op.execute("ALTER TABLE complaints DROP COLUMN search_words")
        op.execute("DROP TEXT SEARCH CONFIGURATION composure_words")
        op.execute("DROP TEXT SEARCH DICTIONARY composure_stem")
    # Closed complaints go back to the inbox: the older schema has no such status.
    op.execute("UPDATE complaints SET status = 'new' WHERE status = 'closed'")
    _status_check(WITH_CLOSED, STATUSES)
    op.drop_index(op.f("ix_saved_filters_user_id"), table_name="saved_filters")
    op.drop_table("saved_filters")
    op.drop_index("ix_complaint_tags_tag_complaint", table_name="complaint_tags")
    op.drop_table("complaint_tags")
    op.drop_table("tags")
