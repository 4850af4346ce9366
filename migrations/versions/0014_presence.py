"""Who is here (issue 18): `presence`, one row per person and open draft or complaint,
refreshed by the page's heartbeat. Nothing in it outlives a minute or two; the downgrade
simply drops it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 21:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(draft_id IS NULL) <> (complaint_id IS NULL)",
            name=op.f("ck_presence_one_thing_open"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_presence_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_presence_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_presence_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence")),
        sa.UniqueConstraint("user_id", "draft_id", name=op.f("uq_presence_user_id_draft_id")),
        sa.UniqueConstraint(
            "user_id", "complaint_id", name=op.f("uq_presence_user_id_complaint_id")
        ),
    )
    op.create_index(op.f("ix_presence_last_seen"), "presence", ["last_seen"])
    op.create_index("ix_presence_draft_id", "presence", ["draft_id"])
    op.create_index("ix_presence_complaint_id", "presence", ["complaint_id"])


def downgrade() -> None:
    op.drop_index("ix_presence_complaint_id", table_name="presence")
    op.drop_index("ix_presence_draft_id", table_name="presence")
    op.drop_index(op.f("ix_presence_last_seen"), table_name="presence")
    op.drop_table("presence")
