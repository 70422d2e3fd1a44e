"""The handoff summary: everything a handler needs so the customer is not asked twice.

Wholly in the organisation's language (templates/handler/<language>/summary.txt.j2 turns every
stored code into words) and rendered from the case as it is now, wherever it is shown: the
handoff mail, the handler group in Telegram, `cases show`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogue import DialogueState
from bot.dialogue.gist import gist
from bot.dialogue.recap import facts_in_order, reached_by
from channels.registry import traits_of
from common.templates import render
from common.written import readable_fact, readable_moment
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
# Who the customer is and how to reach them: the minimum registration of a complaint first.
REGISTRATION = ("name", "address", "postcode", "phone", "email", "customer_number")
REQUIRED = ("name", "address", "phone", "email")


def local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None


def registration(
    state: DialogueState, customer_name: str | None, identities: list[tuple[str, str]]
) -> dict[str, str]:
    """The customer's registration facts, from the conversation and from what the channel knows."""
    known = {kind: state.facts[kind] for kind in REGISTRATION if state.facts.get(kind)}
    kind, address = reached_by(state.facts, channel="", email=state.email)
    if kind != "chat":  # a phone number or mail address the customer gave
        known.setdefault(kind, address)
    mail = next(
        (address for channel, address in identities if traits_of(channel).mail_addresses), None
    )
    if mail:
        known.setdefault("email", mail)
    if customer_name:
        known.setdefault("name", customer_name)
    return {kind: known[kind] for kind in REGISTRATION if kind in known}


async def handoff_summary(session: AsyncSession, *, case: Case, tz: ZoneInfo, language: str) -> str:
    state = DialogueState.from_dict(
        case.dialogue_state, language=case.language, channel=case.channel
    )
    customer = await repo.customer(session, customer_id=case.customer_id)
    # Core, not ORM: plain tuples of the columns shown, without building or tracking rows
    # or flushing (the summary is rebuilt after every message on a handed-off case). New
    # cases are flushed when created (they need their id); a new address may still wait.
    connection = await core(session)
    identities: list[tuple[str, str]] = [
        (channel, address)
        for channel, address in await connection.execute(
            _IDENTITIES, {"customer_id": case.customer_id}
        )
    ] + [
        (added.channel, added.address)
        for added in session.new
        if isinstance(added, ChannelIdentity) and added.customer_id == case.customer_id
    ]
    earlier = (
        await connection.execute(_EARLIER, {"customer_id": case.customer_id, "case_id": case.id})
    ).all()
    handler = await session.get(Handler, case.handler_id) if case.handler_id else None
    promised = datetime.fromisoformat(state.promise_at) if state.promise_at else None
    registered = registration(state, customer.name if customer else None, identities)
    reach_kind, reach_address = reached_by(state.facts, channel=case.channel, email=state.email)
    details = [
        {"kind": fact["slot"], "value": readable_fact(fact["value"], language, fact["slot"])}
        for fact in facts_in_order(state.facts)
        if fact["slot"] not in REGISTRATION and fact["slot"] != "contact"
    ]
    context: dict[str, Any] = {
        "case": case,
        "state": state,
        "gist": gist(state.story, state.key_sentences, state.facts.get("outcome")),
        "registration": registered,
        "missing": [kind for kind in REQUIRED if kind not in registered],
        "details": details,
        "identities": identities,
        "received": readable_moment(case.received_at, tz, language),
        "handler_name": handler.name if handler else None,
        "promise": readable_moment(promised, tz, language),
        "reach_kind": reach_kind,
        "reach_address": reach_address,
        "earlier": [
            {
                "number": number,
                "category": category,
                "received": readable_moment(received_at, tz, language),
                "repeat": bool(case.category and category == case.category),
            }
            for number, category, received_at in earlier
        ],
    }
    return render(f"handler/{language}/summary.txt.j2", **context)
