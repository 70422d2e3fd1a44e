"""Webhook mode: a small HTTP endpoint Telegram POSTs updates to.

Every call must carry the secret in `X-Telegram-Bot-Api-Secret-Token` (compared in constant
time); without it the call is refused with 403 and nothing is read. An update is answered
200 only once it is stored: until then Telegram keeps it and sends it again, and a repeat
is recognised as stored. A plain asyncio server: one route, JSON in, no framework needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.logs import log

SECRET_HEADER = "x-telegram-bot-api-secret-token"
MAX_BODY = 1024 * 1024  # Telegram's updates are small; anything larger is not from Telegram
READ_TIMEOUT = 30.0

# Takes the update's JSON; returns once it is stored (raises if it could not be).
Receive = Callable[[dict[str, object]], Awaitable[None]]


@dataclass(frozen=True)
class Listen:
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, listen: str, path: str) -> Listen:
        host, _, port = listen.rpartition(":")
        return cls(host or "127.0.0.1", int(port), path or "/")


class WebhookServer:
    def __init__(self, listen: Listen, secret: str, receive: Receive) -> None:
        self._listen = listen
        self._secret = secret.encode()
        self._receive = receive
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._listen.host, self._listen.port)
        log.info("telegram.webhook_listening", host=self._listen.host, port=self.port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        # A connection ends when the caller goes away, sends something that is not HTTP, or
        # keeps it open idle for longer than READ_TIMEOUT.
        try:
            with contextlib.suppress(
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ConnectionError,
                TimeoutError,
            ):
                while True:
                    async with asyncio.timeout(READ_TIMEOUT):
                        head = await reader.readuntil(b"\r\n\r\n")
                    status = await self._handle(head, reader)
                    reply = f"HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n"
                    writer.write(reply.encode("latin-1"))
                    await writer.drain()
        finally:
            self._connections.discard(task)
            writer.close()

    async def _handle(self, head: bytes, reader: asyncio.StreamReader) -> str:
        request_line, *lines = head.decode("latin-1").split("\r\n")
        verb, target, *_ = [*request_line.split(" "), "", ""]
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines if line)
        }
        length = int(headers.get("content-length") or 0)
        if length > MAX_BODY:
            raise ConnectionError("body too large")
        body = await reader.readexactly(length)
        if verb != "POST" or target.split("?", 1)[0] != self._listen.path:
            return "404 Not Found"
        given = headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("telegram.webhook_refused", reason="secret token missing or wrong")
            return "403 Forbidden"
        try:
            update = json.loads(body)
        except ValueError:
            return "400 Bad Request"
        if not isinstance(update, dict):
            return "400 Bad Request"
        try:
            await self._receive(update)
        except Exception:
            # Not stored: Telegram will send it again.
            log.exception("telegram.webhook_update_failed")
            return "500 Internal Server Error"
        return "200 OK"
