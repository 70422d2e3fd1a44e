"""The Telegram channel adapter: long polling in, the outbox's rows out.

Nothing is lost: the updates of one poll are handed in as one `InboundBatch` (stored in one
transaction), and the offset that tells Telegram to forget them is saved once the whole batch
is stored and acknowledged, then sent to Telegram with the next poll. A restart asks for
nothing already stored; a batch fetched but not yet fully stored comes again, and what of it
was stored falls out as a duplicate on chat and message id.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from functools import partial
from urllib.parse import urlsplit

from starlette.routing import BaseRoute
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, InvalidToken, RetryAfter, TelegramError

from channels.base import (
    ChannelStatus,
    ChannelTraits,
    DeliveryResult,
    InboundBatch,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
)
from channels.link import Link
from channels.telegram import media
from channels.telegram.api import ChannelBot
from channels.telegram.delivery import failure, retry_after_seconds
from channels.telegram.keyboards import button_keyboard, choice_keyboard
from channels.telegram.limits import SendLimiter
from channels.telegram.offsets import OffsetStore
from channels.telegram.tidy import Call, ChatTidier
from channels.telegram.updates import CHANNEL, ButtonPress, Incoming, Received, read_update
from channels.telegram.webhook import NotStored, webhook_route
from common.clock import Clock
from common.logs import log
from common.problems import Problem, StartupFailure, network_problem

ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
TEXT_LIMIT = 4096  # characters per Telegram message
NETWORK_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)
# A token Telegram refuses after a good start (revoked meanwhile) will not come back soon.
REFUSED_TOKEN_BACKOFF = 300.0
# Chats the dispatcher may send to at the same time (one chat's messages still go in order;
# the SendLimiter still keeps Telegram's limits). The Bot's connection pool is sized for it.
PARALLEL_SENDS = 8
# Chats tidied at the same time (buttons answered, keyboards removed), beside the sends.
PARALLEL_TIDYING = 3
# Telegram waits for a webhook answer about a minute; not stored by then, it sends again.
WEBHOOK_STORE_SECONDS = 50.0


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str
    path: str  # webhook_url's path: the route on the bot's web server


class TelegramChannel:
    name = CHANNEL
    # A chat in bursts, with inline keyboards for choices and messages that can be edited.
    traits = ChannelTraits(buttons=True, edits=True)
    parallel_sends = PARALLEL_SENDS

    def __init__(
        self,
        *,
        bot: ChannelBot,
        offsets: OffsetStore,
        clock: Clock,
        limiter: SendLimiter | None = None,
        poll_timeout: int = 30,
        max_file_bytes: int = media.DEFAULT_MAX_FILE_BYTES,
        webhook: WebhookConfig | None = None,
        handler_chat_id: int = 0,
    ) -> None:
        self.bot = bot
        self._offsets = offsets
        self._clock = clock
        self._limiter = limiter if limiter is not None else SendLimiter()
        self._poll_timeout = poll_timeout
        self._max_file_bytes = max_file_bytes
        self._webhook = webhook
        self._link = Link(self.name)
        self._retry_in = NETWORK_BACKOFF[0]
        self._polling = webhook is None
        self._handler_chat_id = handler_chat_id
        # Polling: the update each message came in, until it is acknowledged (stored).
        self._update_ids: dict[str, int] = {}
        self._saved_offset = 0
        self._presses: dict[str, ButtonPress] = {}
        # The last message per chat that still shows buttons: removed once answered.
        self._keyboards: dict[int, int] = {}
        self._tidy = ChatTidier(PARALLEL_TIDYING)
        # Webhook mode: each update with the future its HTTP call waits on until stored.
        self._webhook_updates: asyncio.Queue[tuple[Received, asyncio.Future[None]]] = asyncio.Queue(
            maxsize=1000
        )
        self._webhook_waiting: set[asyncio.Future[None]] = set()
        self._webhook_open = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Checks the token with Telegram (getMe) and sets up polling or the webhook. A
        token Telegram refuses, or a webhook it will not take, stops the start with
        `StartupFailure`; when Telegram cannot be reached the channel starts unconnected
        and its reader keeps trying."""
        # Webhook mode: the route is served by the bot's web server (`routes`), which starts
        # before the channels; until now it answered 503, and Telegram sent again.
        self._webhook_open = self._webhook is not None
        try:
            await self._connect()
        except TelegramError as exc:
            problem = self._problem(exc)
            if problem.configuration:
                await self.stop()
                raise StartupFailure(problem) from None
            self._failed(exc)

    async def _connect(self) -> None:
        await self.bot.initialize()  # getMe: checks the token; returns at once when done
        if self._webhook is None:
            # Telegram refuses getUpdates while a webhook is set.
            await self.bot.delete_webhook()
        else:
            try:
                await self.bot.set_webhook(
                    self._webhook.url,
                    secret_token=self._webhook.secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except BadRequest as exc:
                raise _WebhookRefused(exc.message) from exc
        self._link.up()
        log.info("telegram.started", bot=self.bot.username, polling=self._polling)

    async def _until_connected(self) -> None:
        while not self._link.status().connected:
            await asyncio.sleep(self._retry_in)
            try:
                await self._connect()
            except TelegramError as exc:
                self._failed(exc)

    def status(self) -> ChannelStatus:
        return self._link.status()

    def _retry_delay(self, problem: Problem | None = None) -> float:
        if problem is not None and problem.configuration:
            return REFUSED_TOKEN_BACKOFF
        return NETWORK_BACKOFF[min(self._link.failures, len(NETWORK_BACKOFF) - 1)]

    def _failed(self, exc: TelegramError) -> float:
        """Say why, and how long to wait before trying again."""
        problem = self._problem(exc)
        self._retry_in = self._retry_delay(problem)
        self._link.down(problem, retry_in=self._retry_in)
        return self._retry_in

    def _problem(self, exc: TelegramError) -> Problem:
        """What is wrong, naming the setting; never the token itself (PTB's InvalidToken
        from getMe quotes it, so its message is not used)."""
        if isinstance(exc, InvalidToken):
            return Problem("telegram.token", "Telegram refused the token (wrong or revoked)")
        if isinstance(exc, _WebhookRefused):
            return Problem("telegram.webhook_url", f"Telegram refused the webhook: {exc}")
        if isinstance(exc, Conflict):
            return Problem(
                "telegram.token",
                "another process is reading updates with this token",
                configuration=False,
            )
        # Only the host: the Bot API URL ends in the token.
        api = urlsplit(self.bot.base_url)
        host = api.hostname or "api.telegram.org"
        port = api.port or (443 if api.scheme == "https" else 80)
        network = network_problem(exc, setting="telegram.base_url", host=host, port=port)
        return network or Problem(
            "telegram.base_url",
            f"the Bot API at {host}:{port} failed ({type(exc).__name__}: {exc.message})",
            configuration=False,
        )

    def routes(self) -> list[BaseRoute]:
        """What this channel serves on the bot's web server: the webhook, in webhook mode."""
        if self._webhook is None:
            return []
        return [webhook_route(self._webhook.path, self._webhook.secret, self._receive_by_webhook)]

    async def stop(self) -> None:
        # The webhook stays set: while we are down Telegram keeps the updates for us. Calls
        # still waiting for their update to be stored are answered now (503), so Telegram
        # sends those again, rather than after the server's grace period.
        self._webhook_open = False
        for waiting in self._webhook_waiting:
            if not waiting.done():
                waiting.set_exception(NotStored())
        await self._tidy.drain()
        await self.bot.shutdown()  # safe when never initialised

    # -- inbound -----------------------------------------------------------------------------

    async def inbound(self) -> AsyncIterator[InboundEvent]:
        await self._until_connected()
        if self._webhook is not None:
            while True:
                received, stored = await self._webhook_updates.get()
                async for event in self._events(received):
                    yield event
                # Resumed after the last event: it is stored, the HTTP call may say 200.
                if not stored.done():
                    stored.set_result(None)
        offset = self._saved_offset = await self._offsets.load(self.bot.id)
        while True:
            try:
                updates = await self.bot.receive(
                    offset=offset or None,
                    poll_seconds=self._poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
                self._link.up()
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except TelegramError as exc:
                # Network trouble and a Conflict (another poller, e.g. during a deploy) pass;
                # a token revoked meanwhile is tried again now and then, said each time.
                await asyncio.sleep(self._failed(exc))
                continue
            if not updates:
                continue
            # One batch per poll: one store transaction and one offset save for all of it,
            # instead of one of each per update.
            batch: list[InboundMessage] = []
            for received in updates:
                async for event in self._events(received):
                    self._update_ids[event.external_id] = received.update.update_id
                    batch.append(event)
            if batch:
                yield InboundBatch(tuple(batch))
            # Resumed after the batch: everything in it is stored and acknowledged. Updates
            # we ignore move the offset too.
            if self._update_ids:
                log.error("telegram.offset_held", unacknowledged=len(self._update_ids))
                self._update_ids.clear()
                offset = self._saved_offset
                continue  # read again rather than risk a loss
            offset = updates[-1].update.update_id + 1
            if offset > self._saved_offset:
                await self._save_offset(offset)

    async def _save_offset(self, offset: int) -> None:
        await self._offsets.save(self.bot.id, offset)
        self._saved_offset = max(self._saved_offset, offset)

    async def _receive_by_webhook(self, data: dict[str, object]) -> None:
        """Returns once the update is stored; the web endpoint has checked the secret."""
        if not self._webhook_open:
            raise NotStored()
        received = Received.from_json(data, self.bot)
        stored: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._webhook_waiting.add(stored)
        try:
            await self._webhook_updates.put((received, stored))
            await asyncio.wait_for(stored, WEBHOOK_STORE_SECONDS)
        finally:
            self._webhook_waiting.discard(stored)

    async def _events(self, received: Received) -> AsyncIterator[InboundMessage]:
        incoming = read_update(received, now=self._clock(), handler_chat_id=self._handler_chat_id)
        if incoming is None:
            log.info("telegram.update_ignored", update_id=received.update.update_id)
            return
        message = await self._with_files(incoming)
        if incoming.press is not None:
            self._presses[message.external_id] = incoming.press
        yield message

    async def _with_files(self, incoming: Incoming) -> InboundMessage:
        if not incoming.files:
            return incoming.message
        fetched = [
            await media.fetch(self.bot, ref, max_bytes=self._max_file_bytes)
            for ref in incoming.files
        ]
        return replace(incoming.message, attachments=(*incoming.message.attachments, *fetched))

    async def acknowledge(self, message: InboundMessage) -> None:
        # The offset moves once the whole batch is stored and acknowledged (see `inbound`): a
        # restart then asks Telegram for nothing we already have.
        self._update_ids.pop(message.external_id, None)
        press = self._presses.pop(message.external_id, None)
        if press is not None:
            calls: list[Call] = [partial(self.bot.answer_callback_query, press.query_id)]
            if press.message_id is not None:
                calls.append(self._keyboard_removal(press.chat_id, press.message_id))
            self._tidy.later(press.chat_id, *calls)
        elif message.kind in ("text", "media") and not message.edited:
            chat_id = int(message.sender)
            shown = self._keyboards.get(chat_id)
            if shown is not None:
                self._tidy.later(chat_id, self._keyboard_removal(chat_id, shown))

    def _keyboard_removal(self, chat_id: int, message_id: int) -> Call:
        # Forgotten now, not when the call runs: a keyboard sent meanwhile stays known.
        if self._keyboards.get(chat_id) == message_id:
            del self._keyboards[chat_id]
        return partial(self.bot.edit_message_reply_markup, chat_id, message_id, reply_markup=None)

    # -- outbound ----------------------------------------------------------------------------

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        try:
            chat_id = int(message.recipient)
        except ValueError:
            return DeliveryResult.failed(f"not a chat id: {message.recipient!r}", permanent=True)
        keyboard = button_keyboard(message.meta.get("buttons", [])) or choice_keyboard(
            message.meta.get("choices", []), message.meta.get("choice_labels", {})
        )
        if message.meta.get("edit"):
            return await self._edit(message, keyboard)
        parts = split_text(message.text)
        sent: list[int] = []
        await self._tidy.settled(chat_id)
        try:
            for index, part in enumerate(parts):
                await self._limiter.wait(chat_id)
                last = index == len(parts) - 1
                sent.append(
                    await self.bot.send_text(chat_id, part, reply_markup=keyboard if last else None)
                )
        except TelegramError as exc:
            if isinstance(exc, RetryAfter):
                self._limiter.hold(retry_after_seconds(exc))
            if sent:
                # Part of a long text is out; resending would repeat it. Report the rest.
                log.warning("telegram.partly_sent", outbox_id=message.outbox_id)
            return failure(exc)
        if keyboard is not None:
            self._keyboards[chat_id] = sent[-1]
        return DeliveryResult.sent(f"{chat_id}:{sent[-1]}")

    async def _edit(
        self, message: OutboundMessage, keyboard: InlineKeyboardMarkup | None
    ) -> DeliveryResult:
        """Change a message sent before (the handoff in the group, once claimed)."""
        chat, _, message_id = str(message.meta["edit"]).partition(":")
        try:
            await self._tidy.settled(int(chat))
            await self._limiter.wait(int(chat))
            await self.bot.edit_message_text(
                split_text(message.text)[0],
                chat_id=int(chat),
                message_id=int(message_id),
                reply_markup=keyboard,
            )
        except TelegramError as exc:
            if isinstance(exc, RetryAfter):
                self._limiter.hold(retry_after_seconds(exc))
            return failure(exc)
        return DeliveryResult.sent(str(message.meta["edit"]))


class _WebhookRefused(TelegramError):
    """setWebhook answered 400: the URL (or its certificate) will not do."""


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Long texts in pieces Telegram accepts, cut at a line break where possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text or " ")
    return parts
