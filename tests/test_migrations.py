from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
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
