"""Outgoing mail over SMTP: one kept-open aiosmtplib connection, every outcome a DeliveryResult.

This is the boundary between aiosmtplib and the bot: nothing from aiosmtplib (or the socket
layer under it) leaves `send`. The outbox decides on retries from `DeliveryResult.permanent`,
so the one job here besides sending is to tell "try again later" (4xx, network, timeouts)
from "a human must act" (5xx, refused recipient, bad password).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Literal

import aiosmtplib

from channels.base import DeliveryResult
from channels.email.outgoing import OutgoingMail

Security = Literal["tls", "starttls", "none"]


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: Security
    username: str  # empty: the server takes mail without AUTH
    password: str = field(repr=False)  # kept out of reprs, and so out of logs
    timeout: float = 30.0  # per connect and per SMTP command


def login_refused(exc: BaseException) -> aiosmtplib.SMTPException | None:
    """The server's refusal of our login, if that is what `exc` is."""
    return exc.cause if isinstance(exc, _LoginFailed) else None


class _LoginFailed(Exception):
    """AUTH went wrong: kept apart because the fix is a person's, not a retry's."""

    def __init__(self, cause: aiosmtplib.SMTPException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class SmtpSender:
    """Sends `OutgoingMail`s over one connection that stays open between sends.

    `connections_opened` counts successful connects (for tests and metrics): steady
    sending should not grow it. Sends are serialised: one SMTP transaction at a time.
    """

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        self._smtp: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()
        self.connections_opened = 0
        # Why the last attempt to open a connection (and log in) failed; None once one is
        # open. What the channel shows as its state.
        self.connect_error: Exception | None = None

    @property
    def config(self) -> SmtpConfig:
        return self._config

    async def check(self) -> None:
        """Open the connection and log in now rather than at the first mail, so wrong
        settings show at start. Raises what opening raised (see `login_refused`)."""
        async with self._lock:
            await self._connection()

    async def send(self, mail: OutgoingMail) -> DeliveryResult:
        async with self._lock:
            try:
                await self._deliver(mail)
            except Exception as exc:  # the boundary: no foreign exception reaches the caller
                if not _connection_still_good(exc):
                    self._discard()
                return _failure(exc, self._config.username)
            except BaseException:
                # Cancelled mid-transaction: the server may be waiting for the rest of DATA,
                # so this connection must not carry the next mail.
                self._discard()
                raise
        return DeliveryResult.sent(external_id=mail.message_id)

    async def close(self) -> None:
        async with self._lock:
            smtp, self._smtp = self._smtp, None
            if smtp is None:
                return
            try:
                # We are leaving: a server that cannot say goodbye changes nothing.
                with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                    if smtp.is_connected:
                        await smtp.quit()
            finally:
                smtp.close()

    async def _deliver(self, mail: OutgoingMail) -> None:
        """One transaction: MAIL FROM, RCPT TO, DATA, and nothing else on a kept connection.

        Servers drop idle connections (Postfix after 5 min), and `is_connected` only knows
        once the event loop has seen the close. Rather than ask with a NOOP before every
        mail (a round trip each), MAIL FROM finds out: before DATA the server has nothing
        of the mail, so repeating it on a new connection cannot send it twice."""
        kept = self._smtp is not None and self._smtp.is_connected
        smtp = await self._connection()
        try:
            await _mail_from(smtp, mail)
        except Exception as exc:
            if not (kept and _kept_connection_lost(exc)):
                raise
            self._discard()
            smtp = await self._connection()
            await _mail_from(smtp, mail)
        await _recipient_and_data(smtp, mail)

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        self._discard()
        try:
            self._smtp = await self._open()
        except Exception as exc:
            self.connect_error = exc
            raise
        self.connect_error = None
        return self._smtp

    async def _open(self) -> aiosmtplib.SMTP:
        config = self._config
        smtp = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            timeout=config.timeout,
            use_tls=config.security == "tls",
            # False, not aiosmtplib's default None: None upgrades whenever the server offers
            # STARTTLS, which would quietly ignore the configured "none".
            start_tls=config.security == "starttls",
        )
        await smtp.connect()
        self.connections_opened += 1
        try:
            # MAIL FROM asks which extensions (SIZE, SMTPUTF8) the server has: known after EHLO.
            await _greet(smtp)
            if config.username:
                await _login(smtp, config)
        except BaseException:
            smtp.close()  # not kept, so nothing else would close it
            raise
        return smtp

    def _discard(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None


async def _greet(smtp: aiosmtplib.SMTP) -> None:
    """EHLO, or HELO for a server that knows no extensions (as aiosmtplib does it itself)."""
    if not smtp.is_ehlo_or_helo_needed:  # STARTTLS greeted already
        return
    try:
        await smtp.ehlo()
    except aiosmtplib.SMTPHeloError:
        if not smtp.is_connected:
            raise
        await smtp.helo()


async def _login(smtp: aiosmtplib.SMTP, config: SmtpConfig) -> None:
    # Logging in ourselves rather than through connect(username=...) tells a login failure
    # apart from a connect failure.
    try:
        await smtp.login(config.username, config.password)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
        raise  # the network, not the password: transient
    except aiosmtplib.SMTPException as exc:
        raise _LoginFailed(exc) from exc


async def _mail_from(smtp: aiosmtplib.SMTP, mail: OutgoingMail) -> None:
    options: list[str] = []
    if smtp.supports_extension("size"):
        # RFC 1870: lets the server refuse a mail too big before it is sent; `raw` has its
        # final CRLF line ends, so its length is the size on the wire.
        options.append(f"SIZE={len(mail.raw)}")
    encoding = "ascii"
    if mail.smtputf8:
        if not smtp.supports_extension("smtputf8"):
            raise aiosmtplib.SMTPNotSupported("the server does not offer SMTPUTF8")
        options.append("SMTPUTF8")
        encoding = "utf-8"
    await _reset_after_refusal(smtp, smtp.mail(mail.sender, options=options, encoding=encoding))


async def _recipient_and_data(smtp: aiosmtplib.SMTP, mail: OutgoingMail) -> None:
    encoding = "utf-8" if mail.smtputf8 else "ascii"
    try:
        await _reset_after_refusal(smtp, smtp.rcpt(mail.recipient, encoding=encoding))
    except aiosmtplib.SMTPRecipientRefused as exc:
        # Reported like a refusal of all recipients of a list: a reply has just the one.
        raise aiosmtplib.SMTPRecipientsRefused([exc]) from exc
    await _reset_after_refusal(smtp, smtp.data(mail.raw))


async def _reset_after_refusal(
    smtp: aiosmtplib.SMTP, command: Awaitable[aiosmtplib.SMTPResponse]
) -> None:
    """Run `command`; after a refusal, RSET so the next mail starts on a clean envelope."""
    try:
        await command
    except aiosmtplib.SMTPResponseException as exc:
        if exc.code == 421:
            raise  # the server is closing the connection: nothing to reset
        try:
            await smtp.rset()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()  # the connection's state is unknown: do not reuse it
        raise


def _kept_connection_lost(exc: Exception) -> bool:
    """How a connection the server let go shows at MAIL FROM: closed, silent, or 421."""
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code == 421
    return isinstance(exc, OSError)  # aiosmtplib's disconnect and timeout errors included


def _connection_still_good(exc: Exception) -> bool:
    # After a refusal the server is still talking to us (we sent RSET); after anything else
    # the connection's state is unknown and a fresh one is cheaper than doubt.
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code == 421:
        return False
    return isinstance(exc, aiosmtplib.SMTPResponseException | aiosmtplib.SMTPRecipientsRefused)


def _is_permanent(code: int) -> bool:
    return 500 <= code <= 599


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}"


