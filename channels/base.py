"""The neutral edge between the wire and the core: what a channel hands in, what it is
asked to send, and the one small protocol every channel adapter follows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from starlette.routing import BaseRoute

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
class ChannelTraits:
    """What a channel is like, declared once by its adapter. The core asks these, never the
    channel's name, so a new channel needs no change in the core (see docs/architecture.md,
    "Adding a channel"). The defaults describe a plain chat."""

    # One message is the whole story (a mail, a submitted form): no pause to wait for.
    whole_story: bool = False
    # The address on this channel is itself a way to reach the customer later, outside the
    # conversation (a mail address): no need to ask for one.
    reaches_customer: bool = False
    # Addresses on this channel are mail addresses: a handler's configured mail address is
    # matched against senders, and an address a customer gives can be written to here.
    mail_addresses: bool = False
    # Choices can be shown as buttons to press.
    buttons: bool = False
    # A message already sent can be changed afterwards.
    edits: bool = False
    # Replies carry thread metadata (a subject, In-Reply-To and References of a mail).
    threads: bool = False


@dataclass(frozen=True)
class EmailDetails:
    """The part of an inbound message only a mail has."""

    subject: str = ""
    # What kind of automatic mail this is ("auto_reply", "bounce", "list"); such mail is
    # kept but never starts a dialogue.
    automated: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """A customer's message as its channel delivered it.

    `external_id` is the channel's own identity for the message (Telegram chat+message id,
    Message-ID of a mail, a console line number); storing is idempotent on (channel,
    external_id, sender, content_hash). A channel whose ids can be reused by someone else
    (a mail's Message-ID) sets `content_hash`, so only the same message is a duplicate.
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
    # The ids of the messages this one answers, nearest first (a mail's In-Reply-To, then
    # its References; the Telegram message replied to).
    thread: tuple[str, ...] = ()
    oversized: bool = False
    content_hash: str = ""
    # Chat channels: "text", "choice" (a pressed button; `text` is the choice), "command"
    # (`text` is e.g. "/taal en") or "media" (`text` is the caption, if any).
    kind: str = "text"
    attachments: tuple[InboundAttachment, ...] = ()
    # The customer changed a message sent earlier: `external_id` names that message.
    edited: bool = False
    # The channel's own part: set by the email channel, None elsewhere.
    email: EmailDetails | None = None
    # Facts the customer gave in fields of their own (a form's "when", "product"), by the
    # dialogue's names for them; a chat or a mail gives none, the dialogue reads them.
    facts: dict[str, str] = field(default_factory=dict)


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


# Templates of what goes to handlers and the coordinator, not to a customer.
STAFF_TEMPLATES = "handler/"
# Templates that carry a person's own words to a customer (a handler's answer). A loop with
# a customer's auto-responder never runs through a person, so these are not held back.
PERSON_TEMPLATES = frozenset({"handler_reply"})


def loop_capped(template: str) -> bool:
    """Automatic mail to a customer: the only mail a guard against mail loops counts and
    holds back. Staff mail and a person's own words are never capped."""
    return not template.startswith(STAFF_TEMPLATES) and template not in PERSON_TEMPLATES


@dataclass(frozen=True)
class OutboundMessage:
    outbox_id: int
    channel: str
    recipient: str
    text: str
    template: str
    case_number: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # The id chosen for this message before its first attempt (see `NamesDeliveries`):
    # every retry of the row, also after a crash, goes out under it.
    delivery_id: str | None = None

    @property
    def loop_capped(self) -> bool:
        return loop_capped(self.template)


@dataclass(frozen=True)
class DeliveryResult:
    """What became of one send. `permanent` failures are not retried; `retry_after`
    is the channel's own request to wait (e.g. Telegram 429). `deferred`: the channel
    chose not to send yet (a rate limit of our own); the row waits `retry_after` seconds
    and the wait is no failed attempt."""

    ok: bool
    external_id: str | None = None
    error: str | None = None
    permanent: bool = False
    retry_after: float | None = None
    deferred: bool = False

    @classmethod
    def sent(cls, external_id: str | None = None) -> DeliveryResult:
        return cls(ok=True, external_id=external_id)

    @classmethod
    def failed(
        cls, error: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> DeliveryResult:
        return cls(ok=False, error=error, permanent=permanent, retry_after=retry_after)

    @classmethod
    def later(cls, reason: str, *, retry_after: float) -> DeliveryResult:
        return cls(ok=False, error=reason, retry_after=retry_after, deferred=True)


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


@runtime_checkable
class NamesDeliveries(Protocol):
    """A channel whose messages carry an id of our choosing (an email's Message-ID). The
    dispatcher asks for one per outbox row and stores it before the first attempt, so a send
    repeated after a crash is recognisably the same message."""

    def new_delivery_id(self, message: OutboundMessage) -> str: ...


@dataclass(frozen=True)
class ChannelStatus:
    """Whether a channel reaches its service now; if not, why, naming the setting."""

    connected: bool
    problem: str | None = None


@runtime_checkable
class ServesRoutes(Protocol):
    """A channel that is called over HTTP (Telegram's webhook): its routes are served on the
    bot's one web server, next to the handler desk (bot/web)."""

    def routes(self) -> list[BaseRoute]: ...


@runtime_checkable
class ReportsStatus(Protocol):
    """A channel that can lose its service (a mailbox, the Bot API). One that cannot (the
    console) has no `status` and counts as connected."""

    def status(self) -> ChannelStatus: ...


class WorkLost(Exception):
    """The helper process doing this work died meanwhile (killed, out of memory, a crash in
    C code); the work was not done."""


class Offload(Protocol):
    """Runs `function(items, *args)`, a pure function of picklable arguments that gives one
    result per item, somewhere else (a helper process, see `bot.reading.workers`), for CPU work that
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
