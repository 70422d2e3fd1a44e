"""Tidying a chat once a customer's answer is stored (a pressed button's spinner, an answered
keyboard), in the background.

Acknowledging runs in the reader, before the stored messages are queued for processing: a
round trip to Telegram there held up every message behind it for a courtesy. Here one chat's
calls still run one after the other, in the order asked; `settled` lets a send to that chat
wait for them, so the customer sees the old buttons go before the reply comes; `drain`
finishes all before the Bot is closed. A failure is logged, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial

from telegram.error import TelegramError

from common.logs import log

Call = Callable[[], Awaitable[object]]


class ChatTidier:
    """At most `parallel` jobs call Telegram at once (many chats answering together must not
    take the connections the replies need)."""

    def __init__(self, parallel: int) -> None:
        # The newest job per chat; each job waits for the one before it.
        self._last: dict[int, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(parallel)

    def later(self, chat_id: int, *calls: Call) -> None:
        task = asyncio.create_task(self._run(self._last.get(chat_id), calls))
        self._last[chat_id] = task
        task.add_done_callback(partial(self._forget, chat_id))

    async def settled(self, chat_id: int) -> None:
        """Returns once every job for this chat asked for so far is done."""
        task = self._last.get(chat_id)
        if task is not None:
            await asyncio.wait([task])

    async def drain(self) -> None:
        while self._last:
            await asyncio.wait(list(self._last.values()))

    async def _run(self, previous: asyncio.Task[None] | None, calls: tuple[Call, ...]) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # it logs its own failure
        try:
            async with self._slots:
                for call in calls:
                    await call()
        except TelegramError as exc:
            # Tidying the chat is a courtesy; the answer itself is stored.
            log.warning("telegram.tidy_failed", error=str(exc))
        except Exception:
            log.exception("telegram.tidy_failed")

    def _forget(self, chat_id: int, task: asyncio.Task[None]) -> None:
        if self._last.get(chat_id) is task:
            del self._last[chat_id]
