"""`klachtbot run` and `klachtbot chat`: the bot with its channels, or one customer's chat."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from bot.cli.common import run, settings_of
from bot.cli.output import say
from bot.config.settings import Language, Settings, secret_values
from bot.reading.workers import Workers
from bot.runtime.app import App
from bot.runtime.email_wiring import email_channel
from bot.runtime.signals import StopOnSignals, stoppable
from bot.runtime.telegram_wiring import telegram_channel
from bot.runtime.website_wiring import webchat_channel, webform_channel
from channels.base import Channel, ChannelStatus
from channels.console import ConsoleChannel, Speakers, script_lines, stdin_lines
from common.clock import utc_now
from common.logs import configure as configure_logs
from common.templates import render
from common.terminal import err, out
from storage.db import SessionFactory


def serve(ctx: typer.Context) -> None:
    """Start storage, every configured channel and the dispatcher."""
    settings = settings_of(ctx)
    external = _external_channels(settings)
    for name, hint in external.items():
        if hint:
            err.print(Text.assemble(f"{name}: ", ("not configured", "yellow"), f" — {hint}"))
    if all(external.values()):
        err.print("No external channel configured: opening the console chat.")
        _chat(settings, script=None, json_output=False, language=None, customer="console")
        return
    configure_logs(
        level=settings.log.level, fmt=settings.log.format, secrets=secret_values(settings)
    )

    async def serving(stopper: StopOnSignals) -> None:
        channels: list[Channel] = []
        bot: App | None = None

        def sessions() -> SessionFactory:
            assert bot is not None, "storage opens before any channel reads"
            return bot.sessions

        workers = Workers(settings.workers.processes)
        if settings.email.configured:
            channels.append(
                email_channel(
                    settings.email, sessions=sessions, clock=utc_now, offload=workers.run_each
                )
            )
        if settings.telegram.configured:
            channels.append(telegram_channel(settings.telegram, sessions=sessions, clock=utc_now))
        if (form := webform_channel(settings, channels)) is not None:
            channels.append(form)
        if (talk := webchat_channel(settings)) is not None:
            channels.append(talk)
        bot = App(settings, channels, workers=workers, serve_desk=True)
        async with bot:
            for name, status in bot.status().items():
                err.print(_status_line(name, status))
            stopper.running(bot)
            await bot.run()

    run(lambda: stoppable(serving), settings)


def _external_channels(settings: Settings) -> dict[str, str]:
    """Per external channel: "" when configured, else how to configure it."""
    return {
        "email": ""
        if settings.email.configured
        else "set [email] address, imap_host and smtp_host in klachtbot.toml",
        "telegram": "" if settings.telegram.configured else "set KLACHTBOT_TELEGRAM__TOKEN",
    }


def _status_line(name: str, status: ChannelStatus) -> Text:
    if status.connected:
        return Text.assemble(f"{name}: ", ("connected", "green"))
    return Text.assemble(f"{name}: ", ("not connected", "yellow"), f" ({status.problem}; retrying)")


def chat(
    ctx: typer.Context,
    script: Annotated[
        Path | None,
        typer.Option(help="Read the customer's lines from FILE; '~pause' ends a burst."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="One JSON object per bot reply.")
    ] = False,
    lang: Annotated[Language | None, typer.Option("--lang", help="nl or en.")] = None,
    customer: Annotated[str, typer.Option(help="Who is talking; keeps customers apart.")] = (
        "console"
    ),
) -> None:
    """Talk to the bot in the terminal as one customer.

    Lines are wrapped to the terminal's width; each turn starts with who speaks.

    In a scripted chat the customer's lines are shown too."""
    settings = settings_of(ctx)
    if script is not None and not script.is_file():
        err.print(f"klachtbot: script {script} not found")
        raise typer.Exit(2)
    _chat(settings, script=script, json_output=json_output, language=lang, customer=customer)


def _chat(
    settings: Settings,
    *,
    script: Path | None,
    json_output: bool,
    language: str | None,
    customer: str,
) -> None:
    configure_logs(
        level=settings.log.level,
        fmt=settings.log.format,
        file=settings.log.file,
        secrets=secret_values(settings),
    )
    interactive = script is None and sys.stdin.isatty()
    scripted = script.read_text(encoding="utf-8").splitlines() if script is not None else None
    spoken = language or settings.organisation.language
    speakers = Speakers(
        bot=say(spoken, "speaker_bot", organisation=settings.organisation.name),
        customer=say(spoken, "speaker_customer"),
        # An interactive customer sees their own typing: only scripted lines are repeated.
        echo_customer=scripted is not None,
        width=lambda: shutil.get_terminal_size().columns,
    )

    async def converse() -> None:
        read_line = script_lines(scripted) if scripted is not None else stdin_lines(sys.stdin)
        console = ConsoleChannel(
            customer=customer,
            read_line=read_line,
            out=sys.stdout,
            clock=utc_now,
            language=language,
            json_output=json_output,
            interactive=interactive or script is None,
            speakers=speakers,
        )
        await stoppable(lambda stopper: talk(console, stopper))

    async def talk(console: ConsoleChannel, stopper: StopOnSignals) -> None:
        async with App(settings, [console]) as bot:
            console.on_pause_settled(bot.settle)
            stopper.running(bot)
            if not json_output:
                out.print(
                    render(
                        "console/welcome.txt.j2",
                        organisation=settings.organisation.name,
                        language=spoken,
                    ),
                    style="dim",
                    highlight=False,
                )
            await bot.run(stop_when_intake_ends=True)

    run(converse, settings)


def register(app: typer.Typer) -> None:
    app.command("run")(serve)
    app.command("chat")(chat)
