"""The web chat as a channel: a visitor's messages come in over a WebSocket of the bot's
own web server (bot/web/chat.py); the bot's answers go to every open connection of that
visitor. A visitor with no page open misses nothing: the page replays what was sent since
the last message it saw, from the outbox, when it connects again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from channels.base import (
    ChannelTraits,
    DeliveryResult,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
)
from channels.handoff import HandOff

# A typed chat: a pause ends a burst; choices are buttons on the page.
TRAITS = ChannelTraits(buttons=True)
QUEUE_SIZE = 500
# Messages one connection may have waiting to go out; a stalled page is dropped, and
# catches up from the outbox when it reconnects.
CONNECTION_BACKLOG = 100

Outgoing = dict[str, Any]


class WebChatChannel:
    name = "webchat"
    traits = TRAITS

    def __init__(self) -> None:
        self._said = HandOff(QUEUE_SIZE)
        self._pages: dict[str, set[asyncio.Queue[Outgoing]]] = {}

    async def start(self) -> None:
        """Nothing to open: the page connections come and go with the web server."""

    async def stop(self) -> None:
        self._said.close()

    def inbound(self) -> AsyncIterator[InboundEvent]:
        return self._said.events()

    async def say(self, message: InboundMessage) -> None:
        """Returns once `message` is stored (see `HandOff.hand_in`)."""
        await self._said.hand_in(message)

    async def acknowledge(self, message: InboundMessage) -> None:
        self._said.stored(message)

    def open_page(self, visitor: str) -> asyncio.Queue[Outgoing]:
        """A connection of `visitor`'s: what the bot sends them from now on arrives here."""
        page: asyncio.Queue[Outgoing] = asyncio.Queue(CONNECTION_BACKLOG)
        self._pages.setdefault(visitor, set()).add(page)
        return page

    def close_page(self, visitor: str, page: asyncio.Queue[Outgoing]) -> None:
        pages = self._pages.get(visitor, set())
        pages.discard(page)
        if not pages:
            self._pages.pop(visitor, None)

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        # Sent once it is in the outbox: a page that is closed now replays it later.
        self.show(message.recipient, bot_line(message.outbox_id, message.text, message.meta))
        return DeliveryResult.sent(f"webchat:{message.outbox_id}")

    def show(self, visitor: str, line: Outgoing) -> None:
        """`line` on every open page of `visitor`'s, after what they were sent before."""
        for page in list(self._pages.get(visitor, ())):
            if page.full():
                self.close_page(visitor, page)
            else:
                page.put_nowait(line)


def bot_line(outbox_id: int, text: str, meta: dict[str, Any]) -> Outgoing:
    """What a page is sent of one of the bot's messages: its text and its choices (buttons)."""
    labels = meta.get("choice_labels", {})
    choices = [{"value": c, "label": labels.get(c, c)} for c in meta.get("choices", ())]
    return {"id": f"b{outbox_id}", "from": "bot", "text": text, "choices": choices}


def customer_line(message_id: int, text: str, *, photo: str | None = None) -> Outgoing:
    """One of the visitor's own messages; `photo`: the name of the photo they added."""
    line: Outgoing = {"id": f"c{message_id}", "from": "customer", "text": text, "choices": []}
    if photo is not None:
        line["photo"] = photo
    return line
