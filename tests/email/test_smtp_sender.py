"""The SMTP sender against real SMTP servers on loopback: the mail lab (SMTP -> LMTP -> Dovecot)
for delivery, small scripted aiosmtpd servers for refusals, drops and AUTH; plus the pure
per-recipient rate limit."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from channels.base import DeliveryResult
from channels.email import build_reply, parse_mail
from channels.email.outgoing import OutgoingMail
from channels.email.rate_limit import allowed, next_allowed_at
from channels.email.smtp_sender import SmtpConfig, SmtpSender
from tests.mail_lab.lab import HOST, LAB_DOMAIN, MailLab, free_ports

INTAKE = f"klachten@{LAB_DOMAIN}"
CUSTOMER = f"anna@{LAB_DOMAIN}"
OUTSIDE = "renee@example.nl"
TEXT = "Beste Renée,\n\nWij hebben uw klacht over de crème ontvangen. € 4,50 terug.\n"
HTML = "<p>Beste Renée,</p><p>Wij hebben uw klacht over de crème ontvangen. € 4,50 terug.</p>"
DATE = datetime(2026, 11, 24, 10, 12, tzinfo=timezone(timedelta(hours=1)))
# Fails a dead or silent server fast; generous next to loopback round trips.
SHORT_TIMEOUT = 0.5


def _reply(recipient: str = CUSTOMER) -> OutgoingMail:
    return build_reply(
        sender=INTAKE,
        sender_name="Klachtenservice Bakkerij De Vries",
        recipient=recipient,
        recipient_name="Renée de Vriës",
        subject="Te veel betaald",
        text=TEXT,
        html=HTML,
        date=DATE,
        case_token="K-2026-000123",
        automatic=True,
    )


def _config(
    port: int, *, username: str = "", password: str = "", timeout: float = 10.0
) -> SmtpConfig:
    return SmtpConfig(HOST, port, "none", username, password, timeout)


@pytest.fixture
def lab(mail_lab: MailLab) -> MailLab:
    mail_lab.reset()
    return mail_lab


@pytest.fixture
async def lab_sender(lab: MailLab) -> AsyncIterator[SmtpSender]:
    # The lab's aiosmtpd has no authenticator and no TLS, so it offers no AUTH: no login.
    sender = SmtpSender(_config(lab.smtp_port))
    yield sender
    await sender.close()


# -- a scripted SMTP server ------------------------------------------------------------------


@dataclass
class ScriptedHandler:
    """aiosmtpd handler that answers `replies[command]` ("MAIL", "RCPT", "DATA") instead of
    accepting, and otherwise records the message with the connection it came over."""

    replies: dict[str, str] = field(default_factory=dict)
    received: list[tuple[Any, bytes]] = field(default_factory=list)
    # Answered once, to the next such command, before `replies`.
    replies_once: dict[str, str] = field(default_factory=dict)
    # Every command other than MAIL, RCPT and DATA that reached the handler.
    others: list[str] = field(default_factory=list)
    mail_options: list[list[str]] = field(default_factory=list)  # of each MAIL FROM

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.mail_options.append(options)
        if "MAIL" in self.replies_once:
            return self.replies_once.pop("MAIL")
        if "MAIL" in self.replies:
            return self.replies["MAIL"]
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if "RCPT" in self.replies:
            return self.replies["RCPT"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if "DATA" in self.replies:
            return self.replies["DATA"]
        self.received.append((server, bytes(envelope.original_content)))
        return "250 2.0.0 OK"

    async def handle_NOOP(self, server: Any, session: Any, envelope: Any, arg: str) -> str:
        self.others.append("NOOP")
        return "250 OK"

    async def handle_RSET(self, server: Any, session: Any, envelope: Any) -> str:
        self.others.append("RSET")
        return "250 OK"

    @property
    def connections(self) -> list[Any]:
        """The aiosmtpd protocol object of each connection a message came over, in order."""
        return [server for server, _raw in self.received]


@dataclass
class ScriptedServer:
    controller: Any
    handler: ScriptedHandler
    port: int

    async def drop_connections(self) -> None:
        """Close, from the server's side, every connection a message came over."""

        async def close_all() -> None:
            for server in self.handler.connections:
                server.transport.close()

        # The server runs on its own loop in its own thread.
        done = asyncio.run_coroutine_threadsafe(close_all(), self.controller.loop)
        await asyncio.wrap_future(done)


