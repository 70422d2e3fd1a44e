"""Repository functions for customers, messages, cases and audit events.

Each takes an open session and keyword-only arguments; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Agreement,
    Attachment,
    AuditEvent,
    Case,
    ChannelIdentity,
    Customer,
    Message,
    RawPayload,
)

CLOSED_STATUSES = ("closed",)


async def identity_for(
    session: AsyncSession, *, channel: str, address: str
) -> ChannelIdentity | None:
    result = await session.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.address == address
        )
    )
    return result.first()


async def get_or_create_identity(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    display_name: str | None,
    language: str | None,
    now: datetime,
) -> ChannelIdentity:
    existing = await identity_for(session, channel=channel, address=address)
    if existing is not None:
        return existing
    customer = Customer(name=display_name, language=language, created_at=now)
    session.add(customer)
    await session.flush()
    assert customer.id is not None
    identity = ChannelIdentity(
        customer_id=customer.id,
        channel=channel,
        address=address,
        display_name=display_name,
        created_at=now,
    )
    session.add(identity)
    await session.flush()
    return identity


async def add_inbound(
    session: AsyncSession,
    *,
    customer_id: int,
    channel: str,
    external_id: str,
    sender: str,
    text: str,
    raw: bytes | None,
    raw_content_type: str,
    received_at: datetime,
    subject: str | None = None,
    thread: Sequence[str] = (),
    automated: str | None = None,
    oversized: bool = False,
    kind: str = "text",
) -> Message | None:
    """Store a customer's message once; None when (channel, external_id) is already stored."""
    if await message_by_external_id(session, channel=channel, external_id=external_id):
        return None
    try:
        async with session.begin_nested():
            raw_id = None
            if raw is not None:
                payload = RawPayload(content_type=raw_content_type, data=raw)
                session.add(payload)
                await session.flush()
                raw_id = payload.id
            message = Message(
                customer_id=customer_id,
                direction="in",
                channel=channel,
                external_id=external_id,
                sender=sender,
                text=text,
                raw_id=raw_id,
                created_at=received_at,
                subject=subject,
                thread=list(thread),
                automated=automated,
                oversized=oversized,
                kind=kind,
            )
            session.add(message)
            await session.flush()
    except IntegrityError:
        # Another worker stored the same message between our check and our insert.
        return None
    return message


async def message_by_external_id(
    session: AsyncSession, *, channel: str, external_id: str
) -> Message | None:
    result = await session.exec(
        select(Message).where(Message.channel == channel, Message.external_id == external_id)
    )
    return result.first()


async def unprocessed_inbound_ids(session: AsyncSession) -> list[int]:
    result = await session.exec(
        select(Message.id)
        .where(Message.direction == "in", col(Message.processed_at).is_(None))
        .order_by(col(Message.id))
    )
    return [message_id for message_id in result.all() if message_id is not None]


async def open_case_for(session: AsyncSession, *, customer_id: int) -> Case | None:
    result = await session.exec(
        select(Case)
        .where(Case.customer_id == customer_id, col(Case.status).not_in(CLOSED_STATUSES))
        .order_by(col(Case.id).desc())
    )
    return result.first()


async def create_case(
    session: AsyncSession, *, customer_id: int, channel: str, language: str, now: datetime
) -> Case:
    case = Case(customer_id=customer_id, channel=channel, language=language, received_at=now)
    session.add(case)
    await session.flush()
    # Numbered from the row id: unique without a second counter, readable on the phone.
    case.number = f"K-{now.year}-{case.id:06d}"
    await session.flush()
    return case


async def case_by_number(session: AsyncSession, *, number: str) -> Case | None:
    result = await session.exec(select(Case).where(Case.number == number))
    return result.first()


async def list_cases(session: AsyncSession, *, limit: int = 50) -> list[Case]:
    result = await session.exec(select(Case).order_by(col(Case.id).desc()).limit(limit))
    return list(result.all())


async def cases_due_to_wake(session: AsyncSession, *, now: datetime) -> list[Case]:
    result = await session.exec(
        select(Case).where(col(Case.wake_at).is_not(None), col(Case.wake_at) <= now)
    )
    return list(result.all())


async def next_wake_at(session: AsyncSession) -> datetime | None:
    result = await session.exec(
        select(Case.wake_at).where(col(Case.wake_at).is_not(None)).order_by(col(Case.wake_at))
    )
    return result.first()


async def messages_of_case(session: AsyncSession, *, case_id: int) -> list[Message]:
    result = await session.exec(
        select(Message).where(Message.case_id == case_id).order_by(col(Message.id))
    )
    return list(result.all())


async def reply_address(session: AsyncSession, *, case: Case) -> str:
    """Where replies on `case` go: the customer's identity on the case's channel."""
    result = await session.exec(
        select(ChannelIdentity.address).where(
            ChannelIdentity.customer_id == case.customer_id,
            ChannelIdentity.channel == case.channel,
        )
    )
    address = result.first()
    if address is None:
        raise LookupError(f"customer of {case.number} has no {case.channel} identity")
    return address


async def reply_identity(session: AsyncSession, *, case: Case) -> ChannelIdentity:
    """The customer's identity on the case's channel: where replies go, and whether the
    customer asked us to stop writing."""
    result = await session.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.customer_id == case.customer_id,
            ChannelIdentity.channel == case.channel,
        )
    )
    identity = result.first()
    if identity is None:
        raise LookupError(f"customer of {case.number} has no {case.channel} identity")
    return identity


async def add_attachment(
    session: AsyncSession,
    *,
    message_id: int,
    kind: str,
    file_name: str | None,
    content_type: str | None,
    size: int | None,
    data: bytes | None,
    detail: dict[str, Any],
) -> Attachment:
    attachment = Attachment(
        message_id=message_id,
        kind=kind,
        file_name=file_name,
        content_type=content_type,
        size=size,
        data=data,
        detail=detail,
    )
    session.add(attachment)
    await session.flush()
    return attachment


async def attachments_of(session: AsyncSession, *, message_id: int) -> list[Attachment]:
    result = await session.exec(
        select(Attachment).where(Attachment.message_id == message_id).order_by(col(Attachment.id))
    )
    return list(result.all())


async def open_agreements(session: AsyncSession, *, case_id: int) -> list[Agreement]:
    result = await session.exec(
        select(Agreement).where(Agreement.case_id == case_id, col(Agreement.done_at).is_(None))
    )
    return list(result.all())


async def record_audit(
    session: AsyncSession,
    *,
    case_id: int | None,
    actor: str,
    action: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(case_id=case_id, actor=actor, action=action, detail=detail or {}, at=now)
    )


async def customer(session: AsyncSession, *, customer_id: int) -> Customer | None:
    return await session.get(Customer, customer_id)
