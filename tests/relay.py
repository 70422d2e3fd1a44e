"""A TCP relay between the bot and a real server that a test can close and open again: a
network outage on demand (the server itself keeps running).

    relay = Relay(target_port=lab.imap_port)   # a fixed local port, nothing listens yet
    ... settings point at relay.port: "connection refused"
    await relay.open()                          # now it relays to the server
    await relay.close()                         # refuses again and cuts open connections
"""

from __future__ import annotations

import asyncio
import contextlib

from tests.mail_lab.lab import free_ports

HOST = "127.0.0.1"


class Relay:
    def __init__(self, target_port: int, *, target_host: str = HOST) -> None:
        self.port = free_ports(1)[0]
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._serve, HOST, self.port)

    async def close(self) -> None:
        """Stop listening and cut every open connection, as an outage would."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        # Closed both ways, each pipe reads its end of file and finishes.
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        self._writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            self._pipes.discard(task)
            return
        self._writers.add(up_writer)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            for end in (writer, up_writer):
                end.close()
                self._writers.discard(end)
            self._pipes.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(ConnectionError, OSError, RuntimeError):
        writer.write_eof()