def _accept_password(password: str) -> Any:
    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return authenticate


@contextmanager
def scripted_server(
    *, password: str | None = None, smtputf8: bool = False
) -> Iterator[ScriptedServer]:
    handler = ScriptedHandler()
    port = free_ports(1)[0]
    options: dict[str, Any] = {"enable_SMTPUTF8": smtputf8}
    if password is not None:
        # AUTH without TLS is fine on loopback and saves a certificate.
        options |= {"authenticator": _accept_password(password), "auth_require_tls": False}
    controller = Controller(handler, hostname=HOST, port=port, **options)
    controller.start()
    try:
        yield ScriptedServer(controller, handler, port)
    finally:
        controller.stop()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with scripted_server() as server:
        yield server


@pytest.fixture
async def scripted_sender(scripted: ScriptedServer) -> AsyncIterator[SmtpSender]:
    sender = SmtpSender(_config(scripted.port))
    yield sender
    await sender.close()


# -- delivery through the lab ----------------------------------------------------------------


async def test_reply_arrives_in_the_lab_users_inbox(lab: MailLab, lab_sender: SmtpSender) -> None:
    message = _reply()

    result = await lab_sender.send(message)

    assert result == DeliveryResult.sent(external_id=message["Message-ID"])
    [raw] = await lab.wait_for_mail(CUSTOMER)
    delivered = BytesParser(policy=policy.default).parsebytes(raw)
    assert delivered["Auto-Submitted"] == "auto-replied"
    assert delivered["Message-ID"] == result.external_id
    parts = list(delivered.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert [part["Content-Transfer-Encoding"] for part in parts] == ["quoted-printable"] * 2
    mail = parse_mail(raw)
    assert mail.message_id == result.external_id
    assert (mail.kind, mail.auto_submitted) == ("auto_reply", "auto-replied")
    assert mail.full_text == TEXT.strip()
    assert mail.subject == "Te veel betaald [K-2026-000123]"


async def test_reply_to_an_outside_address_is_recorded(
    lab: MailLab, lab_sender: SmtpSender
) -> None:
    message = _reply(OUTSIDE)

    result = await lab_sender.send(message)

    assert result.ok
    [sent] = lab.sent_to(OUTSIDE)
    assert sent.mail_from == INTAKE
    assert parse_mail(sent.raw).message_id == message["Message-ID"]
    assert await lab.fetch_all(CUSTOMER) == []


async def test_two_sends_share_one_connection(lab: MailLab, lab_sender: SmtpSender) -> None:
    first, second = _reply(), _reply()

    results = [await lab_sender.send(first), await lab_sender.send(second)]

    assert [r.external_id for r in results] == [first["Message-ID"], second["Message-ID"]]
    assert lab_sender.connections_opened == 1
    arrived = await lab.wait_for_mail(CUSTOMER, count=2)
    assert {parse_mail(raw).message_id for raw in arrived} == {
        first["Message-ID"],
        second["Message-ID"],
    }


async def test_close_then_send_opens_a_new_connection(lab_sender: SmtpSender) -> None:
    assert (await lab_sender.send(_reply(OUTSIDE))).ok
    await lab_sender.close()
    await lab_sender.close()  # twice is harmless

    assert (await lab_sender.send(_reply(OUTSIDE))).ok
    assert lab_sender.connections_opened == 2


# -- connections that go away ----------------------------------------------------------------


async def test_send_after_the_server_dropped_the_connection_reconnects(
    scripted: ScriptedServer, scripted_sender: SmtpSender
) -> None:
    assert (await scripted_sender.send(_reply())).ok
    assert (await scripted_sender.send(_reply())).ok
    await scripted.drop_connections()

    result = await scripted_sender.send(_reply())

    assert result.ok, result.error
    assert scripted_sender.connections_opened == 2
    first, second, third = scripted.handler.connections
    assert first is second  # seen from the server too: one connection for two mails
    assert third is not first


async def test_a_closed_port_is_a_transient_failure() -> None:
    port = free_ports(1)[0]  # free a moment ago: nobody listens there
    sender = SmtpSender(_config(port, timeout=SHORT_TIMEOUT))

    result = await sender.send(_reply())

    assert (result.ok, result.permanent) == (False, False)
    assert result.error is not None
    assert "connect" in result.error.lower()
    await sender.close()


async def test_a_server_that_never_greets_times_out_transiently() -> None:
    connected, hung_up = asyncio.Event(), asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()
        try:
            await reader.read()  # say nothing until the client gives up
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            hung_up.set()

    server = await asyncio.start_server(silent, HOST, 0)
    port = server.sockets[0].getsockname()[1]
    sender = SmtpSender(_config(port, timeout=SHORT_TIMEOUT))
    async with server:
        result = await sender.send(_reply())
        await sender.close()
        # Let the server's side finish before this test's loop goes away.
        async with asyncio.timeout(5):
            await hung_up.wait()

    assert connected.is_set()
    assert (result.ok, result.permanent) == (False, False)
    assert result.error is not None
    assert "timed out" in result.error


async def test_steady_sending_is_mail_rcpt_data_and_nothing_else(
    scripted: ScriptedServer, scripted_sender: SmtpSender
) -> None:
    results = [await scripted_sender.send(_reply()) for _ in range(3)]

    assert all(result.ok for result in results)
    assert len(scripted.handler.received) == 3
    assert scripted.handler.others == []  # no NOOP before each mail, no RSET after
    assert scripted_sender.connections_opened == 1
    sizes = [len(raw) for _connection, raw in scripted.handler.received]
    # The size is declared from the first mail on (RFC 1870), as the bytes on the wire.
    assert scripted.handler.mail_options == [[f"SIZE={size}"] for size in sizes]


async def test_a_kept_connection_the_server_is_closing_is_replaced(
    scripted: ScriptedServer, scripted_sender: SmtpSender
) -> None:
    assert (await scripted_sender.send(_reply())).ok
    # What Postfix answers to the next command once it has timed an idle client out.
    scripted.handler.replies_once["MAIL"] = "421 4.4.2 Error: timeout exceeded"

    result = await scripted_sender.send(_reply())

    assert result.ok, result.error
    assert scripted_sender.connections_opened == 2
    assert len(scripted.handler.received) == 2


async def test_a_421_on_a_fresh_connection_is_transient(
    scripted: ScriptedServer, scripted_sender: SmtpSender
) -> None:
    scripted.handler.replies["MAIL"] = "421 4.3.2 shutting down"

    result = await scripted_sender.send(_reply())

    assert (result.ok, result.permanent) == (False, False)
    assert result.error is not None
    assert "421 4.3.2 shutting down" in result.error
    assert scripted_sender.connections_opened == 1


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "reply", "permanent"),
    [
        ("MAIL", "553 5.7.1 sender not allowed", True),
        ("RCPT", "550 5.1.1 no such user", True),
        ("RCPT", "451 4.3.0 try later", False),
        ("DATA", "554 5.6.0 content rejected", True),
        ("DATA", "452 4.3.1 out of storage", False),
    ],
)
async def test_a_refusal_is_sorted_by_its_code(
    scripted: ScriptedServer,
    scripted_sender: SmtpSender,
    command: str,
    reply: str,
    permanent: bool,
) -> None:
    scripted.handler.replies[command] = reply

    result = await scripted_sender.send(_reply())

    assert (result.ok, result.permanent) == (False, permanent)
    assert result.error is not None
    assert reply in result.error  # the server's own code and words, for the person reading
    assert scripted.handler.received == []


