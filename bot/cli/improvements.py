"""`klachtbot improvements add|list|done`: the improvement cycle. What the organisation
changes because of complaints, linked to a topic or pattern and example cases; the report
shows each action with the complaints on its topic before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.common import settings_of, with_sessions
from bot.cli.output import say, word
from bot.reports.improvements import effect
from common.clock import utc_now
from common.terminal import err, out
from storage import improvements as repo
from storage.db import SessionFactory, transaction

improvements_app = typer.Typer(no_args_is_help=True, help="Improvement actions.")


@improvements_app.command("add")
def improvements_add(
    ctx: typer.Context,
    what: Annotated[str, typer.Option("--what", help="What will change.")],
    why: Annotated[str, typer.Option("--why", help="Why: what the complaints showed.")] = "",
    topic: Annotated[
        str | None, typer.Option("--topic", help="The topic (billing, delivery, …).")
    ] = None,
    pattern: Annotated[
        str | None, typer.Option("--pattern", help="The pattern the report named.")
    ] = None,
    cases: Annotated[
        list[str] | None, typer.Option("--case", help="An example case number (repeatable).")
    ] = None,
    owner: Annotated[str, typer.Option("--owner", help="Who carries it out.")] = "",
    due: Annotated[
        datetime | None, typer.Option("--due", formats=["%Y-%m-%d"], help="Due date.")
    ] = None,
) -> None:
    """Record an improvement action."""
    settings = settings_of(ctx)

    async def work(sessions: SessionFactory) -> int | None:
        async with transaction(sessions) as session:
            action = await repo.add(
                session,
                what=what,
                why=why,
                topic=topic,
                pattern=pattern,
                example_cases=cases or [],
                owner=owner,
                due=due.date() if due else None,
                now=utc_now(),
            )
            return action.id

    number = with_sessions(settings, work)
    out.print(
        say(settings.organisation.language, "improvement_added", action_number=number), markup=False
    )


@improvements_app.command("list")
def improvements_list(ctx: typer.Context) -> None:
    """Every action, with the complaints on its topic in the 30 days before it was recorded
    and the 30 days after it was done."""
    settings = settings_of(ctx)
    language = settings.organisation.language

    async def work(sessions: SessionFactory) -> list[tuple[str, ...]]:
        now = utc_now()
        async with transaction(sessions) as session:
            shown: list[tuple[str, ...]] = []
            for action in await repo.listed(session):
                before, after = await effect(session, action, now=now)
                shown.append(
                    (
                        str(action.id),
                        action.what,
                        word(language, f"category.{action.topic}") if action.topic else "—",
                        action.owner or "—",
                        action.due.isoformat() if action.due else "—",
                        word(language, f"improvement.{action.status}"),
                        "—" if before is None else str(before),
                        "—" if after is None else str(after),
                    )
                )
            return shown

    rows = with_sessions(settings, work)
    table = Table(title=word(language, "improvements"))
    for key in (
        "id",
        "improvement.what",
        "report.category",
        "improvement.owner",
        "improvement.due",
        "improvement.status",
        "improvement.before",
        "improvement.after",
    ):
        table.add_column(word(language, key))
    for row in rows:
        table.add_row(*row)
    out.print(table)


@improvements_app.command("done")
def improvements_done(ctx: typer.Context, number: int) -> None:
    """Mark action NUMBER done: from now on its effect is counted."""
    settings = settings_of(ctx)

    async def work(sessions: SessionFactory) -> bool:
        async with transaction(sessions) as session:
            return await repo.mark_done(session, number, now=utc_now())

    if not with_sessions(settings, work):
        err.print(f"klachtbot: no improvement action {number}", markup=False)
        raise typer.Exit(1)
    out.print(
        say(settings.organisation.language, "improvement_done", action_number=number), markup=False
    )


def register(app: typer.Typer) -> None:
    app.add_typer(improvements_app, name="improvements")
