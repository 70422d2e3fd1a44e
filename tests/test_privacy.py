"""Privacy by law (issue 19, item 4), on SQLite and PostgreSQL.

Two people are seeded with everything the bot keeps: mail and Telegram messages taken in
through the intake (raw mail, attachments), cases with a conversation's memory, an
outgoing message, agreements, a survey with a comment, audit events (one without a case
naming their address), outbox rows, a handler's reply token, a mail in quarantine.

- export: every seeded row of one person, and nothing of the other;
- erase: no trace of their name, address, phone, email, Telegram id, Message-ID, texts or
  raw mail in any column of any table (found by reflecting the database), the report's
  figures unchanged, their pending outbox rows cancelled, a legal hold respected, and the
  intake does not take their mail in again;
- an unknown or ambiguous person is one line and changes nothing;
- retention anonymises exactly the cases closed longer ago than the term.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col
from sqlmodel import select as sm_select
from typer.testing import CliRunner

from bot.cli.main import app as cli
from bot.config.settings import Settings
from bot.intake.intake import Intake, Organisation
from bot.policy.calendar import Calendar
from bot.privacy.person import find_person
from bot.privacy.requests import everything_about
from bot.privacy.retention import anonymise_batch, months_before
from bot.reports import report
from bot.runtime.app import App, dialogue_for
from channels.base import InboundAttachment, InboundMessage
from channels.email.channel import to_inbound
from channels.email.parse import parse_mail
from storage import mail as mail_store
from storage import outbox, repo
from storage.db import SessionFactory, transaction
from storage.models import (
    Agreement,
    AuditEvent,
    Case,
    ChannelIdentity,
    Customer,
    FollowUp,
    HandlerReplyToken,
    Message,
    OutboxRow,
)
from tests.support import RecordingChannel, SteppedClock

KEY = "a-long-random-secret-for-the-tests"
INTAKE = "klachten@organisatie.test"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str
    street: str
    telegram: str
    marker: str  # a word only their texts contain

    @property
    def message_id(self) -> str:
        return f"<{self.marker}-1@{self.email.split('@')[1]}>"

    @property
    def secrets(self) -> list[str]:
        """What must be gone after their erasure."""
        return [
            self.name,
            self.email,
            self.phone,
            self.street,
            self.telegram,
            self.marker,
            self.message_id.strip("<>"),
        ]


JOHANNA = Person(
    "Johanna Pietersen",
    "johanna.pietersen@voorbeeld.test",
    "06-12345678",
    "Lindelaan 17",
    "555111222",
    "zolderlekkage",
)
BART = Person(
    "Bart de Wilde", "bart@wilde.test", "06-98765432", "Eikstraat 9", "777888999", "kelderschimmel"
)


@dataclass
class Seeded:
    customer_id: int
    case_numbers: list[str]
    ids: dict[str, set[int]] = field(default_factory=dict)


def raw_mail(person: Person) -> bytes:
    lines = [
        f"From: {person.name} <{person.email}>",
        f"To: {INTAKE}",
        f"Subject: Lekkage {person.marker}",
        f"Message-ID: {person.message_id}",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain; charset=utf-8",
        "",
        f"Goedendag, bij {person.street} is er een {person.marker} <script>x</script>.",
        f"Bel mij op {person.phone}. Groet, {person.name}",
        "--b",
        f'Content-Type: image/png; name="{person.marker}.png"',
        f'Content-Disposition: attachment; filename="{person.marker}.png"',
        "Content-Transfer-Encoding: base64",
        "",
        "iVBORw0KGgo=",
        "--b--",
        "",
    ]
    return "\r\n".join(lines).encode()


def mail_of(person: Person, at: datetime) -> InboundMessage:
    raw = raw_mail(person)
    message = to_inbound(parse_mail(raw), raw, own_address=INTAKE, source="imap:1", received_at=at)
    assert isinstance(message, InboundMessage)
    return message


def intake_for(sessions: SessionFactory, clock: SteppedClock, key: str | None = KEY) -> Intake:
    settings = Settings()
    return Intake(
        sessions=sessions,
        dialogue=dialogue_for(settings),
        organisation=Organisation(
            name="Woonstichting",
            default_language="nl",
            emergency_phone="",
            tz=settings.organisation.tz,
        ),
        clock=clock,
        erased_key=key.encode() if key else None,
    )


async def seed(sessions: SessionFactory, person: Person, number: int) -> Seeded:
    """Everything the bot keeps about `person`; `number` makes their case numbers."""
    clock = SteppedClock(START + timedelta(days=number))
    intake = intake_for(sessions, clock)
    mail_id = await intake.store(mail_of(person, clock.now))
    assert mail_id is not None
    async with transaction(sessions) as session:
        stored = await session.get(Message, mail_id)
        assert stored is not None
        assert stored.customer_id is not None
        customer_id = stored.customer_id
        session.add(
            ChannelIdentity(
                customer_id=customer_id,
                channel="telegram",
                address=person.telegram,
                display_name=person.name,
                created_at=clock.now,
            )
        )
    chat_id = await intake.store(
        InboundMessage(
            channel="telegram",
            external_id=f"{person.telegram}:1",
            sender=person.telegram,
            sender_name=person.name,
            text=f"Nog een foto van de {person.marker}",
            received_at=clock.now,
            raw=json.dumps({"from": {"first_name": person.name}}).encode(),
            raw_content_type="application/json",
            kind="media",
            attachments=(
                InboundAttachment(
                    kind="photo",
                    file_name=f"{person.marker}.jpg",
                    content_type="image/jpeg",
                    size=4,
                    data=person.marker.encode(),
                    detail={"caption": person.marker},
                ),
            ),
        )
    )
    assert chat_id is not None
    numbers = [f"K-2026-{number:04d}1", f"K-2026-{number:04d}2"]
    async with transaction(sessions) as session:
        state: dict[str, Any] = {
            "step": "handed_off",
            "channel": "email",
            "language": "nl",
            "intent": "complaint",
            "category": "repairs",
            "story": [f"{person.marker} bij {person.street}"],
            "key_sentences": [person.marker],
            "facts": {"phone": person.phone, "address": person.street},
            "email": person.email,
            "turn": 4,
        }
        closed = Case(
            number=numbers[0],
            customer_id=customer_id,
            channel="email",
            status="closed",
            intent="complaint",
            category="repairs",
            summary=f"{person.name} meldt {person.marker}",
            dialogue_state=state,
            received_at=clock.now,
            acknowledged_at=clock.now + timedelta(minutes=5),
            resolved_at=clock.now + timedelta(days=3),
            closed_at=clock.now + timedelta(days=20),
            first_contact_due=clock.now + timedelta(days=1),
            resolution_due=clock.now + timedelta(days=10),
        )
        open_case = Case(
            number=numbers[1],
            customer_id=customer_id,
            channel="telegram",
            status="handed_off",
            intent="complaint",
            category="nuisance",
            summary=f"Tweede melding van {person.name}",
            dialogue_state={**state, "channel": "telegram"},
            received_at=clock.now + timedelta(days=1),
        )
        session.add_all([closed, open_case])
        await session.flush()
        assert closed.id is not None
        assert open_case.id is not None
        for message_id, case in ((mail_id, closed), (chat_id, open_case)):
            message = await session.get(Message, message_id)
            assert message is not None
            message.case_id = case.id
            message.processed_at = clock.now
            session.add(message)
        session.add(
            Message(
                case_id=closed.id,
                customer_id=customer_id,
                direction="out",
                channel="email",
                external_id=f"<reply-{person.marker}@organisatie.test>",
                sender=INTAKE,
                text=f"Beste {person.name}, wij komen naar {person.street}.",
                created_at=clock.now,
            )
        )
        session.add(
            Agreement(
                case_id=closed.id,
                what="first_contact",
                who="Piet",
                due_at=clock.now + timedelta(days=1),
                done_at=clock.now + timedelta(hours=3),
                created_at=clock.now,
            )
        )
        session.add(
            Agreement(
                case_id=closed.id,
                what=f"Loodgieter naar {person.street}",
                who="Piet",
                created_at=clock.now,
            )
        )
        session.add(
            FollowUp(
                case_id=closed.id,
                kind="survey",
                status="answered",
                due_at=clock.now + timedelta(days=17),
                answers=["4", "5", f"{person.marker} is weg"],
                overall=4,
                listened=5,
                comment=f"Dank, {person.name}",
                answered_at=clock.now + timedelta(days=18),
                created_at=clock.now,
            )
        )
        session.add(
            HandlerReplyToken(
                token=f"token-{person.marker}",
                case_id=closed.id,
                address="piet@organisatie.test",
                created_at=clock.now,
            )
        )
        await repo.record_audit(
            session,
            case_id=closed.id,
            actor="customer",
            action="message.edited",
            now=clock.now,
            detail={"message_id": mail_id, "before": f"eerst: {person.marker}"},
        )
        await repo.record_audit(
            session,
            case_id=closed.id,
            actor="bot",
            action="deadline.missed",
            now=clock.now,
            detail={"what": "first_contact", "handler": "Piet"},
        )
        await repo.record_audit(
            session,
            case_id=None,
            actor="mail",
            action="mail.bounce",
            now=clock.now,
            detail={"outbox_id": 0, "recipient": person.email},
        )
        for status, key in (("sent", "confirmation"), ("pending", "survey_reminder")):
            case_id = open_case.id if status == "pending" else closed.id
            row_id = await outbox.enqueue(
                session,
                idempotency_key=f"case:{case_id}:{key}",  # ids only, as the bot makes them
                channel="email",
                recipient=person.email,
                template=key,
                body=f"Beste {person.name}, over {person.marker}",
                meta={"subject": f"Uw melding {person.marker}"},
                due_at=clock.now + timedelta(days=30),
                now=clock.now,
                case_id=case_id,
            )
            if status == "sent":
                row = await session.get(OutboxRow, row_id)
                assert row is not None
                row.status, row.sent_at = "sent", clock.now
                session.add(row)
        await mail_store.quarantine(
            session,
            channel="email",
            source="imap:INBOX:1:99",
            error="unparseable",
            raw=f"From: {person.email}\r\n\r\n\xff {person.marker}".encode("latin-1"),
            now=clock.now,
        )
    return Seeded(customer_id, numbers)


async def dump(engine: AsyncEngine) -> dict[str, list[str]]:
    """Every value of every column of every table, as lower-case text, by table (the
    database reflected: a table or column added later is scanned too)."""
    found: dict[str, list[str]] = {}
    async with engine.connect() as connection:
        metadata = MetaData()
        await connection.run_sync(metadata.reflect)
        for table in metadata.sorted_tables:
            rows = (await connection.execute(select(table))).all()
            texts = []
            for row in rows:
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        texts.append(bytes(value).decode("latin-1").lower())
                    elif isinstance(value, dict | list):
                        texts.append(json.dumps(value, ensure_ascii=False).lower())
                    elif value is not None:
                        texts.append(str(value).lower())
            found[table.name] = texts
    return found


def traces(database: dict[str, list[str]], person: Person) -> dict[str, list[str]]:
    """Which of the person's strings are in which table."""
    hits: dict[str, list[str]] = {}
    for table, texts in database.items():
        for secret in person.secrets:
            if any(secret.lower() in text for text in texts):
                hits.setdefault(table, []).append(secret)
    return hits


