"""Helper processes for pure CPU work: parsing mail, reading messages ahead.

The bot's event loop runs on one core. Parsing a mail and understanding a message need no
storage and no network, so a helper process on another core can do them while the loop
stores and answers earlier ones. Functions and their arguments travel by pickle: they must
be module-level and their values plain data.

With no helpers (`processes = 0`), or for the one call a helper died during, the work runs
in the bot's own process: slower, never lost.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from bot.logs import log
from bot.nlu.pipeline import warm_understanding

_T = TypeVar("_T")


class Workers:
    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    @property
    def elsewhere(self) -> bool:
        """Whether work handed to `run` leaves this process."""
        return self._pool is not None

    async def start(self) -> None:
        """Start the helpers and wait until one is warm, so the first customer does not
        wait for a process to start."""
        if self.processes and self._pool is None:
            self._pool = self._new_pool()
            await self.run(int)

    async def run(self, function: Callable[..., _T], /, *args: Any) -> _T:
        pool = self._pool
        if pool is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
            except BrokenProcessPool:
                # A helper was killed (out of memory, by hand): a fresh pool takes the next
                # call, and this one is done here.
                log.warning("workers.lost", processes=self.processes)
                if self._pool is pool:
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new_pool()
        return function(*args)

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    def _new_pool(self) -> ProcessPoolExecutor:
        # "spawn": a fork would copy the event loop, its threads and open sockets.
        return ProcessPoolExecutor(
            self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=warm_understanding,
        )
