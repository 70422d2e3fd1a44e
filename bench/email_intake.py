"""Email intake throughput: mails/s from a real IMAP mailbox (the mail lab's Dovecot) turned into
cases by the whole bot, against a plain aioimaplib loop (UID SEARCH, UID FETCH BODY.PEEK[] in
chunks of 50, parse with `email.policy.default`, read the text body) in the same run.

The corpus is built in memory: quoted-printable Dutch text, HTML-only, plain + HTML, a few with a
~100 KB attachment, replies that quote the customer's earlier mail (In-Reply-To / References),
200 customers at outside.test, unique Message-IDs. It is loaded into klachten@lab.test over LMTP.

Both are measured in rounds (plain loop, then the bot; three by default) after an untimed
pass of the plain loop, and the round with the median ratio is reported (see bench.rounds).
The bot's time runs from `App.run()` (storage is open, IMAP not yet connected) until every mail
is stored and processed into a case, its replies queued (polled every 100 ms), and then until
every reply is sent, to an SMTP server that drops them, in a process of its own. Then the bot
stops and the database is checked: nothing lost, nothing doubled, every mail on a case,
nothing quarantined.

python -m bench.email_intake [--mails N] [--rounds R] [--database URL] [--profile FILE]

Needs root and Dovecot (see tests/mail_lab). SQLite in a temporary folder by default; a
PostgreSQL URL gets a fresh database of its own on that server, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path

import aioimaplib
from sqlalchemy import func, text
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bench.rounds import median_round
from bot.nlu import understand
from bot.reading.workers import Workers
from bot.runtime.app import App
from bot.runtime.email_wiring import email_channel
from channels.email.channel import as_html
from channels.email.compose import build_reply
from channels.email.header_cache import REMEMBERING_HEADERS
from channels.email.outgoing import OutgoingMail
from channels.email.parse import ParsedMail, parse_mail
from channels.email.smtp_sender import SmtpConfig, SmtpSender
from common.clock import utc_now
from common.logs import configure as configure_logs
from storage import outbox
from storage.db import SessionFactory, create_engine, transaction
from storage.models import Message, OutboxRow, QuarantinedMail
from tests.mail_lab import MailLab, logout
from tests.mail_lab.bot_settings import INTAKE, lab_settings
from tests.mail_lab.lab import free_ports, wait_for_greeting

CUSTOMERS = 200
ATTACHMENT_EVERY = 40  # 25 of 1,000 mails carry ~100 KB
ATTACHMENT_BYTES = 100_000
FETCH_CHUNK = 50
POLL_SECONDS = 0.1

STORIES = (
    "Mijn bestelling {order} van {day} november is nog steeds niet geleverd. Ik heb al twee "
    "keer gebeld en niemand belt terug. Dit is écht niet acceptabel.",
    "De factuur {order} klopt niet: u rekent €{amount},50 te veel. Graag zie ik een correctie "
    "tegemoet, anders stap ik naar de geschillencommissie.",
    "Sinds {day} november lekt de kraan in de badkamer. De monteur zou komen, maar is niet "
    "verschenen. Wanneer wordt dit opgelost?",
    "Het pakket {order} kwam beschadigd aan; de inhoud is kapot. Ik wil graag mijn geld "
    "terug (€{amount},95) of een nieuw exemplaar.",
    "Ik ben ontevreden over de behandeling aan de telefoon op {day} november. De medewerker "
    "was onbeleefd en hing zomaar op. Ik verwacht excuses.",
    "Er zit schimmel op de muur van de slaapkamer, al weken. Mijn kinderen hoesten. Wie komt "
    "er kijken? Mijn contractnummer is {order}.",
    "Mijn abonnement is opgezegd per {day} oktober, maar er wordt nog steeds €{amount} "
    "afgeschreven. Zoë en ik willen dat geld terug.",
)
NAMES = ("Anna de Vries", "Jan Jansen", "Zoë Müller", "Fatima El Idrissi", "Pieter Bakker",
         "Noor van den Berg", "Sven Hoekstra", "Eline Visser")  # fmt: skip
ADDITIONS = (
    "Ik heb nog steeds niets gehoord.",
    "Aanvulling: het gaat om bestelling {order}, niet om de vorige.",
    "Graag een reactie vóór vrijdag.",
    "Ik ben er nu echt klaar mee.",
)


@dataclass(frozen=True)
class CorpusMail:
    raw: bytes
    message_id: str
    sender: str


@dataclass(frozen=True)
class Rate:
    mails: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.mails / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Tally:
    """What the bot's database holds after the run, against the corpus."""

    expected: int
    stored: int  # inbound message rows
    distinct: int  # distinct external ids among them
    lost: int  # corpus Message-IDs not stored
    unprocessed: int
    without_case: int
    quarantined: int
    replies_sent: int  # mails the bot handed to the SMTP server
    timed_out: bool

    @property
    def doubled(self) -> int:
        return self.stored - self.distinct

    @property
    def ok(self) -> bool:
        return (
            not self.timed_out
            and self.stored == self.distinct == self.expected
            and self.lost == self.doubled == self.unprocessed == 0
            and self.without_case == self.quarantined == 0
        )


