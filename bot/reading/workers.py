"""Helper processes for pure CPU work: parsing mail, reading messages ahead.

The bot's event loop runs on one core. Parsing a mail and understanding a message need no
storage and no network, so a helper process on another core can do them while the loop
stores and answers earlier ones. Functions and their arguments travel by pickle: they must
be module-level and their values plain data.

Helpers belong to the bot:
- they die with it, also when it is killed with SIGKILL: the kernel kills them when the bot
  process ends (Linux's parent-death signal), and a watchdog thread in each helper ends it
  once its link to the bot closes (everywhere);
- Ctrl-C reaches every process of the terminal's group; helpers ignore it, and the bot
  stops them itself.

Work a helper dies during (killed, out of memory, a crash in C code) is not run in the bot
instead, where it could take the bot down too: `run` raises `WorkLost`. `run_each` finds
which item of a block killed the helper by running the items again one at a time, each
item that kills a helper again gets a `WorkLost` in its place, and the others their
results. With no helpers (`processes = 0`) the work runs in the bot's own process.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait
from typing import Any, TypeVar

from bot.nlu.pipeline import warm_understanding
from channels.base import WorkLost
from common.logs import log

_T = TypeVar("_T")
_R = TypeVar("_R")

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_SIGINT = {signal.SIGINT}


class Workers:
    def __init__(self, processes: int, *, parent_death_signal: bool = True) -> None:
        """`parent_death_signal`: on Linux, let the kernel kill the helpers when the bot
        ends; off only to test the watchdog that works without it."""
        self.processes = processes
        self._parent_death_signal = parent_death_signal
        self._pool: ProcessPoolExecutor | None = None

    @property
    def elsewhere(self) -> bool:
        """Whether work handed to `run` leaves this process."""
        return self._pool is not None

    async def start(self) -> None:
        """Start every helper and wait until they are warm, so the first customers do not
        wait for a process to start. Helpers that cannot start leave the work to the bot.

        All at once, because the pool starts a helper only when it believes none is idle,
        and it counts a helper idle again after each finished call (CPython's
        `_idle_worker_semaphore`): started one by one, a busy bot could stay on one helper."""
        if self.processes and self._pool is None:
            self._pool = self._new_pool()
            try:
                await asyncio.gather(*(self.run(int) for _ in range(self.processes)))
            except WorkLost as exc:
                log.warning("workers.unavailable", processes=self.processes, error=str(exc))
                await self.close()

    async def run(self, function: Callable[..., _T], /, *args: Any) -> _T:
        """`function(*args)` in a helper (here without helpers); `WorkLost` if the helper
        died meanwhile, and a fresh helper takes the next call."""
        pool = self._pool
        if pool is None:
            return function(*args)
        try:
            with _sigint_blocked():
                # A helper may be started here: it inherits the blocked Ctrl-C (see
                # `_helper_started`).
                future: Future[_T] = pool.submit(function, *args)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            if self._pool is pool:
                log.warning("workers.lost", processes=self.processes)
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            raise WorkLost(f"a helper process died during {_name(function)}") from exc

    async def run_each(
        self, function: Callable[..., list[_R]], items: Sequence[Any], /, *args: Any
    ) -> list[_R | WorkLost]:
        """`function(items, *args)`, which gives one result per item, in one call; if a
        helper dies during it, each item on its own, so that only the item that kills a
        helper (it gets a `WorkLost`) is lost to the others."""
        try:
            return list(await self.run(function, list(items), *args))
        except WorkLost as lost:
            if len(items) == 1:
                return [lost]
        log.warning("workers.block_lost", items=len(items), retry="one at a time")
        results: list[_R | WorkLost] = []
        for index, item in enumerate(items):
            try:
                results.extend(await self.run(function, [item], *args))
            except WorkLost as lost:
                log.warning("workers.item_lost", index=index, of=len(items))
                results.append(lost)
        return results

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    def _new_pool(self) -> ProcessPoolExecutor:
        # "spawn": a fork would copy the event loop, its threads and open sockets.
        return ProcessPoolExecutor(
            self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_helper_started,
            initargs=(os.getpid(), self._parent_death_signal),
        )


def _name(function: Callable[..., Any]) -> str:
    return getattr(function, "__qualname__", repr(function))


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Ctrl-C held back on this thread meanwhile, and in a process started meanwhile, until
    it ignores Ctrl-C itself (as CPython's resource tracker is started)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGINT)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _helper_started(bot_pid: int, parent_death_signal: bool) -> None:
    """The first thing each helper process runs."""
    # Ctrl-C is for the bot: it stops its helpers itself. Ignored first, then let through
    # (a Ctrl-C pressed while the helper started was held back; see `_sigint_blocked`).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGINT)
    if parent_death_signal and sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _watch_the_bot()
    if os.getppid() != bot_pid:
        os._exit(0)  # the bot ended before the helper could watch it
    warm_understanding()


def _watch_the_bot() -> None:
    """End this process once the bot's end of the pipe it started us through closes, that
    is once the bot has ended, however it ended."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="watch-the-bot", daemon=True).start()
