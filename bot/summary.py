"""The handoff summary: everything a handler needs so the customer is not asked twice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogue import DialogueState
from bot.templates import render
from storage import repo
from storage.models import Case, ChannelIdentity, Handler


def local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None


async def handoff_summary(session: AsyncSession, *, case: Case, tz: ZoneInfo) -> str:
    state = DialogueState.from_dict(
        case.dialogue_state, language=case.language, channel=case.channel
    )
    customer = await repo.customer(session, customer_id=case.customer_id)
    # Only the columns shown: whole rows would bring every earlier case's dialogue state.
    identities = (
        await session.exec(
            select(ChannelIdentity.channel, ChannelIdentity.address).where(
                ChannelIdentity.customer_id == case.customer_id
            )
        )
    ).all()
    earlier = (
        await session.exec(
            select(Case.number, Case.category, Case.received_at)
            .where(Case.customer_id == case.customer_id, col(Case.id) != case.id)
            .order_by(col(Case.id))
        )
    ).all()
    handler = await session.get(Handler, case.handler_id) if case.handler_id else None
    promised = datetime.fromisoformat(state.promise_at) if state.promise_at else None
    return render(
        "handler/summary.txt.j2",
        case=case,
        state=state,
        customer_name=customer.name if customer else None,
        identities=[f"{channel}: {address}" for channel, address in identities],
        received_at=local(case.received_at, tz),
        handler_name=handler.name if handler else None,
        promise_at=local(promised, tz),
        earlier=[
            {
                "number": number,
                "category": category,
                "received_at": local(received_at, tz),
                "repeat": bool(case.category and category == case.category),
            }
            for number, category, received_at in earlier
        ],
    )