@dataclass(frozen=True)
class Round:
    """The plain loop, then the bot on a fresh database, on the same mailbox."""

    baseline: Rate
    klachtbot: Rate  # until every mail is a case, its replies queued
    replied: Rate  # until every reply is sent too
    tally: Tally

    @property
    def ratio(self) -> float:
        return self.klachtbot.per_second / self.baseline.per_second


@dataclass(frozen=True)
class Result:
    rounds: list[Round]
    load_seconds: float
    corpus_bytes: int

    @property
    def shown(self) -> Round:
        return median_round(self.rounds)

    @property
    def ok(self) -> bool:
        return all(r.tally.ok for r in self.rounds)


# -- corpus ---------------------------------------------------------------------------------------


def build_corpus(count: int, *, customers: int = CUSTOMERS, seed: int = 2026) -> list[CorpusMail]:
    """`count` mixed mails; mail i comes from customer i % customers, and from the second round
    on some are replies quoting that customer's mail of the previous round."""
    rng = random.Random(seed)
    sent = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    mails: list[CorpusMail] = []
    texts: list[str] = []
    subjects: list[str] = []
    for i in range(count):
        number = i % customers
        name = NAMES[number % len(NAMES)]
        sender = f"klant{number:03d}@outside.test"
        values = {
            "order": f"{4_400_000 + rng.randrange(100_000)}",
            "day": rng.randrange(1, 29),
            "amount": rng.randrange(5, 500),
        }
        story = STORIES[rng.randrange(len(STORIES))].format(**values)
        body = f"Goedemiddag,\n\n{story}\n\nMet vriendelijke groet,\n{name}\n"
        message = EmailMessage()
        message["From"] = f"{name} <{sender}>"
        message["To"] = f"Klantenservice <{INTAKE}>"
        message["Date"] = format_datetime(sent + timedelta(minutes=i))
        message["Message-ID"] = make_msgid(idstring=f"bench{i}", domain="outside.test")
        subject = f"Klacht {values['order']}"
        parent = i - customers
        if parent >= 0 and i % 4 == 1:
            addition = ADDITIONS[rng.randrange(len(ADDITIONS))].format(**values)
            quoted = "\n".join(f"> {line}" if line else ">" for line in texts[parent].splitlines())
            body = (
                f"{addition}\n\n{name}\n\n"
                f"Op {format_datetime(sent + timedelta(minutes=parent))} schreef {name} "
                f"<{sender}>:\n{quoted}\n"
            )
            subject = f"Re: {subjects[parent]}"
            parent_id = mails[parent].message_id
            message["In-Reply-To"] = parent_id
            message["References"] = parent_id
        message["Subject"] = subject
        html = "".join(f"<p>{line}</p>" for line in body.split("\n\n"))
        html = f'<!DOCTYPE html><html><body style="font-family: Arial">{html}</body></html>'
        if i % 4 == 2:
            message.set_content(html, subtype="html", cte="quoted-printable")
        else:
            message.set_content(body, cte="quoted-printable")
            if i % 4 == 3:
                message.add_alternative(html, subtype="html", cte="quoted-printable")
        if i % ATTACHMENT_EVERY == ATTACHMENT_EVERY - 1:
            message.add_attachment(
                rng.randbytes(ATTACHMENT_BYTES),
                maintype="application",
                subtype="pdf",
                filename=f"bon-{values['order']}.pdf",
            )
        texts.append(body)
        subjects.append(subject)
        mails.append(CorpusMail(message.as_bytes(), str(message["Message-ID"]), sender))
    return mails


