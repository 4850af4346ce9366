"""How each channel counts a reply's length (issue 14).

`channels.length_counting`: "characters" (every character once) or "x_weighted" (X's
weighting: a link as 23, emoji and CJK twice), with a CHECK on the two values. X is set to
"x_weighted", every other channel to "characters": what the code assumed by the channel's
key until now. `channels` is small; on SQLite the CHECK goes in through a batch copy.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 11:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "length_counting",
                sa.Enum(
                    "characters",
                    "x_weighted",
                    name="length_counting",
                    native_enum=False,
                    create_constraint=True,
                    length=10,
                ),
                nullable=False,
                server_default="characters",
            )
        )
    op.execute(sa.text("UPDATE channels SET length_counting = 'x_weighted' WHERE key = 'x'"))
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.alter_column("length_counting", server_default=None)


def downgrade():
    # The enum CHECK goes first: SQLite's batch copy would keep it and miss the column.
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_channels_length_counting"), type_="check")
        batch_op.drop_column("length_counting")
