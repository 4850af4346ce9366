"""Notifications by e-mail too: when each was e-mailed and why it was not; unread first.

- `notifications.emailed_at` / `email_error`: `flask outbox run` sends e-mail copies when
  SMTP is configured and records the outcome on the row.
- `ix_notifications_user_unread`: the unread count in every page's header.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:48:08
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("email_error", sa.String(length=500), nullable=True))
        batch_op.create_index("ix_notifications_user_unread", ["user_id", "read_at"], unique=False)


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_unread")
        batch_op.drop_column("email_error")
        batch_op.drop_column("emailed_at")
