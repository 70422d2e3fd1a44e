"""A WebSocket client for the web chat's tests: wsproto (the library uvicorn serves the chat
with) speaks the protocol; this only moves its bytes over an asyncio connection. It can send
any Origin, which a browser would not let a test choose."""

from __future__ import annotations

import json
from typing import Any

import anyio
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

# A test waits this long for the server's next word before it fails.
WAIT_SECONDS = 15


class Refused(Exception):
    """The server turned the handshake down (a close before accepting is an HTTP 403)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"handshake refused with HTTP {status}")
        self.status = status


class Closed(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"closed with code {code}")
        self.code = code


class ChatSocket:
    def __init__(self, stream: anyio.abc.SocketStream, ws: WSConnection) -> None:
        self._stream = stream
        self._ws = ws
        self._pending: list[Event] = []

    @classmethod
    async def open(
        cls, port: int, *, origin: str | None, cookie: str | None, query: str = ""
    ) -> ChatSocket:
        """Connected to `/chat/ws` on 127.0.0.1:`port`; raises Refused when turned down."""
        stream = await anyio.connect_tcp("127.0.0.1", port)
        ws = WSConnection(ConnectionType.CLIENT)
        headers = [(b"origin", origin.encode())] if origin else []
        if cookie:
            headers.append((b"cookie", f"klachtbot_chat={cookie}".encode()))
        target = "/chat/ws" + (f"?{query}" if query else "")
        request = Request(host=f"127.0.0.1:{port}", target=target, extra_headers=headers)
        socket = cls(stream, ws)
        await socket._write(ws.send(request))
        event = await socket._next()
        if isinstance(event, RejectConnection):
            await stream.aclose()
            raise Refused(event.status_code)
        assert isinstance(event, AcceptConnection), event
        return socket

    async def send(self, message: dict[str, Any]) -> None:
        await self._write(self._ws.send(TextMessage(data=json.dumps(message))))

    async def receive(self) -> dict[str, Any]:
        """The next message from the server; raises Closed when it closed instead."""
        while True:
            event = await self._next()
            if isinstance(event, TextMessage):
                data: dict[str, Any] = json.loads(event.data)
                return data
            if isinstance(event, CloseConnection):
                raise Closed(event.code)
            if isinstance(event, Ping):
                await self._write(self._ws.send(event.response()))

    async def close(self) -> None:
        await self._stream.aclose()

    async def _write(self, data: bytes) -> None:
        await self._stream.send(data)

    async def _next(self) -> Event:
        with anyio.fail_after(WAIT_SECONDS):
            while not self._pending:
                try:
                    data = await self._stream.receive()
                except anyio.EndOfStream:
                    self._ws.receive_data(None)
                else:
                    self._ws.receive_data(data)
                self._pending.extend(self._ws.events())
        return self._pending.pop(0)