async def test_a_refusal_keeps_the_connection(
    scripted: ScriptedServer, scripted_sender: SmtpSender
) -> None:
    scripted.handler.replies["RCPT"] = "550 5.1.1 no such user"
    assert not (await scripted_sender.send(_reply())).ok
    assert scripted.handler.others == ["RSET"]  # the refused envelope is cleared
    scripted.handler.replies.clear()

    assert (await scripted_sender.send(_reply())).ok
    assert scripted_sender.connections_opened == 1


# -- an address that is not ASCII ---------------------------------------------------------------


async def test_a_non_ascii_address_goes_out_with_smtputf8() -> None:
    with scripted_server(smtputf8=True) as server:
        sender = SmtpSender(_config(server.port))
        result = await sender.send(_reply("renée@voorbeeld.nl"))
        await sender.close()

    assert result.ok, result.error
    [(_connection, raw)] = server.handler.received
    assert "renée@voorbeeld.nl".encode() in raw


async def test_a_non_ascii_address_without_smtputf8_is_permanent(
    scripted: ScriptedServer, scripted_sender: SmtpSender
) -> None:
    result = await scripted_sender.send(_reply("renée@voorbeeld.nl"))

    assert (result.ok, result.permanent) == (False, True)
    assert result.error is not None
    assert "SMTPUTF8" in result.error
    assert scripted.handler.received == []


