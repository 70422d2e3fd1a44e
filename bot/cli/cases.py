"""`klachtbot cases …`: the cases at a glance, one case's file, and what handlers record.

`list` and `show` read; `note`, `agree`, `resolve`, `reopen` and `assign` each run as one
transaction: the change, its audit event and the messages it plans (resolve plans the
execution check, survey and reminder; reopen cancels them) together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.casefile import CaseFile, CaseLine, case_file, case_lines
from bot.cli.common import settings_of, with_sessions
from bot.cli.output import (
    CsvFlag,
    JsonFlag,
    moment,
    one_format,
    print_csv,
    print_json,
    say,
    word,
)
from bot.cli.showing import (
    case_file_parts,
    case_file_record,
    case_table,
    line_record,
    timeline_record,
)
from bot.followups import aftercare
from bot.followups.followups import FollowUps, PlainSender
from bot.privacy.requests import set_legal_hold
from bot.runtime.schedule import followups_for
from common.clock import utc_now
from common.terminal import err, out
from storage import handlers, repo
from storage.db import SessionFactory, transaction
from storage.models import Case, Handler

cases_app = typer.Typer(no_args_is_help=True, help="Look at cases and record what was done.")

Number = Annotated[str, typer.Argument(help="The case number, e.g. K-2026-000001.")]
Actor = Annotated[
    str | None, typer.Option("--as", help="Who records this (default: the case's handler).")
]
LINE_COLUMNS = (
    "number",
    "status",
    "handler",
    "next_due",
    "overdue",
    "intent",
    "category",
    "customer",
    "channel",
    "received_at",
)
TIMELINE_COLUMNS = ("at", "who", "kind", "text")
# What a recording command did, for templates/cli/<language>/recorded.txt.j2.
Recorded = dict[str, Any]


@cases_app.command("list")
def cases_list(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(help="Only this status: open, handed_off, resolved or closed."),
    ] = None,
    handler: Annotated[str | None, typer.Option(help="Only cases of this handler.")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open cases with a deadline passed.")
    ] = False,
    mine: Annotated[
        bool,
        typer.Option(
            "--mine",
            help="Only your cases: those of the handler named by --as (or $KLACHTBOT_AS).",
        ),
    ] = False,
    me: Annotated[
        str | None,
        typer.Option("--as", envvar="KLACHTBOT_AS", help="Who you are, for --mine."),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    json_output: JsonFlag = False,
    csv_output: CsvFlag = False,
) -> None:
    """Cases, newest first.

    Number, status, handler, next deadline ('!' when passed), topic and customer.

    The filters combine. --mine: the handler named by --as or $KLACHTBOT_AS."""
    one_format(json_output, csv_output)
    if mine and not me:
        err.print("klachtbot: --mine needs --as NAME (or KLACHTBOT_AS=NAME)")
        raise typer.Exit(2)
    if mine and handler and handler.lower() != (me or "").lower():
        err.print("klachtbot: --mine and --handler name different handlers")
        raise typer.Exit(2)
    settings = settings_of(ctx)
    now = utc_now()

    async def work(sessions: SessionFactory) -> list[CaseLine]:
        async with transaction(sessions) as session:
            return await case_lines(
                session,
                now=now,
                limit=limit,
                status=status,
                handler=me if mine else handler,
                overdue=overdue,
            )

    lines = with_sessions(settings, work)
    if json_output:
        print_json([line_record(line) for line in lines])
    elif csv_output:
        print_csv([line_record(line) for line in lines], LINE_COLUMNS)
    else:
        organisation = settings.organisation
        out.print(case_table(lines, organisation.tz, organisation.language, now, out.width))


@cases_app.command("show")
def cases_show(
    ctx: typer.Context,
    number: Number,
    json_output: JsonFlag = False,
    csv_output: CsvFlag = False,
) -> None:
    """One case: its fields, summary, deadlines and timeline.

    Timeline: messages, notes, agreements, resolutions, reopenings, escalations, surveys.

    --csv gives the timeline; --json everything."""
    one_format(json_output, csv_output)
    settings = settings_of(ctx)
    tz = settings.organisation.tz

    async def work(sessions: SessionFactory) -> CaseFile | None:
        async with transaction(sessions) as session:
            return await case_file(session, number, tz, settings.organisation.language)

    shown = with_sessions(settings, work)
    if shown is None:
        err.print(f"klachtbot: no case {number}")
        raise typer.Exit(1)
    if json_output:
        print_json(case_file_record(shown))
    elif csv_output:
        print_csv(timeline_record(shown), TIMELINE_COLUMNS)
    else:
        for part in case_file_parts(shown, tz, settings.organisation.language, utc_now()):
            out.print(part)


def _parse_due(text: str, tz: ZoneInfo) -> datetime:
    """'2026-12-01 12:00' or '2026-12-01' (then 17:00), in the organisation's time zone."""
    for layout in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text.strip(), layout)
        except ValueError:
            continue
        if layout == "%Y-%m-%d":
            parsed = datetime.combine(parsed.date(), time(17))
        return parsed.replace(tzinfo=tz).astimezone(UTC)
    err.print(f"klachtbot: --due {text!r}: write 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD'")
    raise typer.Exit(2)


