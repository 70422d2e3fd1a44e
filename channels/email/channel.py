"""The email channel: an IMAP mailbox in, SMTP out.

Mail is stored before the mailbox is told (\\Seen or moved), and the reading position is
saved only after that, so a crash re-reads at most what was not yet stored; duplicates
fall out on Message-ID, sender and content together. A mail we cannot parse, or that names
nobody we could answer, is quarantined with the reason and the next one is read: every mail
is either stored or quarantined.
"""

from __future__ import annotations

import asyncio
import base64
import html
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.base import (
    ChannelStatus,
    ChannelTraits,
    DeliveryResult,
    EmailDetails,
    InboundBatch,
    InboundEvent,
    InboundMessage,
    Offload,
    OutboundMessage,
    WorkLost,
    run_here,
)
from channels.email.compose import build_reply, new_message_id
from channels.email.imap_reader import (
    FetchedMail,
    ImapAuthError,
    ImapError,
    ImapReader,
    ImapRefused,
    reconnect_delay,
)
from channels.email.parse import ParsedMail, UnparseableMail, parse_many
from channels.email.rate_limit import WINDOW, allowed, next_allowed_at
from channels.email.smtp_sender import SmtpSender, login_refused
from channels.link import Link
from common.clock import Clock, wait_any
from common.problems import Problem, StartupFailure, network_problem

# A mail's thread is kept and looked up by its newest ids only: a mail can carry 50,000
# References, and each id is a statement parameter and a line in our replies' headers.
MAX_THREAD_IDS = 50
# Contact forms send from such an address with the customer in Reply-To.
_NO_REPLY = re.compile(r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply)(?:$|[-_+.])", re.IGNORECASE)

Quarantine = Callable[[bytes, str, str], Awaitable[None]]
# (recipient, sent at) of the mail sent since a moment: the loop guard survives a restart.
RecentSends = Callable[[datetime], Awaitable[Sequence[tuple[str, datetime]]]]


@dataclass(frozen=True)
class MailboxPosition:
    load: Callable[[int], Awaitable[int]]  # uidvalidity -> last stored uid (0: read all)
    save: Callable[[int, int], Awaitable[None]]  # (uidvalidity, uid)