# -- AUTH ---------------------------------------------------------------------------------------


async def test_login_with_the_right_password_sends() -> None:
    with scripted_server(password="geheim") as server:
        sender = SmtpSender(_config(server.port, username="klachten", password="geheim"))
        result = await sender.send(_reply())
        await sender.close()

    assert result.ok, result.error
    assert len(server.handler.received) == 1


async def test_a_wrong_password_is_permanent_and_says_so() -> None:
    with scripted_server(password="geheim") as server:
        sender = SmtpSender(_config(server.port, username="klachten", password="fout"))
        result = await sender.send(_reply())
        await sender.close()

    assert (result.ok, result.permanent) == (False, True)
    assert result.error is not None
    assert "535" in result.error
    assert "password" in result.error
    assert "fout" not in result.error
    assert server.handler.received == []


async def test_login_where_the_server_offers_no_auth_is_permanent(lab: MailLab) -> None:
    sender = SmtpSender(_config(lab.smtp_port, username="klachten", password="geheim"))

    result = await sender.send(_reply(OUTSIDE))
    await sender.close()

    assert (result.ok, result.permanent) == (False, True)
    assert result.error is not None
    assert "AUTH" in result.error
    assert lab.outside == []


def test_the_password_stays_out_of_the_config_repr() -> None:
    assert "geheim" not in repr(_config(25, username="klachten", password="geheim"))


# -- rate limit ---------------------------------------------------------------------------------

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _every_five_minutes(count: int) -> list[datetime]:
    return [T0 + timedelta(minutes=5 * i) for i in range(count)]


def test_the_tenth_mail_in_an_hour_is_allowed() -> None:
    assert allowed(_every_five_minutes(9), T0 + timedelta(minutes=50), per_hour=10)


def test_the_eleventh_mail_in_an_hour_is_not() -> None:
    assert not allowed(_every_five_minutes(10), T0 + timedelta(minutes=50), per_hour=10)


def test_allowed_again_once_the_oldest_leaves_the_window() -> None:
    sent = list(reversed(_every_five_minutes(10)))  # order does not matter
    assert not allowed(sent, T0 + timedelta(minutes=59, seconds=59), per_hour=10)
    assert allowed(sent, T0 + timedelta(hours=1), per_hour=10)


def test_next_allowed_at_is_when_the_oldest_leaves() -> None:
    sent = _every_five_minutes(10)
    now = T0 + timedelta(minutes=50)

    at = next_allowed_at(sent, now, per_hour=10)

    assert at == T0 + timedelta(hours=1)
    assert allowed(sent, at, per_hour=10)
    assert not allowed(sent, at - timedelta(microseconds=1), per_hour=10)


def test_next_allowed_at_is_now_when_allowed() -> None:
    now = T0 + timedelta(minutes=50)
    assert next_allowed_at(_every_five_minutes(9), now, per_hour=10) == now


def test_mails_older_than_an_hour_do_not_count() -> None:
    sent = [T0 - timedelta(hours=3), T0 - timedelta(hours=1), *_every_five_minutes(9)]
    now = T0 + timedelta(minutes=50)
    assert allowed(sent, now, per_hour=10)
    assert next_allowed_at(sent, now, per_hour=10) == now


def test_more_than_the_limit_in_the_window_waits_for_enough_to_leave() -> None:
    # Twelve sent under an old, higher limit; at 10/hour three must leave the window.
    sent = _every_five_minutes(12)
    now = T0 + timedelta(minutes=55)
    assert next_allowed_at(sent, now, per_hour=10) == T0 + timedelta(minutes=10, hours=1)


def test_a_mail_timestamped_in_the_future_counts() -> None:
    # Another host's clock may run ahead; counting its mail errs on the side of sending less.
    now = T0 + timedelta(minutes=50)
    sent = [*_every_five_minutes(9), now + timedelta(minutes=2)]
    assert not allowed(sent, now, per_hour=10)
    assert next_allowed_at(sent, now, per_hour=10) == T0 + timedelta(hours=1)


@pytest.mark.parametrize("per_hour", [0, -1])
def test_a_limit_below_one_is_refused(per_hour: int) -> None:
    with pytest.raises(ValueError, match="per_hour"):
        allowed([], T0, per_hour=per_hour)
    with pytest.raises(ValueError, match="per_hour"):
        next_allowed_at([], T0, per_hour=per_hour)
