"""`klachtbot outbox list|retry`: failed and waiting messages are listed (as a table or JSON)
and sent again on request, with a fresh retry period."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner, Result

from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import OutboxRow

runner = CliRunner(env={"COLUMNS": "250"})
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


async def klachtbot(*args: str) -> Result:
    from bot.cli.main import app

    # The CLI runs its own event loop, so it gets a thread of its own.
    return await asyncio.to_thread(runner.invoke, app, list(args))


@pytest.fixture(autouse=True)
def database(
    database_url: str, sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", database_url)
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)


async def _row(sessions: SessionFactory, key: str, recipient: str, **state: object) -> int:
    async with transaction(sessions) as session:
        row_id = await outbox.enqueue(
            session,
            idempotency_key=key,
            channel="email",
            recipient=recipient,
            template="acknowledge",
            body="Dank u voor uw bericht.",
            meta={"case": "K-2026-000007"},
            due_at=NOW,
            now=NOW,
        )
        if state:
            await session.exec(update(OutboxRow).where(OutboxRow.id == row_id).values(**state))  # type: ignore[arg-type]
    return row_id


@pytest.fixture
async def rows(sessions: SessionFactory) -> dict[str, int]:
    return {
        "failed": await _row(
            sessions,
            "a",
            "weg@example.nl",
            status="failed",
            attempts=1,
            failing_since=NOW,
            last_error="SMTP server refused RCPT TO: weg@example.nl: 550 5.1.1 no such user",
        ),
        "waiting": await _row(
            sessions,
            "b",
            "vol@example.nl",
            attempts=7,
            failing_since=NOW,
            due_at=NOW + timedelta(minutes=30),
            last_error="SMTP connection failed: ConnectionRefusedError",
        ),
        "sent": await _row(sessions, "c", "anna@example.nl", status="sent", sent_at=NOW),
        # Text from outside, shown as it is written, never obeyed by Rich or the terminal.
        "odd": await _row(
            sessions,
            "d",
            "[bold]jan[/bold]@example.nl",
            status="failed",
            last_error="550 \x1b]0;owned\x07 [link=https://evil.test]klik[/link]",
        ),
    }


async def test_list_shows_failed_and_waiting_messages_but_not_sent_ones(
    rows: dict[str, int],
) -> None:
    listed = await klachtbot("outbox", "list")
    assert listed.exit_code == 0, listed.output
    assert "weg@example.nl" in listed.output
    assert "550 5.1.1 no such user" in listed.output
    assert "vol@example.nl" in listed.output
    assert "anna@example.nl" not in listed.output
    assert "[bold]jan[/bold]@example.nl" in listed.output  # markup shown, not applied
    assert "[link=https://evil.test]klik[/link]" in listed.output
    assert "\x1b" not in listed.output
    assert "\x07" not in listed.output

    failed = await klachtbot("outbox", "list", "--failed")
    assert "weg@example.nl" in failed.output
    assert "vol@example.nl" not in failed.output
    pending = await klachtbot("outbox", "list", "--pending")
    assert "vol@example.nl" in pending.output
    assert "weg@example.nl" not in pending.output


async def test_list_as_json(rows: dict[str, int]) -> None:
    listed = await klachtbot("outbox", "list", "--failed", "--json")
    assert listed.exit_code == 0, listed.output
    entries = json.loads(listed.output)
    assert [entry["id"] for entry in entries] == [rows["failed"], rows["odd"]]
    first = entries[0]
    assert (first["status"], first["channel"], first["case"]) == (
        "failed",
        "email",
        "K-2026-000007",
    )
    assert first["recipient"] == "weg@example.nl"
    assert first["failing_since"] == NOW.isoformat()
    assert entries[1]["last_error"].startswith("550 \x1b]0;owned")  # kept, escaped by JSON
    assert "\x1b" not in listed.output


async def test_retry_by_id_sends_again_now_with_a_fresh_period(
    rows: dict[str, int], sessions: SessionFactory
) -> None:
    retried = await klachtbot("outbox", "retry", str(rows["failed"]), str(rows["waiting"]))
    assert retried.exit_code == 0, retried.output
    assert f"{rows['failed']}, {rows['waiting']}" in retried.output
    async with transaction(sessions) as session:
        for key in ("failed", "waiting"):
            row = await session.get(OutboxRow, rows[key])
            assert row is not None
            assert (row.status, row.attempts, row.failing_since) == ("pending", 0, None)
            assert row.due_at <= datetime.now(UTC)
        odd = await session.get(OutboxRow, rows["odd"])
        assert odd is not None
        assert odd.status == "failed"  # not named: left alone


async def test_retry_failed_takes_every_failed_message(
    rows: dict[str, int], sessions: SessionFactory
) -> None:
    retried = await klachtbot("outbox", "retry", "--failed")
    assert retried.exit_code == 0, retried.output
    async with transaction(sessions) as session:
        statuses = {row.id: row.status for row in await outbox.rows(session)}
    assert statuses == {
        rows["failed"]: "pending",
        rows["waiting"]: "pending",
        rows["sent"]: "sent",
        rows["odd"]: "pending",
    }


async def test_retry_refuses_what_cannot_be_sent_again(
    rows: dict[str, int], sessions: SessionFactory
) -> None:
    retried = await klachtbot("outbox", "retry", str(rows["sent"]), "999")
    assert retried.exit_code == 1
    assert f"{rows['sent']}, 999" in retried.output
    async with transaction(sessions) as session:
        sent = await session.get(OutboxRow, rows["sent"])
    assert sent is not None
    assert sent.status == "sent"  # never sent twice by hand

    neither = await klachtbot("outbox", "retry")
    assert neither.exit_code == 2
    both = await klachtbot("outbox", "retry", "--failed", str(rows["failed"]))
    assert both.exit_code == 2