class EmailChannel:
    name = "email"
    # A mail is a whole story, and its sender's address reaches the customer later too.
    traits = ChannelTraits(
        whole_story=True, reaches_customer=True, mail_addresses=True, threads=True
    )

    def __init__(
        self,
        *,
        address: str,
        reader: ImapReader,
        sender: SmtpSender,
        position: MailboxPosition,
        quarantine: Quarantine,
        clock: Clock,
        recent_sends: RecentSends | None = None,
        max_bytes: int = 10 * 1024 * 1024,
        idle_seconds: float = 300.0,
        per_hour: int = 10,
        offload: Offload = run_here,
    ) -> None:
        """`offload` runs the parsing of each block of mail, in a helper process if it can
        (`bot.reading.workers.Workers.run_each`)."""
        self.address = address
        self._reader = reader
        self._sender = sender
        self._position = position
        self._quarantine = quarantine
        self._recent_sends = recent_sends
        self._clock = clock
        self._max_bytes = max_bytes
        self._idle_seconds = idle_seconds
        self._per_hour = per_hour
        self._offload = offload
        # Sent times per recipient, for the loop guard; read back from storage on start.
        self._sent: dict[str, list[datetime]] = defaultdict(list)
        # The current block of fetched mail, and the messages of it not yet stored.
        self._fetched: list[FetchedMail] = []
        self._unacknowledged: set[str] = set()
        self._stopping = asyncio.Event()
        self._reading = Link(self.name)  # the mailbox, IMAP
        self._sending = Link(self.name)  # the SMTP server
        self._retry_in = 0.0  # before the reader's next IMAP connect
        self._smtp_checks: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Logs in to IMAP and SMTP once: settings that cannot work (a refused login, an
        unknown host, a TLS mismatch, no such folder) stop the start with `StartupFailure`.
        A server that is away only delays: the reader connects again on its own, and so
        does the sending side, while the outbox keeps the mail."""
        if self._recent_sends is not None:
            for recipient, sent_at in await self._recent_sends(self._clock() - WINDOW):
                self._sent[recipient].append(sent_at)
        try:
            await self._connect_imap()
        except ImapError as exc:
            problem = self._imap_problem(exc)
            if problem.configuration:
                raise StartupFailure(problem) from None
            self._retry_in = _down(self._reading, problem)
        try:
            await self._sender.check()
        except Exception as exc:
            problem = self._smtp_problem_of(exc)
            if problem.configuration:
                await self._reader.close()
                raise StartupFailure(problem) from None
            self._sending_failed(problem)
        else:
            self._sending.up()

    def status(self) -> ChannelStatus:
        reading = self._reading.status()
        return reading if not reading.connected else self._sending.status()

    async def stop(self) -> None:
        self._stopping.set()
        if self._smtp_checks is not None:
            await self._smtp_checks  # ends at once: it waits on `_stopping`
        await self._reader.close()
        await self._sender.close()

    async def inbound(self) -> AsyncIterator[InboundEvent]:
        while not self._stopping.is_set():
            await wait_any(self._stopping, within=self._retry_in)
            try:
                if not self._reader.connected:
                    await self._connect_imap()
                # What a lost connection left half-done is read again from the saved position.
                self._fetched, self._unacknowledged = [], set()
                async for message in self._read_connected():
                    yield message
            except ImapError as exc:
                await self._reader.close()
                self._retry_in = _down(self._reading, self._imap_problem(exc))

    def _sending_failed(self, problem: Problem) -> None:
        """Say why; check the server again now and then, so the state shows when it is back
        also while there is no mail to send (the outbox retries each mail by itself)."""
        delay = _down(self._sending, problem)
        if self._smtp_checks is None or self._smtp_checks.done():
            self._smtp_checks = asyncio.create_task(self._check_smtp(delay))

    async def _check_smtp(self, delay: float) -> None:
        while True:
            await wait_any(self._stopping, within=delay)
            if self._stopping.is_set():
                return
            try:
                await self._sender.check()
            except Exception as exc:
                delay = _down(self._sending, self._smtp_problem_of(exc))
                continue
            self._sending.up()
            return

    async def _connect_imap(self) -> None:
        await self._reader.connect()
        self._reading.up()
        self._retry_in = 0.0

    def _imap_problem(self, exc: ImapError) -> Problem:
        config = self._reader.config
        if isinstance(exc, ImapAuthError):
            return Problem("email.password", f"the IMAP server refused the login ({exc})")
        network = network_problem(
            exc,
            setting="email.imap_host",
            host=config.host,
            port=config.port,
            security_setting="email.imap_security",
        )
        if network is not None:
            return network
        if isinstance(exc, ImapRefused):
            setting = "email.folder" if exc.what == "folder" else "email.imap_security"
            return Problem(setting, f"the IMAP server refused: {exc}")
        return Problem("email.imap_host", f"IMAP: {exc}", configuration=False)

    def _smtp_problem_of(self, exc: BaseException) -> Problem:
        config = self._sender.config
        refusal = login_refused(exc)
        if refusal is not None:
            return Problem(
                "email.password",
                f"the SMTP server refused the login as {config.username} ({refusal})",
            )
        network = network_problem(
            exc,
            setting="email.smtp_host",
            host=config.host,
            port=config.port,
            security_setting="email.smtp_security",
        )
        return network or Problem(
            "email.smtp_host", f"SMTP: {type(exc).__name__}: {exc}", configuration=False
        )

    async def _read_connected(self) -> AsyncIterator[InboundBatch]:
        uidvalidity = self._reader.uidvalidity
        last = await self._position.load(uidvalidity)
        while not self._stopping.is_set():
            batch = await self._reader.fetch_since(last)
            if batch:
                last = batch[-1].uid
                parsed = await self._offload(
                    parse_many, [mail.raw for mail in batch], self._max_bytes
                )
                messages = [
                    message
                    for mail, result in zip(batch, parsed, strict=True)
                    if (message := await self._take(mail, result))
                ]
                if messages:
                    yield InboundBatch(tuple(messages))
                await self._mark_done()
            else:
                await self._reader.wait_for_new(self._idle_seconds)

    async def _take(
        self, mail: FetchedMail, parsed: ParsedMail | UnparseableMail | WorkLost
    ) -> InboundMessage | None:
        """The mail as a message to store; None when it was quarantined instead, in which
        case the mail is done already."""
        source = f"imap:{mail.uidvalidity}:{mail.uid}"
        self._fetched.append(mail)
        # A mail whose parsing killed the helper process is kept aside like one that
        # cannot be parsed; it is not parsed again in the bot, where it could kill the bot.
        message = (
            NotTaken(str(parsed))
            if isinstance(parsed, UnparseableMail | WorkLost)
            else to_inbound(
                parsed,
                mail.raw,
                own_address=self.address,
                source=source,
                received_at=self._clock(),
            )
        )
        if isinstance(message, NotTaken):
            await self._quarantine(mail.raw, source, message.reason)
            return None
        self._unacknowledged.add(message.external_id)
        return message

    async def acknowledge(self, message: InboundMessage) -> None:
        # The mailbox is told when the reader asks for more (see `_read_connected`), inside
        # the loop that reconnects on an IMAP error.
        self._unacknowledged.discard(message.external_id)

    async def _mark_done(self) -> None:
        """Flag (or move) every mail of the block in one command, then save the reading
        position: only once each of them is stored, quarantined or ignored on purpose."""
        if self._unacknowledged:
            # Not all stored (the consumer gave up on the block): read it again next time.
            raise ImapError("a block of mail was not stored completely; reading it again")
        if not self._fetched:
            return
        done, self._fetched = self._fetched, []
        await self._reader.mark_processed(mail.uid for mail in done)
        await self._position.save(done[-1].uidvalidity, max(mail.uid for mail in done))

    def new_delivery_id(self, message: OutboundMessage) -> str:
        return new_message_id(self.address, token=message.meta.get("reply_token"))

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Handlers, the coordinator and a handler's own answer are never held back; a
        customer's address gets at most `per_hour` automatic mails an hour, the rest wait
        (no failed attempt)."""
        now = self._clock()
        recent = self._sent[message.recipient]
        if message.loop_capped:
            recent[:] = [sent for sent in recent if sent > now - WINDOW]
            if not allowed(recent, now, per_hour=self._per_hour):
                wait = next_allowed_at(recent, now, per_hour=self._per_hour) - now
                return DeliveryResult.later(
                    "too many automatic mails to this address", retry_after=wait.total_seconds()
                )
        meta = message.meta
        email = build_reply(
            sender=self.address,
            sender_name=meta.get("sender_name"),
            recipient=message.recipient,
            subject=str(meta.get("subject") or ""),
            text=message.text,
            html=as_html(message.text),
            date=self._clock(),
            case_token=message.case_number,
            parent_id=meta.get("parent_id"),
            parent_references=meta.get("references") or (),
            automatic=True,
            message_id=message.delivery_id or self.new_delivery_id(message),
            attachments=attachments_of(meta),
        )
        result = await self._sender.send(email)
        if self._sender.connect_error is not None:
            self._sending_failed(self._smtp_problem_of(self._sender.connect_error))
        elif result.ok:
            self._sending.up()
        if result.ok and message.loop_capped:
            recent.append(now)
        return result