_STAGES: tuple[tuple[type[aiosmtplib.SMTPResponseException], str], ...] = (
    (aiosmtplib.SMTPSenderRefused, "MAIL FROM"),
    (aiosmtplib.SMTPRecipientRefused, "RCPT TO"),
    (aiosmtplib.SMTPDataError, "DATA"),
    (aiosmtplib.SMTPHeloError, "EHLO"),
    (aiosmtplib.SMTPConnectResponseError, "the greeting"),
)


def _stage(exc: aiosmtplib.SMTPResponseException) -> str:
    return next((name for kind, name in _STAGES if isinstance(exc, kind)), "a command")


def _failure(exc: Exception, username: str) -> DeliveryResult:
    """Sort a failure into permanent (do not retry) or transient, with the server's words."""
    if isinstance(exc, _LoginFailed):
        return _login_failure(exc.cause, username)
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return _recipients_failure(exc)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return DeliveryResult.failed(
            f"SMTP server refused {_stage(exc)}: {_reply(exc)}", permanent=_is_permanent(exc.code)
        )
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        # e.g. a non-ASCII address and no SMTPUTF8: this server will never take it.
        return DeliveryResult.failed(f"SMTP server cannot send this mail: {exc}", permanent=True)
    if isinstance(exc, TimeoutError):
        return DeliveryResult.failed(f"SMTP timed out: {_describe(exc)}")
    if isinstance(exc, OSError):  # refused connection, disconnect, DNS: all network weather
        return DeliveryResult.failed(f"SMTP connection failed: {_describe(exc)}")
    if isinstance(exc, ValueError):
        # aiosmtplib's verdict on the message itself (no From/To, unsafe address): resending
        # the same message cannot help.
        return DeliveryResult.failed(f"mail cannot be sent: {exc}", permanent=True)
    return DeliveryResult.failed(f"SMTP send failed: {_describe(exc)}")


def _login_failure(cause: aiosmtplib.SMTPException, username: str) -> DeliveryResult:
    if isinstance(cause, aiosmtplib.SMTPResponseException):
        if not _is_permanent(cause.code):  # 454: the server's auth backend is down, not us
            return DeliveryResult.failed(f"SMTP login temporarily refused: {_reply(cause)}")
        detail = _reply(cause)
    else:
        detail = cause.message  # e.g. the server offers no AUTH at all
    return DeliveryResult.failed(
        f"SMTP login as {username!r} failed ({detail}): check the mail username and password",
        permanent=True,
    )


def _recipients_failure(exc: aiosmtplib.SMTPRecipientsRefused) -> DeliveryResult:
    refusals = "; ".join(f"{r.recipient}: {_reply(r)}" for r in exc.recipients)
    # Every recipient was refused; only if each refusal is final is the whole send final.
    permanent = bool(exc.recipients) and all(_is_permanent(r.code) for r in exc.recipients)
    return DeliveryResult.failed(f"SMTP server refused RCPT TO: {refusals}", permanent=permanent)


def _describe(exc: Exception) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
