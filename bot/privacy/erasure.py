"""Scrubbing personal data while keeping what reports count.

A case is anonymised, not deleted: its topic, channel, status, timestamps, deadlines and
survey scores stay, so the coordinator's figures do not change; names, addresses, numbers,
texts, summaries, the conversation's memory, raw mail and attachments go. Each inbound
message leaves a keyed hash (storage.privacy) so the mailbox cannot bring it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, literal, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.privacy.items import Items
from common.addresses import complex_of
from storage import privacy, search
from storage.models import Attachment, Message, RawPayload

# What the conversation's memory keeps: the classification and where it ended, no words.
KEPT_STATE = ("step", "channel", "language", "intent", "category", "explicit", "anger", "turn")
# Agreements the bot makes itself (bot.intake): their `what` is a kind, not a sentence.
SYSTEM_AGREEMENTS = ("first_contact", "resolution")
# Audit details whose text is a code, not words: kept so reports can count them.
KEPT_DETAIL_TEXT = {"what": SYSTEM_AGREEMENTS}


def _kept(key: str, value: Any) -> bool:
    """Numbers, ids and flags stay; text only when it is one of the known codes."""
    if isinstance(value, str):
        return value in KEPT_DETAIL_TEXT.get(key, ())
    return value is None or isinstance(value, bool | int | float)


def _detail(detail: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in detail.items() if _kept(key, value)}


async def scrub(session: AsyncSession, items: Items, *, key: bytes | None, now: datetime) -> None:
    """Anonymise everything in `items` in the caller's transaction; pending mail to the
    person is cancelled. Without a `key` no hashes are kept (the retention term: the
    mailbox was read past those mails long ago)."""
    digests = [
        privacy.erased_digest(
            key, channel=message.channel, external_id=message.external_id, sender=message.sender
        )
        for message in items.messages
        if key is not None
        and message.direction == "in"
        and not message.external_id.startswith("erased:")
    ]
    await privacy.remember_erased(session, digests=digests, now=now)
    for customer in items.customers:
        customer.name = None
        session.add(customer)
    for case in items.cases:
        case.summary = None
        address = (case.dialogue_state.get("facts") or {}).get("address")
        case.dialogue_state = {k: v for k, v in case.dialogue_state.items() if k in KEPT_STATE}
        if address:  # reports count complaints per complex, which names nobody
            case.dialogue_state["complex"] = complex_of(str(address))
        case.anonymised_at = now
        session.add(case)
    for agreement in items.agreements:
        if agreement.what not in SYSTEM_AGREEMENTS:
            agreement.what = ""
        session.add(agreement)
    for followup in items.followups:
        followup.answers = []
        followup.comment = None
        session.add(followup)
    for event in items.audit_events:
        event.detail = _detail(event.detail)
        session.add(event)
    for row in items.outbox:
        # A row being sent now is cancelled too: the dispatcher records a send only on a row
        # it still holds (storage.outbox), so it writes neither the outcome nor the text back.
        if row.status in ("pending", "sending", "failed"):
            row.status = "cancelled"
            row.claimed_by = None
            row.lease_until = None
        row.recipient = ""
        row.body = ""
        row.meta = {}
        row.last_error = None
        row.external_id = None
        session.add(row)
    await session.flush()
    # Messages, attachments and raw mail are most of a long history: one statement per
    # chunk of rows, not one per row (and the raw bytes are never written back).
    message_ids = [message.id for message in items.messages if message.id is not None]
    for chunk in _chunks(message_ids):
        await session.exec(
            update(Message)
            .where(col(Message.id).in_(chunk))
            .values(
                text="",
                sender="",
                subject=None,
                thread=[],
                external_id=literal("erased:") + cast(Message.id, String),
                content_hash="",
                raw_id=None,
            )
            .execution_options(synchronize_session=False)
        )
        await session.exec(
            delete(Attachment)
            .where(col(Attachment.message_id).in_(chunk))
            .execution_options(synchronize_session=False)
        )
    for gone in (*items.identities, *items.reply_tokens, *items.quarantine):
        await session.delete(gone)
    await session.flush()
    for chunk in _chunks([raw.id for raw in items.raw_payloads if raw.id is not None]):
        await session.exec(
            delete(RawPayload)
            .where(col(RawPayload.id).in_(chunk))
            .execution_options(synchronize_session=False)
        )
    if message_ids:
        await search.forget_erased_text(session)
    # What this session still holds of them is stale now.
    for stale in (*items.messages, *items.attachments, *items.raw_payloads):
        session.expunge(stale)


def _chunks(ids: list[int], size: int = 1000) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def counts(items: Items) -> dict[str, int]:
    """How many of each: what the audit trail and the log say, never what they held."""
    return {
        "cases": len(items.cases),
        "messages": len(items.messages),
        "attachments": len(items.attachments),
        "raw_payloads": len(items.raw_payloads),
        "outbox": len(items.outbox),
        "audit_events": len(items.audit_events),
        "followups": len(items.followups),
        "identities": len(items.identities),
        "quarantine": len(items.quarantine),
    }
