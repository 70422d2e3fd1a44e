"""follow-ups after resolution (execution check, survey, closing); deadline warnings

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("overall", sa.Integer(), nullable=True),
        sa.Column("listened", sa.Integer(), nullable=True),
        sa.Column("informed", sa.Integer(), nullable=True),
        sa.Column("resolved", sa.Integer(), nullable=True),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_followups_case_id", "followups", ["case_id"], unique=False)
    op.create_index("ix_followups_status_due", "followups", ["status", "due_at"], unique=False)
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(
            sa.Column("warned_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("escalated_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("agreements") as batch:
        batch.drop_column("escalated_at")
        batch.drop_column("warned_at")
    op.drop_index("ix_followups_status_due", table_name="followups")
    op.drop_index("ix_followups_case_id", table_name="followups")
    op.drop_table("followups")