def load_mailbox(lab: MailLab, corpus: list[CorpusMail], *, workers: int = 8) -> float:
    """Deliver the corpus into the intake mailbox over LMTP; seconds taken. One round of
    customers at a time, so a reply always gets a higher UID than the mail it answers."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(corpus), CUSTOMERS):
            wave = corpus[start : start + CUSTOMERS]
            list(pool.map(lambda mail: lab.deliver(mail.raw, INTAKE, mail.sender), wave))
    return time.perf_counter() - started


# -- baseline: a plain aioimaplib loop ------------------------------------------------------------


async def plain_loop(lab: MailLab) -> Rate:
    """Login, select, UID SEARCH ALL, UID FETCH BODY.PEEK[] in chunks of 50, parse every mail
    with the stdlib and read its text body."""
    parser = BytesParser(policy=policy.default)
    started = time.perf_counter()
    imap = aioimaplib.IMAP4(host=lab.imap_host, port=lab.imap_port, timeout=30)
    await imap.wait_hello_from_server()
    try:
        reply = await imap.login(INTAKE, lab.users[INTAKE])
        assert reply.result == "OK", reply.lines
        reply = await imap.select("INBOX")
        assert reply.result == "OK", reply.lines
        reply = await imap.uid_search("ALL", charset=None)
        assert reply.result == "OK", reply.lines
        uids = [token.decode() for line in reply.lines[:-1] for token in line.split()]
        uids = [uid for uid in uids if uid.isdigit()]
        parsed = 0
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = ",".join(uids[start : start + FETCH_CHUNK])
            reply = await imap.uid("fetch", chunk, "(BODY.PEEK[])")
            assert reply.result == "OK", reply.lines
            for line in reply.lines:
                if isinstance(line, bytearray):
                    message = parser.parsebytes(bytes(line))
                    assert isinstance(message, EmailMessage)
                    body = message.get_body(preferencelist=("plain", "html"))
                    assert body is not None
                    assert body.get_content()
                    parsed += 1
    finally:
        await logout(imap)
    return Rate(parsed, time.perf_counter() - started)


# -- the bot --------------------------------------------------------------------------------------


def _all_processed(corpus: list[CorpusMail]) -> Callable[[SessionFactory], Awaitable[bool]]:
    async def done(sessions: SessionFactory) -> bool:
        async with transaction(sessions) as session:
            found = await session.exec(
                select(func.count(col(Message.id))).where(
                    Message.direction == "in", col(Message.processed_at).is_not(None)
                )
            )
            return int(found.one()) >= len(corpus)

    return done


async def _all_replies_sent(sessions: SessionFactory) -> bool:
    async with transaction(sessions) as session:
        waiting = await session.exec(
            select(func.count(col(OutboxRow.id))).where(
                col(OutboxRow.status).in_((outbox.PENDING, outbox.SENDING))
            )
        )
        return int(waiting.one()) == 0


async def _tally(sessions: SessionFactory, corpus: list[CorpusMail], timed_out: bool) -> Tally:
    async with transaction(sessions) as session:
        rows = (
            await session.exec(
                select(Message.external_id, Message.case_id, Message.processed_at).where(
                    Message.direction == "in"
                )
            )
        ).all()
        quarantined = (await session.exec(select(func.count(col(QuarantinedMail.id))))).one()
        replies = (
            await session.exec(
                select(func.count(col(OutboxRow.id))).where(OutboxRow.status == outbox.SENT)
            )
        ).one()
    external_ids = {row[0] for row in rows}
    return Tally(
        expected=len(corpus),
        stored=len(rows),
        distinct=len(external_ids),
        lost=len({mail.message_id for mail in corpus} - external_ids),
        unprocessed=sum(1 for row in rows if row[2] is None),
        without_case=sum(1 for row in rows if row[1] is None),
        quarantined=int(quarantined),
        replies_sent=int(replies),
        timed_out=timed_out,
    )


async def run_klachtbot(
    lab: MailLab,
    database_url: str,
    corpus: list[CorpusMail],
    *,
    smtp_port: int,
    deadline: float,
    profile: cProfile.Profile | None = None,
) -> tuple[Rate, Rate, Tally]:
    """Start the bot on the mailbox, wait until every mail is processed and then until every
    reply is sent (or `deadline` seconds pass), stop it cleanly, count what it stored."""
    settings = lab_settings(database_url, lab)
    settings.email.smtp_port = smtp_port
    app: App | None = None

    def sessions() -> SessionFactory:
        assert app is not None
        return app.sessions

    workers = Workers(settings.workers.processes)
    channel = email_channel(
        settings.email, sessions=sessions, clock=utc_now, offload=workers.run_each
    )
    app = App(settings, [channel], workers=workers)
    await app.__aenter__()
    try:
        if profile is not None:
            profile.enable()
        started = time.perf_counter()
        task = asyncio.create_task(app.run())
        timed_out = False
        marks: list[float] = []  # seconds until every mail was a case, until every reply went
        try:
            for done in (_all_processed(corpus), _all_replies_sent):
                while not await done(app.sessions):
                    if task.done():
                        task.result()  # raises what stopped the bot
                        raise RuntimeError("the bot stopped before taking in every mail")
                    if time.perf_counter() - started > deadline:
                        timed_out = True
                        break
                    await asyncio.sleep(POLL_SECONDS)
                marks.append(time.perf_counter() - started)
            if profile is not None:
                profile.disable()
        finally:
            app.request_stop()
            async with asyncio.timeout(60):
                await task
        tally = await _tally(app.sessions, corpus, timed_out)
    finally:
        await app.__aexit__(None, None, None)
    cases = tally.stored - tally.unprocessed
    return Rate(cases, marks[0]), Rate(cases, marks[-1]), tally


def _require_new_file(database: str | None) -> None:
    if database and Path(database).exists():
        raise SystemExit(f"{database} exists: give a SQLite file that does not exist yet")


@asynccontextmanager
async def fresh_database(url: str | None) -> AsyncIterator[str]:
    """An empty database: SQLite in a temporary folder (url None), a new SQLite file, or a new
    database on the PostgreSQL server of `url`, dropped afterwards."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _require_new_file(parsed.database)
        yield url
        return
    name = f"klachtbot_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)

    async def execute(statement: str) -> None:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))

    try:
        await execute(f'CREATE DATABASE "{name}"')
        try:
            yield parsed.set(database=name).render_as_string(hide_password=False)
        finally:
            await execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.dispose()


