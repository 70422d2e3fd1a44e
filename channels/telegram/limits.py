"""Telegram's sending limits: about 30 messages a second per bot, one a second per chat and
20 a minute per group (short bursts are tolerated). Sending waits for a slot instead of
earning a 429."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    rate: float  # tokens per second
    burst: float
    tokens: float
    stamp: float

    def reserve(self, now: float) -> float:
        """Take a token; returns how long to wait before it may be used."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


@dataclass
class SendLimiter:
    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    chat_burst: int = 3
    per_group_per_minute: float = 20.0
    clock: Callable[[], float] = time.monotonic
    _bot: _Bucket | None = None
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _held_until: float = 0.0

    @classmethod
    def unlimited(cls) -> SendLimiter:
        """For a test server that has no limits to respect."""
        return cls(per_second=0, per_chat_per_second=0)

    def delay(self, chat_id: int) -> float:
        """Reserve a slot for one message to `chat_id`; returns seconds to wait for it."""
        if self.per_second <= 0:
            return 0.0
        now = self.clock()
        if self._bot is None:
            self._bot = _Bucket(self.per_second, self.per_second, self.per_second, now)
        chat = self._chats.get(chat_id)
        if chat is None:
            burst = float(self.chat_burst)
            # Group and channel ids are negative.
            rate = self.per_group_per_minute / 60 if chat_id < 0 else self.per_chat_per_second
            chat = self._chats[chat_id] = _Bucket(rate, burst, burst, now)
        return max(self._bot.reserve(now), chat.reserve(now), self._held_until - now)

    async def wait(self, chat_id: int) -> None:
        delay = self.delay(chat_id)
        if delay > 0:
            await asyncio.sleep(delay)

    def hold(self, seconds: float) -> None:
        """Telegram said 429: nothing leaves this bot until `seconds` have passed."""
        self._held_until = max(self._held_until, self.clock() + seconds)
