"""The case list's text search through the search index (storage/search.py, migration 0013):
it finds what `ILIKE '%…%'` over every message found, and keeps step with messages that
change or go."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from bot.privacy.requests import erase
from bot.web.caselist import Filters, case_rows
from storage import repo
from storage.db import SessionFactory, session_factory, transaction
from storage.models import Case, Customer, Message
from storage.search import TRIGRAM_INDEXES, indexed_message_ids, prefers_indexes

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Amsterdam")
TEXTS = {
    "K-2026-000001": ("Goedemiddag.", "Er is LEKKAGE in de badkamer.", "Dank u."),
    "K-2026-000002": ('De monteur zei "nee" en ging weg.',),
    "K-2026-000003": ("De rekening was 1000 euro, een_fout.",),
    "K-2026-000004": ("Het dak in Zoë's kamer is kapot.",),
}


@pytest.fixture
async def sessions(engine: AsyncEngine) -> SessionFactory:
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        for number, texts in TEXTS.items():
            customer = Customer(name=f"Klant {number[-1]}", created_at=NOW)
            session.add(customer)
            await session.flush()
            assert customer.id is not None
            case = Case(
                number=number,
                customer_id=customer.id,
                channel="console",
                status="handed_off",
                received_at=NOW,
            )
            session.add(case)
            await session.flush()
            for index, said in enumerate(texts):
                session.add(
                    Message(
                        case_id=case.id,
                        customer_id=customer.id,
                        direction="in",
                        channel="console",
                        external_id=f"{number}-{index}",
                        sender="klant",
                        text=said,
                        created_at=NOW,
                    )
                )
    return sessions


async def found(sessions: SessionFactory, search: str) -> set[str]:
    async with transaction(sessions) as session:
        rows = await case_rows(session, Filters(search=search), handler_id=0, now=NOW, tz=TZ)
    return {row.number for row in rows}


async def test_text_is_found_in_any_message_whatever_its_case(sessions: SessionFactory) -> None:
    assert await found(sessions, "lekkage") == {"K-2026-000001"}  # not the last message
    assert await found(sessions, "Badkamer.") == {"K-2026-000001"}
    assert await found(sessions, "in de") == {"K-2026-000001"}  # spaces are characters too
    assert await found(sessions, "kapot") == {"K-2026-000004"}
    assert await found(sessions, "zoë's") == {"K-2026-000004"}
    assert await found(sessions, "riolering") == set()
    assert await found(sessions, "2026-000003") == {"K-2026-000003"}  # part of a number
    assert await found(sessions, "k-2026-00000") == set(TEXTS)


async def test_quotes_and_wildcards_are_characters_to_find(sessions: SessionFactory) -> None:
    assert await found(sessions, 'zei "nee"') == {"K-2026-000002"}
    assert await found(sessions, '"nee" en') == {"K-2026-000002"}
    assert await found(sessions, '"') == {"K-2026-000002"}
    assert await found(sessions, "100%") == set()
    assert await found(sessions, "een_fout") == {"K-2026-000003"}
    assert await found(sessions, "een%fout") == set()


async def test_a_search_shorter_than_a_trigram_still_finds(sessions: SessionFactory) -> None:
    assert await found(sessions, "ë") == {"K-2026-000004"}
    assert await found(sessions, "aP") == {"K-2026-000004"}


async def test_changed_and_removed_messages_are_found_as_they_are_now(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        # As an erasure empties a message (bot/privacy/erasure.py).
        await session.exec(
            update(Message)
            .where(col(Message.text) == "Er is LEKKAGE in de badkamer.")
            .values(text="")
        )
        await session.exec(
            update(Message)
            .where(col(Message.text).startswith("Het dak"))
            .values(text="Nu de gang.")
        )
        await session.exec(delete(Message).where(col(Message.text).startswith("De monteur")))
    assert await found(sessions, "lekkage") == set()
    assert await found(sessions, "het dak") == set()
    assert await found(sessions, "de gang") == {"K-2026-000004"}
    assert await found(sessions, "monteur") == set()
    assert await found(sessions, "1000 euro") == {"K-2026-000003"}  # untouched


async def test_the_index_serves_the_search(sessions: SessionFactory, engine: AsyncEngine) -> None:
    """The planner reaches the messages through the index, not by reading them all (on
    PostgreSQL once told that a scan of the whole table costs too much, as it does with
    many messages)."""
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = await connection.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT rowid FROM messages_search"
                    " WHERE messages_search MATCH '\"lekkage\"'"
                )
            )
            assert any("VIRTUAL TABLE INDEX" in str(row[-1]) for row in plan)
            count = await connection.execute(select(text("count(*) FROM messages_search")))
            assert count.scalar_one() == sum(len(texts) for texts in TEXTS.values())
        else:
            await connection.execute(text("SET enable_seqscan = off"))
            plan = await connection.execute(
                text("EXPLAIN SELECT case_id FROM messages WHERE text ILIKE '%lekkage%'")
            )
            assert any("ix_messages_text_trgm" in row[0] for row in plan)
            names = await connection.execute(
                text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trgm'")
            )
            assert set(names.scalars()) == set(TRIGRAM_INDEXES)


def test_sqlite_searches_of_three_characters_or_more_go_through_the_index() -> None:
    assert indexed_message_ids("sqlite", "lekkage") is not None
    assert indexed_message_ids("sqlite", "aP") is None  # too short for a trigram
    assert indexed_message_ids("postgresql", "lekkage") is None  # ILIKE uses pg_trgm


async def test_preferring_indexes_ends_with_the_search(
    sessions: SessionFactory, engine: AsyncEngine
) -> None:
    assert prefers_indexes(engine.dialect.name, "lekkage") == (engine.dialect.name != "sqlite")
    assert not prefers_indexes(engine.dialect.name, "aP")  # no trigram to look up
    assert await found(sessions, "lekkage") == {"K-2026-000001"}
    if engine.dialect.name == "postgresql":
        async with transaction(sessions) as session:
            setting = await session.exec(text("SHOW enable_seqscan"))  # type: ignore[call-overload]
            assert setting.scalar_one() == "on"


# PostgreSQL's index entries go with the old row versions (vacuum): nothing of its own to test.
@pytest.mark.sqlite_only
async def test_an_erased_text_leaves_no_trigram_in_the_sqlite_index(
    sessions: SessionFactory, engine: AsyncEngine
) -> None:
    assert engine.dialect.name == "sqlite"
    # Trigrams of a name nobody else has, as the index's segments store them.
    trigrams = (b"jxv", b"xvb", b"vbk")

    async def index_bytes() -> bytes:
        async with engine.connect() as connection:
            blocks = await connection.execute(text("SELECT block FROM messages_search_data"))
            return b"".join(bytes(block or b"") for (block,) in blocks)

    async with transaction(sessions) as session:
        case = await repo.case_by_number(session, number="K-2026-000002")
        assert case is not None
        session.add(
            Message(
                case_id=case.id,
                customer_id=case.customer_id,
                direction="in",
                channel="console",
                external_id="qjxvbk",
                sender="klant",
                text="Mevrouw Qjxvbk belde gisteren.",
                created_at=NOW,
            )
        )
    async with transaction(sessions) as session:  # a later change flushes the first to disk
        await session.exec(
            update(Message)
            .where(col(Message.external_id) == "K-2026-000001-0")
            .values(text="Hallo.")
        )
    before = await index_bytes()
    assert all(trigram in before for trigram in trigrams)

    async with transaction(sessions) as session:
        await erase(session, case.customer_id, key=b"k" * 32, by="test", now=NOW)
    after = await index_bytes()
    assert not any(trigram in after for trigram in trigrams)
    assert await found(sessions, "belde") == set()
