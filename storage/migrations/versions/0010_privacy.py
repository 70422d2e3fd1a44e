"""privacy: a legal hold on a case, when it was anonymised, and the keyed hashes of erased
messages (so a mailbox cannot hand them to the intake again)

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("hold_reason", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("anonymised_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "erased_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("erased_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )


def downgrade() -> None:
    op.drop_table("erased_messages")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("hold_reason")
        batch_op.drop_column("legal_hold")
