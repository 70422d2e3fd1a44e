"""`klachtbot handlers …`: who handles complaints, who is away, and their desk passwords.

Each command first brings the handlers table in line with the configuration, so what
they show and change is what the bot itself would route by.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

import typer
from rich.table import Table

from bot.cli.common import settings_of, with_sessions
from bot.cli.output import say, word
from bot.web import accounts
from common.clock import utc_now
from common.terminal import err, out
from storage import handlers as repo
from storage.db import SessionFactory, transaction
from storage.models import Handler

handlers_app = typer.Typer(no_args_is_help=True, help="Complaint handlers.")


@handlers_app.command("list")
def handlers_list(ctx: typer.Context) -> None:
    """Every handler: role, contact details, whether away, and their substitute."""

    settings = settings_of(ctx)

    async def work(sessions: SessionFactory) -> list[Handler]:
        async with transaction(sessions) as session:
            await repo.sync_handlers(session, configured=settings.handlers)
            return await repo.list_handlers(session)

    everyone = with_sessions(settings, work)
    if not everyone:
        err.print(
            "No handlers configured: add [[handlers]] entries to klachtbot.toml.", markup=False
        )
        return
    out.print(handler_table(everyone, settings.organisation.language))


@handlers_app.command("away")
def handlers_away(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The handler's name, as configured.")],
    state: Annotated[Literal["on", "off"], typer.Argument(help="on: away; off: back.")],
) -> None:
    """Mark a handler away (new cases go to someone else) or back."""

    settings = settings_of(ctx)

    async def work(sessions: SessionFactory) -> tuple[Handler | None, list[Handler]]:
        async with transaction(sessions) as session:
            await repo.sync_handlers(session, configured=settings.handlers)
            changed = await repo.set_away(session, name=name, away=state == "on")
            return changed, await repo.list_handlers(session)

    changed, everyone = with_sessions(settings, work)
    if changed is None:
        known = ", ".join(handler.name for handler in everyone) or "none configured"
        err.print(f"klachtbot: no handler named {name!r} (known: {known})", highlight=False)
        raise typer.Exit(1)
    out.print(say(settings.organisation.language, "away", name=changed.name, away=changed.away))


@handlers_app.command("passwd")
def handlers_passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The handler's name, as configured.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set the password a handler logs in to the web desk with (ends their desk sessions)."""
    settings = settings_of(ctx)
    language = settings.organisation.language
    try:
        password = accounts.read_new_password(
            from_stdin=password_stdin,
            prompts=(say(language, "password_prompt") + " ", say(language, "password_again") + " "),
        )
    except accounts.PasswordRefused as exc:
        err.print(f"klachtbot: {exc}", highlight=False)
        raise typer.Exit(exc.exit_code) from None

    async def work(sessions: SessionFactory) -> str | None:
        return await accounts.set_password(
            sessions, configured=settings.handlers, name=name, password=password, now=utc_now()
        )

    changed = with_sessions(settings, work)
    if changed is None:
        err.print(f"klachtbot: no handler named {name!r} in [[handlers]]", highlight=False)
        raise typer.Exit(1)
    out.print(say(language, "password_set", name=changed), highlight=False)


def handler_table(everyone: Sequence[Handler], language: str) -> Table:
    names = {handler.id: handler.name for handler in everyone}
    table = Table(title=word(language, "handlers"))
    table.add_column(word(language, "name"), no_wrap=True)
    for key in ("role", "email", "telegram", "away", "substitute"):
        table.add_column(word(language, key))
    for handler in everyone:
        table.add_row(
            handler.name,
            word(language, f"role.{handler.role}"),
            handler.email or "—",
            str(handler.telegram_user_id) if handler.telegram_user_id else "—",
            word(language, f"yes_no.{handler.away}"),
            names.get(handler.substitute_id, "—") if handler.substitute_id else "—",
        )
    return table


def register(app: typer.Typer) -> None:
    app.add_typer(handlers_app, name="handlers")
