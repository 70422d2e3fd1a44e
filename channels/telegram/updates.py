"""A customer's Telegram update read into our neutral message. No I/O: files are named
here and fetched by the channel."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, Message, Update

from channels.base import InboundAttachment, InboundMessage
from channels.telegram.keyboards import choice_of

CHANNEL = "telegram"
LANGUAGES = ("nl", "en")
# Telegram's file kinds, sorted into the few a customer reply names.
FILE_KINDS = {
    "photo": "photo",
    "document": "document",
    "video": "document",
    "animation": "document",
    "audio": "voice",
    "voice": "voice",
    "video_note": "voice",
    "sticker": "sticker",
}


@dataclass(frozen=True)
class FileRef:
    kind: str
    file_id: str
    size: int | None
    file_name: str | None = None
    content_type: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ButtonPress:
    """What to tidy up once a pressed button is stored: the spinner and the keyboard."""

    query_id: str
    chat_id: int
    message_id: int | None


@dataclass(frozen=True)
class Incoming:
    message: InboundMessage
    files: tuple[FileRef, ...] = ()
    press: ButtonPress | None = None


def message_external_id(chat_id: int, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


def _language(code: str | None) -> str | None:
    short = (code or "").split("-", 1)[0].lower()
    return short if short in LANGUAGES else None


@dataclass(frozen=True)
class Received:
    """An update as PTB reads it, with the JSON it came as: that JSON is the raw payload we
    keep. Serialising PTB's objects back cost more CPU than reading them."""

    update: Update
    raw: bytes

    @classmethod
    def from_json(cls, data: dict[str, Any], bot: Bot) -> Received:
        # Serialised before PTB reads it, so nothing PTB does to the dict can change it.
        raw = json.dumps(data, ensure_ascii=False).encode()
        return cls(Update.de_json(data, bot), raw)


def _when(moment: datetime | None, fallback: datetime) -> datetime:
    if moment is None:
        return fallback
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_update(received: Received, *, now: datetime, handler_chat_id: int = 0) -> Incoming | None:
    """A customer's update in a private chat, or a handler's in the handler group; None
    for anything else (other groups, channels)."""
    update, raw = received.update, received.raw
    chat = update.effective_chat
    if handler_chat_id and chat is not None and chat.id == handler_chat_id:
        return _read_handler(update, raw, now)
    if update.callback_query is not None:
        return _read_press(update, raw, now)
    message = update.message or update.edited_message
    if message is None or message.chat.type != "private":
        return None
    text = message.text or message.caption or ""
    files = _files(message)
    attachments = _non_files(message)
    kind = "text"
    if message.text and message.text.startswith("/"):
        kind = "command"
    elif files or attachments or not message.text:
        kind = "media"
    user = message.from_user
    inbound = InboundMessage(
        channel=CHANNEL,
        external_id=message_external_id(message.chat.id, message.message_id),
        sender=str(message.chat.id),
        sender_name=user.full_name if user else None,
        text=text,
        received_at=_when(message.date, now),
        language=_language(user.language_code if user else None),
        raw=raw,
        raw_content_type="application/json",
        kind=kind,
        attachments=attachments,
        edited=update.edited_message is not None,
    )
    return Incoming(inbound, files=files)


def _read_press(update: Update, raw: bytes, now: datetime) -> Incoming | None:
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None or message.chat.type != "private":
        return None
    choice = choice_of(query.data)
    inbound = InboundMessage(
        channel=CHANNEL,
        external_id=f"callback:{query.id}",
        sender=str(message.chat.id),
        sender_name=query.from_user.full_name,
        # A button we no longer know is still the customer's doing: kept, with its data.
        text=choice or (query.data or ""),
        received_at=now,
        language=_language(query.from_user.language_code),
        raw=raw,
        raw_content_type="application/json",
        kind="choice" if choice else "button",
    )
    return Incoming(
        inbound,
        press=ButtonPress(query.id, message.chat.id, message.message_id),
    )


HANDLER_KIND = "handler:"


def _read_handler(update: Update, raw: bytes, now: datetime) -> Incoming | None:
    """Someone in the handler group: a button, a command, or a reply to a case message.
    The sender is the Telegram user, so the core can check who may act."""
    query = update.callback_query
    if query is not None:
        chat_id = query.message.chat.id if query.message else 0
        inbound = InboundMessage(
            channel=CHANNEL,
            external_id=f"callback:{query.id}",
            sender=str(query.from_user.id),
            sender_name=query.from_user.full_name,
            text=query.data or "",
            received_at=now,
            raw=raw,
            raw_content_type="application/json",
            kind=HANDLER_KIND + "choice",
        )
        return Incoming(inbound, press=ButtonPress(query.id, chat_id, None))
    message = update.message
    if message is None or message.from_user is None:
        return None
    text = message.text or message.caption or ""
    replied = message.reply_to_message
    inbound = InboundMessage(
        channel=CHANNEL,
        external_id=message_external_id(message.chat.id, message.message_id),
        sender=str(message.from_user.id),
        sender_name=message.from_user.full_name,
        text=text,
        received_at=_when(message.date, now),
        raw=raw,
        raw_content_type="application/json",
        kind=HANDLER_KIND + ("command" if text.startswith("/") else "text"),
        # Which case message was answered: our own message's delivery id on the outbox row.
        thread=(message_external_id(message.chat.id, replied.message_id),) if replied else (),
    )
    return Incoming(inbound)


def _files(message: Message) -> tuple[FileRef, ...]:
    found: list[FileRef] = []
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        found.append(
            FileRef("photo", largest.file_id, largest.file_size, content_type="image/jpeg")
        )
    for attribute, kind in FILE_KINDS.items():
        if attribute == "photo":
            continue
        item = getattr(message, attribute, None)
        if item is None:
            continue
        found.append(
            FileRef(
                kind,
                item.file_id,
                getattr(item, "file_size", None),
                file_name=getattr(item, "file_name", None),
                content_type=getattr(item, "mime_type", None),
                detail={"telegram_type": attribute, "emoji": getattr(item, "emoji", None)},
            )
        )
    return tuple(found)


def _non_files(message: Message) -> tuple[InboundAttachment, ...]:
    found: list[InboundAttachment] = []
    if message.location is not None:
        location = message.location
        found.append(
            InboundAttachment(
                "location",
                detail={"latitude": location.latitude, "longitude": location.longitude},
            )
        )
    if message.contact is not None:
        contact = message.contact
        found.append(
            InboundAttachment(
                "other",
                detail={
                    "telegram_type": "contact",
                    "phone_number": contact.phone_number,
                    "name": " ".join(filter(None, (contact.first_name, contact.last_name))),
                },
            )
        )
    return tuple(found)
