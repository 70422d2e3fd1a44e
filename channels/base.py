"""The neutral edge between the wire and the core: what a channel hands in, what it is
asked to send, and the one small protocol every channel adapter follows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

_T = TypeVar("_T")


@dataclass(frozen=True)
class InboundAttachment:
    """A file, sticker or location that came with a message. `data` is None when the file
    was over the size limit (or could not be fetched) or is no file at all (a location)."""

    kind: str  # photo | document | voice | sticker | location
    file_name: str | None = None
    content_type: str | None = None
    size: int | None = None
    data: bytes | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InboundMessage:
    """A customer's message as its channel delivered it.

    `external_id` is the channel's own identity for the message (Telegram chat+message id,
    Message-ID of a mail, a console line number); storing is idempotent on (channel, external_id).
    """

    channel: str
    external_id: str
    sender: str
    text: str
    received_at: datetime
    sender_name: str | None = None
    language: str | None = None
    raw: bytes | None = None
    raw_content_type: str = "text/plain"
    # Email only: the subject, the ids this mail answers (In-Reply-To first, then
    # References), and what kind of automatic mail it is ("auto_reply", "bounce", "list"):
    # those are kept but never start a dialogue.
    subject: str | None = None
    thread: tuple[str, ...] = ()
    automated: str | None = None
    bounced_address: str | None = None
    oversized: bool = False
    # Chat channels: "text", "choice" (a pressed button; `text` is the choice), "command"
    # (`text` is e.g. "/taal en") or "media" (`text` is the caption, if any).
    kind: str = "text"
    attachments: tuple[InboundAttachment, ...] = ()
    # The customer changed a message sent earlier: `external_id` names that message.
    edited: bool = False


@dataclass(frozen=True)
class CustomerPaused:
    """The customer stopped typing: a chat burst has ended and the bot may go on.

    Real chats find this out from a timer; the console says it outright (`~pause`).
    """

    channel: str
    sender: str
    at: datetime


@dataclass(frozen=True)
class InboundBatch:
    """Messages that arrived together (a block of fetched mail, the updates of one Telegram
    poll): stored in one transaction, then acknowledged one by one, so a busy mailbox or chat
    costs one commit per block, not per message."""

    messages: tuple[InboundMessage, ...]


InboundEvent = InboundMessage | InboundBatch | CustomerPaused


@dataclass(frozen=True)
class OutboundMessage:
    outbox_id: int
    channel: str
    recipient: str
    text: str
    template: str
    case_number: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeliveryResult:
    """What became of one send. `permanent` failures are not retried; `retry_after`
    is the channel's own request to wait (e.g. Telegram 429)."""

    ok: bool
    external_id: str | None = None
    error: str | None = None
    permanent: bool = False
    retry_after: float | None = None

    @classmethod
    def sent(cls, external_id: str | None = None) -> DeliveryResult:
        return cls(ok=True, external_id=external_id)

    @classmethod
    def failed(
        cls, error: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> DeliveryResult:
        return cls(ok=False, error=error, permanent=permanent, retry_after=retry_after)


@runtime_checkable
class Channel(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def inbound(self) -> AsyncIterator[InboundEvent]:
        """Events until the channel stops; an exhausted stream means no more intake."""
        ...

    async def acknowledge(self, message: InboundMessage) -> None:
        """Called after `message` is stored: now the source may forget it."""
        ...

    async def send(self, message: OutboundMessage) -> DeliveryResult: ...


class WorkLost(Exception):
    """The helper process doing this work died meanwhile (killed, out of memory, a crash in
    C code); the work was not done."""


class Offload(Protocol):
    """Runs `function(items, *args)`, a pure function of picklable arguments that gives one
    result per item, somewhere else (a helper process, see `bot.workers`), for CPU work that
    needs no I/O. An item whose work killed the helper gets a `WorkLost` in its place; it is
    not run again here."""

    async def __call__(
        self, function: Callable[..., list[_T]], items: Sequence[Any], /, *args: Any
    ) -> list[_T | WorkLost]: ...


async def run_here(
    function: Callable[..., list[_T]], items: Sequence[Any], /, *args: Any
) -> list[_T | WorkLost]:
    """The `Offload` without helpers: the work runs on the caller's own thread."""
    return list(function(list(items), *args))
