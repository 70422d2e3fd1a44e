"""uvicorn serving a Starlette app as a task on the running event loop.

`klachtbot run` owns the process: its signals, its logging, its stop order. So uvicorn
installs no signal handlers and configures no logging here, and it listens on a socket
bound before it starts: a port that is taken fails `start()` with an OSError naming the
address, instead of uvicorn's `sys.exit`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator, Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from common.logs import log

# Requests still running when the server stops get this long to finish, then are cancelled.
GRACE_SECONDS = 5
# An idle kept-alive connection is closed after this long.
KEEP_ALIVE_SECONDS = 30


def web_app(routes: Sequence[BaseRoute]) -> Starlette:
    return Starlette(routes=list(routes))


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The bot decides what Ctrl-C and SIGTERM do (see bot/cli.py); uvicorn's own
        # handlers would replace the bot's while the server runs.
        yield


class WebServer:
    def __init__(self, app: Starlette, *, host: str, port: int) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = port
        """The port listened on (the one the system chose, when asked for port 0)."""

    async def start(self) -> None:
        """Returns once the socket listens; connections made from then on wait in its
        backlog until uvicorn takes them."""
        listening = _listening_socket(self._host, self._port)
        self.port = int(listening.getsockname()[1])
        config = uvicorn.Config(
            self._app,
            http="h11",
            ws="wsproto",  # the web chat (bot/web/chat.py)
            lifespan="off",
            log_config=None,
            access_log=False,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            timeout_graceful_shutdown=GRACE_SECONDS,
        )
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[listening]))
        self._task.add_done_callback(_report_failure)
        log.info("web.listening", host=self._host, port=self.port)

    async def stop(self) -> None:
        server, task = self._server, self._task
        self._server = self._task = None
        if server is None or task is None:
            return
        server.should_exit = True
        await task


def _report_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("web.stopped_serving", error=f"{type(error).__name__}: {error}")


def _listening_socket(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listening = socket.socket(family, kind, proto)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
        listening.listen()
    except OSError as exc:
        listening.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    listening.setblocking(False)
    return listening
