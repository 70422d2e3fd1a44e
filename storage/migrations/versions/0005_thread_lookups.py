"""index outbox.external_id: a reply to our mail finds its case without a table scan

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_outbox_external_id"), "outbox", ["external_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_external_id"), table_name="outbox")
