"""The email channel: an IMAP mailbox in, SMTP out.

Mail is stored before the mailbox is told (\\Seen or moved), and the reading position is
saved only after that, so a crash re-reads at most what was not yet stored; duplicates
fall out on Message-ID. A mail we cannot parse is quarantined and the next one is read.
"""

from __future__ import annotations

import asyncio
import html
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, wait_any
from channels.base import (
    DeliveryResult,
    InboundBatch,
    InboundEvent,
    InboundMessage,
    Offload,
    OutboundMessage,
    WorkLost,
    run_here,
)
from channels.email.compose import build_reply
from channels.email.imap_reader import (
    FetchedMail,
    ImapAuthError,
    ImapError,
    ImapReader,
    reconnect_delay,
)
from channels.email.parse import ParsedMail, UnparseableMail, parse_many
from channels.email.rate_limit import WINDOW, allowed, next_allowed_at
from channels.email.smtp_sender import SmtpSender

Quarantine = Callable[[bytes, str, str], Awaitable[None]]
# (recipient, sent at) of the mail sent since a moment: the loop guard survives a restart.
RecentSends = Callable[[datetime], Awaitable[Sequence[tuple[str, datetime]]]]


@dataclass(frozen=True)
class MailboxPosition:
    load: Callable[[int], Awaitable[int]]  # uidvalidity -> last stored uid (0: read all)
    save: Callable[[int, int], Awaitable[None]]  # (uidvalidity, uid)


class EmailChannel:
    name = "email"

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
        (`bot.workers.Workers.run_each`)."""
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

    async def start(self) -> None:
        if self._recent_sends is not None:
            for recipient, sent_at in await self._recent_sends(self._clock() - WINDOW):
                self._sent[recipient].append(sent_at)

    async def stop(self) -> None:
        self._stopping.set()
        await self._reader.close()
        await self._sender.close()

    async def inbound(self) -> AsyncIterator[InboundEvent]:
        attempt = 0
        while not self._stopping.is_set():
            try:
                await self._reader.connect()
                attempt = 0
                # What a lost connection left half-done is read again from the saved position.
                self._fetched, self._unacknowledged = [], set()
                async for message in self._read_connected():
                    yield message
            except ImapAuthError:
                attempt = max(attempt, 8)  # a wrong password will not fix itself quickly
            except ImapError:
                attempt += 1
            await self._reader.close()
            await wait_any(self._stopping, within=reconnect_delay(attempt))

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
        """The mail as a message to store; None when there is nothing to store (quarantined,
        our own mail coming back), in which case the mail is done already."""
        source = f"imap:{mail.uidvalidity}:{mail.uid}"
        self._fetched.append(mail)
        # A mail whose parsing killed the helper process is kept aside like one that
        # cannot be parsed; it is not parsed again in the bot, where it could kill the bot.
        if isinstance(parsed, UnparseableMail | WorkLost):
            await self._quarantine(mail.raw, source, str(parsed))
            return None
        if parsed.from_address is None or parsed.from_address == self.address.lower():
            return None  # our own mail coming back, or nobody to answer
        message = to_inbound(parsed, mail.raw, source=source, received_at=self._clock())
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

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        now = self._clock()
        recent = self._sent[message.recipient]
        recent[:] = [sent for sent in recent if sent > now - WINDOW]
        if not allowed(recent, now, per_hour=self._per_hour):
            wait = (next_allowed_at(recent, now, per_hour=self._per_hour) - now).total_seconds()
            return DeliveryResult.failed(
                "too many automatic mails to this address", retry_after=wait
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
        )
        result = await self._sender.send(email)
        if result.ok:
            recent.append(now)
        return result


def to_inbound(
    parsed: ParsedMail, raw: bytes, *, source: str, received_at: datetime
) -> InboundMessage:
    thread = tuple(
        dict.fromkeys([*([parsed.in_reply_to] if parsed.in_reply_to else []), *parsed.references])
    )
    return InboundMessage(
        channel="email",
        external_id=parsed.message_id or source,
        sender=parsed.from_address or "",
        sender_name=parsed.from_name,
        text=parsed.text or parsed.full_text,
        received_at=received_at,
        raw=raw,
        raw_content_type="message/rfc822",
        subject=parsed.subject,
        thread=thread,
        automated=None if parsed.kind == "human" else parsed.kind,
        bounced_address=parsed.bounced_recipient,
        oversized=parsed.oversized,
    )


def as_html(text: str) -> str:
    """The same words as HTML: paragraphs and line breaks, nothing added."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )
    return f"<!DOCTYPE html><html><body>{body}</body></html>"
