"""Kill the bot process (SIGKILL) between storing a message and sending its reply; the
next start sends that reply exactly once."""

import asyncio
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.settings import Settings
from channels.base import CustomerPaused
from storage import outbox
from storage.db import SessionFactory, transaction
from tests.support import RecordingChannel, SteppedClock

ROOT = Path(__file__).resolve().parent.parent


async def run_until_killed(database_url: str, mode: str, signal_line: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.crash_harness",
        database_url,
        mode,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(30):
            while (line := await process.stdout.readline()) != b"":
                if line.decode().strip() == signal_line:
                    break
            else:
                assert process.stderr is not None
                raise AssertionError((await process.stderr.read()).decode())
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    ("mode", "signal_line"), [("after-store", "STORED"), ("mid-send", "SENDING")]
)
async def test_reply_is_sent_exactly_once_after_a_kill(
    database_url: str, sessions: SessionFactory, mode: str, signal_line: str
) -> None:
    await run_until_killed(database_url, mode, signal_line)

    settings = Settings.model_validate({"database": {"url": database_url}})
    # Restart later than the dead worker's lease, so a half-sent row is taken over.
    clock = SteppedClock(datetime.now(UTC) + timedelta(seconds=settings.outbox.lease_seconds + 1))
    channel = RecordingChannel()
    channel.inbox = [CustomerPaused(channel="test", sender="anna", at=clock())]
    async with App(settings, [channel], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
        await app.intake.wake_due()
        await app.dispatcher.drain()
    assert [m.template for m in channel.sent] == ["acknowledge", "question"]

    again = RecordingChannel()
    clock.advance(hours=1)
    async with App(settings, [again], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
    assert again.sent == []
    async with transaction(sessions) as session:
        assert [row.status for row in await outbox.rows(session)] == ["sent", "sent"]
