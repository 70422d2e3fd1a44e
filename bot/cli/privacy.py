"""`klachtbot privacy export|erase CUSTOMER`: a person's request for a copy of their data
or for its erasure (AVG/GDPR), by their email address, phone number, Telegram id or one of
their case numbers. Nothing changes when nobody, or more than one person, matches."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import settings_of, with_sessions
from bot.cli.output import say
from bot.config.settings import Settings
from bot.privacy.export import write_export
from bot.privacy.items import Items
from bot.privacy.person import NoSuchPerson, find_person
from bot.privacy.requests import Erased, OnHold, erase, everything_about
from common.clock import utc_now
from common.terminal import err, out
from storage.db import SessionFactory, transaction

privacy_app = typer.Typer(
    no_args_is_help=True, help="A person's request for their data or its erasure (AVG/GDPR)."
)
Person = Annotated[
    str,
    typer.Argument(help="Their email address, phone number, Telegram id or a case number."),
]
T = TypeVar("T")


def _about(settings: Settings, asked: str, work: Callable[[AsyncSession, int], Awaitable[T]]) -> T:
    """`work` on the one customer `asked` names, in one transaction; one line and exit 1
    when nobody or more than one person matches, or a case is on hold."""
    language = settings.organisation.language

    async def run(sessions: SessionFactory) -> T:
        async with transaction(sessions) as session:
            return await work(session, await find_person(session, asked))

    try:
        return with_sessions(settings, run)
    except NoSuchPerson as exc:
        err.print(
            say(language, "privacy", happened="no_person", asked=exc.asked, matches=exc.matches)
        )
    except OnHold as exc:
        err.print(say(language, "privacy", happened="on_hold", numbers=exc.numbers))
    raise typer.Exit(1)


@privacy_app.command("export")
def privacy_export(
    ctx: typer.Context,
    person: Person,
    out_dir: Annotated[
        Path, typer.Option("--out", help="The folder to write the copy into.")
    ] = Path("."),
) -> None:
    """Everything stored about a person, as JSON and as a readable HTML page, with their
    attachments and mails as files next to them."""
    settings = settings_of(ctx)
    language = settings.organisation.language

    async def work(session: AsyncSession, customer_id: int) -> tuple[int, Items]:
        return customer_id, await everything_about(session, customer_id)

    customer_id, items = _about(settings, person, work)
    written = write_export(
        items, out_dir, customer_id=customer_id, language=language, now=utc_now()
    )
    out.print(
        say(
            language,
            "privacy",
            happened="exported",
            files=[str(path) for path in written[:2]],
            attachments=len(written) - 2,
        )
    )


@privacy_app.command("erase")
def privacy_erase(
    ctx: typer.Context,
    person: Person,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    by: Annotated[
        str | None, typer.Option("--by", help="Who erases, for the audit trail (default: you).")
    ] = None,
) -> None:
    """Erase a person's personal data: texts, names, addresses, numbers, mails and files go;
    what reports count (dates, topic, channel, times, scores) stays. Pending messages to
    them are cancelled. Refused while one of their cases is on legal hold."""
    settings = settings_of(ctx)
    language = settings.organisation.language
    key = settings.privacy.hash_key_bytes
    if key is None:
        err.print(say(language, "privacy", happened="no_key"))
        raise typer.Exit(2)
    if not yes:
        if not sys.stdin.isatty():
            err.print(say(language, "privacy", happened="needs_yes"))
            raise typer.Exit(2)

        async def look(session: AsyncSession, customer_id: int) -> Items:
            return await everything_about(session, customer_id)

        items = _about(settings, person, look)
        numbers = [case.number for case in items.cases if case.number]
        if not typer.confirm(say(language, "privacy", happened="confirm", numbers=numbers)):
            raise typer.Exit(1)
    who = by or getpass.getuser()

    async def work(session: AsyncSession, customer_id: int) -> Erased:
        return await erase(session, customer_id, key=key, by=who, now=utc_now())

    erased = _about(settings, person, work)
    out.print(say(language, "privacy", happened="erased", counts=erased.counts))


def register(app: typer.Typer) -> None:
    app.add_typer(privacy_app, name="privacy")
