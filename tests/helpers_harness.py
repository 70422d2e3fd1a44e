"""A bot process with two helper processes, for tests/test_workers.py: it prints the helpers'
process ids and runs until SIGINT or SIGTERM, as `klachtbot run` does, or until killed.

python -m tests.helpers_harness DATABASE_URL on|off

`off` starts the helpers without Linux's parent-death signal, leaving only the watchdog that
ends a helper once the bot has gone.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sys

from bot.config.settings import Settings
from bot.reading.workers import Workers
from bot.runtime.app import App
from tests.support import RecordingChannel

HELPERS = 2


async def main(database_url: str, death_signal: str) -> None:
    settings = Settings.model_validate({"database": {"url": database_url}})
    workers = Workers(HELPERS, parent_death_signal=death_signal == "on")
    async with App(settings, [RecordingChannel()], workers=workers) as app:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, app.request_stop)
        # Both helpers were started with the app (Workers.start); each may take a call.
        pids = set(await asyncio.gather(*(workers.run(os.getpid) for _ in range(HELPERS))))
        helpers = {child.pid or 0 for child in multiprocessing.active_children()}
        assert len(helpers) == HELPERS, helpers
        assert pids <= helpers, (pids, helpers)
        print("HELPERS", *sorted(helpers), flush=True)
        await app.run()
    print("STOPPED", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
