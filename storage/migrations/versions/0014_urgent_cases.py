"""a case handed off as an emergency is marked urgent apart from its intent, so a complaint that
reports a danger keeps its intent and category and is still handled as an emergency

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Until now only an emergency's intent marked a case urgent.
    op.execute(sa.text("UPDATE cases SET urgent = TRUE WHERE intent = 'emergency'"))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("urgent")
