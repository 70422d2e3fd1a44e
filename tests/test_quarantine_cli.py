"""`klachtbot mail quarantine list|retry`: a kept mail is listed, and retried into the intake
once it can be read."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.cli.main import app
from storage import mail
from storage.db import SessionFactory, transaction
from storage.models import Case, Message, QuarantinedMail

runner = CliRunner(env={"COLUMNS": "200"})


async def klachtbot(*args: str) -> Result:
    # The CLI runs its own event loop, so it gets a thread of its own.
    return await asyncio.to_thread(runner.invoke, app, list(args))


READABLE = (
    b"From: Anna <anna@outside.test>\r\nTo: klachten@lab.test\r\nSubject: Lekkage\r\n"
    b"Message-ID: <q1@outside.test>\r\n\r\nDe kraan lekt al twee weken en niemand komt.\r\n"
)


@pytest.fixture(autouse=True)
def database(
    database_url: str, sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", database_url)
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)


async def keep(sessions: SessionFactory, raw: bytes) -> int:
    async with transaction(sessions) as session:
        row = await mail.quarantine(
            session,
            channel="email",
            source="imap:1:7",
            error="empty message",
            raw=raw,
            now=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        )
    assert row.id is not None
    return row.id


async def test_list_and_a_retry_that_still_fails(sessions: SessionFactory) -> None:
    kept = await keep(sessions, b"")
    listed = await klachtbot("mail", "quarantine", "list")
    assert listed.exit_code == 0, listed.output
    assert "imap:1:7" in listed.output
    assert "empty message" in listed.output

    retried = await klachtbot("mail", "quarantine", "retry", str(kept))
    assert retried.exit_code == 1
    assert "still cannot be read" in retried.output
    async with transaction(sessions) as session:
        row = await session.get(QuarantinedMail, kept)
    assert row is not None
    assert row.retried_at is not None


async def test_a_mail_that_can_be_read_now_joins_the_intake(sessions: SessionFactory) -> None:
    kept = await keep(sessions, READABLE)
    retried = await klachtbot("mail", "quarantine", "retry", str(kept))
    assert retried.exit_code == 0, retried.output
    async with transaction(sessions) as session:
        assert await session.get(QuarantinedMail, kept) is None
        stored = (await session.exec(select(Message))).one()
        case = (await session.exec(select(Case))).one()
    assert stored.external_id == "<q1@outside.test>"
    assert stored.case_id == case.id
    assert "De kraan lekt" in stored.text
    assert (await klachtbot("mail", "quarantine", "retry", "999")).exit_code == 1