def _on_case(
    ctx: typer.Context,
    number: str,
    work: Callable[[AsyncSession, FollowUps, Case, str, datetime], Awaitable[Recorded]],
    actor: str | None,
) -> None:
    settings = settings_of(ctx)
    organisation = settings.organisation
    followups = followups_for(
        settings,
        PlainSender(
            name=organisation.name, emergency_phone=organisation.emergency_phone, tz=organisation.tz
        ),
    )

    async def run(sessions: SessionFactory) -> tuple[str, Recorded] | None:
        async with transaction(sessions) as session:
            await handlers.sync_handlers(session, configured=settings.handlers)
            case = await repo.case_by_number(session, number=number.strip().upper())
            if case is None:
                return None
            handler = await session.get(Handler, case.handler_id) if case.handler_id else None
            who = actor or (handler.name if handler else "handler")
            return case.number or "", await work(session, followups, case, who, utc_now())

    try:
        said = with_sessions(settings, run)
    except aftercare.CaseError as exc:
        err.print(f"klachtbot: {exc}", highlight=False)
        raise typer.Exit(1) from None
    if said is None:
        err.print(f"klachtbot: no case {number}", highlight=False)
        raise typer.Exit(1)
    case_number, recorded = said
    language = organisation.language
    planned = [
        f"{word(language, 'deadline.' + kind)} {moment(due, organisation.tz, language)}"
        for kind, due in recorded.pop("planned", [])
    ]
    out.print(say(language, "recorded", number=case_number, planned=planned, **recorded))


def cases_note(
    ctx: typer.Context,
    number: Number,
    text: Annotated[str, typer.Argument(help="The note.")],
    contact: Annotated[
        bool, typer.Option("--contact", help="You spoke to the customer (first contact made).")
    ] = False,
    actor: Actor = None,
) -> None:
    """Record a note, or contact with the customer, on a case."""

    async def work(
        session: AsyncSession, fu: FollowUps, case: Case, who: str, now: datetime
    ) -> Recorded:
        await aftercare.note(session, case=case, actor=who, text=text, contact=contact, now=now)
        return {"action": "note", "contact": contact}

    _on_case(ctx, number, work, actor)


def cases_agree(
    ctx: typer.Context,
    number: Number,
    what: Annotated[str, typer.Argument(help="What was agreed with the customer.")],
    due: Annotated[
        str | None, typer.Option(help="By when: 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD' (17:00).")
    ] = None,
    actor: Actor = None,
) -> None:
    """Record an agreement made with the customer."""

    async def work(
        session: AsyncSession, fu: FollowUps, case: Case, who: str, now: datetime
    ) -> Recorded:
        due_at = _parse_due(due, fu.sender.tz) if due else None
        await aftercare.agree(session, case=case, actor=who, what=what, due_at=due_at, now=now)
        return {"action": "agree"}

    _on_case(ctx, number, work, actor)


def cases_resolve(
    ctx: typer.Context,
    number: Number,
    note: Annotated[str, typer.Option(help="How it was resolved.")] = "",
    actor: Actor = None,
) -> None:
    """Mark a case resolved; the execution check, survey and reminder are planned."""

    async def work(
        session: AsyncSession, fu: FollowUps, case: Case, who: str, now: datetime
    ) -> Recorded:
        planned = await fu.resolve(session, case=case, actor=who, text=note, now=now)
        return {"action": "resolve", "planned": [(step.kind, step.due_at) for step in planned]}

    _on_case(ctx, number, work, actor)


def cases_reopen(
    ctx: typer.Context,
    number: Number,
    reason: Annotated[str, typer.Option(help="Why the case is reopened.")] = "",
    actor: Actor = None,
) -> None:
    """Reopen a resolved or closed case; planned follow-up messages are cancelled."""

    async def work(
        session: AsyncSession, fu: FollowUps, case: Case, who: str, now: datetime
    ) -> Recorded:
        cancelled = await fu.reopen(session, case=case, actor=who, text=reason, now=now)
        return {"action": "reopen", "cancelled": cancelled}

    _on_case(ctx, number, work, actor)


def cases_assign(
    ctx: typer.Context,
    number: Number,
    name: Annotated[str, typer.Argument(help="The handler's name, as configured.")],
    actor: Actor = None,
) -> None:
    """Give a case to another handler."""

    async def work(
        session: AsyncSession, fu: FollowUps, case: Case, who: str, now: datetime
    ) -> Recorded:
        handler = await aftercare.assign(session, case=case, actor=who, name=name, now=now)
        return {"action": "assign", "handler": handler.name}

    _on_case(ctx, number, work, actor)


def cases_hold(
    ctx: typer.Context,
    number: Number,
    state: Annotated[str, typer.Argument(help="on or off.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the case must be kept (needed with on).")
    ] = "",
    actor: Actor = None,
) -> None:
    """Set or lift a legal hold: a held case is not erased, not even on request."""
    if state not in ("on", "off") or (state == "on" and not reason.strip()):
        err.print("klachtbot: write 'hold K-… on --reason TEXT' or 'hold K-… off'")
        raise typer.Exit(2)

    async def work(
        session: AsyncSession, fu: FollowUps, case: Case, who: str, now: datetime
    ) -> Recorded:
        await set_legal_hold(session, case, on=state == "on", reason=reason, actor=who, now=now)
        return {"action": "hold", "held": case.legal_hold}

    _on_case(ctx, number, work, actor)


for name, command in (
    ("note", cases_note),
    ("agree", cases_agree),
    ("resolve", cases_resolve),
    ("reopen", cases_reopen),
    ("assign", cases_assign),
    ("hold", cases_hold),
):
    cases_app.command(name)(command)


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")
