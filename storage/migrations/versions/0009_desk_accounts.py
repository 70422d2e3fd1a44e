"""The web desk: handler passwords and server-side login sessions

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handler_passwords",
        sa.Column("handler_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("set_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["handler_id"], ["handlers.id"]),
        sa.PrimaryKeyConstraint("handler_id"),
    )
    op.create_table(
        "desk_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["handler_id"], ["handlers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(
        op.f("ix_desk_sessions_handler_id"), "desk_sessions", ["handler_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_desk_sessions_handler_id", table_name="desk_sessions")
    op.drop_table("desk_sessions")
    op.drop_table("handler_passwords")
