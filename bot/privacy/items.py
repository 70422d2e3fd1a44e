"""Every stored row about some cases and, when the whole person is meant, their customer
record: what an export shows and what an erasure or the retention term scrubs."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import ColumnElement, String, cast, inspect, or_
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Agreement,
    Attachment,
    AuditEvent,
    Case,
    ChannelIdentity,
    Customer,
    FollowUp,
    HandlerReplyToken,
    Message,
    OutboxRow,
    QuarantinedMail,
    RawPayload,
)

Row = TypeVar("Row", bound=SQLModel)


@dataclass
class Items:
    customers: list[Customer] = field(default_factory=list)
    identities: list[ChannelIdentity] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    raw_payloads: list[RawPayload] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    audit_events: list[AuditEvent] = field(default_factory=list)
    outbox: list[OutboxRow] = field(default_factory=list)
    reply_tokens: list[HandlerReplyToken] = field(default_factory=list)
    quarantine: list[QuarantinedMail] = field(default_factory=list)

    @property
    def addresses(self) -> list[str]:
        return [identity.address for identity in self.identities]


async def collect(
    session: AsyncSession, *, case_ids: Collection[int], customer_ids: Collection[int] = ()
) -> Items:
    """The rows of `case_ids`, and for `customer_ids` also the customer, their identities,
    their messages without a case, mail to their addresses and quarantined mail from them."""
    items = Items()
    if customer_ids:
        items.customers = await _all(session, Customer, col(Customer.id).in_(customer_ids))
        items.identities = await _all(
            session, ChannelIdentity, col(ChannelIdentity.customer_id).in_(customer_ids)
        )
    items.cases = await _all(session, Case, col(Case.id).in_(case_ids))
    of_cases = col(Message.case_id).in_(case_ids)
    theirs = or_(of_cases, col(Message.customer_id).in_(customer_ids)) if customer_ids else of_cases
    items.messages = await _all(session, Message, theirs)
    # Subqueries, not lists of ids: a long history must not bind a parameter per message.
    items.attachments = await _all(
        session, Attachment, col(Attachment.message_id).in_(select(Message.id).where(theirs))
    )
    items.agreements = await _all(session, Agreement, col(Agreement.case_id).in_(case_ids))
    items.followups = await _all(session, FollowUp, col(FollowUp.case_id).in_(case_ids))
    items.reply_tokens = await _all(
        session, HandlerReplyToken, col(HandlerReplyToken.case_id).in_(case_ids)
    )
    addresses = items.addresses
    to_them = col(OutboxRow.case_id).in_(case_ids)
    items.outbox = await _all(
        session,
        OutboxRow,
        or_(to_them, col(OutboxRow.recipient).in_(addresses)) if addresses else to_them,
    )
    # Events without a case that name one of their addresses (a bounce of our mail to them).
    naming = [cast(AuditEvent.detail, String).contains(address) for address in addresses]
    of_case = col(AuditEvent.case_id).in_(case_ids)
    items.audit_events = await _all(
        session,
        AuditEvent,
        or_(of_case, col(AuditEvent.case_id).is_(None) & or_(*naming)) if naming else of_case,
    )
    items.quarantine = await _quarantined_from(session, addresses) if addresses else []
    of_messages = col(RawPayload.id).in_(select(Message.raw_id).where(theirs))
    quarantined = [q.raw_id for q in items.quarantine]
    items.raw_payloads = await _all(
        session,
        RawPayload,
        or_(of_messages, col(RawPayload.id).in_(quarantined)) if quarantined else of_messages,
    )
    return items


async def _all(session: AsyncSession, table: type[Row], where: ColumnElement[bool]) -> list[Row]:
    result = await session.exec(select(table).where(where).order_by(*inspect(table).primary_key))
    return list(result.all())


async def _quarantined_from(session: AsyncSession, addresses: list[str]) -> list[QuarantinedMail]:
    """Mail we could not parse has no sender on record: its bytes are searched for their
    addresses (the quarantine is small, and an erasure is rare)."""
    wanted = [address.casefold().encode() for address in addresses if "@" in address]
    if not wanted:
        return []
    rows = await session.exec(
        select(QuarantinedMail, RawPayload).where(QuarantinedMail.raw_id == RawPayload.id)
    )
    return [
        quarantined
        for quarantined, raw in rows.all()
        if any(address in raw.data.lower() for address in wanted)
    ]
