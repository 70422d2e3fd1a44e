"""Messages a web page hands to the bot, each page waiting until its message is stored:
only then may it tell the customer the message arrived (the form's receipt, the chat's tick).
Shared by the channels whose wire is the bot's own web server (webform, webchat)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from channels.base import InboundEvent, InboundMessage


class HandOff:
    def __init__(self, size: int) -> None:
        """`size`: messages that may wait to be stored; past it `hand_in` raises QueueFull."""
        self._waiting: asyncio.Queue[InboundMessage | None] = asyncio.Queue(size)
        self._stored: dict[str, asyncio.Future[None]] = {}

    async def hand_in(self, message: InboundMessage) -> None:
        """Returns once `message` is stored; raises `asyncio.QueueFull` when too many wait
        already, and `asyncio.CancelledError` when the bot stops first."""
        stored = asyncio.get_running_loop().create_future()
        self._stored[message.external_id] = stored
        try:
            self._waiting.put_nowait(message)
            await stored
        finally:
            self._stored.pop(message.external_id, None)

    def stored(self, message: InboundMessage) -> None:
        waiting = self._stored.get(message.external_id)
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    async def events(self) -> AsyncIterator[InboundEvent]:
        while (message := await self._waiting.get()) is not None:
            yield message

    def close(self) -> None:
        if not self._waiting.full():  # else the bot cancels the reader itself
            self._waiting.put_nowait(None)
        for waiting in self._stored.values():
            if not waiting.done():
                waiting.cancel()
