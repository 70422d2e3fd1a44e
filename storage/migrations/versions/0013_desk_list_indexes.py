"""the desk's case list: indexes for a handler's own cases, a case's newest message and a
customer's first identity, and text search by index

Revision ID: 0013
Revises: 0012
"""

import logging

import sqlalchemy as sa
from alembic import op

from storage import search

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "Mine" and "unassigned", newest first, without reading every case. A case's newest
    # message and a customer's first identity, each found at once in an index that holds
    # them in order (and replaces the one on the first column alone).
    op.create_index("ix_cases_handler_id_id", "cases", ["handler_id", "id"])
    op.create_index("ix_messages_case_id_id", "messages", ["case_id", "id"])
    op.drop_index("ix_messages_case_id", table_name="messages")
    op.create_index(
        "ix_channel_identities_customer_id_id", "channel_identities", ["customer_id", "id"]
    )
    op.drop_index("ix_channel_identities_customer_id", table_name="channel_identities")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(search.SQLITE_TABLE)
        op.execute(f"INSERT INTO {search.TABLE} ({search.TABLE}) VALUES ('rebuild')")
        for trigger in search.SQLITE_TRIGGERS:
            op.execute(trigger)
    elif bind.dialect.name == "postgresql":
        try:
            # A trusted extension (PostgreSQL 13 and later): the database's owner may add
            # it. Where it cannot be added, search reads every message, as before.
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError as exc:
            logging.getLogger(__name__).warning(
                "pg_trgm could not be added (%s): the desk's text search reads every message;"
                " docs/operations.md (Upgrades and migrations) says how to add it later",
                exc.orig,
            )
            return
        for name, (table, column) in search.TRIGRAM_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {search.TABLE}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {search.TABLE}")
    elif bind.dialect.name == "postgresql":
        for name in search.TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.create_index("ix_channel_identities_customer_id", "channel_identities", ["customer_id"])
    op.drop_index("ix_channel_identities_customer_id_id", table_name="channel_identities")
    op.create_index("ix_messages_case_id", "messages", ["case_id"])
    op.drop_index("ix_messages_case_id_id", table_name="messages")
    op.drop_index("ix_cases_handler_id_id", table_name="cases")
