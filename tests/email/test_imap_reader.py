"""The IMAP reader against a real Dovecot (the shared `mail_lab`): fetch, mark, IDLE, failure, load.

TLS and STARTTLS run through a small TLS terminator on loopback in front of the lab's plain
Dovecot (the lab itself has `ssl = no`); the test's own CA is trusted through SSL_CERT_FILE.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import pytest

from channels.email.imap_reader import (
    FetchedMail,
    ImapAuthError,
    ImapConfig,
    ImapError,
    ImapReader,
    _uid_set,
    _utf7_imap,
    reconnect_delay,
)
from tests.mail_lab.lab import HOST, MailLab, free_ports
from tests.support import require_service

KLACHTEN = "klachten@lab.test"
SEEN = "\\Seen"


@pytest.fixture
def lab(mail_lab: MailLab) -> MailLab:
    mail_lab.reset()  # the lab is shared by the whole session
    return mail_lab


def config_for(lab: MailLab, **overrides: Any) -> ImapConfig:
    values: dict[str, Any] = {
        "host": lab.imap_host,
        "port": lab.imap_port,
        "security": "none",
        "username": KLACHTEN,
        "password": lab.users[KLACHTEN],
        "timeout": 10.0,
    }
    values.update(overrides)
    return ImapConfig(**values)


@contextlib.asynccontextmanager
async def connected(config: ImapConfig) -> AsyncIterator[ImapReader]:
    reader = ImapReader(config)
    await reader.connect()
    try:
        yield reader
    finally:
        await reader.close()


@pytest.fixture
async def reader(lab: MailLab) -> AsyncIterator[ImapReader]:
    async with connected(config_for(lab)) as reader:
        yield reader


def body_of(number: int) -> bytes:
    return (
        f"Beste klantenservice,\r\n\r\nKlacht {number}: pakket één week te laat, €12,50 schade."
        "\r\nGroet,\r\nZoë Müller\r\n"
    ).encode()


def mail(number: int, body: bytes | None = None) -> bytes:
    """A raw 8bit UTF-8 mail, so its body bytes can be found verbatim in what IMAP returns."""
    head = (
        "From: Zoë <zoe@example.test>\r\n"
        f"To: {KLACHTEN}\r\n"
        f"Subject: Klacht {number}\r\n"
        f"Message-ID: <klacht-{number}-{uuid.uuid4().hex}@example.test>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode()
    return head + (body_of(number) if body is None else body)


# -- connecting ---------------------------------------------------------------------------------


async def test_connect_selects_the_folder_and_reads_its_state(reader: ImapReader) -> None:
    assert reader.uidvalidity > 0
    assert reader.uidnext >= 1
    assert reader.supports_idle  # Dovecot offers IDLE
    assert reader.connected


async def test_wrong_password_is_an_auth_error(lab: MailLab) -> None:
    reader = ImapReader(config_for(lab, password="wrong"))
    with pytest.raises(ImapAuthError, match="AUTHENTICATIONFAILED"):
        await reader.connect()
    assert not reader.connected
    await reader.close()
    # Dovecot's anvil delays the next login from this IP after a failure (~4 s here, the
    # penalty doubles per failure) until one succeeds: take that hit here, not in a later test.
    async with connected(config_for(lab)) as good:
        assert good.connected


async def test_unreachable_port_is_an_imap_error_not_an_auth_error(lab: MailLab) -> None:
    [port] = free_ports(1)
    reader = ImapReader(config_for(lab, port=port))
    with pytest.raises(ImapError) as raised:
        await reader.connect()
    assert not isinstance(raised.value, ImapAuthError)
    assert isinstance(raised.value.__cause__, OSError)


async def test_missing_folder_is_an_imap_error(lab: MailLab) -> None:
    reader = ImapReader(config_for(lab, folder="Bestaat-niet"))
    with pytest.raises(ImapError, match="SELECT"):
        await reader.connect()
    assert not reader.connected


async def test_close_is_safe_twice_and_later_calls_fail_cleanly(lab: MailLab) -> None:
    reader = ImapReader(config_for(lab))
    await reader.connect()
    await reader.close()
    await reader.close()
    with pytest.raises(ImapError, match="not connected"):
        await reader.fetch_since(0)


async def test_starttls_is_refused_when_the_server_does_not_offer_it(lab: MailLab) -> None:
    # Never fall back to sending the password in the clear.
    reader = ImapReader(config_for(lab, security="starttls"))
    with pytest.raises(ImapError, match="STARTTLS"):
        await reader.connect()


# -- fetching -----------------------------------------------------------------------------------


async def test_fetch_since_returns_new_mail_in_uid_order_unseen(
    lab: MailLab, reader: ImapReader
) -> None:
    for number in range(3):
        lab.deliver(mail(number), KLACHTEN)

    mails = await reader.fetch_since(0)

    assert [m.uid for m in mails] == sorted(m.uid for m in mails)
    assert len({m.uid for m in mails}) == 3
    for number, fetched in enumerate(mails):
        assert body_of(number) in fetched.raw  # Dovecot only adds headers
        assert fetched.uidvalidity == reader.uidvalidity
        assert SEEN not in fetched.flags
    # BODY.PEEK: fetching again still finds them unseen.
    assert all(SEEN not in m.flags for m in await reader.fetch_since(0))


async def test_fetch_since_returns_only_newer_mail(lab: MailLab, reader: ImapReader) -> None:
    for number in range(3):
        lab.deliver(mail(number), KLACHTEN)
    first, second, third = await reader.fetch_since(0)

    assert [m.uid for m in await reader.fetch_since(first.uid)] == [second.uid, third.uid]
    # `UID n:*` matches the last message even when n is above its UID: filtered.
    assert await reader.fetch_since(third.uid) == []
    assert await reader.fetch_since(third.uid + 100) == []
    assert [m.uid for m in await reader.fetch_since(0, limit=2)] == [first.uid, second.uid]


async def test_fetch_since_on_an_empty_folder(reader: ImapReader) -> None:
    assert await reader.fetch_since(0) == []


# -- marking ------------------------------------------------------------------------------------


async def test_mark_processed_without_folder_sets_seen_and_keeps_the_mail(
    lab: MailLab, reader: ImapReader
) -> None:
    lab.deliver(mail(1), KLACHTEN)
    lab.deliver(mail(2), KLACHTEN)
    first, second = await reader.fetch_since(0)

    await reader.mark_processed([first.uid])

    after = {m.uid: m for m in await reader.fetch_since(0)}
    assert set(after) == {first.uid, second.uid}
    assert SEEN in after[first.uid].flags
    assert SEEN not in after[second.uid].flags


async def test_mark_processed_marks_a_whole_set_in_one_call(
    lab: MailLab, reader: ImapReader
) -> None:
    for number in range(4):
        lab.deliver(mail(number), KLACHTEN)
    first, second, third, fourth = await reader.fetch_since(0)

    await reader.mark_processed([first.uid, second.uid, fourth.uid])

    seen = {m.uid: SEEN in m.flags for m in await reader.fetch_since(0)}
    assert seen == {first.uid: True, second.uid: True, third.uid: False, fourth.uid: True}


async def test_mark_processed_moves_to_the_processed_folder(lab: MailLab) -> None:
    lab.deliver(mail(1), KLACHTEN)
    lab.deliver(mail(2), KLACHTEN)
    async with connected(config_for(lab, processed_folder="Verwerkt")) as reader:
        first, second = await reader.fetch_since(0)

        await reader.mark_processed([first.uid])

        assert [m.uid for m in await reader.fetch_since(0)] == [second.uid]
    [moved] = await lab.fetch_all(KLACHTEN, mailbox="Verwerkt")
    assert body_of(1) in moved


async def test_mark_processed_creates_a_missing_non_ascii_folder(lab: MailLab) -> None:
    folder = f"Afgehandeld é {uuid.uuid4().hex[:8]}"  # new each run: reset() keeps folders
    lab.deliver(mail(1), KLACHTEN)
    async with connected(config_for(lab, processed_folder=folder)) as reader:
        [fetched] = await reader.fetch_since(0)
        await reader.mark_processed([fetched.uid])
        assert await reader.fetch_since(0) == []
    async with connected(config_for(lab, folder=folder)) as processed:
        [moved] = await processed.fetch_since(0)
    assert body_of(1) in moved.raw


async def test_mark_processed_without_move_copies_then_expunges_only_that_mail(
    lab: MailLab,
) -> None:
    folder = f"Verwerkt-{uuid.uuid4().hex[:8]}"
    for number in range(3):
        lab.deliver(mail(number), KLACHTEN)
    async with connected(config_for(lab, processed_folder=folder)) as reader:
        # Pretend the server lacks RFC 6851 MOVE (Dovecot has it).
        reader._capabilities = reader._capabilities - {"MOVE"}
        first, second, third = await reader.fetch_since(0)

        await reader.mark_processed([second.uid])

        assert [m.uid for m in await reader.fetch_since(0)] == [first.uid, third.uid]
    [copied] = await lab.fetch_all(KLACHTEN, mailbox=folder)
    assert body_of(1) in copied


# -- waiting ------------------------------------------------------------------------------------


async def test_wait_for_new_wakes_on_a_delivery_made_while_idling(
    lab: MailLab, reader: ImapReader
) -> None:
    idling = asyncio.Event()

    async def deliver_once_idling() -> None:
        await idling.wait()
        await asyncio.to_thread(lab.deliver, mail(7), KLACHTEN)

    async with asyncio.timeout(10):
        delivery = asyncio.create_task(deliver_once_idling())
        began = time.monotonic()
        arrived = await reader.wait_for_new(8.0, idling=idling)
        took = time.monotonic() - began
        await delivery

    assert arrived
    assert took < 5.0  # Dovecot batches IDLE pushes for 0.5 s
    [fetched] = await reader.fetch_since(0)  # IDLE has ended: the connection is usable
    assert body_of(7) in fetched.raw


async def test_wait_for_new_returns_false_on_timeout(reader: ImapReader) -> None:
    async with asyncio.timeout(5):
        began = time.monotonic()
        arrived = await reader.wait_for_new(1.0)
        took = time.monotonic() - began

    assert not arrived
    assert 0.9 <= took < 3.0
    assert await reader.fetch_since(0) == []  # IDLE has ended: the connection is usable


async def test_wait_for_new_without_idle_polls(lab: MailLab) -> None:
    async with connected(config_for(lab, poll_seconds=0.05)) as reader:
        reader._capabilities = reader._capabilities - {"IDLE"}
        assert not reader.supports_idle
        async with asyncio.timeout(5):
            began = time.monotonic()
            # Polling cannot know: it always asks the caller to rescan.
            assert await reader.wait_for_new(30.0)
            took = time.monotonic() - began
        assert 0.04 <= took < 2.0


# -- TLS and STARTTLS (through a loopback TLS terminator) ---------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    made = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=IP:{HOST}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        capture_output=True,
        check=False,
    )
    require_service(
        made.returncode == 0, f"openssl could not make a test certificate: {made.stderr!r}"
    )
    return cert, key


class TlsFront:
    """TLS on loopback in front of the lab's plain IMAP port: implicit TLS, or STARTTLS, which
    it answers itself (and announces in CAPABILITY) before piping on to Dovecot."""

    def __init__(self, lab: MailLab, context: ssl.SSLContext, *, starttls: bool) -> None:
        self._lab = lab
        self._context = context
        self._starttls = starttls
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.port = 0

    async def __aenter__(self) -> TlsFront:
        self._server = await asyncio.start_server(
            self._serve, HOST, 0, ssl=None if self._starttls else self._context
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, client_in: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        server_in, server = await asyncio.open_connection(self._lab.imap_host, self._lab.imap_port)
        self._writers += [client, server]
        with contextlib.suppress(OSError, ssl.SSLError, asyncio.IncompleteReadError):
            if self._starttls:
                await self._plain_until_starttls(client_in, client, server_in, server)
            await asyncio.gather(_pipe(client_in, server), _pipe(server_in, client))

    async def _plain_until_starttls(
        self,
        client_in: asyncio.StreamReader,
        client: asyncio.StreamWriter,
        server_in: asyncio.StreamReader,
        server: asyncio.StreamWriter,
    ) -> None:
        client.write(_announce_starttls(await server_in.readline()))  # the greeting
        while True:
            line = await client_in.readline()
            tag, _, command = line.partition(b" ")
            if command.strip().upper() == b"STARTTLS":
                client.write(tag + b" OK Begin TLS negotiation now\r\n")
                await client.drain()
                await client.start_tls(self._context)
                return
            server.write(line)
            while True:  # relay the answer up to its tagged line
                answer = await server_in.readline()
                client.write(_announce_starttls(answer))
                if answer.startswith(tag + b" ") or not answer:
                    break


def _announce_starttls(line: bytes) -> bytes:
    return line.replace(b"IMAP4rev1 ", b"IMAP4rev1 STARTTLS ", 1)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    while data := await source.read(65536):
        sink.write(data)
        await sink.drain()
    sink.close()


@pytest.mark.parametrize("security", ["tls", "starttls"])
async def test_tls_and_starttls_reach_the_mailbox(
    lab: MailLab,
    tls_files: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    security: Literal["tls", "starttls"],
) -> None:
    cert, key = tls_files
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # ssl.create_default_context() trusts it
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    lab.deliver(mail(5), KLACHTEN)

    async with TlsFront(lab, context, starttls=security == "starttls") as front:
        config = config_for(lab, port=front.port, security=security)
        async with connected(config) as reader:
            [fetched] = await reader.fetch_since(0)
            assert reader.supports_idle  # capabilities re-read after TLS and login

    assert body_of(5) in fetched.raw


async def test_tls_with_an_untrusted_certificate_is_an_imap_error(
    lab: MailLab, tls_files: tuple[Path, Path]
) -> None:
    cert, key = tls_files  # not trusted here: no SSL_CERT_FILE
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    async with TlsFront(lab, context, starttls=False) as front:
        reader = ImapReader(config_for(lab, port=front.port, security="tls"))
        with pytest.raises(ImapError) as raised:
            await reader.connect()
    assert isinstance(raised.value.__cause__, ssl.SSLError)


# -- load ---------------------------------------------------------------------------------------


async def test_a_thousand_mails_arrive_exactly_once_in_batches(
    lab: MailLab, reader: ImapReader
) -> None:
    count = 1000
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:  # LMTP delivery, one connection per mail
        list(pool.map(lambda n: lab.deliver(mail(n, b"klacht %d\r\n" % n), KLACHTEN), range(count)))
    delivered = time.monotonic()

    seen: list[FetchedMail] = []
    last_uid = 0
    while batch := await reader.fetch_since(last_uid, limit=200):
        assert len(batch) <= 200
        seen.extend(batch)
        last_uid = batch[-1].uid
    fetched = time.monotonic()

    uids = [m.uid for m in seen]
    assert len(uids) == count
    assert len(set(uids)) == count
    assert uids == sorted(uids)
    bodies = {m.raw.rsplit(b"\r\n\r\n", 1)[-1] for m in seen}
    assert bodies == {b"klacht %d\r\n" % n for n in range(count)}
    print(
        f"\n1,000 mails: delivery {delivered - began:.2f} s, "
        f"fetch {fetched - delivered:.2f} s ({count / (fetched - delivered):.0f} mails/s)"
    )


# -- pure helpers -------------------------------------------------------------------------------


def test_reconnect_delay_doubles_up_to_the_cap() -> None:
    assert [reconnect_delay(n) for n in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert reconnect_delay(9) == 300.0
    assert reconnect_delay(10_000) == 300.0
    assert reconnect_delay(2, base=0.5, cap=1.5) == 1.5
    assert reconnect_delay(-1) == 0.0


def test_uid_sets_are_compact() -> None:
    assert _uid_set([7, 1, 2, 3, 9, 10]) == "1:3,7,9:10"
    assert _uid_set([4]) == "4"


def test_mailbox_names_use_modified_utf7() -> None:
    assert _utf7_imap("INBOX") == "INBOX"
    assert _utf7_imap("Afgehandeld é") == "Afgehandeld &AOk-"
    assert _utf7_imap("R&D") == "R&-D"
    assert _utf7_imap("日本語") == "&ZeVnLIqe-"
