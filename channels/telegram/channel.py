"""The Telegram channel adapter: long polling in, the outbox's rows out.

Nothing is lost: the offset that tells Telegram to forget updates is saved only after every
update of a batch has been stored (`acknowledge`), and is sent to Telegram with the next
poll. After a crash the same updates come again and are recognised as stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.error import Conflict, Forbidden, InvalidToken, RetryAfter, TelegramError

from bot.clock import Clock
from bot.logs import log
from channels.base import DeliveryResult, InboundEvent, InboundMessage, OutboundMessage
from channels.telegram import media
from channels.telegram.delivery import failure, retry_after_seconds
from channels.telegram.keyboards import button_keyboard, choice_keyboard
from channels.telegram.limits import SendLimiter
from channels.telegram.offsets import OffsetStore
from channels.telegram.updates import CHANNEL, ButtonPress, Incoming, read_update

ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
TEXT_LIMIT = 4096  # characters per Telegram message
NETWORK_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)


class TelegramChannel:
    name = CHANNEL

    def __init__(
        self,
        *,
        bot: Bot,
        offsets: OffsetStore,
        clock: Clock,
        limiter: SendLimiter | None = None,
        poll_timeout: int = 30,
        max_file_bytes: int = media.DEFAULT_MAX_FILE_BYTES,
        polling: bool = True,
        handler_chat_id: int = 0,
    ) -> None:
        self.bot = bot
        self._offsets = offsets
        self._clock = clock
        self._limiter = limiter if limiter is not None else SendLimiter()
        self._poll_timeout = poll_timeout
        self._max_file_bytes = max_file_bytes
        self._polling = polling
        self._handler_chat_id = handler_chat_id
        self._unacknowledged: set[str] = set()
        self._presses: dict[str, ButtonPress] = {}
        # The last message per chat that still shows buttons: removed once answered.
        self._keyboards: dict[int, int] = {}
        self._webhook_updates: asyncio.Queue[Update] = asyncio.Queue(maxsize=1000)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        await self.bot.initialize()
        if self._polling:
            # Telegram refuses getUpdates while a webhook is set.
            await self.bot.delete_webhook()
        log.info("telegram.started", bot=self.bot.username, polling=self._polling)

    async def stop(self) -> None:
        await self.bot.shutdown()

    # -- inbound -----------------------------------------------------------------------------

    async def inbound(self) -> AsyncIterator[InboundEvent]:
        if not self._polling:
            while True:
                update = await self._webhook_updates.get()
                async for event in self._events(update):
                    yield event
        bot_id = self.bot.id
        offset = await self._offsets.load(bot_id)
        failures = 0
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset or None,
                    timeout=self._poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
                failures = 0
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except (InvalidToken, Forbidden, Conflict) as exc:
                log.error("telegram.polling_stopped", error=f"{type(exc).__name__}: {exc}")
                return
            except TelegramError as exc:
                delay = NETWORK_BACKOFF[min(failures, len(NETWORK_BACKOFF) - 1)]
                failures += 1
                log.warning("telegram.poll_failed", error=str(exc), retry_in_s=delay)
                await asyncio.sleep(delay)
                continue
            for update in updates:
                async for event in self._events(update):
                    yield event
            if not updates:
                continue
            # Resumed after the last event of the batch: everything yielded is stored.
            if self._unacknowledged:
                log.error("telegram.offset_held", unacknowledged=len(self._unacknowledged))
                self._unacknowledged.clear()
                continue  # re-read on restart rather than risk a loss
            offset = updates[-1].update_id + 1
            await self._offsets.save(bot_id, offset)

    async def deliver_update(self, update: Update) -> None:
        """Webhook mode: an update the web endpoint received (secret already checked)."""
        await self._webhook_updates.put(update)

    async def _events(self, update: Update) -> AsyncIterator[InboundEvent]:
        incoming = read_update(update, now=self._clock(), handler_chat_id=self._handler_chat_id)
        if incoming is None:
            log.info("telegram.update_ignored", update_id=update.update_id)
            return
        message = await self._with_files(incoming)
        self._unacknowledged.add(message.external_id)
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
        self._unacknowledged.discard(message.external_id)
        press = self._presses.pop(message.external_id, None)
        try:
            if press is not None:
                await self.bot.answer_callback_query(press.query_id)
                if press.message_id is not None:
                    await self._remove_keyboard(press.chat_id, press.message_id)
            elif message.kind in ("text", "media") and not message.edited:
                chat_id = int(message.sender)
                shown = self._keyboards.get(chat_id)
                if shown is not None:
                    await self._remove_keyboard(chat_id, shown)
        except TelegramError as exc:
            # Tidying the chat is a courtesy; the answer itself is stored.
            log.warning("telegram.tidy_failed", error=str(exc))

    async def _remove_keyboard(self, chat_id: int, message_id: int) -> None:
        if self._keyboards.get(chat_id) == message_id:
            del self._keyboards[chat_id]
        await self.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)

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
        parts = _split(message.text)
        sent: list[Message] = []
        try:
            for index, part in enumerate(parts):
                await self._limiter.wait(chat_id)
                last = index == len(parts) - 1
                sent.append(
                    await self.bot.send_message(
                        chat_id, part, reply_markup=keyboard if last else None
                    )
                )
        except TelegramError as exc:
            if isinstance(exc, RetryAfter):
                self._limiter.hold(retry_after_seconds(exc))
            if sent:
                # Part of a long text is out; resending would repeat it. Report the rest.
                log.warning("telegram.partly_sent", outbox_id=message.outbox_id)
            return failure(exc)
        if keyboard is not None:
            self._keyboards[chat_id] = sent[-1].message_id
        return DeliveryResult.sent(f"{chat_id}:{sent[-1].message_id}")

    async def _edit(
        self, message: OutboundMessage, keyboard: InlineKeyboardMarkup | None
    ) -> DeliveryResult:
        """Change a message sent before (the handoff in the group, once claimed)."""
        chat, _, message_id = str(message.meta["edit"]).partition(":")
        try:
            await self._limiter.wait(int(chat))
            await self.bot.edit_message_text(
                _split(message.text)[0],
                chat_id=int(chat),
                message_id=int(message_id),
                reply_markup=keyboard,
            )
        except TelegramError as exc:
            if isinstance(exc, RetryAfter):
                self._limiter.hold(retry_after_seconds(exc))
            return failure(exc)
        return DeliveryResult.sent(str(message.meta["edit"]))


def _split(text: str, limit: int = TEXT_LIMIT) -> Sequence[str]:
    """Long texts in pieces Telegram accepts, cut at a line break where possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text or " ")
    return parts
