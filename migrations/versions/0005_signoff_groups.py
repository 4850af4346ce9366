"""Sign-off groups as memberships, one person per group, and access changes a second admin
confirms (issue 13).

- `signoff_groups`: legal and PR to start with; admins add more. `group_memberships`: who
  belongs to which. Everyone who already has the sign-off role joins both built-in groups,
  so a team keeps signing off as before; an admin then narrows it.
- `signoffs.group`: was a VARCHAR limited by a CHECK to 'legal'/'pr'; now a foreign key to
  `signoff_groups.key`. SQLite needs a batch copy of `signoffs` for that (its constraints
  cannot be altered in place); the copy keeps the table's other constraints.
- `uq_signoffs_live_per_signer`: one live sign-off per person and revision, so nobody
  signs for two groups (an edit voids sign-offs, so after it they sign again).
- `access_changes`: roles or groups that would let someone approve or sign off, waiting for
  a second admin; one pending request per person.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 07:05:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BUILT_IN = (("legal", "Legal"), ("pr", "PR"))


def upgrade():
    groups = op.create_table(
        "signoff_groups",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(key) BETWEEN 2 AND 40 AND key = lower(key) AND key <> 'none'",
            name=op.f("ck_signoff_groups_key_shape"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_signoff_groups")),
    )
    op.bulk_insert(
        groups,
        [
            {"key": key, "name": name, "created_at": datetime(2026, 12, 7, tzinfo=UTC)}
            for key, name in BUILT_IN
        ],
    )
    op.create_table(
        "group_memberships",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_key"],
            ["signoff_groups.key"],
            name=op.f("fk_group_memberships_group_key_signoff_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_group_memberships_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "group_key", name=op.f("pk_group_memberships")),
    )
    op.execute(
        "INSERT INTO group_memberships (user_id, group_key) "
        "SELECT user_roles.user_id, signoff_groups.key FROM user_roles, signoff_groups "
        "WHERE user_roles.role = 'signoff'"
    )

    with op.batch_alter_table("signoffs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_signoffs_signoff_group"), type_="check")
        batch_op.alter_column("group", type_=sa.String(length=40), existing_nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_signoffs_group_signoff_groups"), "signoff_groups", ["group"], ["key"]
        )
        batch_op.create_index(
            "uq_signoffs_live_per_signer",
            ["revision_id", "signer_id"],
            unique=True,
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )

    op.create_table(
        "access_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("add_roles", sa.JSON(), nullable=False),
        sa.Column("add_groups", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "confirmed",
                "rejected",
                "cancelled",
                name="access_change_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)",
            name=op.f("ck_access_changes_decided_has_time"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'cancelled') OR decided_by_id <> requested_by_id",
            name=op.f("ck_access_changes_second_admin"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_access_changes_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_access_changes_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_access_changes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_changes")),
    )
    with op.batch_alter_table("access_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_changes_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_access_changes_pending_per_user",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade():
    op.drop_table("access_changes")
    with op.batch_alter_table("signoffs", schema=None) as batch_op:
        batch_op.drop_index("uq_signoffs_live_per_signer")
        batch_op.drop_constraint("fk_signoffs_group_signoff_groups", type_="foreignkey")
        batch_op.alter_column(
            "group",
            type_=sa.Enum(
                "legal", "pr", name="signoff_group", native_enum=False, create_constraint=True
            ),
            existing_type=sa.String(length=40),
            existing_nullable=False,
        )
    op.drop_table("group_memberships")
    op.drop_table("signoff_groups")
