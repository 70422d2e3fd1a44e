"""inbound messages are the same only with the same id, sender and content; the daily
digest of mail kept without a case; the unread `bouncing` flag goes

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "content_hash",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("digested_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint("uq_message_channel_external", type_="unique")
        batch_op.create_unique_constraint(
            "uq_message_channel_external_sender_content",
            ["channel", "external_id", "sender", "content_hash"],
        )
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.drop_column("bouncing")


def downgrade() -> None:
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("bouncing", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Messages that only differ by sender or content cannot go back under the old key.
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint("uq_message_channel_external_sender_content", type_="unique")
        batch_op.create_unique_constraint("uq_message_channel_external", ["channel", "external_id"])
        batch_op.drop_column("digested_at")
        batch_op.drop_column("content_hash")
