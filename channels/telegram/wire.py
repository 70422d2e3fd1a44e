"""One keep-alive HTTP/1.1 connection to the Bot API: a request out in a single write, the
response read as the bytes arrive, both through h11.

An asyncio protocol learns at once, from its callbacks, that the server closed the connection;
a pool can then tell a usable idle connection from a dead one without asking the socket
(httpcore polls every pooled socket on every request, which made the pool the most expensive
part of sending a message).
"""

from __future__ import annotations

import asyncio
import time

import h11

Answer = tuple[int, bytes]  # status, body


class WireError(Exception):
    """The connection broke or the server's answer was not HTTP/1.1 we understand."""


class Connection(asyncio.Protocol):
    """One request at a time; reusable while `usable`."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._http = h11.Connection(h11.CLIENT)
        self._status = 0
        self._body: list[bytes] = []
        self._done: asyncio.Future[Answer] | None = None
        self.closed = False
        self.idle_since = 0.0
        self.last_data = 0.0  # when the server last sent anything (time.monotonic)
        # Set once the connection is gone, whoever closed it.
        self.lost = asyncio.Event()

    @property
    def usable(self) -> bool:
        return not self.closed and self._done is None

    # -- protocol callbacks -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        if self._done is None:
            # Bytes nobody asked for: the connection's state is unknown, so it goes.
            self.close()
            return
        self.last_data = time.monotonic()
        self._receive(data)

    def eof_received(self) -> bool | None:
        if self._done is not None:
            self._receive(b"")  # ends a body delimited by closing; h11 rejects a cut-off one
        self.close()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.lost.set()
        self._fail(WireError(f"connection closed: {exc}" if exc else "connection closed"))

    # -- use ----------------------------------------------------------------------------------

    def send(self, request: h11.Request, body: bytes) -> asyncio.Future[Answer]:
        """Write one whole request; the future is the answer once it is complete."""
        if self._transport is None or not self.usable:
            raise WireError("connection not usable")
        events = (request, h11.Data(data=body), h11.EndOfMessage())
        try:
            data = b"".join(self._http.send(event) or b"" for event in events)
        except h11.ProtocolError as exc:
            raise WireError(f"cannot send the request: {exc}") from exc
        self._status, self._body = 0, []
        self._done = asyncio.get_running_loop().create_future()
        self.last_data = time.monotonic()
        self._transport.write(data)
        return self._done

    def abandon(self) -> None:
        """The caller gave up waiting: a half-read response would be read as the next
        request's, so the connection goes."""
        done, self._done = self._done, None
        if done is not None:
            done.cancel()
        self.close()

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()

    def _receive(self, data: bytes) -> None:
        http = self._http
        http.receive_data(data)
        try:
            while True:
                event = http.next_event()
                if isinstance(event, h11.Response):
                    self._status = event.status_code
                elif isinstance(event, h11.Data):
                    self._body.append(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    self._finish()
                    return
                elif isinstance(event, h11.InformationalResponse):
                    continue  # an interim 1xx answer: the real one follows
                else:
                    return  # NEED_DATA
        except h11.ProtocolError as exc:
            self._fail(WireError(f"bad HTTP answer: {exc}"))

    def _finish(self) -> None:
        http, done = self._http, self._done
        self._done = None
        # Reusable only if both sides agree to keep it and the server sent nothing extra
        # (which would be read as the next request's answer).
        both_done = http.our_state is h11.DONE and http.their_state is h11.DONE
        if both_done and not http.trailing_data[0]:
            http.start_next_cycle()
        else:
            self.close()
        if done is not None and not done.done():
            done.set_result((self._status, b"".join(self._body)))

    def _fail(self, error: WireError) -> None:
        done, self._done = self._done, None
        self.close()
        if done is not None and not done.done():
            done.set_exception(error)
