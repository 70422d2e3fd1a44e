"""Live updates: the desk's pages hear when cases or messages change, by server-sent events.

One task per desk asks the database every second for the newest case, message and audit
event ids; when any moved, every open page is told "changed" and fetches what it shows
again. Asking the database rather than hooking into intake sees changes made by any process
sharing it (a second bot, the CLI). An action on the desk itself wakes the task at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

from sqlalchemy import func, select

from common.clock import wait_any
from common.logs import log
from storage.db import SessionFactory, core, transaction
from storage.models import AuditEvent, Case, Message

POLL_SECONDS = 1.0
# A comment line this often keeps proxies from closing a quiet stream.
PING_SECONDS = 15.0

_NEWEST = select(
    select(func.max(Case.id)).scalar_subquery(),
    select(func.max(Message.id)).scalar_subquery(),
    select(func.max(AuditEvent.id)).scalar_subquery(),
)


class ChangeFeed:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions
        self._changed = asyncio.Condition()
        self._wake = asyncio.Event()
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self.version = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch())

    async def close(self) -> None:
        """Ends every open stream, then the watching task. The task is woken to end by
        itself, not cancelled: a cancellation inside its read would break off the pooled
        connection's rollback and log a traceback on every stop."""
        self._closed = True
        async with self._changed:
            self._changed.notify_all()
        self._wake.set()
        if self._task is not None:
            await self._task

    def wake(self) -> None:
        """Something changed here: look now instead of at the next poll."""
        self._wake.set()

    async def _watch(self) -> None:
        seen: tuple[Any, ...] | None = None
        while not self._closed:
            try:
                async with transaction(self._sessions) as session:
                    newest: tuple[Any, ...] | None = tuple(
                        (await (await core(session)).execute(_NEWEST)).one()
                    )
            except Exception as exc:  # the database is away for a moment: try again
                log.warning("web.changes_unreadable", error=f"{type(exc).__name__}: {exc}")
                newest = seen
            if newest != seen:
                if seen is not None:
                    self.version += 1
                    async with self._changed:
                        self._changed.notify_all()
                seen = newest
            await wait_any(self._wake, within=POLL_SECONDS)
            self._wake.clear()

    def _moved_on(self, version: int) -> bool:
        return self._closed or self.version != version

    async def stream(self) -> AsyncIterator[str]:
        """Server-sent events for one open page, until the desk stops."""
        yield "retry: 2000\n\n"
        while not self._closed:
            version = self.version
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(PING_SECONDS):
                        await self._changed.wait_for(partial(self._moved_on, version))
            if self._closed:
                return
            yield (
                f"event: changed\ndata: {self.version}\n\n"
                if self.version != version
                else ": ping\n\n"
            )
