"""Kill the bot process (SIGKILL) between storing a message and sending its reply; the
next start sends that reply exactly once. And kill it at twenty random moments while it
reads mail from a real Dovecot and sends replies over SMTP: no mail in or out is lost, and
a reply is repeated at most once per kill, under the same Message-ID."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.config.settings import Settings
from bot.runtime.app import App
from bot.runtime.email_wiring import email_channel
from channels.base import CustomerPaused
from common.clock import utc_now
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import Message, OutboxRow
from tests.crash_harness import HANDLER, INTAKE, email_settings
from tests.mail_lab import MailLab
from tests.support import RecordingChannel, SteppedClock, eventually

ROOT = Path(__file__).resolve().parent.parent


async def run_until_killed(database_url: str, mode: str, signal_line: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.crash_harness",
        database_url,
        mode,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(30):
            while (line := await process.stdout.readline()) != b"":
                if line.decode().strip() == signal_line:
                    break
            else:
                assert process.stderr is not None
                raise AssertionError((await process.stderr.read()).decode())
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    ("mode", "signal_line"), [("after-store", "STORED"), ("mid-send", "SENDING")]
)
async def test_reply_is_sent_exactly_once_after_a_kill(
    database_url: str, sessions: SessionFactory, mode: str, signal_line: str
) -> None:
    await run_until_killed(database_url, mode, signal_line)

    settings = Settings.model_validate({"database": {"url": database_url}})
    # Restart later than the dead worker's lease, so a half-sent row is taken over.
    clock = SteppedClock(datetime.now(UTC) + timedelta(seconds=settings.outbox.lease_seconds + 1))
    channel = RecordingChannel()
    channel.inbox = [CustomerPaused(channel="test", sender="anna", at=clock())]
    async with App(settings, [channel], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
        await app.intake.wake_due()
        await app.dispatcher.drain()
    assert [m.template for m in channel.sent] == ["acknowledge", "question"]

    again = RecordingChannel()
    clock.advance(hours=1)
    async with App(settings, [again], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
    assert again.sent == []
    async with transaction(sessions) as session:
        assert [row.status for row in await outbox.rows(session)] == ["sent", "sent"]


# -- kill -9 at random moments during email intake and dispatch ------------------------------

KILLS = 20
MAILS_PER_RUN = 3
# Long enough for a bot to start, read and answer; a run that hits it is killed all the same.
RUN_LIMIT_SECONDS = 30.0
COMPLAINTS = (
    "Mijn bestelling {n} is nog steeds niet geleverd. Ik heb al twee keer gebeld en niemand "
    "belt terug.",
    "De monteur zou dinsdag komen voor de lekkende kraan in woning {n}, maar er kwam niemand.",
    "My invoice {n} charges me twice for the same order and nobody answers my emails.",
)
EMERGENCY = "Ik ruik een sterke gaslucht in de meterkast van huisnummer {n}!"
ANSWER = "Het gaat om nummer {n}. Ik wil graag dat het deze week nog wordt opgelost."


class Customers:
    """Writes the mail of the runs: new complaints, emergencies, answers in the thread of a
    reply the bot sent, and out-of-office replies to it."""

    def __init__(self, lab: MailLab, rng: random.Random) -> None:
        self._lab = lab
        self._rng = rng
        self._count = 0
        self.message_ids: list[str] = []

    def next_mails(self) -> list[EmailMessage]:
        kinds = ("complaint", "emergency", "answer", "out-of-office")
        return [
            self._mail(kind)
            for kind in self._rng.choices(kinds, weights=(4, 1, 3, 1), k=MAILS_PER_RUN)
        ]

    def _mail(self, kind: str) -> EmailMessage:
        self._count += 1
        n = self._count
        replies = [mail for mail in self._lab.outside if HANDLER not in mail.rcpt_tos]
        message = EmailMessage()
        message["Message-ID"] = make_msgid(domain="example.nl")
        message["To"] = INTAKE
        if kind in ("answer", "out-of-office") and replies:
            ours = message_from_bytes(self._rng.choice(replies).raw, policy=policy.default)
            message["From"] = str(ours["To"])
            message["In-Reply-To"] = message["References"] = str(ours["Message-ID"])
            if kind == "out-of-office":
                message["Auto-Submitted"] = "auto-replied"
                message["Subject"] = f"Automatisch antwoord: {ours['Subject']}"
                message.set_content("Ik ben afwezig tot maandag.")
            else:
                message["Subject"] = f"Re: {ours['Subject']}"
                message.set_content(ANSWER.format(n=4471200 + n))
        else:
            message["From"] = f"Klant {n} <klant{n}@example.nl>"
            message["Subject"] = "Gaslucht" if kind == "emergency" else "Klacht"
            text = EMERGENCY if kind == "emergency" else self._rng.choice(COMPLAINTS)
            message.set_content(text.format(n=4471200 + n))
        self.message_ids.append(str(message["Message-ID"]))
        return message

    async def send(self) -> None:
        for mail in self.next_mails():
            await asyncio.to_thread(self._lab.deliver, bytes(mail), INTAKE)


class Starter:
    """The harness's starter process (`tests.crash_harness … email`): it loads the bot once
    and forks a bot process on each `start()`."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._bot: int | None = None  # the pid of the bot running now

    @classmethod
    async def open(cls, database_url: str, lab: MailLab) -> Starter:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.crash_harness",
            database_url,
            "email",
            str(lab.imap_port),
            str(lab.smtp_port),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        starter = cls(process)
        assert await starter._line() == ["WARM"]
        return starter

    async def _line(self) -> list[str]:
        assert self._process.stdout is not None
        async with asyncio.timeout(RUN_LIMIT_SECONDS):
            line = await self._process.stdout.readline()
        assert line, "the starter ended"
        return line.decode().split()

    async def start(self) -> None:
        """A new bot process; returns once its storage and channel are up."""
        assert self._process.stdin is not None
        self._process.stdin.write(b"start\n")
        await self._process.stdin.drain()
        words = await self._line()
        assert words[0] == "READY", f"the bot ended before it was ready: {words}"
        self._bot = int(words[1])

    async def kill(self) -> None:
        """SIGKILL to the bot; returns once it is dead."""
        assert self._bot is not None
        os.kill(self._bot, signal.SIGKILL)
        self._bot = None
        assert await self._line() == ["ENDED", str(-signal.SIGKILL)]

    async def close(self) -> None:
        if self._bot is not None:  # a test that failed midway
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._bot, signal.SIGKILL)
        assert self._process.stdin is not None
        self._process.stdin.close()
        async with asyncio.timeout(RUN_LIMIT_SECONDS):
            await self._process.wait()


