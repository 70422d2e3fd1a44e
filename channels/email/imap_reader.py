"""The email channel's IMAP half: read new mail from one folder, mark it processed, wait for more.

No storage and no parsing here: the caller remembers (uidvalidity, last uid) and turns `raw` into
a message. Everything aioimaplib-specific stays in this module; callers only ever see `ImapError`.

aioimaplib 2.x facts this module is built on (see /work/shared/notes/mail-lab.md):
- NO and BAD do not raise, so every answer's `result` is checked here.
- Only some of its calls have a timeout, and a cancelled command leaves its protocol state
  half-done: after a timeout or a transport error the connection is dropped and the caller
  reconnects (`reconnect_delay`).
- It has no STARTTLS call; `_starttls` does the upgrade with `loop.start_tls`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import re
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import aioimaplib

FETCH_CHUNK = 50
# RFC 2177: re-issue IDLE before 29 minutes, or servers may drop the connection.
MAX_IDLE_SECONDS = 25 * 60.0

_UIDVALIDITY_RE = re.compile(rb"\[UIDVALIDITY (\d+)\]")
_UIDNEXT_RE = re.compile(rb"\[UIDNEXT (\d+)\]")
_FETCH_START_RE = re.compile(rb"^\d+ FETCH \(")
_FETCH_UID_RE = re.compile(rb"\bUID (\d+)")
_FETCH_FLAGS_RE = re.compile(rb"\bFLAGS \(([^)]*)\)")
# Answers to LOGIN that mean "try again later", not "wrong password" (RFC 5530).
_TRANSIENT_LOGIN_CODES = (b"[UNAVAILABLE]", b"[INUSE]", b"[SERVERBUG]", b"[LIMIT]")


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    security: Literal["tls", "starttls", "none"]
    username: str
    password: str
    folder: str = "INBOX"
    processed_folder: str = ""
    poll_seconds: float = 60.0
    timeout: float = 30.0


@dataclass(frozen=True)
class FetchedMail:
    uid: int
    uidvalidity: int
    raw: bytes
    flags: tuple[str, ...]


class ImapError(Exception):
    """Anything that went wrong talking IMAP; the connection may be gone (reconnect)."""


class ImapAuthError(ImapError):
    """The server refused the credentials: retrying soon will not help."""


class ImapRefused(ImapError):
    """The server will not do what the configuration asks: `what` is "folder" (no such
    folder to SELECT) or "security" (no STARTTLS offered)."""

    def __init__(self, message: str, *, what: Literal["folder", "security"]) -> None:
        super().__init__(message)
        self.what = what


@dataclass(frozen=True)
class _Reply:
    """A typed copy of aioimaplib's Response; literal data stays a bytearray to tell it apart."""

    result: str
    lines: tuple[bytes | bytearray, ...]

    @property
    def ok(self) -> bool:
        return self.result == "OK"

    @property
    def text(self) -> str:
        """The tagged completion line's text, for error messages."""
        for line in reversed(self.lines):
            if isinstance(line, bytes):
                return line.decode("utf-8", "replace")
        return ""


def _reply(response: Any) -> _Reply:
    lines = tuple(
        line if isinstance(line, bytearray | bytes) else str(line).encode()
        for line in response.lines
    )
    return _Reply(str(response.result), lines)


def reconnect_delay(attempt: int, *, base: float = 1.0, cap: float = 300.0) -> float:
    """Seconds to wait before reconnect attempt `attempt` (0-based): base, 2*base, 4*base, ...,
    at most `cap`. No jitter: one bot talks to one mailbox, there is no herd to spread.
    After an `ImapAuthError` a caller should wait `cap` right away."""
    if attempt < 0:
        return 0.0
    if attempt >= 64:  # 2**attempt would overflow a float long before it matters
        return cap
    return float(min(cap, base * 2**attempt))


