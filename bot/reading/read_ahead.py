"""Messages read before their turn, by the helper processes.

A stored message waits while the messages before it are processed. Meanwhile a helper can
read it (`bot.nlu.read`, the costly part of understanding), so when its turn comes the
dialogue only settles the language, the one part that depends on the conversation.

Reading ahead never changes what is understood, except where a language model is configured
for a second opinion (bot/reading/second_opinion.py): a reading the offline understanding is
unsure of is then checked by it here, before its turn, so the dialogue never waits on the
network. A text that was not read ahead, or was read for another day, is read on the spot as
before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from bot.nlu import Language, Understanding
from bot.nlu.pipeline import Reading, read, read_many
from bot.reading.second_opinion import SecondOpinion
from bot.reading.workers import Workers
from common.clock import Clock
from common.logs import log

_Key = tuple[str, date]
# Readings nobody asked for (a duplicate, a message a handler answered) are let go after this
# many newer ones.
KEEP = 2000


class ReadAhead:
    def __init__(
        self,
        workers: Workers,
        *,
        tz: ZoneInfo,
        clock: Clock,
        second_opinion: SecondOpinion | None = None,
    ) -> None:
        self._workers = workers
        self._second_opinion = second_opinion
        self._tz = tz
        self._clock = clock
        self._running: dict[int, asyncio.Task[list[Reading]]] = {}  # by message id
        self._ready: dict[_Key, Reading] = {}
        self.used = 0  # readings the dialogue took from here, for tests and metrics

    def start(self, messages: Iterable[tuple[int, str]]) -> None:
        """Have a helper read these (message id, text); returns at once."""
        if not self._workers.elsewhere and self._second_opinion is None:
            return  # reading here, now, would only move the work earlier
        today = self._clock().astimezone(self._tz).date()
        todo = dict((message_id, text) for message_id, text in messages if text.strip())
        if not todo:
            return
        texts = list(todo.values())
        task = asyncio.create_task(self._read(texts, today))
        self._running |= dict.fromkeys(todo, task)
        keys = [(text, today) for text in texts]
        task.add_done_callback(lambda done: self._keep(list(todo), keys, done))

    async def settle(self, message_ids: Iterable[int]) -> None:
        """Wait for the readings of these messages that are under way."""
        waiting = {self._running[m] for m in message_ids if m in self._running}
        if waiting:
            await asyncio.wait(waiting)

    async def _read(self, texts: list[str], today: date) -> list[Reading]:
        readings = await self._workers.run(read_many, texts, today)
        if self._second_opinion is None:
            return readings
        review = self._second_opinion.review
        return list(await asyncio.gather(*map(review, texts, readings)))

    def understand(
        self, text: str, *, today: date, previous_language: Language | None = None
    ) -> Understanding:
        """An `Understander` for the dialogue: the reading made ahead, or one made now."""
        reading = self._ready.pop((text, today), None)
        if reading is None:
            reading = read(text, today=today)
        else:
            self.used += 1
        return reading.in_conversation(previous_language)

    async def close(self) -> None:
        running = set(self._running.values())
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)
        if self._second_opinion is not None:
            await self._second_opinion.close()

    def _keep(
        self, message_ids: list[int], keys: list[_Key], done: asyncio.Task[list[Reading]]
    ) -> None:
        for message_id in message_ids:
            self._running.pop(message_id, None)
        if done.cancelled():
            return
        if (error := done.exception()) is not None:
            log.warning("read_ahead.failed", error=repr(error))  # read on the spot instead
            return
        self._ready.update(zip(keys, done.result(), strict=True))
        while len(self._ready) > KEEP:
            del self._ready[next(iter(self._ready))]
