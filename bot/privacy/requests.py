"""A person's request: a copy of everything about them (art. 15 and 20), or erasure
(art. 17), refused while a legal hold is on one of their cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.privacy.erasure import counts, scrub
from bot.privacy.items import Items, collect
from common.logs import log
from storage import repo
from storage.models import Case

ERASED = "privacy.erased"


class OnHold(Exception):
    def __init__(self, numbers: list[str]) -> None:
        super().__init__(", ".join(numbers))
        self.numbers = numbers


@dataclass(frozen=True)
class Erased:
    customer_id: int
    counts: dict[str, int]


async def _cases_of(session: AsyncSession, customer_id: int) -> list[Case]:
    result = await session.exec(
        select(Case).where(Case.customer_id == customer_id).order_by(col(Case.id))
    )
    return list(result.all())


async def everything_about(session: AsyncSession, customer_id: int) -> Items:
    cases = await _cases_of(session, customer_id)
    return await collect(
        session, case_ids=[case.id for case in cases if case.id], customer_ids=[customer_id]
    )


async def erase(
    session: AsyncSession, customer_id: int, *, key: bytes, by: str, now: datetime
) -> Erased:
    """Scrub the person in the caller's transaction and record who did it, when, and how
    much: counts and case numbers, nothing that was erased."""
    cases = await _cases_of(session, customer_id)
    held = [case.number or str(case.id) for case in cases if case.legal_hold]
    if held:
        raise OnHold(held)
    items = await everything_about(session, customer_id)
    counted = counts(items)
    await scrub(session, items, key=key, now=now)
    await repo.record_audit(
        session,
        case_id=None,
        actor=by,
        action=ERASED,
        now=now,
        detail={
            "customer_id": customer_id,
            "case_numbers": [case.number for case in cases if case.number],
            **counted,
        },
    )
    log.info("privacy.erased", customer_id=customer_id, **counted)
    return Erased(customer_id, counted)


async def set_legal_hold(
    session: AsyncSession, case: Case, *, on: bool, reason: str, actor: str, now: datetime
) -> None:
    """A held case is kept whole: neither erased on request nor anonymised by retention.
    The reason stays with the case while it is held; the audit trail says who and when."""
    case.legal_hold = on
    case.hold_reason = (reason.strip() or None) if on else None
    session.add(case)
    await repo.record_audit(
        session, case_id=case.id, actor=actor, action=f"case.hold_{'on' if on else 'off'}", now=now
    )
