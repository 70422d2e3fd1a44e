"""python-telegram-bot's calls over a small pool of our own keep-alive connections.

PTB's stock `HTTPXRequest` goes through httpx and httpcore: per call a client request, a pool
that checks every pooled socket (a getpeername and a poll each), and two or three socket
writes. That was most of the CPU the channel spent per customer message. Here a call takes
an idle connection from a stack (or opens one), writes the request in one go and parses the
answer as it arrives. File uploads (multipart), which the bot does not make, still go
through httpx.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from urllib.parse import quote, urlsplit

import certifi
import h11
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from channels.telegram.wire import Answer, Connection, WireError

# Like httpx: an idle connection older than this is closed instead of reused (the server
# may be about to drop it).
KEEPALIVE_SECONDS = 5.0
URL_SAFE = "/?&=%:@!$'()*+,;~-._"

Origin = tuple[str, str, int]  # scheme, host, port


class KeepAliveRequest(BaseRequest):
    """At most `connection_pool_size` calls at once; waiting longer than `pool_timeout` for
    a free one is a `TimedOut`, as with `HTTPXRequest`."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._pool_size = connection_pool_size
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._idle: dict[Origin, list[Connection]] = {}
        self._open: set[Connection] = set()
        self._ssl: ssl.SSLContext | None = None
        self._uploads: HTTPXRequest | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    @property
    def connections(self) -> frozenset[Connection]:
        """Open or idle, not yet dropped by us."""
        return frozenset(self._open)

    async def initialize(self) -> None:
        """Nothing to prepare: connections open on first use."""

    async def shutdown(self) -> None:
        for connection in self._open:
            connection.close()
        self._open.clear()
        self._idle.clear()
        if self._uploads is not None:
            await self._uploads.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            return await self._upload(
                url, method, request_data, read_timeout, write_timeout, connect_timeout
            )
        parts = urlsplit(url)
        secure = parts.scheme == "https"
        host = parts.hostname or ""
        port = parts.port or (443 if secure else 80)
        target = quote(parts.path or "/", safe=URL_SAFE) + (
            "?" + quote(parts.query, safe=URL_SAFE) if parts.query else ""
        )
        body = request_data.url_encoded_parameters().encode() if request_data else b""
        headers = [("Host", parts.netloc), ("User-Agent", self.USER_AGENT), ("Accept", "*/*")]
        if method == "POST":
            headers += [
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Content-Length", str(len(body))),
            ]
        request = h11.Request(method=method, target=target, headers=headers)
        return await self._call(
            (parts.scheme, host, port),
            request,
            body,
            read_timeout=_value(read_timeout, self._read_timeout),
            connect_timeout=_value(connect_timeout, self._connect_timeout),
            pool_timeout=_value(pool_timeout, self._pool_timeout),
        )

    async def _call(
        self,
        origin: Origin,
        request: h11.Request,
        body: bytes,
        *,
        read_timeout: float | None,
        connect_timeout: float | None,
        pool_timeout: float | None,
    ) -> Answer:
        if self._slots.locked():
            try:
                async with asyncio.timeout(pool_timeout):
                    await self._slots.acquire()
            except TimeoutError as exc:
                raise TimedOut(
                    "Pool timeout: all connections are busy; the request was not sent."
                ) from exc
        else:
            await self._slots.acquire()
        connection: Connection | None = None
        answer: Answer | None = None
        try:
            connection = self._idle_connection(origin) or await self._connect(
                origin, connect_timeout
            )
            answer = await _answer(connection, request, body, read_timeout)
            return answer
        except WireError as exc:
            raise NetworkError(f"Bot API connection: {exc}") from exc
        finally:
            if connection is not None:
                self._release(origin, connection, keep=answer is not None)
            self._slots.release()

    def _idle_connection(self, origin: Origin) -> Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.usable and now - connection.idle_since < KEEPALIVE_SECONDS:
                return connection
            self._drop(connection)
        return None

    async def _connect(self, origin: Origin, within: float | None) -> Connection:
        scheme, host, port = origin
        secure = scheme == "https"
        if secure and self._ssl is None:
            self._ssl = ssl.create_default_context(cafile=certifi.where())
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(within):
                _, connection = await loop.create_connection(
                    Connection,
                    host,
                    port,
                    ssl=self._ssl if secure else None,
                    server_hostname=host if secure else None,
                )
        except TimeoutError as exc:
            raise TimedOut(f"Connecting to {host}:{port} timed out") from exc
        except OSError as exc:
            raise NetworkError(f"Connecting to {host}:{port}: {exc}") from exc
        self._open.add(connection)
        return connection

    def _release(self, origin: Origin, connection: Connection, *, keep: bool) -> None:
        if keep and connection.usable:
            connection.idle_since = time.monotonic()
            self._idle.setdefault(origin, []).append(connection)
        else:
            self._drop(connection)

    def _drop(self, connection: Connection) -> None:
        connection.close()
        self._open.discard(connection)

    async def _upload(
        self,
        url: str,
        method: str,
        request_data: RequestData,
        read_timeout: ODVInput[float],
        write_timeout: ODVInput[float],
        connect_timeout: ODVInput[float],
    ) -> tuple[int, bytes]:
        if self._uploads is None:
            self._uploads = HTTPXRequest(
                connection_pool_size=self._pool_size,
                read_timeout=self._read_timeout,
                connect_timeout=self._connect_timeout,
                pool_timeout=self._pool_timeout,
            )
            await self._uploads.initialize()
        return await self._uploads.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
        )


async def _answer(
    connection: Connection, request: h11.Request, body: bytes, read_timeout: float | None
) -> Answer:
    """Like httpx's read timeout, `read_timeout` bounds a silence, not the whole answer: a
    large file that keeps arriving is not cut off."""
    pending = connection.send(request, body)
    wait = read_timeout
    try:
        while True:
            done, _ = await asyncio.wait([pending], timeout=wait)
            if done:
                return pending.result()
            assert read_timeout is not None
            silent = time.monotonic() - connection.last_data
            if silent >= read_timeout:
                raise TimedOut()
            wait = read_timeout - silent
    except BaseException:
        if not pending.done():
            connection.abandon()
        raise


def _value(given: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(given, DefaultValue) else given
