"""Ctrl-C (SIGINT) and SIGTERM for the commands that run the bot: a clean stop, never a
KeyboardInterrupt traceback.

While the bot starts, a signal cancels the start: the parts already started are stopped
again by `App.__aenter__`. Once it runs, a signal asks it to stop in the documented order
(intake, queue, dispatcher, channels, storage). A second signal while it stops cancels
what is left of the stop: the operator has asked twice.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Protocol

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stoppable(Protocol):
    def request_stop(self) -> None: ...


class StopOnSignals:
    """`with StopOnSignals() as stopper:` inside the command's main coroutine; call
    `stopper.running(app)` once the app has started. `signalled` tells the caller that a
    cancellation came from a signal, i.e. that it was asked for."""

    def __init__(self) -> None:
        self.signalled = False
        self._app: Stoppable | None = None
        self._task: asyncio.Task[object] | None = None

    def __enter__(self) -> StopOnSignals:
        self._task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            loop.add_signal_handler(signum, self._on_signal)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            loop.remove_signal_handler(signum)

    def running(self, app: Stoppable) -> None:
        self._app = app

    def _on_signal(self) -> None:
        first = not self.signalled
        self.signalled = True
        if first and self._app is not None:
            self._app.request_stop()
        elif self._task is not None:
            self._task.cancel()


async def stoppable(body: Callable[[StopOnSignals], Awaitable[None]]) -> None:
    """Run `body(stopper)` with the signals handled; a cancellation that a signal asked
    for ends it quietly."""
    with StopOnSignals() as stopper:
        try:
            await body(stopper)
        except asyncio.CancelledError:
            if not stopper.signalled:
                raise
            # Stopped while starting (or asked twice): what had started is stopped again.
