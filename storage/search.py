"""Finding a piece of text in every customer message without reading every message.

`LIKE '%word%'` can use no ordinary index, so the desk's text search (bot/web/caselist.py)
read all messages for each search. Migration 0013 adds an index that can:

- SQLite: `messages_search`, an FTS5 table with the trigram tokenizer over `messages.text`
  (external content: it keeps the index, the text stays in `messages`), kept in step by the
  triggers below. A quoted phrase matches wherever its characters occur in a row, as
  `LIKE '%…%'` does, case-insensitively.
- PostgreSQL: pg_trgm's GIN indexes (on the message text, the customer's name, an identity's
  address and display name), which serve `ILIKE '%…%'` as it is written.

Both need a search of at least three characters to use the index; a shorter one reads the
messages whole, as before. On SQLite, a migration that rebuilds `messages` (a batch
migration) drops its triggers: run `SQLITE_TRIGGERS` again after it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, column, select, table, text
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import core

TABLE = "messages_search"
MIN_CHARS = 3

SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5"
    "(text, content='messages', content_rowid='id', tokenize='trigram')"
)
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON messages BEGIN"
    f" INSERT INTO {TABLE} (rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON messages BEGIN"
    f" INSERT INTO {TABLE} ({TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF text ON messages BEGIN"
    f" INSERT INTO {TABLE} ({TABLE}, rowid, text) VALUES ('delete', old.id, old.text);"
    f" INSERT INTO {TABLE} (rowid, text) VALUES (new.id, new.text); END",
)
# PostgreSQL: index name -> (table, column).
TRIGRAM_INDEXES = {
    "ix_messages_text_trgm": ("messages", "text"),
    "ix_customers_name_trgm": ("customers", "name"),
    "ix_channel_identities_address_trgm": ("channel_identities", "address"),
    "ix_channel_identities_display_name_trgm": ("channel_identities", "display_name"),
}

# PostgreSQL costs each row's ILIKE like an equality, so a scan of every message looks
# cheaper to it than the trigram index (it chose the scan at 30,000 messages, 84 ms against
# the index's 16 ms). For one search it is told that scans cost more; SET LOCAL ends with
# the transaction.
POSTGRES_PREFER_INDEXES = "SET LOCAL enable_seqscan = off"

_fts = table(TABLE, column("rowid"), column(TABLE))
SQLITE_MERGE_SEGMENTS = f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')"


def prefers_indexes(dialect: str, text: str) -> bool:
    """Whether PostgreSQL needs `POSTGRES_PREFER_INDEXES` to search `text` by index."""
    return dialect == "postgresql" and len(text) >= MIN_CHARS


def indexed_message_ids(dialect: str, text: str) -> Select[Any] | None:
    """The ids of the messages whose text contains `text`, found through the SQLite index;
    None where a plain `ILIKE` is the way (PostgreSQL's index serves it; a search too
    short for trigrams)."""
    if dialect != "sqlite" or len(text) < MIN_CHARS:
        return None
    phrase = '"' + text.replace('"', '""') + '"'  # inside quotes every character is itself
    matches: ColumnElement[bool] = _fts.c[TABLE].match(phrase)
    return select(_fts.c.rowid).where(matches)


def in_the_models(
    item: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's `include_object`: the search index is made by migration 0013 alone (the
    models cannot describe an FTS5 table or an index with an operator class on one
    dialect), so comparing the models with the database leaves it out."""
    if type_ == "table":
        return not (name or "").startswith(TABLE)
    if type_ == "index":
        return name not in TRIGRAM_INDEXES
    return True


async def forget_erased_text(session: AsyncSession) -> None:
    """After texts are erased. SQLite's index marks a removed text as deleted but keeps its
    trigrams in the older segments until those are merged; merging them now leaves nothing of
    the erased text in the index. (PostgreSQL's index entries go with the old row versions.)"""
    connection = await core(session)
    if connection.dialect.name == "sqlite":
        await connection.execute(text(SQLITE_MERGE_SEGMENTS))