def attachments_of(meta: dict[str, Any]) -> list[tuple[str, str, bytes]]:
    """Files an outbox row carries in its meta (the coordinator's monthly PDF): name,
    content type and the bytes in base64."""
    return [
        (str(item["filename"]), str(item["content_type"]), base64.b64decode(item["data"]))
        for item in meta.get("attachments") or ()
    ]


def _down(link: Link, problem: Problem) -> float:
    """Mark `link` down; the seconds until the next try. A refused login or a missing
    folder will not fix itself soon: those wait long."""
    delay = reconnect_delay(link.failures + (8 if problem.configuration else 1))
    link.down(problem, retry_in=delay)
    return delay


@dataclass(frozen=True)
class NotTaken:
    """A mail that cannot be a message (it is quarantined with this reason)."""

    reason: str


NO_SENDER = "no sender address: From, Reply-To and Sender name nobody to answer"
OWN_MAIL = "sent from our own address, with no one else to answer"


def customer_address(parsed: ParsedMail, *, own_address: str) -> tuple[str | None, str] | None:
    """(name, address) of whom the mail is from, for us: the From, unless it is missing or
    unreadable, or it is ours or a no-reply address while Reply-To names someone (a contact
    form or a web site sending for the customer); then Reply-To, then Sender. None when
    nobody is left but ourselves."""
    own = own_address.strip().lower()
    from_ = parsed.from_address
    relayed = from_ is not None and (
        from_ == own or _NO_REPLY.match(from_.split("@", 1)[0]) is not None
    )
    by_from = (parsed.from_name, from_)
    by_reply_to = (parsed.reply_to_name, parsed.reply_to)
    first, second = (by_reply_to, by_from) if relayed else (by_from, by_reply_to)
    candidates = [first, second, (None, parsed.sender_address)]
    return next(
        ((name, address) for name, address in candidates if address and address != own), None
    )


def thread_of(parsed: ParsedMail) -> tuple[str, ...]:
    """The ids this mail answers: the mail a delivery report returns, In-Reply-To, then
    References from old to new. Past MAX_THREAD_IDS, the first and the newest."""
    first = [parsed.returned_message_id, parsed.in_reply_to]
    thread = tuple(dict.fromkeys([*(i for i in first if i), *parsed.references]))
    if len(thread) <= MAX_THREAD_IDS:
        return thread
    return (thread[0], *thread[-(MAX_THREAD_IDS - 1) :])


def to_inbound(
    parsed: ParsedMail, raw: bytes, *, own_address: str, source: str, received_at: datetime
) -> InboundMessage | NotTaken:
    sender = customer_address(parsed, own_address=own_address)
    if sender is None:
        from_us = parsed.from_address == own_address.strip().lower()
        return NotTaken(OWN_MAIL if from_us else NO_SENDER)
    name, address = sender
    return InboundMessage(
        channel="email",
        external_id=parsed.message_id or source,
        sender=address,
        sender_name=name,
        text=parsed.text or parsed.full_text,
        received_at=received_at,
        raw=raw,
        raw_content_type="message/rfc822",
        thread=thread_of(parsed),
        oversized=parsed.oversized,
        content_hash=parsed.content_hash,
        email=EmailDetails(
            subject=parsed.subject, automated=None if parsed.kind == "human" else parsed.kind
        ),
    )


def as_html(text: str) -> str:
    """The same words as HTML: paragraphs and line breaks, nothing added."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )
    return f"<!DOCTYPE html><html><body>{body}</body></html>"
