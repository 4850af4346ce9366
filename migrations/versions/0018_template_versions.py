"""The template library edited in the app (issue 19): `template_versions`, one row per
saved version of one reply variant (the files in response_templates/ stay the defaults).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("part", sa.String(length=32), nullable=False),
        sa.Column("variant_id", sa.String(length=100), nullable=False),
        sa.Column("market", sa.String(length=32), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_template_versions_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_versions")),
        sa.UniqueConstraint(
            "variant_id", "number", name=op.f("uq_template_versions_variant_id_number")
        ),
    )
    op.create_index(
        op.f("ix_template_versions_variant_id"), "template_versions", ["variant_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_template_versions_variant_id"), table_name="template_versions")
    op.drop_table("template_versions")