class ImapReader:
    """One IMAP connection to one folder; one command in flight at a time (an internal lock)."""

    def __init__(self, config: ImapConfig) -> None:
        self._config = config
        self._imap: Any = None  # aioimaplib.IMAP4 while connected
        self._lock = asyncio.Lock()
        self._capabilities: frozenset[str] = frozenset()
        self._uidvalidity = 0
        self._uidnext = 0
        self._lost = False
        self._lost_event = asyncio.Event()

    # -- connection -----------------------------------------------------------------------------

    @property
    def config(self) -> ImapConfig:
        return self._config

    @property
    def uidvalidity(self) -> int:
        return self._uidvalidity

    @property
    def uidnext(self) -> int:
        """UIDNEXT as the server announced it at SELECT (0 if it did not)."""
        return self._uidnext

    @property
    def supports_idle(self) -> bool:
        return "IDLE" in self._capabilities

    @property
    def connected(self) -> bool:
        return self._imap is not None and not self._lost

    async def connect(self) -> None:
        if self._imap is not None:
            await self.close()
        async with self._lock:
            self._lost = False
            self._lost_event = asyncio.Event()
            self._imap = self._new_client()
            try:
                await self._open()
            except BaseException:
                self._drop()
                raise

    def _new_client(self) -> Any:
        config = self._config
        if config.security == "tls":
            imap = aioimaplib.IMAP4_SSL(
                host=config.host,
                port=config.port,
                timeout=config.timeout,
                ssl_context=ssl.create_default_context(),
            )
        else:
            imap = aioimaplib.IMAP4(host=config.host, port=config.port, timeout=config.timeout)
        # aioimaplib fails no pending command when the socket closes; remember it ourselves so
        # the next call fails fast. (IMAP4_SSL's constructor does not take the callback.)
        imap.protocol.conn_lost_cb = functools.partial(self._on_connection_lost, imap)
        return imap

    def _on_connection_lost(self, imap: Any, _exc: Exception | None) -> None:
        if imap is not self._imap:
            return  # an earlier connection, closed late: not the one in use
        self._lost = True
        self._lost_event.set()  # ends a command waiting for its answer, see `_unless_lost`
        # Wake an IDLE waiting for pushes (it checks `_lost` after each), rather than let it
        # find out only when its wait ends and DONE goes unanswered (the command timeout).
        imap.protocol.idle_queue.put_nowait([])

    async def _open(self) -> None:
        config = self._config
        await self._await(self._imap.wait_hello_from_server(), "connect")
        if config.security == "starttls":
            await self._starttls()
        await self._login()
        # The capabilities before login are partial (Dovecot announces MOVE, UIDPLUS only after).
        await self._refresh_capabilities()
        reply = await self._ask(self._imap.select(_mailbox(config.folder)), "SELECT")
        if not reply.ok:
            raise ImapRefused(f"SELECT {config.folder}: {reply.result} {reply.text}", what="folder")
        self._uidvalidity = _int_code(_UIDVALIDITY_RE, reply)
        self._uidnext = _int_code(_UIDNEXT_RE, reply)
        if self._uidvalidity <= 0:
            raise ImapError(f"SELECT {config.folder}: server sent no UIDVALIDITY")

    async def _starttls(self) -> None:
        imap = self._imap
        if "STARTTLS" not in imap.protocol.capabilities:
            # Never fall back to plain text: the password would travel in the clear.
            raise ImapRefused("server does not offer STARTTLS", what="security")
        protocol = imap.protocol
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        await self._command(protocol.execute(command), "STARTTLS")
        loop = asyncio.get_running_loop()
        transport = await self._await(
            loop.start_tls(
                protocol.transport,
                protocol,
                ssl.create_default_context(),
                server_hostname=self._config.host,
            ),
            "STARTTLS handshake",
        )
        protocol.transport = transport
        # RFC 3501 6.2.1: forget what the server said before TLS.
        await self._refresh_capabilities()

    async def _login(self) -> None:
        config = self._config
        reply = await self._ask(
            self._imap.login(aioimaplib.quoted(config.username), config.password), "LOGIN"
        )
        if reply.ok:
            return
        message = f"LOGIN as {config.username}: {reply.result} {reply.text}"
        transient = any(code in reply.text.encode() for code in _TRANSIENT_LOGIN_CODES)
        if reply.result == "NO" and not transient:
            raise ImapAuthError(message)
        raise ImapError(message)

    async def _refresh_capabilities(self) -> None:
        await self._await(self._imap.protocol.capability(), "CAPABILITY")
        self._capabilities = frozenset(
            str(capability).upper() for capability in self._imap.protocol.capabilities
        )

    async def close(self) -> None:
        """LOGOUT (best effort) and close the socket now; safe to call twice.

        aioimaplib leaves closing to the server, which may come after the event loop is gone."""
        imap, self._imap = self._imap, None
        if imap is None:
            return
        async with self._lock:
            if not self._lost and not imap.has_pending_idle():
                # Best effort: we are leaving anyway and close the socket below.
                with contextlib.suppress(aioimaplib.AioImapException, OSError, TimeoutError):
                    await asyncio.wait_for(imap.logout(), min(self._config.timeout, 5.0))
            _close_transport(imap)

    def _drop(self) -> None:
        """Forget a connection whose protocol state we no longer trust."""
        imap, self._imap = self._imap, None
        if imap is not None:
            _close_transport(imap)

    # -- reading --------------------------------------------------------------------------------

    async def fetch_since(self, last_uid: int, *, limit: int = 200) -> list[FetchedMail]:
        """Messages with UID > last_uid, ascending, at most `limit`. BODY.PEEK: nothing is marked
        seen here, so a crash before `mark_processed` means the mail is read again."""
        async with self._lock:
            uids = (await self._search_uids_after(last_uid))[: max(limit, 0)]
            mails: list[FetchedMail] = []
            for start in range(0, len(uids), FETCH_CHUNK):
                mails.extend(await self._fetch_chunk(uids[start : start + FETCH_CHUNK]))
            return sorted(mails, key=lambda mail: mail.uid)

    async def _search_uids_after(self, last_uid: int) -> list[int]:
        imap = self._require()
        # Dovecot shows mail that arrived after SELECT only once the session has synced, which
        # happens at the end of a command: without this NOOP the first SEARCH misses it.
        await self._command(imap.noop(), "NOOP")
        reply = await self._command(
            imap.uid_search(f"UID {last_uid + 1}:*", charset=None), "UID SEARCH"
        )
        uids = {uid for uid in _search_uids(reply) if uid > last_uid}  # `n:*` always matches the
        return sorted(uids)  # last message, even when its UID is below n (RFC 3501 6.4.8)

    async def _fetch_chunk(self, uids: list[int]) -> list[FetchedMail]:
        imap = self._require()
        # The FETCH timeout in aioimaplib restarts on every chunk of data: big mail on a slow link
        # is fine, a silent server is not.
        reply = await self._command(
            imap.uid("fetch", _uid_set(uids), "(UID FLAGS BODY.PEEK[])"),
            "UID FETCH",
            deadline=None,
        )
        wanted = set(uids)
        return [
            FetchedMail(uid, self._uidvalidity, raw, flags)
            for uid, raw, flags in _fetch_records(reply)
            if uid in wanted  # unsolicited FETCHes (flag changes elsewhere) are not ours
        ]

    # -- marking --------------------------------------------------------------------------------

    async def mark_processed(self, uids: Iterable[int]) -> None:
        """\\Seen in place, or moved to `processed_folder`, in one command for the whole set.
        Never deletes anything else."""
        uid_set = _uid_set(uids)
        if not uid_set:
            return
        async with self._lock:
            if not self._config.processed_folder:
                await self._store(uid_set, "+FLAGS.SILENT", r"(\Seen)")
            elif "MOVE" in self._capabilities:
                await self._with_trycreate(lambda: self._uid_command("move", uid_set), "UID MOVE")
            else:
                await self._copy_then_expunge(uid_set)

    async def _copy_then_expunge(self, uid_set: str) -> None:
        """RFC 6851's fallback for MOVE. Without UIDPLUS a plain EXPUNGE would also remove mail
        someone else flagged \\Deleted, so then the copy just stays flagged in the folder."""
        await self._with_trycreate(lambda: self._uid_command("copy", uid_set), "UID COPY")
        await self._store(uid_set, "+FLAGS.SILENT", r"(\Seen \Deleted)")
        if "UIDPLUS" in self._capabilities:
            await self._command(self._require().uid("expunge", uid_set), "UID EXPUNGE")

    async def _uid_command(self, name: str, uid_set: str) -> _Reply:
        imap = self._require()
        target = _mailbox(self._config.processed_folder)
        return await self._ask(imap.uid(name, uid_set, target), f"UID {name.upper()}")

    async def _with_trycreate(self, attempt: Callable[[], Awaitable[_Reply]], what: str) -> None:
        """Run a COPY/MOVE; if the target folder is missing ([TRYCREATE]), create it, retry."""
        reply = await attempt()
        if not reply.ok and "[TRYCREATE]" in reply.text.upper():
            folder = self._config.processed_folder
            created = await self._ask(self._require().create(_mailbox(folder)), "CREATE")
            # Someone else may have created it in between: that is fine too.
            if not created.ok and "[ALREADYEXISTS]" not in created.text.upper():
                raise ImapError(f"CREATE {folder}: {created.result} {created.text}")
            reply = await attempt()
        if not reply.ok:
            raise ImapError(f"{what}: {reply.result} {reply.text}")

    async def _store(self, uid_set: str, action: str, flags: str) -> None:
        imap = self._require()
        await self._command(imap.uid("store", uid_set, action, flags), "UID STORE")

    # -- waiting --------------------------------------------------------------------------------

    async def wait_for_new(self, timeout: float, *, idling: asyncio.Event | None = None) -> bool:  # noqa: ASYNC109 - the deadline must reach IDLE itself, see _idle
        """Wait until the server may have new mail. With IDLE: True on an EXISTS push, False when
        `timeout` passes. Without IDLE it sleeps `min(timeout, poll_seconds)`, checks the
        connection with NOOP and returns True: polling cannot tell, so the caller rescans.

        Either way the caller rescans with `fetch_since(last stored uid)`, not trusting a count:
        aioimaplib drops an EXISTS that arrives during a FETCH, Dovecot batches them.
        `idling` is set once the server has acknowledged IDLE (for tests)."""
        async with self._lock:
            if self.supports_idle:
                return await self._idle(min(timeout, MAX_IDLE_SECONDS), idling)
            await asyncio.sleep(max(0.0, min(timeout, self._config.poll_seconds)))
            await self._command(self._require().noop(), "NOOP")
            return True

    async def _idle(self, seconds: float, idling: asyncio.Event | None) -> bool:
        # An outer asyncio.timeout would cancel in mid-IDLE and leave the protocol half-done,
        # so the deadline goes into the wait for pushes instead.
        imap = self._require()
        _drain_pushes(imap)  # leftovers from the end of the last IDLE: rescanned already
        # idle_start's own stop timer is set past our deadline: we end IDLE ourselves.
        idle_task = await self._await(imap.idle_start(timeout=seconds + 60.0), "IDLE")
        if idling is not None:
            idling.set()
        try:
            arrived = await self._wait_for_exists(imap, seconds)
        except BaseException:
            # Cancelled or failed in mid-IDLE: the connection is no longer in a known state.
            idle_task.cancel()
            self._drop()
            raise
        imap.idle_done()  # a plain function: it only sends DONE
        ended = await self._ask(asyncio.shield(idle_task), "IDLE DONE")
        if not ended.ok:
            raise ImapError(f"IDLE: {ended.result} {ended.text}")
        return arrived

    async def _wait_for_exists(self, imap: Any, seconds: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                push = await imap.wait_server_push(timeout=remaining)
            except TimeoutError:
                return False
            if self._lost:
                raise ImapError("connection lost during IDLE")
            # Keep-alives (`OK Still here`), EXPUNGE and flag FETCHes come here too.
            if any(isinstance(line, bytes) and line.endswith(b" EXISTS") for line in push):
                return True

    # -- plumbing -------------------------------------------------------------------------------

    def _require(self) -> Any:
        if self._imap is None or self._lost:
            self._drop()
            raise ImapError("not connected")
        return self._imap

    async def _command(
        self, call: Awaitable[Any], what: str, *, deadline: float | None = -1.0
    ) -> _Reply:
        """Run one command; anything but OK is an ImapError with the server's words."""
        reply = await self._ask(call, what, deadline=deadline)
        if not reply.ok:
            raise ImapError(f"{what}: {reply.result} {reply.text}")
        return reply

    async def _ask(
        self, call: Awaitable[Any], what: str, *, deadline: float | None = -1.0
    ) -> _Reply:
        """Run one command and return its answer, whatever the result."""
        return _reply(await self._await(call, what, deadline=deadline))

    async def _await(
        self, call: Awaitable[Any], what: str, *, deadline: float | None = -1.0
    ) -> Any:
        """Await one aioimaplib call within `deadline` seconds (-1: the configured timeout; None:
        aioimaplib's own, which restarts on every chunk of data) and translate its failures.
        A timeout, a transport error or a cancellation drops the connection: its state is
        unknown, aioimaplib may still think a command is pending."""
        seconds = self._config.timeout if deadline == -1.0 else deadline
        try:
            async with asyncio.timeout(seconds):
                return await self._unless_lost(call)
        except aioimaplib.CommandTimeout as exc:
            self._drop()
            raise ImapError(f"{what}: no answer within {self._config.timeout} s") from exc
        except (aioimaplib.AioImapException, OSError, TimeoutError) as exc:
            self._drop()
            raise ImapError(f"{what}: {type(exc).__name__}: {exc}") from exc
        except asyncio.CancelledError:
            self._drop()
            raise

    async def _unless_lost(self, call: Awaitable[Any]) -> Any:
        """`call`'s result, or ConnectionResetError as soon as the socket closes: aioimaplib
        leaves a command sent just before an outage waiting for an answer until its timeout,
        and the channel would show the mailbox as connected all that time."""
        work = asyncio.ensure_future(call)
        lost = asyncio.ensure_future(self._lost_event.wait())
        try:
            done, _ = await asyncio.wait((work, lost), return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            work.cancel()
            raise
        finally:
            lost.cancel()
        if work in done:
            return work.result()
        work.cancel()
        raise ConnectionResetError("the server closed the connection")


# -- pure helpers ---------------------------------------------------------------------------------


def _close_transport(imap: Any) -> None:
    transport = imap.protocol.transport
    if transport is not None and not transport.is_closing():
        transport.close()


def _drain_pushes(imap: Any) -> None:
    queue: asyncio.Queue[Any] = imap.protocol.idle_queue
    while not queue.empty():
        queue.get_nowait()


def _int_code(pattern: re.Pattern[bytes], reply: _Reply) -> int:
    for line in reply.lines:
        if isinstance(line, bytes) and (match := pattern.search(line)):
            return int(match.group(1))
    return 0


def _search_uids(reply: _Reply) -> list[int]:
    """aioimaplib strips `* SEARCH`: the untagged line is b"1 2 3" (b"" when none matched)."""
    uids: list[int] = []
    for line in reply.lines[:-1]:  # the last line is the tagged completion text
        if not isinstance(line, bytes):
            continue
        tokens = line.split()
        if tokens[:1] == [b"SEARCH"]:
            tokens = tokens[1:]
        if tokens and all(token.isdigit() for token in tokens):
            uids.extend(int(token) for token in tokens)
    return uids


def _fetch_records(reply: _Reply) -> list[tuple[int, bytes, tuple[str, ...]]]:
    """(uid, raw, flags) per FETCH answer. Shape: b'3 FETCH (UID 3 FLAGS (\\Seen) BODY[] {786}',
    bytearray(raw), b')' -- FLAGS may also come after the literal, in the closing line."""
    records: list[tuple[int, bytes, tuple[str, ...]]] = []
    head = b""
    raw: bytes | None = None

    def finish() -> None:
        uid = _FETCH_UID_RE.search(head)
        if uid is not None and raw is not None:
            flags = _FETCH_FLAGS_RE.search(head)
            names = (
                tuple(f.decode("utf-8", "replace") for f in flags.group(1).split())
                if (flags)
                else ()
            )
            records.append((int(uid.group(1)), raw, names))

    for line in reply.lines[:-1]:
        if isinstance(line, bytearray):
            raw = bytes(line)
        elif _FETCH_START_RE.match(line):
            finish()
            head, raw = line, None
        else:
            head += b" " + line
    finish()
    return records


def _uid_set(uids: Iterable[int]) -> str:
    """Compact UID set: 1,2,3,7 -> "1:3,7"."""
    ranges: list[str] = []
    ordered = sorted(set(uids))
    start = prev = ordered[0] if ordered else 0
    for uid in ordered[1:]:
        if uid != prev + 1:
            ranges.append(f"{start}:{prev}" if prev != start else str(start))
            start = uid
        prev = uid
    if ordered:
        ranges.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(ranges)


def _mailbox(name: str) -> str:
    """A mailbox name as an IMAP argument: modified UTF-7 (RFC 3501 5.1.3), always quoted."""
    escaped = _utf7_imap(name).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _utf7_imap(name: str) -> str:
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            encoded = base64.b64encode(data).decode("ascii").rstrip("=").replace("/", ",")
            out.append(f"&{encoded}-")
            pending.clear()

    for char in name:
        if "\x20" <= char <= "\x7e":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)