@asynccontextmanager
async def smtp_sink() -> AsyncIterator[int]:
    """An SMTP server that accepts and drops every mail, in a process of its own like any
    real mail server, so its work is not counted as the bot's; yields its port."""
    [port] = free_ports(1)
    server = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"),
        *("-l", f"127.0.0.1:{port}"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await asyncio.to_thread(wait_for_greeting, port, b"220 ", time.monotonic() + 20)
        yield port
    finally:
        server.terminate()
        async with asyncio.timeout(10):
            await server.wait()


async def measure(
    lab: MailLab,
    count: int,
    *,
    rounds: int = 1,
    database_url: str | None = None,
    deadline: float | None = None,
    profile: cProfile.Profile | None = None,
) -> Result:
    """Empty the lab and load `count` mails; one untimed pass of the plain loop (Dovecot's
    caches are warm for every timed reader, not only for the ones after the first); then
    `rounds` rounds of the plain loop and the bot, each bot on a fresh database."""
    corpus = build_corpus(count)
    lab.reset()
    load_seconds = await asyncio.to_thread(load_mailbox, lab, corpus)
    await plain_loop(lab)
    measured: list[Round] = []
    for _ in range(rounds):
        baseline = await plain_loop(lab)
        if baseline.mails != count:
            raise RuntimeError(f"the mailbox holds {baseline.mails} mails, not {count}")
        async with fresh_database(database_url) as url, smtp_sink() as smtp_port:
            ours, replied, tally = await run_klachtbot(
                lab,
                url,
                corpus,
                smtp_port=smtp_port,
                deadline=deadline or 60.0 + count * 0.5,
                profile=profile,
            )
        measured.append(Round(baseline, ours, replied, tally))
    corpus_bytes = sum(len(mail.raw) for mail in corpus)
    return Result(measured, load_seconds, corpus_bytes)


@dataclass(frozen=True)
class StageCosts:
    """CPU milliseconds per mail of single stages, on the same corpus; all but sending
    without I/O."""

    stdlib_parse: float  # what the plain loop does per mail
    parse_mail: float  # ours: charsets, HTML, quotes, automatic-mail checks
    understand: float  # language, intent, category, anger, slots of the new text
    compose_reply: float  # build_reply: the multipart/alternative bytes of one answer
    send_reply: float  # SmtpSender.send to a sink in its own process: this process's CPU


def reply_to(mail: ParsedMail, number: int) -> OutgoingMail:
    """The reply EmailChannel.send would build; the customer's own words stand in for the
    rendered template, as Dutch and as long."""
    text = mail.text or mail.full_text
    return build_reply(
        sender=INTAKE,
        sender_name=mail.from_name,
        recipient=mail.from_address or INTAKE,
        recipient_name=mail.from_name,
        subject=mail.subject or "",
        text=text,
        html=as_html(text),
        date=utc_now(),
        case_token=f"K-2026-{number:06d}",
        parent_id=mail.message_id,
        parent_references=mail.references,
        automatic=True,
    )


async def send_cost(replies: list[OutgoingMail]) -> float:
    """CPU milliseconds of this process per reply sent over one kept SMTP connection."""
    async with smtp_sink() as port:
        sender = SmtpSender(SmtpConfig("127.0.0.1", port, "none", "", ""))
        try:
            if not (await sender.send(replies[0])).ok:  # connected before the clock runs
                raise RuntimeError("the SMTP sink refused a reply")
            started = time.process_time()
            for reply in replies:
                result = await sender.send(reply)
                if not result.ok:
                    raise RuntimeError(f"the SMTP sink refused a reply: {result.error}")
            return (time.process_time() - started) * 1000 / len(replies)
        finally:
            await sender.close()


def stage_costs(corpus: list[CorpusMail]) -> StageCosts:
    """Where the floor lies: the bot must at least parse and understand every mail, and
    answer it."""
    parser = BytesParser(policy=policy.default)

    def per_mail(work: Callable[[CorpusMail], object]) -> float:
        started = time.perf_counter()
        for mail in corpus:
            work(mail)
        return (time.perf_counter() - started) * 1000 / len(corpus)

    def stdlib(mail: CorpusMail) -> object:
        message = parser.parsebytes(mail.raw)
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain", "html"))
        return body.get_content() if body is not None else None

    parsed = {mail.message_id: parse_mail(mail.raw) for mail in corpus}
    today = datetime.now(UTC).date()
    REMEMBERING_HEADERS.forget()  # each mail is read once in real life, not twice
    numbers = {mail.message_id: number for number, mail in enumerate(corpus, 1)}
    replies = [reply_to(parsed[mail.message_id], numbers[mail.message_id]) for mail in corpus]
    return StageCosts(
        stdlib_parse=per_mail(stdlib),
        parse_mail=per_mail(lambda mail: parse_mail(mail.raw)),
        understand=per_mail(
            lambda mail: understand(
                parsed[mail.message_id].text or parsed[mail.message_id].full_text, today=today
            )
        ),
        compose_reply=per_mail(
            lambda mail: bytes(reply_to(parsed[mail.message_id], numbers[mail.message_id]))
        ),
        send_reply=asyncio.run(send_cost(replies)),
    )


def report_stages(costs: StageCosts) -> str:
    return "\n".join(
        [
            "| stage (CPU per mail; no I/O but the SMTP send) | ms |",
            "|---|---:|",
            f"| stdlib parse + text body (the plain loop's work) | {costs.stdlib_parse:.2f} |",
            f"| klachtbot parse_mail | {costs.parse_mail:.2f} |",
            f"| klachtbot understand | {costs.understand:.2f} |",
            f"| klachtbot compose one reply (build_reply) | {costs.compose_reply:.3f} |",
            f"| klachtbot send one reply over SMTP (kept connection) | {costs.send_reply:.3f} |",
        ]
    )


def report(result: Result) -> str:
    shown = result.shown
    tally = shown.tally
    lines = [
        f"{tally.expected} mails, {result.corpus_bytes / 1e6:.1f} MB, "
        f"loaded over LMTP in {result.load_seconds:.1f} s; "
        f"the round with the median ratio of {len(result.rounds)}:",
        "",
        "| path | mails/s | seconds | mails |",
        "|---|---:|---:|---:|",
    ]
    paths = (
        ("baseline (plain aioimaplib loop)", shown.baseline),
        ("klachtbot (stored + processed into cases, replies queued)", shown.klachtbot),
        ("klachtbot (… and every reply sent)", shown.replied),
    )
    for name, rate in paths:
        lines.append(f"| {name} | {rate.per_second:,.0f} | {rate.seconds:.2f} | {rate.mails} |")
    lines += [
        "",
        f"ratio klachtbot/baseline: {shown.ratio:.2f} (cases), "
        f"{shown.replied.per_second / shown.baseline.per_second:.2f} (every reply sent)",
        "every round (baseline → klachtbot mails/s, ratio): "
        + ", ".join(
            f"{r.baseline.per_second:,.0f} → {r.klachtbot.per_second:,.0f} ({r.ratio:.2f})"
            for r in result.rounds
        ),
        "",
    ]
    for number, measured in enumerate(result.rounds, 1):
        t = measured.tally
        lines.append(
            f"round {number}: lost {t.lost}, doubled {t.doubled}, stored {t.stored}, "
            f"distinct {t.distinct}, unprocessed {t.unprocessed}, without a case "
            f"{t.without_case}, quarantined {t.quarantined}, replies sent {t.replies_sent}"
            + (", TIMED OUT" if t.timed_out else "")
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="the median round is shown")
    parser.add_argument("--database", default=None, help="default: SQLite in a temporary folder")
    parser.add_argument(
        "--profile", type=Path, default=None, help="write cProfile stats of the bot"
    )
    args = parser.parse_args()
    if args.database and make_url(args.database).get_backend_name() == "sqlite" and args.rounds > 1:
        parser.error("a SQLite --database file holds one round: use it with --rounds 1")
    configure_logs(level="WARNING", fmt="console")
    profile = cProfile.Profile() if args.profile else None
    with MailLab() as lab:
        result = asyncio.run(
            measure(
                lab, args.mails, rounds=args.rounds, database_url=args.database, profile=profile
            )
        )
    if profile is not None:
        profile.dump_stats(args.profile)
    print(report(result))
    print()
    print(report_stages(stage_costs(build_corpus(args.mails))))
    if not result.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
