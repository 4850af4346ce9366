"""Working copies (issue 18, "never lose work"): `draft_working_copies`, the text a person
is writing in the editor, saved as they type. Not a revision: nothing in the workflow reads
it. One per draft and person.

Nothing in it is a record anyone relies on (a revision is); the downgrade drops it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_working_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("base_revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "base_revision >= 1", name=op.f("ck_draft_working_copies_base_revision_positive")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_draft_working_copies_draft_id_drafts")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_draft_working_copies_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_working_copies")),
        sa.UniqueConstraint(
            "draft_id", "user_id", name=op.f("uq_draft_working_copies_draft_id_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("draft_working_copies")
