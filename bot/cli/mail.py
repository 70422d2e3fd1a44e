"""`klachtbot mail quarantine list|retry`: mails that could not be read, kept with their error."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from bot.cli.common import run, settings_of, with_sessions
from bot.cli.output import moment, word
from bot.config.settings import Settings
from bot.runtime.app import App
from channels.email.channel import NotTaken, to_inbound
from channels.email.parse import UnparseableMail, parse_mail
from common.clock import utc_now
from common.terminal import err, out
from storage import mail
from storage.db import SessionFactory, transaction
from storage.models import QuarantinedMail, RawPayload

mail_app = typer.Typer(no_args_is_help=True, help="The email channel.")
quarantine_app = typer.Typer(no_args_is_help=True, help="Mails that could not be read.")
mail_app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
def quarantine_list(ctx: typer.Context) -> None:
    """Every quarantined mail with its error."""

    settings = settings_of(ctx)

    async def rows(sessions: SessionFactory) -> list[QuarantinedMail]:
        async with transaction(sessions) as session:
            return await mail.quarantined(session)

    tz, language = settings.organisation.tz, settings.organisation.language
    table = Table(title=word(language, "quarantine"))
    for key in ("id", "source", "error", "kept_since", "last_retry"):
        table.add_column(word(language, key))
    for row in with_sessions(settings, rows):
        table.add_row(
            str(row.id),
            row.source,
            row.error,
            moment(row.created_at, tz, language),
            moment(row.retried_at, tz, language),
        )
    out.print(table)


@quarantine_app.command("retry")
def quarantine_retry(
    ctx: typer.Context, mail_id: Annotated[int, typer.Argument(metavar="ID")]
) -> None:
    """Read a quarantined mail again; if it can be read now it joins the intake."""

    settings = settings_of(ctx)
    outcome = run(lambda: _retry(settings, mail_id), settings)
    if outcome is None:
        err.print(f"klachtbot: no quarantined mail {mail_id}")
        raise typer.Exit(1)
    if outcome:
        err.print(f"klachtbot: mail {mail_id} still cannot be read: {outcome}")
        raise typer.Exit(1)
    out.print(f"mail {mail_id} taken into the intake")


async def _retry(settings: Settings, mail_id: int) -> str | None:
    """None: no such mail; "": taken in; otherwise the error that remains."""
    async with App(settings, []) as app:
        async with transaction(app.sessions) as session:
            row = await session.get(QuarantinedMail, mail_id)
            if row is None:
                return None
            payload = await session.get(RawPayload, row.raw_id)
            assert payload is not None
            raw, source = payload.data, row.source
        try:
            parsed = parse_mail(raw, max_bytes=settings.email.max_message_bytes)
            message = to_inbound(
                parsed,
                raw,
                own_address=settings.email.address,
                source=source,
                received_at=utc_now(),
            )
        except UnparseableMail as exc:
            message = NotTaken(str(exc) or "unreadable")
        if isinstance(message, NotTaken):
            async with transaction(app.sessions) as session:
                kept = await session.get(QuarantinedMail, mail_id)
                assert kept is not None
                kept.error, kept.retried_at = message.reason, utc_now()
                session.add(kept)
            return message.reason
        stored = await app.intake.store(message)
        if stored is not None:
            await app.intake.process(stored)
        async with transaction(app.sessions) as session:
            kept = await session.get(QuarantinedMail, mail_id)
            if kept is not None:
                await session.delete(kept)
    return ""


def register(app: typer.Typer) -> None:
    app.add_typer(mail_app, name="mail")
