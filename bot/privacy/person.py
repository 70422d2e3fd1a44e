"""Who a privacy request is about: one customer, found by an email address, a phone
number, a Telegram id or a case number. No match, or more than one person, is an error
that names what matched (masked) and changes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import String, cast, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Case, ChannelIdentity

_NOT_DIGIT = re.compile(r"\D")
_CASE_NUMBER = re.compile(r"K-\d{4}-\d+", re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    customer_id: int
    how: str  # email | phone | telegram | case | <channel>
    shown: str  # what matched, masked
    cases: tuple[str, ...] = ()  # their case numbers


class NoSuchPerson(Exception):
    def __init__(self, asked: str, matches: list[Match]) -> None:
        super().__init__(asked)
        self.asked = mask(asked)
        self.matches = matches


def mask(value: str) -> str:
    """Enough to recognise, too little to learn an address or number from."""
    if _CASE_NUMBER.fullmatch(value):
        return value.upper()
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(value) <= 4:
        return "***"
    return f"{value[:2]}***{value[-2:]}"


def _phone_digits(value: str) -> str:
    digits = _NOT_DIGIT.sub("", value)
    if value.strip().startswith("+"):
        digits = "00" + digits
    # +31 6… and 06… are the same number.
    return "0" + digits[4:] if digits.startswith("0031") else digits


def _looks_like_phone(value: str) -> bool:
    return bool(re.fullmatch(r"[+0][\d\s().-]{8,}", value.strip()))


async def matches(session: AsyncSession, asked: str) -> list[Match]:
    """Every customer `asked` points at, one entry per customer."""
    asked = asked.strip()
    found: dict[int, Match] = {}

    def add(customer_id: int, how: str) -> None:
        found.setdefault(customer_id, Match(customer_id, how, mask(asked)))

    if _CASE_NUMBER.fullmatch(asked):
        for customer_id in await session.exec(
            select(Case.customer_id).where(func.upper(Case.number) == asked.upper())
        ):
            add(customer_id, "case")
    identities = await session.exec(
        select(ChannelIdentity).where(func.lower(ChannelIdentity.address) == asked.casefold())
    )
    for identity in identities:
        add(identity.customer_id, identity.channel)
    # An address or number the customer gave in the conversation (a chat customer's email
    # for the confirmation, a phone number asked for).
    if "@" in asked or _looks_like_phone(asked):
        wanted = _phone_digits(asked) if "@" not in asked else asked.casefold()
        hint = wanted[-4:] if "@" not in asked else wanted
        cases = await session.exec(
            select(Case).where(cast(Case.dialogue_state, String).ilike(f"%{hint}%"))
        )
        for case in cases:
            state = case.dialogue_state
            said = [str(state.get("email") or ""), *map(str, state.get("facts", {}).values())]
            if "@" in asked and asked.casefold() in (s.casefold() for s in said):
                add(case.customer_id, "email")
            elif "@" not in asked and wanted in (_phone_digits(s) for s in said):
                add(case.customer_id, "phone")
    return [
        Match(m.customer_id, m.how, m.shown, tuple(await case_numbers(session, m.customer_id)))
        for m in found.values()
    ]


async def find_person(session: AsyncSession, asked: str) -> int:
    """The one customer id `asked` names; NoSuchPerson otherwise."""
    found = await matches(session, asked)
    if len(found) != 1:
        raise NoSuchPerson(asked, found)
    return found[0].customer_id


async def case_numbers(session: AsyncSession, customer_id: int) -> list[str]:
    result = await session.exec(
        select(Case.number).where(Case.customer_id == customer_id).order_by(col(Case.id))
    )
    return [number for number in result if number]
