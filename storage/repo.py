"""Repository functions for customers, messages, cases and audit events.

Each takes an open session and keyword-only arguments; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import core
from storage.memo import recalled, remember, remembered
from storage.models import (
    Agreement,
    Attachment,
    Case,
    ChannelIdentity,
    Customer,
    Message,
)

CLOSED_STATUSES = ("closed",)
# Remembered for a customer the preload found without an open case: no need to ask again.
NO_OPEN_CASE = object()


async def identity_for(
    session: AsyncSession, *, channel: str, address: str
) -> ChannelIdentity | None:
    known: ChannelIdentity | None = recalled(session, ("identity", channel, address))
    if known is not None:
        return known
    result = await session.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.address == address
        )
    )
    return result.first()


async def preload_customers(session: AsyncSession, *, customer_ids: Collection[int]) -> None:
    """Load these customers, their identities and their open cases in three statements, so
    a block of messages does not ask for them once per message. Customers are then found by
    `session.get`, identities by `identity_for` and `reply_identity`, open cases by
    `open_case_for`."""
    if not customer_ids:
        return
    customers = await session.exec(select(Customer).where(col(Customer.id).in_(customer_ids)))
    # The session's identity map holds rows weakly: keep them for the transaction.
    remember(session, ("customers", *sorted(customer_ids)), customers.all())
    identities = (
        await session.exec(
            select(ChannelIdentity)
            .where(col(ChannelIdentity.customer_id).in_(customer_ids))
            .order_by(col(ChannelIdentity.id))
        )
    ).all()
    per_channel: dict[tuple[int, str], list[ChannelIdentity]] = {}
    for identity in identities:
        remember(session, ("identity", identity.channel, identity.address), identity)
        per_channel.setdefault((identity.customer_id, identity.channel), []).append(identity)
    for (customer_id, channel), found in per_channel.items():
        if len(found) == 1:  # with more, `reply_identity` decides which one
            remember(session, ("reply_identity", customer_id, channel), found[0])
    open_cases = await session.exec(
        select(Case)
        .where(col(Case.customer_id).in_(customer_ids), col(Case.status).not_in(CLOSED_STATUSES))
        .order_by(col(Case.id))
    )
    for customer_id in customer_ids:
        remember(session, ("open_case", customer_id), NO_OPEN_CASE)
    for case in open_cases.all():
        remember(session, ("open_case", case.customer_id), case)  # the newest one stays


_IDENTITIES = SQLModel.metadata.tables["channel_identities"]
_MESSAGES = SQLModel.metadata.tables["messages"]
_STORED_KEYS = select(_MESSAGES.c.external_id, _MESSAGES.c.sender, _MESSAGES.c.content_hash).where(
    _MESSAGES.c.channel == bindparam("channel"),
    _MESSAGES.c.external_id.in_(bindparam("external_ids", expanding=True)),
)
_CUSTOMERS_BY_ADDRESS = select(_IDENTITIES.c.address, _IDENTITIES.c.customer_id).where(
    _IDENTITIES.c.channel == bindparam("channel"),
    _IDENTITIES.c.address.in_(bindparam("addresses", expanding=True)),
)


async def customers_by_address(
    session: AsyncSession, *, channel: str, addresses: Sequence[str]
) -> dict[str, int]:
    """Which customer each known address belongs to (Core: only two columns are needed)."""
    connection = await core(session)
    result = await connection.execute(
        _CUSTOMERS_BY_ADDRESS, {"channel": channel, "addresses": list(addresses)}
    )
    return {address: customer_id for address, customer_id in result}


async def add_identities(
    session: AsyncSession,
    *,
    channel: str,
    people: Sequence[tuple[str, str | None, str | None]],
    now: datetime,
) -> dict[str, ChannelIdentity]:
    """A new customer with one identity for each (address, display name, language)."""
    customers = [
        Customer(name=name, language=language, created_at=now) for _, name, language in people
    ]
    session.add_all(customers)
    await session.flush()
    identities = {
        address: ChannelIdentity(
            customer_id=customer.id or 0,
            channel=channel,
            address=address,
            display_name=name,
            created_at=now,
        )
        for (address, name, _), customer in zip(people, customers, strict=True)
    }
    session.add_all(identities.values())
    await session.flush()
    return identities


MessageKey = tuple[str, str, str]  # (external_id, sender, content_hash)


async def stored_keys(
    session: AsyncSession, *, channel: str, external_ids: Sequence[str]
) -> set[MessageKey]:
    """The keys of stored messages with any of these ids: a message is stored already when
    its (external_id, sender, content_hash) is among them."""
    connection = await core(session)
    result = await connection.execute(
        _STORED_KEYS, {"channel": channel, "external_ids": list(external_ids)}
    )
    return {(external_id, sender, content) for external_id, sender, content in result}


_RAW_PAYLOADS = SQLModel.metadata.tables["raw_payloads"]
# Core, built once: ORM objects and their flush cost more per message than the inserts.
_INBOUND_INSERT = insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True)
_RAW_INSERT = insert(_RAW_PAYLOADS).returning(_RAW_PAYLOADS.c.id, sort_by_parameter_order=True)


async def add_inbound_many(
    session: AsyncSession, *, messages: Sequence[tuple[dict[str, Any], tuple[str, bytes] | None]]
) -> list[int]:
    """Insert new messages (the `messages` table's columns, id and raw_id aside) with their
    raw bytes (content type, data) in two statements, not two per message; returns their ids
    in order. The caller has checked they are new; a race with another writer raises
    IntegrityError."""
    connection = await core(session)
    payloads = [payload for _, payload in messages if payload is not None]
    raw_ids = iter(
        (
            await connection.execute(
                _RAW_INSERT,
                [{"content_type": kind, "data": data} for kind, data in payloads],
            )
        ).scalars()
        if payloads
        else ()
    )
    rows = [
        {**columns, "raw_id": next(raw_ids) if payload is not None else None}
        for columns, payload in messages
    ]
    return list((await connection.execute(_INBOUND_INSERT, rows)).scalars())


async def message_by_external_id(
    session: AsyncSession, *, channel: str, external_id: str
) -> Message | None:
    result = await session.exec(
        select(Message).where(Message.channel == channel, Message.external_id == external_id)
    )
    return result.first()


async def messages_for_update(
    session: AsyncSession, *, message_ids: Collection[int]
) -> dict[int, Message]:
    """Stored messages by id, locked for this transaction, in one statement."""
    result = await session.exec(
        select(Message).where(col(Message.id).in_(message_ids)).with_for_update()
    )
    return {message.id: message for message in result.all() if message.id is not None}


async def unprocessed_inbound_ids(session: AsyncSession) -> list[int]:
    result = await session.exec(
        select(Message.id)
        .where(Message.direction == "in", col(Message.processed_at).is_(None))
        .order_by(col(Message.id))
    )
    return [message_id for message_id in result.all() if message_id is not None]


async def open_case_for(
    session: AsyncSession, *, customer_id: int, to_step: bool = False
) -> Case | None:
    """The customer's newest case that is not closed. `to_step`: the caller will step its
    conversation, so the row is locked and read fresh (on PostgreSQL a timer and a message
    for the same case would otherwise step the same state twice)."""
    known = recalled(session, ("open_case", customer_id))
    if known is NO_OPEN_CASE:
        return None
    if isinstance(known, Case) and known.status not in CLOSED_STATUSES and not to_step:
        return known
    query = (
        select(Case)
        .where(Case.customer_id == customer_id, col(Case.status).not_in(CLOSED_STATUSES))
        .order_by(col(Case.id).desc())
    )
    if to_step:
        query = query.with_for_update().execution_options(populate_existing=True)
    result = await session.exec(query)
    return result.first()


_CASE_INSERT = insert(SQLModel.metadata.tables["cases"]).returning(
    SQLModel.metadata.tables["cases"].c.id
)


async def create_case(
    session: AsyncSession, *, customer_id: int, channel: str, language: str, now: datetime
) -> Case:
    """A new open case, inserted at once for its id: through the ORM that insert would first
    flush everything else the block has changed so far."""
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "channel": channel,
        "status": "open",
        "language": language,
        "anger": 0,
        "dialogue_state": {},
        "received_at": now,
    }
    case_id = (await (await core(session)).execute(_CASE_INSERT, values)).scalar_one()
    case = Case(id=case_id, **values)
    # Known to the session as the stored row it now is; what changes next is an UPDATE.
    make_transient_to_detached(case)
    session.add(case)
    # Numbered from the row id: unique without a second counter, readable on the phone.
    # Written by the next flush, with the rest of what the case's first step changes.
    case.number = f"K-{now.year}-{case_id:06d}"
    remember(session, ("open_case", customer_id), case)
    return case


async def case_by_number(session: AsyncSession, *, number: str) -> Case | None:
    result = await session.exec(select(Case).where(Case.number == number))
    return result.first()


async def list_cases(session: AsyncSession, *, limit: int = 50) -> list[Case]:
    result = await session.exec(select(Case).order_by(col(Case.id).desc()).limit(limit))
    return list(result.all())


async def cases_due_to_wake(session: AsyncSession, *, now: datetime) -> list[Case]:
    """Locked for stepping; a case a message is being handled for right now is skipped (its
    timer is looked at again once that is done)."""
    result = await session.exec(
        select(Case)
        .where(col(Case.wake_at).is_not(None), col(Case.wake_at) <= now)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(result.all())


async def next_wake_at(session: AsyncSession) -> datetime | None:
    result = await session.exec(
        select(Case.wake_at)
        .where(col(Case.wake_at).is_not(None))
        .order_by(col(Case.wake_at))
        .limit(1)
    )
    return result.first()


async def messages_of_case(session: AsyncSession, *, case_id: int) -> list[Message]:
    result = await session.exec(
        select(Message).where(Message.case_id == case_id).order_by(col(Message.id))
    )
    return list(result.all())


async def reply_identity(session: AsyncSession, *, case: Case) -> ChannelIdentity:
    """The customer's identity on the case's channel: where replies go, and whether the
    customer asked us to stop writing. Asked once per transaction."""
    return await remembered(
        session,
        ("reply_identity", case.customer_id, case.channel),
        lambda: _reply_identity(session, case),
    )


async def _reply_identity(session: AsyncSession, case: Case) -> ChannelIdentity:
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
    # Written at once and never read back here: no ORM object to build and flush.
    connection = await core(session)
    await connection.execute(
        _AUDIT_INSERT,
        {"case_id": case_id, "actor": actor, "action": action, "detail": detail or {}, "at": now},
    )


_AUDIT_INSERT = insert(SQLModel.metadata.tables["audit_events"])


async def customer(session: AsyncSession, *, customer_id: int) -> Customer | None:
    return await session.get(Customer, customer_id)
