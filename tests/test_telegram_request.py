"""The lean keep-alive client PTB's Bot calls through (channels/telegram/request.py), against
a raw HTTP server on loopback that answers the ways real servers do: chunked, closing the
connection, dropping an idle one, garbling the answer, or never answering."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from channels.telegram.request import KeepAliveRequest

Answer = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]  # True: keep the connection


@dataclass
class RawServer:
    answer: Answer
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    port: int = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        # The client going away ends serving this connection.
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = 0
                    for line in head.decode().split("\r\n"):
                        name, _, value = line.partition(":")
                        if name.lower() == "content-length":
                            length = int(value)
                    request = head + await reader.readexactly(length)
                    self.requests.append(request)
                    if not await self.answer(request, writer):
                        break
            finally:
                writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot123:abc/getMe"


@contextlib.asynccontextmanager
async def raw_server(answer: Answer) -> AsyncIterator[RawServer]:
    server = RawServer(answer)
    listening = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    server.port = listening.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listening.close()


async def json_answer(request: bytes, writer: asyncio.StreamWriter) -> bool:
    body = b'{"ok":true,"result":true}'
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    await writer.drain()
    return True


def form(**values: str) -> RequestData:
    return RequestData([RequestParameter.from_input(name, value) for name, value in values.items()])


async def test_requests_reuse_one_connection_and_send_the_form() -> None:
    async with raw_server(json_answer) as server:
        request = KeepAliveRequest(2)
        for _ in range(3):
            code, body = await request.do_request(server.url, "POST", form(text="héllo & bye"))
            assert (code, body) == (200, b'{"ok":true,"result":true}')
        await request.shutdown()
    assert server.connections == 1
    assert server.requests[0].startswith(b"POST /bot123:abc/getMe HTTP/1.1\r\n")
    assert server.requests[0].endswith(b"text=h%C3%A9llo+%26+bye")


async def test_chunked_answer_in_pieces() -> None:
    async def chunked(request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for piece in (b'{"ok":', b"true,", b'"result":1}'):
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True

    async with raw_server(chunked) as server:
        request = KeepAliveRequest()
        assert await request.do_request(server.url, "GET") == (200, b'{"ok":true,"result":1}')
        assert await request.do_request(server.url, "GET") == (200, b'{"ok":true,"result":1}')
        await request.shutdown()
    assert server.connections == 1


async def test_answer_ended_by_closing_the_connection() -> None:
    async def close_delimited(request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\nupstream gone")
        await writer.drain()
        return False

    async with raw_server(close_delimited) as server:
        request = KeepAliveRequest()
        assert await request.do_request(server.url, "GET") == (502, b"upstream gone")
        assert await request.do_request(server.url, "GET") == (502, b"upstream gone")
        await request.shutdown()
    assert server.connections == 2


async def test_a_malformed_answer_is_a_network_error_and_the_connection_is_not_reused() -> None:
    answers = 0

    async def garbled_then_fine(request: bytes, writer: asyncio.StreamWriter) -> bool:
        nonlocal answers
        answers += 1
        if answers == 1:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n{}")
            await writer.drain()
            return True  # the client must hang up, not the server
        return await json_answer(request, writer)

    async with raw_server(garbled_then_fine) as server:
        request = KeepAliveRequest()
        with pytest.raises(NetworkError, match="Content-Length"):
            await request.do_request(server.url, "GET")
        assert not request.connections
        assert (await request.do_request(server.url, "GET"))[0] == 200
        await request.shutdown()
    assert server.connections == 2


async def test_an_idle_connection_the_server_drops_is_not_used_again() -> None:
    close_now = asyncio.Event()

    async def answer_once(request: bytes, writer: asyncio.StreamWriter) -> bool:
        await json_answer(request, writer)
        await close_now.wait()
        return False

    async with raw_server(answer_once) as server:
        request = KeepAliveRequest()
        assert (await request.do_request(server.url, "GET"))[0] == 200
        (connection,) = request.connections  # idle, kept for the next call
        close_now.set()
        async with asyncio.timeout(5):
            await connection.lost.wait()
        assert not connection.usable
        assert (await request.do_request(server.url, "GET"))[0] == 200
        assert connection not in request.connections
        await request.shutdown()
    assert server.connections == 2


async def test_no_answer_is_a_timeout_and_the_connection_is_not_reused() -> None:
    release = asyncio.Event()

    async def silent(request: bytes, writer: asyncio.StreamWriter) -> bool:
        await release.wait()
        return False

    async with raw_server(silent) as server:
        request = KeepAliveRequest(read_timeout=0.05)
        with pytest.raises(TimedOut):
            await request.do_request(server.url, "GET")
        release.set()
        await request.shutdown()


async def test_a_full_pool_is_a_pool_timeout() -> None:
    release = asyncio.Event()
    arrived = asyncio.Event()

    async def held(request: bytes, writer: asyncio.StreamWriter) -> bool:
        arrived.set()
        await release.wait()
        return await json_answer(request, writer)

    async with raw_server(held) as server:
        request = KeepAliveRequest(1, pool_timeout=0.05)
        first = asyncio.create_task(request.do_request(server.url, "GET"))
        await arrived.wait()
        with pytest.raises(TimedOut, match="Pool timeout"):
            await request.do_request(server.url, "GET")
        release.set()
        assert (await first)[0] == 200
        await request.shutdown()


async def test_nobody_listening_is_a_network_error() -> None:
    async with raw_server(json_answer) as server:
        url = server.url
    request = KeepAliveRequest()
    with pytest.raises(NetworkError):
        await request.do_request(url, "GET")
    await request.shutdown()
