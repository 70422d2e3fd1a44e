import logging
import uuid
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from storage import search
from storage.db import create_engine, current_revision, upgrade


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    def differences(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(
            connection, opts={"include_object": search.in_the_models}
        )
        return compare_metadata(context, SQLModel.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    assert await current_revision(engine) is not None


async def test_upgrade_twice_is_harmless(engine: AsyncEngine) -> None:
    before = await current_revision(engine)
    await upgrade(engine)
    assert await current_revision(engine) == before


async def test_messages_stored_before_the_email_columns_survive_the_upgrade(
    unmigrated_database_url: str,
) -> None:
    engine = create_engine(unmigrated_database_url)
    try:
        await upgrade(engine, "0001")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO messages"
                    " (direction, channel, external_id, sender, text, created_at)"
                    " VALUES ('in', 'console', 'x1', 'anna', 'hallo', :at)"
                ),
                {"at": datetime(2026, 11, 24, 10, 0)},
            )
        await upgrade(engine)
        async with engine.connect() as connection:
            thread = (await connection.execute(text("SELECT thread FROM messages"))).scalar_one()
        assert thread in ("[]", [])  # JSON text on SQLite, decoded on PostgreSQL
    finally:
        await engine.dispose()


async def test_cases_handed_off_as_emergencies_are_urgent_after_the_upgrade(
    unmigrated_database_url: str,
) -> None:
    engine = create_engine(unmigrated_database_url)
    at = {"at": datetime(2026, 11, 24, 10, 0)}
    try:
        await upgrade(engine, "0013")
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO customers (id, created_at) VALUES (1, :at)"), at
            )
            for intent in ("emergency", "complaint"):
                await connection.execute(
                    text(
                        "INSERT INTO cases (customer_id, channel, status, intent, language,"
                        " anger, dialogue_state, received_at, legal_hold)"
                        " VALUES (1, 'console', 'handed_off', :intent, 'nl', 0, '{}', :at, FALSE)"
                    ),
                    {**at, "intent": intent},
                )
        await upgrade(engine)
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT intent, urgent FROM cases"))
            assert {intent: bool(urgent) for intent, urgent in rows} == {
                "emergency": True,
                "complaint": False,
            }
    finally:
        await engine.dispose()


@pytest.mark.postgres_only
async def test_without_pg_trgm_the_upgrade_warns_and_search_reads_every_message(
    unmigrated_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A user who may create tables but not add extensions (no CREATE on the database):
    migration 0013 goes through without the trigram indexes and says so."""
    role = f"klachtbot_limited_{uuid.uuid4().hex[:8]}"
    admin = create_engine(unmigrated_database_url)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            await connection.execute(text(f'GRANT USAGE, CREATE ON SCHEMA public TO "{role}"'))
        limited = create_engine(
            make_url(unmigrated_database_url)
            .set(username=role)
            .render_as_string(hide_password=False)
        )
        try:
            with caplog.at_level(logging.WARNING):
                await upgrade(limited)
            assert await current_revision(limited) == "0014"
            async with limited.connect() as connection:
                names = await connection.execute(
                    text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trgm'")
                )
                assert list(names.scalars()) == []
        finally:
            await limited.dispose()
        assert "pg_trgm could not be added" in caplog.text
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER'))
            await connection.execute(text(f'DROP OWNED BY "{role}"'))
            await connection.execute(text(f'DROP ROLE "{role}"'))
        await admin.dispose()
