"""A real mail system on loopback for tests: Dovecot (IMAP + LMTP) and an aiosmtpd SMTP server.

    lab = MailLab()
    lab.start()                      # own Dovecot instance + SMTP server, ~0.1-0.3 s
    ...                              # SMTP to lab.smtp_host:lab.smtp_port, IMAP at lab.imap_*
    lab.stop()

Mail sent over SMTP to a lab user (see `LAB_USERS`) is delivered to that user's Dovecot INBOX over
LMTP; mail to any other address is recorded in `lab.outside` and goes nowhere. Everything lives in
a fresh temporary folder and on free loopback ports, so parallel runs do not clash.

The lifecycle is synchronous (Dovecot is a daemon, the SMTP server runs in aiosmtpd's own thread),
so one lab serves a whole test session whatever event loop each test runs in; the IMAP helpers
are coroutines that open their own connection on the caller's loop.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import grp
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import aioimaplib
from aiosmtpd.controller import Controller

LAB_DOMAIN = "lab.test"
LAB_USERS: Mapping[str, str] = {
    f"klachten@{LAB_DOMAIN}": "klachten-secret",
    f"anna@{LAB_DOMAIN}": "anna-secret",
    f"handler@{LAB_DOMAIN}": "handler-secret",
}
HOST = "127.0.0.1"
TEMPLATE = Path(__file__).with_name("dovecot.conf.in")
_FETCH_CHUNK = 50


def dovecot_installed() -> bool:
    return shutil.which("dovecot") is not None and shutil.which("doveadm") is not None


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports that were free a moment ago (bind port 0, read, close)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_for_greeting(port: int, greeting: bytes, deadline: float) -> None:
    """Poll until the service on `port` greets us, or raise TimeoutError at the deadline
    (a `time.monotonic()` value)."""
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1.0) as sock:
                if sock.recv(256).startswith(greeting):
                    return
        except OSError as exc:
            last_error = exc
        time.sleep(0.01)  # poll interval, bounded by the deadline
    raise TimeoutError(f"no {greeting!r} greeting on {HOST}:{port} ({last_error})")


@dataclass(frozen=True)
class SentMail:
    """A message the lab SMTP server accepted for recipients outside the lab."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes


class MailLabError(RuntimeError):
    """The lab could not start or answer; the message carries Dovecot's log."""


class _Handler:
    """aiosmtpd handler: lab users get LMTP delivery into Dovecot, everybody else is recorded."""

    def __init__(self, lab: MailLab) -> None:
        self._lab = lab

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        rcpt_tos: list[str] = list(envelope.rcpt_tos)
        inside = [rcpt for rcpt in rcpt_tos if rcpt.lower() in self._lab.users]
        outside = tuple(rcpt for rcpt in rcpt_tos if rcpt.lower() not in self._lab.users)
        for rcpt in inside:
            try:
                await asyncio.to_thread(self._lab.deliver, bytes(raw), rcpt, envelope.mail_from)
            except (OSError, smtplib.SMTPException) as exc:
                return f"451 4.3.0 lab LMTP delivery to {rcpt} failed: {exc}"
        if outside:
            with self._lab._lock:
                self._lab.outside.append(SentMail(envelope.mail_from, outside, bytes(raw)))
        return "250 2.0.0 OK"


