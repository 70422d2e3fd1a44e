"""The handoff summary: everything a handler needs so the customer is not asked twice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogue import DialogueState
from common.templates import render
from storage import repo
from storage.db import core
from storage.models import Case, ChannelIdentity, Handler

_identity = SQLModel.metadata.tables["channel_identities"].c
_case = SQLModel.metadata.tables["cases"].c
_IDENTITIES = select(_identity.channel, _identity.address).where(
    _identity.customer_id == bindparam("customer_id")
)
_EARLIER = (
    select(_case.number, _case.category, _case.received_at)
    .where(_case.customer_id == bindparam("customer_id"), _case.id != bindparam("case_id"))
    .order_by(_case.id)
)


def local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None


async def handoff_summary(session: AsyncSession, *, case: Case, tz: ZoneInfo) -> str:
    state = DialogueState.from_dict(
        case.dialogue_state, language=case.language, channel=case.channel
    )
    customer = await repo.customer(session, customer_id=case.customer_id)
    # Core, not ORM: plain tuples of the columns shown, without building or tracking rows
    # or flushing (the summary is rebuilt after every message on a handed-off case). New
    # cases are flushed when created (they need their id); a new address may still wait.
    connection = await core(session)
    identities = [
        f"{channel}: {address}"
        for channel, address in await connection.execute(
            _IDENTITIES, {"customer_id": case.customer_id}
        )
    ] + [
        f"{added.channel}: {added.address}"
        for added in session.new
        if isinstance(added, ChannelIdentity) and added.customer_id == case.customer_id
    ]
    earlier = (
        await connection.execute(_EARLIER, {"customer_id": case.customer_id, "case_id": case.id})
    ).all()
    handler = await session.get(Handler, case.handler_id) if case.handler_id else None
    promised = datetime.fromisoformat(state.promise_at) if state.promise_at else None
    return render(
        "handler/summary.txt.j2",
        case=case,
        state=state,
        customer_name=customer.name if customer else None,
        identities=identities,
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
