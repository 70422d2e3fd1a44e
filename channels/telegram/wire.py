"""One keep-alive HTTP/1.1 connection to the Bot API: a request out in a single write, the
response read as the bytes arrive.

An asyncio protocol learns at once, from its callbacks, that the server closed the connection;
a pool can then tell a usable idle connection from a dead one without asking the socket
(httpcore polls every pooled socket on every request, which made the pool the most expensive
part of sending a message).
"""

from __future__ import annotations

import asyncio
import time

MAX_HEADER_BYTES = 64 * 1024


class WireError(Exception):
    """The connection broke or the server's answer was not HTTP/1.1 we understand."""


class Response:
    """The parts of a response the Bot API client needs, parsed incrementally."""

    def __init__(self) -> None:
        self.status = 0
        self.keep_alive = True
        self.body = bytearray()
        self._length: int | None = None  # Content-Length, if given
        self._chunked = False
        self._chunk_left = 0  # bytes of the current chunk still to come (chunked only)
        self._headers_done = False
        self._trailers = False

    def feed(self, buffer: bytearray) -> bool:
        """Take what it can from `buffer` (consumed in place); True once complete."""
        if not self._headers_done and not self._read_head(buffer):
            return False
        if self._chunked:
            return self._read_chunks(buffer)
        if self._length is None:
            # Delimited by the server closing the connection: complete only at EOF.
            self.body += buffer
            buffer.clear()
            return False
        wanted = self._length - len(self.body)
        self.body += buffer[:wanted]
        del buffer[:wanted]
        return len(self.body) >= self._length

    def finish_at_eof(self) -> bool:
        """The server closed the connection: True if that ends this response properly."""
        return self._headers_done and self._length is None and not self._chunked

    def _read_head(self, buffer: bytearray) -> bool:
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_HEADER_BYTES:
                raise WireError("response headers too long")
            return False
        head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
        del buffer[: end + 4]
        version, _, rest = head[0].partition(" ")
        if not version.startswith("HTTP/1."):
            raise WireError(f"not an HTTP/1.x response: {head[0]!r}")
        try:
            status = int(rest[:3])
        except ValueError as exc:
            raise WireError(f"bad status line: {head[0]!r}") from exc
        if 100 <= status < 200:
            # Interim answer (100 Continue): the real one follows.
            return self._read_head(buffer)
        self.status = status
        self.keep_alive = version != "HTTP/1.0"
        for line in head[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                self._length = int(value)
            elif name == "transfer-encoding":
                self._chunked = "chunked" in value.lower()
            elif name == "connection":
                tokens = value.lower()
                if "close" in tokens:
                    self.keep_alive = False
                elif "keep-alive" in tokens:
                    self.keep_alive = True
        if self._chunked:
            self._length = None
        elif self._length is None and status in (204, 304):
            self._length = 0
        if self._length is None and not self._chunked:
            self.keep_alive = False
        self._headers_done = True
        return True

    def _read_chunks(self, buffer: bytearray) -> bool:
        while True:
            if self._trailers:
                # Trailer lines (usually none), then an empty line ends the message.
                end = buffer.find(b"\r\n")
                if end < 0:
                    return False
                del buffer[: end + 2]
                if end == 0:
                    return True
                continue
            if self._chunk_left > 0:
                taken = buffer[: self._chunk_left]
                self.body += taken
                del buffer[: len(taken)]
                self._chunk_left -= len(taken)
                if self._chunk_left > 0:
                    return False
                self._chunk_left = -1
            if self._chunk_left == -1:  # the CRLF after a chunk's data
                if len(buffer) < 2:
                    return False
                del buffer[:2]
                self._chunk_left = 0
            end = buffer.find(b"\r\n")
            if end < 0:
                return False
            size_text = bytes(buffer[:end]).split(b";", 1)[0].strip()
            del buffer[: end + 2]
            try:
                size = int(size_text, 16)
            except ValueError as exc:
                raise WireError(f"bad chunk size: {size_text!r}") from exc
            if size == 0:
                self._trailers = True
            else:
                self._chunk_left = size


class Connection(asyncio.Protocol):
    """One request at a time; reusable while `usable`."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._response: Response | None = None
        self._done: asyncio.Future[Response] | None = None
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
        if self._response is None or self._done is None:
            # Bytes nobody asked for: the connection's state is unknown, so it goes.
            self.close()
            return
        self.last_data = time.monotonic()
        self._buffer += data
        try:
            complete = self._response.feed(self._buffer)
        except (WireError, ValueError) as exc:
            self._fail(WireError(str(exc)))
            return
        if complete:
            self._finish()

    def eof_received(self) -> bool | None:
        response = self._response
        if response is not None and self._done is not None and response.finish_at_eof():
            response.keep_alive = False
            self._finish()
        self.close()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.lost.set()
        self._fail(WireError(f"connection closed: {exc}" if exc else "connection closed"))

    # -- use ----------------------------------------------------------------------------------

    def send(self, request: bytes) -> asyncio.Future[Response]:
        """Write one whole request; the future is the response once it is complete."""
        if self._transport is None or not self.usable:
            raise WireError("connection not usable")
        self._response = Response()
        self._done = asyncio.get_running_loop().create_future()
        self.last_data = time.monotonic()
        self._transport.write(request)
        return self._done

    def abandon(self) -> None:
        """The caller gave up waiting: a half-read response would be read as the next
        request's, so the connection goes."""
        done = self._done
        self._response = self._done = None
        if done is not None:
            done.cancel()
        self.close()

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()

    def _finish(self) -> None:
        response, done = self._response, self._done
        self._response = self._done = None
        if self._buffer or (response is not None and not response.keep_alive):
            self.close()
        if done is not None and not done.done() and response is not None:
            done.set_result(response)

    def _fail(self, error: WireError) -> None:
        done = self._done
        self._response = self._done = None
        self.close()
        if done is not None and not done.done():
            done.set_exception(error)