class MailLab:
    """One Dovecot instance plus one SMTP server, all on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        users: Mapping[str, str] = LAB_USERS,
        *,
        startup_timeout: float = 10.0,
        keep_files: bool = False,
    ) -> None:
        self.users: dict[str, str] = {address.lower(): pw for address, pw in users.items()}
        self.imap_host = self.smtp_host = self.lmtp_host = HOST
        self.imap_port = self.smtp_port = self.lmtp_port = 0
        self.outside: list[SentMail] = []
        self.root: Path | None = None
        self.startup_seconds = 0.0
        self._startup_timeout = startup_timeout
        self._keep_files = keep_files
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self._dovecot_running = False

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        assert self.root is not None, "lab not started"
        return self.root / "dovecot.conf"

    @property
    def log_text(self) -> str:
        """Dovecot's log so far (handy in an assertion message)."""
        if self.root is None or not (self.root / "dovecot.log").exists():
            return ""
        return (self.root / "dovecot.log").read_text(errors="replace")

    def start(self) -> None:
        began = time.monotonic()
        self.root = Path(tempfile.mkdtemp(prefix="mail-lab-"))
        try:
            self._start_dovecot()
            self._controller = Controller(_Handler(self), hostname=HOST, port=self.smtp_port)
            self._controller.start()
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)
        self.startup_seconds = time.monotonic() - began

    def stop(self) -> None:
        """Stop the SMTP server and Dovecot and remove the lab folder; safe to call twice."""
        atexit.unregister(self.stop)
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._dovecot_running:
            self._stop_dovecot()
        if self.root is not None and not self._keep_files:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> MailLab:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _identities(self) -> tuple[str, str, str, int, int]:
        """(login user, internal user, internal group, mail uid, mail gid) for this process."""
        if os.geteuid() == 0:
            login = pwd.getpwnam("dovenull")
            return "dovenull", "dovecot", "dovecot", login.pw_uid, login.pw_gid
        # Unprivileged: Dovecot runs every process as ourselves.
        me = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(os.getegid()).gr_name
        return me.pw_name, me.pw_name, group, me.pw_uid, me.pw_gid

    def _start_dovecot(self) -> None:
        root = self.root
        assert root is not None
        root.chmod(0o755)  # mail and login processes run as dovenull and must reach their homes
        login_user, internal_user, internal_group, uid, gid = self._identities()
        lines = []
        for address, password in self.users.items():
            home = root / "home" / address
            (home / "Maildir").mkdir(parents=True)
            for path in (home, home / "Maildir"):
                os.chown(path, uid, gid)
            lines.append(f"{address}:{{PLAIN}}{password}:{uid}:{gid}::{home}\n")
        users_file = root / "users"
        users_file.write_text("".join(lines))
        # Dovecot's auth process reads it as the internal user.
        users_file.chmod(0o640)
        reader = pwd.getpwnam(internal_user).pw_uid, grp.getgrnam(internal_group).gr_gid
        os.chown(users_file, *reader)

        self.imap_port, self.lmtp_port, self.smtp_port = free_ports(3)
        values = {
            "ROOT": str(root),
            "INSTANCE": f"mail-lab-{self.imap_port}",
            "LOGIN_USER": login_user,
            "INTERNAL_USER": internal_user,
            "INTERNAL_GROUP": internal_group,
            "IMAP_PORT": str(self.imap_port),
            "LMTP_PORT": str(self.lmtp_port),
        }
        config = re.sub(r"@([A-Z_]+)@", lambda m: values[m.group(1)], TEMPLATE.read_text())
        self.config_path.write_text(config)

        # The daemon inherits our stdout/stderr: send them to a file, not to a pipe we wait on.
        self._dovecot_running = True
        with (root / "dovecot.stderr").open("wb") as stderr:
            started = subprocess.run(
                ["dovecot", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                timeout=self._startup_timeout,
                check=False,
            )
        if started.returncode != 0:
            error = (root / "dovecot.stderr").read_text(errors="replace").strip()
            raise MailLabError(
                f"dovecot did not start ({started.returncode}): {error}\n{self.log_text}"
            )
        deadline = time.monotonic() + self._startup_timeout
        self._wait_for_greeting(self.imap_port, b"* OK", deadline)
        self._wait_for_greeting(self.lmtp_port, b"220 ", deadline)

    def _wait_for_greeting(self, port: int, greeting: bytes, deadline: float) -> None:
        try:
            wait_for_greeting(port, greeting, deadline)
        except TimeoutError as exc:
            raise MailLabError(f"{exc}\n{self.log_text}") from None

    def _stop_dovecot(self) -> None:
        self._dovecot_running = False
        pid_file = self.config_path.parent / "run" / "master.pid"
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            pid = None
        if pid is None:
            subprocess.run(
                ["doveadm", "-c", str(self.config_path), "stop"],
                capture_output=True,
                timeout=10,
                check=False,
            )
            return
        # What `doveadm stop` does (SIGTERM to the master, wait), minus its ~1 s polling lag.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not self._wait_gone(pid, 10):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, 2)

    @staticmethod
    def _wait_gone(pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
                # A daemon's zombie lingers until PID 1 reaps it, which in a container can be slow.
                stat = Path(f"/proc/{pid}/stat").read_text()
                if stat.rpartition(")")[2].split()[0] == "Z":
                    return True
            except (ProcessLookupError, FileNotFoundError):
                return True
            time.sleep(0.01)  # poll interval, bounded by the deadline
        return False

    # -- delivery and inspection ----------------------------------------------------------------

    def deliver(self, raw: bytes, to: str, mail_from: str = "sender@outside.test") -> None:
        """Deliver one message straight into a lab mailbox over LMTP (fast mailbox loading)."""
        with smtplib.LMTP(self.lmtp_host, self.lmtp_port, timeout=10) as lmtp:
            lmtp.sendmail(mail_from, [to], raw)

    def reset(self) -> None:
        """Empty every lab mailbox and forget recorded outside mail."""
        for address in self.users:
            command = ["doveadm", "-c", str(self.config_path), "expunge", "-u", address]
            expunged = subprocess.run(
                [*command, "mailbox", "*", "all"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            if expunged.returncode != 0:
                raise MailLabError(f"doveadm expunge for {address} failed: {expunged.stderr}")
        with self._lock:
            self.outside.clear()

    def sent_to(self, address: str) -> list[SentMail]:
        """Recorded outside mail that had `address` among its recipients."""
        with self._lock:
            return [m for m in self.outside if address.lower() in (r.lower() for r in m.rcpt_tos)]

    async def connect(self, user: str, *, command_timeout: float = 10.0) -> aioimaplib.IMAP4:
        """A logged-in aioimaplib client for a lab user (caller logs out)."""
        imap = aioimaplib.IMAP4(host=self.imap_host, port=self.imap_port, timeout=command_timeout)
        await imap.wait_hello_from_server()
        response = await imap.login(user, self.users[user.lower()])
        if response.result != "OK":
            await logout(imap)
            raise MailLabError(f"IMAP login for {user} failed: {response.lines}")
        return imap

    async def fetch_all(self, user: str, mailbox: str = "INBOX") -> list[bytes]:
        """Every message in the mailbox, raw, in UID order (BODY.PEEK: flags stay unseen)."""
        imap = await self.connect(user)
        try:
            await _select(imap, mailbox)
            return await _fetch(imap, await _uids(imap))
        finally:
            await logout(imap)

    async def wait_for_mail(
        self,
        user: str,
        count: int = 1,
        # The deadline goes into IDLE itself; an outer asyncio.timeout would cancel mid-IDLE and
        # skip DONE/LOGOUT.
        timeout: float = 10.0,  # noqa: ASYNC109
        mailbox: str = "INBOX",
        *,
        idling: asyncio.Event | None = None,
    ) -> list[bytes]:
        """Wait (IMAP IDLE, deadline `timeout`) until the mailbox holds >= `count` messages; return
        them all like `fetch_all`. Raises TimeoutError with what did arrive.

        `idling` is set once the server has acknowledged IDLE, for a test that wants to deliver
        only after the client is idling."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        imap = await self.connect(user)
        try:
            await _select(imap, mailbox)
            while True:
                # Rescan after every wake-up: aioimaplib may drop an EXISTS, Dovecot batches them.
                uids = await _uids(imap)
                if len(uids) >= count:
                    return await _fetch(imap, uids)
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{user}/{mailbox}: {len(uids)} of {count} messages after {timeout} s"
                    )
                idle = await imap.idle_start(timeout=remaining)
                if idling is not None:
                    idling.set()
                try:
                    while True:
                        push = await imap.wait_server_push(timeout=remaining + 5)
                        if push == aioimaplib.STOP_WAIT_SERVER_PUSH or any(
                            isinstance(line, bytes) and line.endswith(b"EXISTS") for line in push
                        ):
                            break
                finally:
                    imap.idle_done()
                    await asyncio.wait_for(idle, timeout=10)
        finally:
            await logout(imap)


async def logout(imap: aioimaplib.IMAP4) -> None:
    """LOGOUT and close the socket now: aioimaplib leaves that to the server's close, which may
    arrive after the test's event loop is gone (an unclosed-transport ResourceWarning)."""
    try:
        await imap.logout()
    finally:
        transport = imap.protocol.transport
        if transport is not None and not transport.is_closing():
            transport.close()


async def _select(imap: aioimaplib.IMAP4, mailbox: str) -> None:
    response = await imap.select(mailbox)
    if response.result != "OK":
        raise MailLabError(f"SELECT {mailbox} failed: {response.lines}")


async def _uids(imap: aioimaplib.IMAP4) -> list[int]:
    response = await imap.uid_search("ALL", charset=None)
    if response.result != "OK":
        raise MailLabError(f"UID SEARCH failed: {response.lines}")
    # aioimaplib strips "* SEARCH": the untagged line is just b"1 2 3" (b"" when empty); the last
    # line is the tagged completion text.
    uids: list[int] = []
    for line in response.lines[:-1]:
        tokens = line.split() if isinstance(line, bytes) else []
        if tokens[:1] == [b"SEARCH"]:
            tokens = tokens[1:]
        if tokens and all(token.isdigit() for token in tokens):
            uids.extend(int(token) for token in tokens)
    return sorted(uids)


async def _fetch(imap: aioimaplib.IMAP4, uids: list[int]) -> list[bytes]:
    messages: list[bytes] = []
    for start in range(0, len(uids), _FETCH_CHUNK):
        chunk = uids[start : start + _FETCH_CHUNK]
        response = await imap.uid("fetch", ",".join(map(str, chunk)), "(BODY.PEEK[])")
        if response.result != "OK":
            raise MailLabError(f"UID FETCH failed: {response.lines}")
        # The message bodies are the bytearray lines; everything else is protocol framing.
        messages.extend(bytes(line) for line in response.lines if isinstance(line, bytearray))
    return messages