async def figures(sessions: SessionFactory) -> report.Figures:
    """The coordinator's counts over the whole seeded history (not its phrases, which quote
    customers and so change with an erasure by design)."""
    first, last = START - timedelta(days=30), START + timedelta(days=400)
    period = report.Period(first.date(), last.date())
    async with transaction(sessions) as session:
        built = await report.build(
            session, period, now=START + timedelta(days=400), calendar=Calendar(tz=ZoneInfo("UTC"))
        )
    return built.current


def config(tmp_path: Path, database_url: str, *, key: str = KEY) -> Path:
    path = tmp_path / "klachtbot.toml"
    path.write_text(
        f'[database]\nurl = "{database_url}"\n[privacy]\nhash_key = "{key}"\n', encoding="utf-8"
    )
    return path


async def klachtbot(path: Path, *args: str) -> Any:
    """The command, in a thread: it runs its own event loop."""
    return await asyncio.to_thread(CliRunner().invoke, cli, ["--config", str(path), *args])


@pytest.fixture
async def both(sessions: SessionFactory) -> tuple[Seeded, Seeded]:
    return await seed(sessions, JOHANNA, 1), await seed(sessions, BART, 2)


async def test_export_lists_every_item_of_the_person_and_nothing_of_another(
    sessions: SessionFactory, both: tuple[Seeded, Seeded], tmp_path: Path, database_url: str
) -> None:
    johanna, _ = both
    async with transaction(sessions) as session:
        items = await everything_about(session, johanna.customer_id)
    # Seeded per person: 1 customer, 2 identities, 2 cases, 3 messages (mail, chat, reply),
    # the chat's photo (the email channel keeps a mail's attachments in the raw mail only),
    # 2 raw payloads + 1 quarantined, 2 agreements, 1 survey, 3 audit events, 2 outbox rows,
    # 1 reply token, 1 quarantined mail.
    expected = {
        "customers": 1, "identities": 2, "cases": 2, "messages": 3, "attachments": 1,
        "raw_payloads": 3, "agreements": 2, "followups": 1, "audit_events": 3, "outbox": 2,
        "reply_tokens": 1, "quarantine": 1,
    }  # fmt: skip
    assert {name: len(rows) for name, rows in vars(items).items()} == expected
    assert {case.number for case in items.cases} == set(johanna.case_numbers)
    # Found by any of the four: email address, phone number (as written or +31), Telegram
    # id, case number (in any case).
    async with transaction(sessions) as session:
        for asked in (
            JOHANNA.email.upper(),
            JOHANNA.phone,
            "+31 6 1234 5678",
            JOHANNA.telegram,
            johanna.case_numbers[1].lower(),
        ):
            assert await find_person(session, asked) == johanna.customer_id, asked

    result = await klachtbot(
        config(tmp_path, database_url),
        "privacy",
        "export",
        JOHANNA.email,
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0, result.output
    written = tmp_path / "out" / f"privacy-export-{johanna.customer_id}.json"
    document = json.loads(written.read_text(encoding="utf-8"))
    assert {name: len(rows) for name, rows in document["tables"].items()} == expected
    everything = written.read_text(encoding="utf-8").lower()
    html = written.with_suffix(".html").read_text(encoding="utf-8")
    files = sorted(
        p.name for p in (tmp_path / "out" / f"privacy-export-{johanna.customer_id}-files").iterdir()
    )
    for secret in (JOHANNA.name, JOHANNA.email, JOHANNA.street, JOHANNA.phone, JOHANNA.marker):
        assert secret.lower() in everything
        assert secret in html
    for secret in BART.secrets:
        assert secret.lower() not in everything
        assert secret not in html
        assert not any(secret in name for name in files)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    # The photo and the mail as it arrived (with its attachment), as files.
    assert any(name.endswith(f"{JOHANNA.marker}.jpg") for name in files)
    emls = [p for p in (tmp_path / "out").rglob("*.eml")]
    assert any(JOHANNA.message_id.encode() in p.read_bytes() for p in emls)


async def test_erase_leaves_no_trace_keeps_the_figures_and_cancels_their_mail(
    sessions: SessionFactory,
    engine: AsyncEngine,
    both: tuple[Seeded, Seeded],
    tmp_path: Path,
    database_url: str,
) -> None:
    johanna, bart = both
    before = await figures(sessions)
    # A dispatcher is sending a message to her while she is erased.
    async with transaction(sessions) as session:
        in_flight = await outbox.enqueue(
            session,
            idempotency_key="case:0:in-flight",
            channel="email",
            recipient=JOHANNA.email,
            template="survey",
            body=f"Beste {JOHANNA.name}",
            due_at=START,
            now=START,
        )
        row = await session.get(OutboxRow, in_flight)
        assert row is not None
        row.status, row.claimed_by = "sending", "worker-1"
        session.add(row)
    assert traces(await dump(engine), JOHANNA)  # the scan finds what is there

    result = await klachtbot(
        config(tmp_path, database_url),
        "privacy",
        "erase",
        JOHANNA.phone,
        "--yes",
        "--by",
        "Coördinator",
    )
    assert result.exit_code == 0, result.output

    database = await dump(engine)
    assert traces(database, JOHANNA) == {}
    # The send in flight ends, but its outcome (and text) is not recorded on the row.
    async with transaction(sessions) as session:
        marked = await outbox.mark_sent_many(
            session, sent={in_flight: None}, worker="worker-1", now=START
        )
        row = await session.get(OutboxRow, in_flight)
    assert marked == set()
    assert row is not None
    assert row.status == "cancelled"
    # Bart is untouched: every one of his strings is still where it was.
    assert {s for hits in traces(database, BART).values() for s in hits} == set(BART.secrets)
    # Every count stays, repeats at one complex too: the case keeps its complex, not her address.
    assert await figures(sessions) == before
    async with transaction(sessions) as session:
        rows = (await session.exec(sm_select(OutboxRow).order_by(col(OutboxRow.id)))).all()
        cases = (
            await session.exec(sm_select(Case).where(Case.customer_id == johanna.customer_id))
        ).all()
        erased = (
            await session.exec(sm_select(AuditEvent).where(AuditEvent.action == "privacy.erased"))
        ).one()
        customer = await session.get(Customer, johanna.customer_id)
    theirs = [row for row in rows if row.case_id in {c.id for c in cases}]
    assert {row.status for row in theirs} == {"sent", "cancelled"}
    assert [row.status for row in rows if row.status == "pending"] == ["pending"]  # Bart's
    assert any(row.recipient == BART.email for row in rows if row.status == "pending")
    # What reports count stays on the anonymised cases.
    assert {(c.intent, c.category, c.channel, c.status) for c in cases} == {
        ("complaint", "repairs", "email", "closed"),
        ("complaint", "nuisance", "telegram", "handed_off"),
    }
    assert all(c.anonymised_at is not None and c.summary is None for c in cases)
    assert customer is not None
    assert customer.name is None
    assert erased.actor == "Coördinator"
    assert erased.detail["case_numbers"] == johanna.case_numbers
    assert erased.detail["messages"] == 3
    assert bart.case_numbers  # Bart's cases were never in question


async def test_the_intake_does_not_take_an_erased_mail_in_again(
    sessions: SessionFactory, both: tuple[Seeded, Seeded], tmp_path: Path, database_url: str
) -> None:
    assert (
        await klachtbot(config(tmp_path, database_url), "privacy", "erase", JOHANNA.email, "--yes")
    ).exit_code == 0
    clock = SteppedClock(START + timedelta(days=60))
    intake = intake_for(sessions, clock)
    # The same mail, handed over again (a new UIDVALIDITY, a second reader): skipped.
    assert await intake.store(mail_of(JOHANNA, clock.now)) is None
    # Bart's mail with its own Message-ID is still a duplicate of his stored one, and a
    # new mail from Johanna is taken in: only what was erased is kept out.
    assert await intake.store(mail_of(BART, clock.now)) is None
    fresh = mail_of(JOHANNA, clock.now)

    assert await intake.store(replace(fresh, external_id="<new@voorbeeld.test>")) is not None
    # Without the key the hash cannot be made: the intake would import it again.
    assert (
        await intake_for(sessions, clock, key=None).store(mail_of(JOHANNA, clock.now)) is not None
    )


async def test_a_legal_hold_refuses_erasure_until_lifted(
    engine: AsyncEngine, both: tuple[Seeded, Seeded], tmp_path: Path, database_url: str
) -> None:
    johanna, _ = both
    path = config(tmp_path, database_url)
    held = await klachtbot(
        path, "cases", "hold", johanna.case_numbers[0], "on", "--reason", "Rechtszaak"
    )
    assert held.exit_code == 0, held.output
    before = await dump(engine)
    refused = await klachtbot(path, "privacy", "erase", JOHANNA.email, "--yes")
    assert refused.exit_code == 1
    assert johanna.case_numbers[0] in refused.output
    assert await dump(engine) == before
    assert (await klachtbot(path, "cases", "hold", johanna.case_numbers[0], "off")).exit_code == 0
    assert (await klachtbot(path, "privacy", "erase", JOHANNA.email, "--yes")).exit_code == 0
    assert traces(await dump(engine), JOHANNA) == {}


async def test_unknown_ambiguous_or_unconfirmed_changes_nothing(
    sessions: SessionFactory,
    engine: AsyncEngine,
    both: tuple[Seeded, Seeded],
    tmp_path: Path,
    database_url: str,
) -> None:
    johanna, bart = both
    path = config(tmp_path, database_url)
    # Bart gave Johanna's phone number in his conversation: the number names two people.
    async with transaction(sessions) as session:
        case = (
            await session.exec(sm_select(Case).where(Case.number == bart.case_numbers[0]))
        ).one()
        case.dialogue_state = {**case.dialogue_state, "facts": {"phone": "+31 6 12345678"}}
        session.add(case)
    before = await dump(engine)

    unknown = await klachtbot(path, "privacy", "erase", "nobody@nowhere.test", "--yes")
    assert unknown.exit_code == 1
    assert unknown.output.count("\n") == 1
    assert "n***@nowhere.test" in unknown.output

    ambiguous = await klachtbot(path, "privacy", "export", JOHANNA.phone, "--out", str(tmp_path))
    assert ambiguous.exit_code == 1
    line = ambiguous.output.strip()
    assert "\n" not in line
    assert all(number in line for number in (*johanna.case_numbers, *bart.case_numbers))
    assert JOHANNA.phone not in line
    assert "06***78" in line
    assert not await asyncio.to_thread(lambda: list(tmp_path.glob("privacy-export-*")))

    # Not at a terminal and no --yes: refused.
    unconfirmed = await klachtbot(path, "privacy", "erase", johanna.case_numbers[1])
    assert unconfirmed.exit_code == 2
    # No key to keep erased mail out: refused.
    keyless = await klachtbot(
        config(tmp_path, database_url, key=""), "privacy", "erase", JOHANNA.email, "--yes"
    )
    assert keyless.exit_code == 2
    assert await dump(engine) == before


async def test_retention_anonymises_exactly_the_cases_past_the_term(
    sessions: SessionFactory, engine: AsyncEngine
) -> None:
    clock = SteppedClock(datetime(2028, 6, 15, 3, 0, tzinfo=UTC))
    term = months_before(clock.now, 24)
    assert term == datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
    async with transaction(sessions) as session:
        customers = [Customer(name=f"Klant {n}", created_at=START) for n in range(4)]
        session.add_all(customers)
        await session.flush()
        kinds = {
            "due": (customers[0], term - timedelta(minutes=1), False, "closed"),
            "young": (customers[1], term + timedelta(minutes=1), False, "closed"),
            "held": (customers[2], term - timedelta(days=100), True, "closed"),
            "due_but_other_open": (customers[3], term - timedelta(days=1), False, "closed"),
            "open": (customers[3], None, False, "handed_off"),
        }
        for name, (customer, closed_at, hold, status) in kinds.items():
            session.add(
                Case(
                    number=name,
                    customer_id=customer.id or 0,
                    channel="email",
                    status=status,
                    summary=f"verhaal {name}",
                    dialogue_state={"story": [f"verhaal {name}"], "intent": "complaint"},
                    received_at=START,
                    closed_at=closed_at,
                    legal_hold=hold,
                )
            )
    async with transaction(sessions) as session:
        assert await anonymise_batch(session, months=0, key=None, now=clock.now) == 0
        assert await anonymise_batch(session, months=24, key=None, now=clock.now) == 2
    async with transaction(sessions) as session:
        assert await anonymise_batch(session, months=24, key=None, now=clock.now) == 0
        cases = {c.number: c for c in (await session.exec(sm_select(Case))).all()}
        names = {c.id: c.name for c in (await session.exec(sm_select(Customer))).all()}
        event = (
            await session.exec(
                sm_select(AuditEvent).where(AuditEvent.action == "privacy.retention")
            )
        ).one()
    anonymised = {n for n, c in cases.items() if c.anonymised_at is not None}
    assert anonymised == {"due", "due_but_other_open"}
    for number, case in cases.items():
        kept = number not in anonymised
        assert (case.summary == f"verhaal {number}") is kept
        assert ("story" in case.dialogue_state) is kept
        assert case.dialogue_state["intent"] == "complaint"
    # The customer's own name goes only when none of their cases keeps personal data.
    assert [names[c.id] for c in customers] == [None, "Klant 1", "Klant 2", "Klant 3"]
    assert event.detail == {
        "cases": 2, "messages": 0, "attachments": 0, "raw_payloads": 0, "outbox": 0,
        "audit_events": 0, "followups": 0, "identities": 0, "quarantine": 0,
    }  # fmt: skip


async def test_the_running_bot_applies_the_retention_term_once_a_day(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(datetime(2028, 6, 15, 3, 0, tzinfo=UTC))
    settings = Settings.model_validate(
        {
            "database": {"url": database_url},
            "workers": {"processes": 0},
            "privacy": {"retention_months": 24, "hash_key": KEY},
        }
    )

    async def closed_case(number: str) -> None:
        async with transaction(sessions) as session:
            customer = Customer(name=f"Klant {number}", created_at=START)
            session.add(customer)
            await session.flush()
            session.add(
                Case(
                    number=number,
                    customer_id=customer.id or 0,
                    channel="email",
                    status="closed",
                    summary="een verhaal",
                    received_at=START,
                    closed_at=months_before(clock.now, 24) - timedelta(hours=1),
                )
            )

    async def anonymised() -> set[str]:
        async with transaction(sessions) as session:
            cases = (await session.exec(sm_select(Case))).all()
        return {case.number or "" for case in cases if case.anonymised_at is not None}

    async with App(settings, [channel], clock=clock) as app:
        await closed_case("first")
        await app.followups_due()
        assert await anonymised() == {"first"}
        await closed_case("second")
        clock.advance(hours=23)
        await app.followups_due()
        assert await anonymised() == {"first"}  # not before a day has passed
        clock.advance(hours=1)
        await app.followups_due()
        assert await anonymised() == {"first", "second"}
