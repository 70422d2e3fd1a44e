"""A bot process for the crash tests: it stops at a chosen point and waits to be killed.

python -m tests.crash_harness DATABASE_URL after-store|mid-send
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from bot.app import App
from bot.settings import Settings
from channels.base import CustomerPaused, DeliveryResult, InboundMessage, OutboundMessage
from tests.support import RecordingChannel


class HangingChannel(RecordingChannel):
    """Announces a send, then never finishes it: the process dies mid-flight."""

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        print("SENDING", flush=True)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def main(database_url: str, mode: str) -> None:
    now = datetime.now(UTC)
    first = InboundMessage(
        channel="test",
        external_id="1",
        sender="anna",
        text="Mijn rekening is te hoog.",
        received_at=now,
    )
    channel = HangingChannel()
    settings = Settings.model_validate({"database": {"url": database_url}})
    async with App(settings, [channel]) as app:
        if mode == "after-store":
            await app.intake.store(first)
            print("STORED", flush=True)
            await asyncio.Event().wait()
        channel.inbox = [first, CustomerPaused(channel="test", sender="anna", at=now)]
        await app.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
