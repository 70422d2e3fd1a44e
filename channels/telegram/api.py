"""The Bot the channel talks to Telegram through: PTB's, plus a send that keeps only what we
use of Telegram's answer and a poll that keeps each update's JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from telegram import Bot, InlineKeyboardMarkup

from channels.telegram.updates import Received


class ChannelBot(Bot):
    async def send_text(
        self, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> int:
        """`send_message` returning the new message's id. Building PTB's Message (chat, user,
        date, entities) from the answer cost as much CPU as the whole HTTP call, per reply,
        for one number; errors are PTB's own (same request path)."""
        result = await self._post(
            "sendMessage", {"chat_id": chat_id, "text": text, "reply_markup": reply_markup}
        )
        return int(result["message_id"])

    async def receive(
        self, *, offset: int | None, poll_seconds: int, allowed_updates: Sequence[str]
    ) -> list[Received]:
        """`get_updates`, each update with the JSON it came as (see `Received`)."""
        # As PTB's get_updates: its own request object, waiting the poll's length longer to read.
        read_timeout = (self._request[0].read_timeout or 0) + poll_seconds
        result = await self._post(
            "getUpdates",
            {"offset": offset, "timeout": poll_seconds, "allowed_updates": allowed_updates},
            read_timeout=read_timeout,
        )
        return [Received.from_json(item, self) for item in cast(list[dict[str, Any]], result)]
