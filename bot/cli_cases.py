"""`klachtbot cases note|agree|resolve|reopen|assign K-…`: what handlers record on a case.

Each command is one transaction: the change, its audit event and the messages it plans
(resolve plans the execution check, survey and reminder; reopen cancels them) together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.followups import aftercare
from bot.followups.followups import FollowUps, PlainSender
from bot.runtime.schedule import followups_for
from common.clock import utc_now
from common.terminal import err, out
from storage import handlers, repo
from storage.db import SessionFactory, transaction
from storage.models import Case, Handler

Number = Annotated[str, typer.Argument(help="The case number, e.g. K-2026-000001.")]
Actor = Annotated[
    str | None, typer.Option("--as", help="Who records this (default: the case's handler).")
]


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
    work: Callable[[AsyncSession, FollowUps, Case, str, datetime], Awaitable[str]],
    actor: str | None,
) -> None:
    # Imported here, not at the top: bot.cli imports this module to register it.
    from bot.cli import _settings, _with_sessions

    settings = _settings(ctx)
    organisation = settings.organisation
    followups = followups_for(
        settings,
        PlainSender(
            name=organisation.name, emergency_phone=organisation.emergency_phone, tz=organisation.tz
        ),
    )

    async def run(sessions: SessionFactory) -> str | None:
        async with transaction(sessions) as session:
            await handlers.sync_handlers(session, configured=settings.handlers)
            case = await repo.case_by_number(session, number=number.strip().upper())
            if case is None:
                return None
            handler = await session.get(Handler, case.handler_id) if case.handler_id else None
            who = actor or (handler.name if handler else "handler")
            return await work(session, followups, case, who, utc_now())

    try:
        said = _with_sessions(settings, run)
    except aftercare.CaseError as exc:
        err.print(f"klachtbot: {exc}", highlight=False)
        raise typer.Exit(1) from None
    if said is None:
        err.print(f"klachtbot: no case {number}", highlight=False)
        raise typer.Exit(1)
    out.print(said, highlight=False)


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
    ) -> str:
        await aftercare.note(session, case=case, actor=who, text=text, contact=contact, now=now)
        return f"{case.number}: note recorded" + (" (contact made)" if contact else "")

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
    ) -> str:
        due_at = _parse_due(due, fu.sender.tz) if due else None
        await aftercare.agree(session, case=case, actor=who, what=what, due_at=due_at, now=now)
        return f"{case.number}: agreement recorded"

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
    ) -> str:
        planned = await fu.resolve(session, case=case, actor=who, text=note, now=now)
        when = ", ".join(
            f"{step.kind} {step.due_at.astimezone(fu.sender.tz):%Y-%m-%d %H:%M}" for step in planned
        )
        return f"{case.number}: resolved; planned: {when}"

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
    ) -> str:
        cancelled = await fu.reopen(session, case=case, actor=who, text=reason, now=now)
        return f"{case.number}: reopened; {cancelled} planned message(s) cancelled"

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
    ) -> str:
        handler = await aftercare.assign(session, case=case, actor=who, name=name, now=now)
        return f"{case.number}: assigned to {handler.name}"

    _on_case(ctx, number, work, actor)


def register(cases_app: typer.Typer) -> None:
    for name, command in (
        ("note", cases_note),
        ("agree", cases_agree),
        ("resolve", cases_resolve),
        ("reopen", cases_reopen),
        ("assign", cases_assign),
    ):
        cases_app.command(name)(command)