async def kill_at_a_random_moment(
    starter: Starter, lab: MailLab, customers: Customers, rng: random.Random
) -> None:
    """While mail comes in: right away, or just after the k-th mail the SMTP server took
    (the moment between a send and its record)."""
    sent_before = len(lab.outside)
    await customers.send()
    wanted = rng.randint(0, 4)
    # Fewer mails may go out than drawn: that run ends at the limit all the same.
    with contextlib.suppress(TimeoutError):
        await eventually(
            lambda: _true(len(lab.outside) >= sent_before + wanted),
            within=RUN_LIMIT_SECONDS,
            every=0.001,
        )
    await starter.kill()


async def _true(value: bool) -> bool:
    return value


async def settle(app: App, sessions: SessionFactory, message_ids: list[str]) -> None:
    """Run the bot until every mail is stored and processed and nothing due is unsent."""
    left: dict[str, object] = {}

    async def settled() -> bool:
        async with transaction(sessions) as session:
            stored = (
                await session.exec(
                    select(Message.external_id).where(
                        Message.direction == "in",
                        col(Message.processed_at).is_not(None),
                    )
                )
            ).all()
            waiting = (
                await session.exec(
                    select(OutboxRow.id).where(
                        col(OutboxRow.status).in_([outbox.PENDING, outbox.SENDING]),
                        col(OutboxRow.due_at) <= app.clock(),
                    )
                )
            ).all()
        left["not stored or not processed"] = sorted(set(message_ids) - set(stored))
        left["outbox rows due but not sent"] = list(waiting)
        return not any(left.values())

    running = asyncio.create_task(app.run())
    try:
        await eventually(settled, within=120, every=0.1)
    except TimeoutError:
        raise AssertionError(f"lost after the kills: {left}") from None
    finally:
        app.request_stop()
        await running


async def test_kill_9_at_random_moments_loses_no_mail_and_repeats_only_what_was_in_flight(
    database_url: str, sessions: SessionFactory, lab: MailLab
) -> None:
    rng = random.Random(f"kill-9:{database_url.split(':')[0]}")
    customers = Customers(lab, rng)
    starter = await Starter.open(database_url, lab)
    try:
        for _ in range(KILLS):
            await starter.start()
            await kill_at_a_random_moment(starter, lab, customers, rng)
    finally:
        await starter.close()

    # The last start runs to the end, in this process, later than any claim of the killed.
    settings = email_settings(database_url, lab.imap_port, lab.smtp_port)
    clock = SteppedClock(utc_now() + timedelta(minutes=5))
    app: App | None = None

    def app_sessions() -> SessionFactory:
        assert app is not None
        return app.sessions

    channel = email_channel(settings.email, sessions=app_sessions, clock=clock)
    app = App(settings, [channel], clock=clock)
    async with app:
        await settle(app, sessions, customers.message_ids)

    async with transaction(sessions) as session:
        rows = await outbox.rows(session)
    assert {row.status for row in rows if row.due_at <= clock()} == {outbox.SENT}
    sent_as = {row.external_id for row in rows if row.status == outbox.SENT}
    named = {row.external_id for row in rows if row.external_id is not None}
    arrived = Counter(
        str(message_from_bytes(mail.raw, policy=policy.default)["Message-ID"])
        for mail in lab.outside
    )
    assert sent_as <= set(arrived)  # each reply recorded as sent arrived
    # No mail under an id its row was not given before the first attempt. A mail that went out
    # just before a kill may belong to a row that is not `sent` now: the last run put its
    # attempt off past its clock (the per-address hourly cap, which counts the last hour's
    # recorded sends, or a retry's backoff), and it goes out again later under the same id.
    assert set(arrived) <= named
    put_off = [row for row in rows if row.external_id in arrived and row.status != outbox.SENT]
    assert all(row.status == outbox.PENDING and row.due_at > clock() for row in put_off), put_off
    repeats = sum(arrived.values()) - len(arrived)
    print(f"{KILLS} kills, {len(arrived)} replies, {repeats} repeated (same Message-ID)")
    assert repeats <= KILLS
    assert len(customers.message_ids) == KILLS * MAILS_PER_RUN
    assert len(arrived) >= KILLS  # the runs did answer mail between the kills
