"""The retention term: `privacy.retention_months` after a case closed, it keeps only what
reports count (bot.privacy.erasure). Held cases wait. The customer's own record goes too
once none of their cases keeps personal data.

Run once a day by the bot (bot.runtime.app); in batches, each its own transaction, so a
first run over years of history neither holds a lock for long nor starts over after a crash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.privacy.erasure import counts, scrub
from bot.privacy.items import collect
from common.logs import log
from storage import repo
from storage.models import Case

RETENTION = "privacy.retention"
BATCH = 200


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when it
    is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    for day in range(moment.day, 0, -1):
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a first day")


async def anonymise_batch(
    session: AsyncSession, *, months: int, key: bytes | None, now: datetime
) -> int:
    """Anonymise up to BATCH cases closed before the term; returns how many."""
    if months <= 0:
        return 0
    cutoff = months_before(now, months)
    due = list(
        (
            await session.exec(
                select(Case)
                .where(
                    Case.status == "closed",
                    col(Case.closed_at) <= cutoff,
                    col(Case.anonymised_at).is_(None),
                    col(Case.legal_hold).is_(False),
                )
                .order_by(col(Case.id))
                .limit(BATCH)
            )
        ).all()
    )
    if not due:
        return 0
    due_ids = [case.id for case in due if case.id is not None]
    owners = {case.customer_id for case in due}
    # Customers with a case that keeps its personal data (open, young, held) keep theirs.
    still_kept = await session.exec(
        select(Case.customer_id)
        .where(
            col(Case.customer_id).in_(owners),
            col(Case.anonymised_at).is_(None),
            col(Case.id).not_in(due_ids),
        )
        .group_by(col(Case.customer_id))
        .having(func.count() > 0)
    )
    gone = owners - set(still_kept.all())
    items = await collect(session, case_ids=due_ids, customer_ids=sorted(gone))
    counted = counts(items)
    await scrub(session, items, key=key, now=now)
    await repo.record_audit(
        session, case_id=None, actor="bot", action=RETENTION, now=now, detail=counted
    )
    log.info("privacy.retention", customers=len(gone), **counted)
    return len(due)
