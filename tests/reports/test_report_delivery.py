"""The monthly report mailed to the coordinators: planned once per period on the first
working day (a driven clock), and once only across a restart; the PDF rides along as an
attachment of a real MIME mail."""

import base64
import email
import io
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default

from pypdf import PdfReader
from sqlmodel import col, select

from bot.policy.calendar import Calendar
from bot.reports.delivery import Schedule, send_when_due
from channels.email.channel import attachments_of
from channels.email.compose import build_reply
from storage.db import SessionFactory, transaction
from storage.models import Handler, OutboxRow
from tests.reports.history import TZ, seed

CALENDAR = Calendar(tz=TZ)
SCHEDULE = Schedule(monthly=True, quarterly=True, language="nl", sender_name="De Linde")


def local(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


async def tick(sessions: SessionFactory, now: datetime) -> int:
    async with transaction(sessions) as session:
        return await send_when_due(session, now=now, calendar=CALENDAR, schedule=SCHEDULE)


async def rows(sessions: SessionFactory) -> list[OutboxRow]:
    async with transaction(sessions) as session:
        return list((await session.exec(select(OutboxRow).order_by(col(OutboxRow.id)))).all())


async def test_planned_once_per_period_and_once_across_a_restart(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        await seed(session)
        session.add(Handler(name="Cor", role="coordinator", email="cor@example.nl"))
        session.add(Handler(name="Kim", role="coordinator"))  # no address: not mailed
    # Tuesday 1 December: nothing before opening time, November's report from 09:00.
    assert await tick(sessions, local(12, 1, 8, 59)) == 0
    assert await tick(sessions, local(12, 1, 9, 0)) == 1
    assert await tick(sessions, local(12, 1, 9, 1)) == 0
    # A restart is new objects over the same database: the planned period is not planned again.
    assert await tick(sessions, local(12, 2, 10)) == 0
    [row] = await rows(sessions)
    assert (row.channel, row.recipient, row.template) == ("email", "cor@example.nl", "report")
    assert row.meta["subject"] == "Klachtenrapportage maand 2026-11-01 t/m 2026-11-30"
    assert "11 zaken ontvangen (de periode ervoor: 3)" in row.body
    assert "parkweg, amersfoort (8 zaken" in row.body

    # The mail as the email channel writes it: the PDF is an attachment, byte for byte.
    files = attachments_of(row.meta)
    mail = build_reply(
        sender="klachten@example.nl",
        recipient=row.recipient,
        subject=row.meta["subject"],
        text=row.body,
        html=f"<p>{row.body}</p>",
        date=local(12, 1, 9),
        attachments=files,
    )
    parsed = email.message_from_bytes(bytes(mail), policy=default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    assert "11 zaken ontvangen" in body.get_content()
    [attached] = list(parsed.iter_attachments())
    assert attached.get_filename() == "klachtenrapportage-2026-11-01-2026-11-30.pdf"
    pdf = attached.get_content()
    assert pdf == base64.b64decode(row.meta["attachments"][0]["data"])
    reader = PdfReader(io.BytesIO(pdf))
    assert "Klachtenrapportage 2026-11-01 t/m 2026-11-30" in reader.pages[0].extract_text()

    # New Year's Day is a holiday: January's first working day is Monday the 4th, and then
    # December's report and the fourth quarter's are due.
    assert await tick(sessions, local(1, 1, 10, year=2027)) == 0
    assert await tick(sessions, local(1, 4, 9, 30, year=2027)) == 2
    subjects = [row.meta["subject"] for row in await rows(sessions)]
    assert subjects[1:] == [
        "Klachtenrapportage maand 2026-12-01 t/m 2026-12-31",
        "Klachtenrapportage kwartaal 2026-10-01 t/m 2026-12-31",
    ]
    assert await tick(sessions, local(1, 4, 9, 31, year=2027)) == 0
