"""A whole intake through the wired app, for the follow-up tests."""

from __future__ import annotations

from typing import Any

from bot.config.settings import Settings
from bot.runtime.app import App
from channels.base import CustomerPaused, InboundEvent, InboundMessage
from tests.support import RecordingChannel, SteppedClock

# A billing complaint that reaches the agreement: the story, then the answers to the
# outcome, name and contact questions and "yes" to the summary. Without email set up there
# is no email offer: the agreement, the closing and the confirmation follow at once.
COMPLAINT = (
    "My invoice 2026-118 charges me 240 euro instead of 120 euro.",
    "~pause",
    "A corrected invoice please.",
    "Anna de Vries",
    "no idea",
    "yes",
)


def settings_for(database_url: str, **sections: Any) -> Settings:
    return Settings.model_validate({"database": {"url": database_url}, **sections})


def conversation(
    clock: SteppedClock, lines: tuple[str, ...], *, sender: str = "anna", prefix: str = "m"
) -> list[InboundEvent]:
    events: list[InboundEvent] = []
    for number, line in enumerate(lines):
        if line == "~pause":
            events.append(CustomerPaused(channel="test", sender=sender, at=clock()))
        else:
            events.append(
                InboundMessage(
                    channel="test",
                    external_id=f"{prefix}{number}",
                    sender=sender,
                    text=line,
                    received_at=clock(),
                )
            )
    return events


async def tell(
    app: App, channel: RecordingChannel, clock: SteppedClock, lines: tuple[str, ...], **kw: Any
) -> None:
    """Feed lines to a running-until-done app; each call is one stretch of the chat."""
    channel.inbox = conversation(clock, lines, **kw)
    await app.run(stop_when_intake_ends=True)
    app._stop.clear()  # the same app may be run again for the next stretch
