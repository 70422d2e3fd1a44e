"""The Bot the channel talks to Telegram through: PTB's, plus a send that keeps only what we
use of Telegram's answer."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardMarkup


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
