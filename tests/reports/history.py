"""A small generated history whose report figures are computed by hand in the tests.

Europe/Amsterdam, office hours 09:00-17:00 Monday to Friday (the default calendar).

- May to October 2026 (the baseline): each month on the 10th, two billing complaints by
  new customers (October's first by customer 101) and one delivery complaint at
  Kerkstraat <month>, Utrecht; handler Sam.
- November 2025 (a year earlier): four billing complaints.
- November 2026 (the period), eleven cases:
  1. billing, customer 101 again (a repeat), telegram, Mon 2 Nov 10:00, resolved 14:00
     (4 office hours); first contact in time; resolution target Thu 5 Nov (met); survey
     answered 4/5/3/4.
  2. billing, customer 102, telegram, Tue 3 Nov 16:00, resolved Wed 4 Nov 10:00 (1 + 1 = 2
     hours); first contact due Tue 17:00 never done and escalated; target Tue 17:00 (late).
  3. delivery, Kerkstraat 30 Utrecht (a repeat at the complex), email, Fri 6 Nov 15:00,
     resolved Mon 9 Nov 11:00 (2 + 2 = 4 hours); the execution check said "no". Sam.
  4-11. the spike: the lift at Parkweg 1..8, Amersfoort, topic service_execution, product
     "lift", handler Noor, email; "De lift staat stil op de derde verdieping".
     4-7 received Mon 16 Nov 09:00 and resolved 17:00 (8 hours each); 8-9 received Tue 17
     Nov 09:00 and resolved Wed 18 Nov 13:00 (8 + 4 = 12 hours); 10-11 open.
     4-6 are hidden complaints, 4-5 repair requests. Case 4: first contact due 12:00, done
     13:00 (late); target Mon 17:00 (met, at the minute); survey 2/3/1/-; check "yes".
     Case 5: first contact due Tue 17 Nov 12:00, done 10:00 (met); survey expired unanswered.
     Case 6: survey cancelled; its resolution deadline escalated. Case 10: target Fri 20
     Nov, open (missed). Case 11: first contact due 10 Dec (not yet due).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Agreement, AuditEvent, Case, Customer, FollowUp, Handler

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
SPIKE_SENTENCE = "De lift staat stil op de derde verdieping"


def at(month: int, day: int, hour: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ).astimezone(UTC)


class Seeder:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.customers: set[int] = set()
        self.number = 0

    async def customer(self, customer_id: int) -> None:
        if customer_id not in self.customers:
            self.session.add(Customer(id=customer_id, created_at=at(1, 1, 9, 2025)))
            await self.session.flush()
            self.customers.add(customer_id)

    async def case(self, customer_id: int, **fields: Any) -> int:
        await self.customer(customer_id)
        self.number += 1
        facts = {key: fields.pop(key) for key in ("address", "product") if key in fields}
        sentences = fields.pop("sentences", [])
        values: dict[str, Any] = {
            "number": f"K-{self.number:06d}",
            "customer_id": customer_id,
            "channel": "telegram",
            "intent": "complaint",
            "explicit": True,
            "dialogue_state": {"facts": facts, "key_sentences": sentences},
        }
        values.update(fields)
        case = Case.model_validate(values)
        self.session.add(case)
        await self.session.flush()
        assert case.id is not None
        return case.id

    def add(self, *rows: Any) -> None:
        self.session.add_all(rows)


async def seed(session: AsyncSession) -> dict[int, int]:
    """The history above; returns the period's case numbers 1..11 -> case ids."""
    sam, noor = Handler(name="Sam"), Handler(name="Noor")
    session.add_all([sam, noor])
    await session.flush()
    seeder = Seeder(session)
    for month in range(5, 11):
        first = 101 if month == 10 else 1000 + month * 10
        for customer in (first, 1000 + month * 10 + 1):
            await seeder.case(
                customer, category="billing", received_at=at(month, 10, 10), handler_id=sam.id
            )
        await seeder.case(
            1000 + month * 10 + 2,
            category="delivery",
            channel="email",
            address=f"Kerkstraat {month}, Utrecht",
            received_at=at(month, 10, 11),
            handler_id=sam.id,
        )
    for n in range(4):
        await seeder.case(2000 + n, category="billing", received_at=at(11, 10 + n, 10, year=2025))

    ids: dict[int, int] = {}
    ids[1] = await seeder.case(
        101,
        category="billing",
        received_at=at(11, 2, 10),
        resolved_at=at(11, 2, 14),
        resolution_due=at(11, 5, 17),
        handler_id=sam.id,
        sentences=["Mijn factuur klopt niet"],
    )
    ids[2] = await seeder.case(
        102,
        category="billing",
        received_at=at(11, 3, 16),
        resolved_at=at(11, 4, 10),
        resolution_due=at(11, 3, 17),
        handler_id=sam.id,
        sentences=["Mijn factuur klopt niet"],
    )
    ids[3] = await seeder.case(
        103,
        category="delivery",
        channel="email",
        address="Kerkstraat 30, Utrecht",
        received_at=at(11, 6, 15),
        resolved_at=at(11, 9, 11),
        handler_id=sam.id,
    )
    for i in range(1, 9):
        received = at(11, 16, 9) if i <= 4 else at(11, 17, 9)
        resolved = at(11, 16, 17) if i <= 4 else at(11, 18, 13) if i <= 6 else None
        ids[3 + i] = await seeder.case(
            200 + i,
            category="service_execution",
            intent="repair_request" if i <= 2 else "complaint",
            explicit=i > 3,
            channel="email",
            address=f"Parkweg {i}, Amersfoort",
            product="lift",
            sentences=[SPIKE_SENTENCE],
            received_at=received,
            resolved_at=resolved,
            handler_id=noor.id,
        )
    for case_number in (4, 10):
        case = await session.get(Case, ids[case_number])
        assert case is not None
        case.resolution_due = at(11, 16, 17) if case_number == 4 else at(11, 20, 17)
        session.add(case)

    def contact(number: int, due: datetime, done: datetime | None) -> Agreement:
        return Agreement(
            case_id=ids[number],
            what="first_contact",
            who="S",
            due_at=due,
            done_at=done,
            created_at=due - timedelta(hours=2),
        )

    def survey(number: int, status: str, *scores: int | None) -> FollowUp:
        overall, listened, informed, resolved = scores or (None, None, None, None)
        return FollowUp(
            case_id=ids[number],
            kind="survey",
            status=status,
            due_at=at(11, 25, 10),
            overall=overall,
            listened=listened,
            informed=informed,
            resolved=resolved,
            created_at=at(11, 20, 10),
        )

    def check(number: int, outcome: str) -> FollowUp:
        return FollowUp(
            case_id=ids[number],
            kind="execution_check",
            status="answered",
            due_at=at(11, 20, 10),
            outcome=outcome,
            created_at=at(11, 20, 10),
        )

    def missed(number: int, what: str) -> AuditEvent:
        return AuditEvent(
            case_id=ids[number],
            actor="bot",
            action="deadline.missed",
            detail={"what": what},
            at=at(11, 20, 10),
        )

    seeder.add(
        contact(1, at(11, 2, 12), at(11, 2, 11)),
        contact(2, at(11, 3, 17), None),
        contact(4, at(11, 16, 12), at(11, 16, 13)),
        contact(5, at(11, 17, 12), at(11, 17, 10)),
        contact(11, at(12, 10, 12), None),
        survey(1, "answered", 4, 5, 3, 4),
        survey(4, "answered", 2, 3, 1, None),
        survey(5, "expired"),
        survey(6, "cancelled"),
        check(3, "no"),
        check(4, "yes"),
        missed(2, "first_contact"),
        missed(6, "resolution"),
    )
    return ids
