"""Languages Composure cannot read (issue 16): the agent's correction of a complaint's
language, the languages each person reads, and no more guessed readings.

- `complaints.detected_language`: what the detector said; `language` differs from it when
  an agent set the language. `complaints.language_set_by_id` / `language_set_at`: who set
  it and when (both or neither, a CHECK).
- `users.languages`: the languages a person reads, a JSON list, `[]` (none known) for
  everyone already there.
- `drafts.language`: the language a draft was built in (the complaint's by default, or
  the one the agent chose); NULL for drafts already there (their complaint's).
- Data: until this revision a complaint in a language without analysis rules was read
  with the English rules (`analysis_notes.language_supported` false) and stored with a
  guessed heat, type, category, kind and flags ("low heat · constructive"). Those guesses
  are cleared here (heat, type, category and kind NULL, no flags) and `analyzed_at` is
  set NULL, so that `flask complaints analyze` (or "Analyse again") stores its reading:
  "not read", or a real reading when a rule pack for its language has been added since.
  Its "not supported" mark stays in `analysis_notes` meanwhile, so a reply to it still
  needs sign-off. The downgrade does not bring the guesses back.

SQLite cannot add a table CHECK to an existing table, and a batch copy of `complaints`
cannot re-insert the generated `is_open` (see 0002, 0009): there the CHECK and the
foreign key are the new columns' own, in their ADD COLUMN, and go with them on DROP
COLUMN. PostgreSQL gets a named table CHECK and foreign key, as the model declares.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SET_HAS_TIME = "(language_set_by_id IS NULL) = (language_set_at IS NULL)"

complaints = sa.table(
    "complaints",
    sa.column("id", sa.Integer),
    sa.column("language", sa.String),
    sa.column("detected_language", sa.String),
    sa.column("analysis_notes", sa.JSON),
    sa.column("heat", sa.Float),
    sa.column("heat_label", sa.String),
    sa.column("complainer_type", sa.String),
    sa.column("category", sa.String),
    sa.column("kind", sa.String),
    sa.column("flags", sa.JSON),
    sa.column("analyzed_at", sa.DateTime),
)
complaint_flags = sa.table("complaint_flags", sa.column("complaint_id", sa.Integer))


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(sa.text("ALTER TABLE complaints ADD COLUMN detected_language VARCHAR(16)"))
        op.execute(
            sa.text(
                "ALTER TABLE complaints ADD COLUMN language_set_by_id INTEGER "
                "CONSTRAINT fk_complaints_language_set_by_id_users REFERENCES users (id)"
            )
        )
        op.execute(
            sa.text(
                "ALTER TABLE complaints ADD COLUMN language_set_at DATETIME "
                f"CONSTRAINT ck_complaints_language_set_has_time CHECK ({SET_HAS_TIME})"
            )
        )
    else:
        op.add_column(
            "complaints", sa.Column("detected_language", sa.String(length=16), nullable=True)
        )
        op.add_column("complaints", sa.Column("language_set_by_id", sa.Integer(), nullable=True))
        op.add_column(
            "complaints",
            sa.Column("language_set_at", sa.DateTime(timezone=True), nullable=True),
        )
        op.create_foreign_key(
            op.f("fk_complaints_language_set_by_id_users"),
            "complaints",
            "users",
            ["language_set_by_id"],
            ["id"],
        )
        op.create_check_constraint(
            op.f("ck_complaints_language_set_has_time"), "complaints", SET_HAS_TIME
        )
    op.add_column(
        "users",
        sa.Column("languages", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.add_column("drafts", sa.Column("language", sa.String(length=16), nullable=True))

    op.execute(complaints.update().values(detected_language=complaints.c.language))
    guessed = [
        complaint_id
        for complaint_id, notes in bind.execute(
            sa.select(complaints.c.id, complaints.c.analysis_notes).where(
                complaints.c.analyzed_at.is_not(None)
            )
        )
        if isinstance(notes, dict) and notes.get("language_supported") is False
    ]
    for start in range(0, len(guessed), 500):
        chunk = guessed[start : start + 500]
        bind.execute(complaint_flags.delete().where(complaint_flags.c.complaint_id.in_(chunk)))
        bind.execute(
            complaints.update()
            .where(complaints.c.id.in_(chunk))
            .values(
                heat=None,
                heat_label=None,
                complainer_type=None,
                category=None,
                kind=None,
                flags=[],
                analyzed_at=None,
            )
        )


def downgrade():
    op.drop_column("drafts", "language")
    op.drop_column("users", "languages")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_complaints_language_set_has_time"), "complaints", type_="check")
        op.drop_constraint(
            op.f("fk_complaints_language_set_by_id_users"), "complaints", type_="foreignkey"
        )
    # Plain DROP COLUMN (its CHECK and foreign key go with it on SQLite): no batch copy.
    op.drop_column("complaints", "language_set_at")
    op.drop_column("complaints", "language_set_by_id")
    op.drop_column("complaints", "detected_language")
