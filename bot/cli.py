"""The `klachtbot` command. Settings are built here, once, and passed down."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.text import Text

from bot import casefile
from bot.app import App
from bot.cli_cases import register as register_case_commands
from bot.cli_handlers import handlers_app
from bot.cli_mail import mail_app
from bot.cli_outbox import outbox_app
from bot.cli_report import report_command
from bot.clock import utc_now
from bot.email_wiring import email_channel
from bot.logs import configure as configure_logs
from bot.logs import hide
from bot.settings import (
    Language,
    Settings,
    SettingsError,
    load_settings,
    masked,
    secret_values,
)
from bot.signals import StopOnSignals, stoppable
from bot.startup import StartupFailure, open_database
from bot.telegram_wiring import telegram_channel
from bot.templates import render
from bot.terminal import err, json_inert, out
from bot.workers import Workers
from channels.base import Channel, ChannelStatus
from channels.console import ConsoleChannel, script_lines, stdin_lines
from storage.db import SessionFactory, current_revision, session_factory

T = TypeVar("T")

# No local variables in a traceback, whichever typer version: they hold tokens and passwords.
app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Complaint intake bot.",
    pretty_exceptions_show_locals=False,
)
config_app = typer.Typer(no_args_is_help=True, help="Inspect the configuration.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
cases_app = typer.Typer(no_args_is_help=True, help="Look at cases and record what was done.")
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(cases_app, name="cases")
register_case_commands(cases_app)
app.command("report")(report_command)
app.add_typer(handlers_app, name="handlers")
app.add_typer(mail_app, name="mail")
app.add_typer(outbox_app, name="outbox")

@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Path to klachtbot.toml (else $KLACHTBOT_CONFIG)."),
    ] = None,
) -> None:
    ctx.obj = config


def _settings(ctx: typer.Context) -> Settings:
    try:
        return load_settings(ctx.obj)
    except SettingsError as exc:
        typer.echo(f"klachtbot: configuration error\n{exc}", err=True)
        raise typer.Exit(2) from None


def _run(coroutine: Callable[[], Awaitable[T]], settings: Settings | None = None) -> T:
    """Run `coroutine` on a new event loop. A part that cannot start (`StartupFailure`) is
    one line naming the setting, no traceback; exit code 2 when the settings are wrong,
    1 when a service the bot needs is away."""

    async def wrapped() -> T:
        return await coroutine()

    try:
        return asyncio.run(wrapped())
    except StartupFailure as exc:
        secrets = secret_values(settings) if settings is not None else ()
        err.print(f"error: {hide(str(exc.problem), secrets)}")
        raise typer.Exit(exc.exit_code) from None


# -- running ---------------------------------------------------------------------------------


@app.command()
def run(ctx: typer.Context) -> None:
    """Start storage, every configured channel and the dispatcher."""
    settings = _settings(ctx)
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

    async def serve(stopper: StopOnSignals) -> None:
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
        bot = App(settings, channels, workers=workers)
        async with bot:
            for name, status in bot.status().items():
                err.print(_status_line(name, status))
            stopper.running(bot)
            await bot.run()

    _run(lambda: stoppable(serve), settings)


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
    return Text.assemble(
        f"{name}: ", ("not connected", "yellow"), f" ({status.problem}; retrying)"
    )


@app.command()
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
    """Talk to the bot in the terminal as one customer."""
    settings = _settings(ctx)
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
                        language=language or settings.organisation.language,
                    ),
                    style="dim",
                    highlight=False,
                )
            await bot.run(stop_when_intake_ends=True)

    _run(converse, settings)


# -- understanding ---------------------------------------------------------------------------


@app.command()
def classify(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="The message to understand.")] = None,
    jsonl: Annotated[
        Path | None, typer.Option(help='Read one {"text": …} per line; write one result per line.')
    ] = None,
) -> None:
    """Print what the bot understands of a message, as JSON."""
    from bot.nlu import understand

    settings = _settings(ctx)
    today = utc_now().astimezone(settings.organisation.tz).date()
    fields = (
        "language", "intent", "explicit", "category", "anger", "emergency_kind", "confidence",
        "slots",
    )

    def result(message: str) -> str:
        full = understand(message, today=today).to_dict()
        return json_inert(json.dumps({key: full[key] for key in fields}, ensure_ascii=False))

    if (text is None) == (jsonl is None):
        err.print("klachtbot: give either a text or --jsonl FILE")
        raise typer.Exit(2)
    if text is not None:
        typer.echo(result(text))
        return
    assert jsonl is not None
    for number, line in enumerate(jsonl.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            message = json.loads(line)["text"]
        except (json.JSONDecodeError, KeyError, TypeError):
            err.print(f'klachtbot: {jsonl}:{number}: expected an object with a "text" field')
            raise typer.Exit(2) from None
        typer.echo(result(message))


# -- configuration ---------------------------------------------------------------------------


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the example.")] = Path(
        "klachtbot.toml"
    ),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example klachtbot.toml."""
    if path.exists() and not force:
        err.print(f"klachtbot: {path} exists; use --force to overwrite it")
        raise typer.Exit(1)
    path.write_text(render("config/klachtbot.toml.j2") + "\n", encoding="utf-8")
    out.print(f"wrote {path}")


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Print the effective settings, secrets masked."""
    settings = _settings(ctx)
    typer.echo(json_inert(json.dumps(masked(settings), indent=2, ensure_ascii=False)))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database schema to the newest version."""
    settings = _settings(ctx)

    async def migrate() -> str | None:
        engine = await open_database(settings.database.url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    out.print(f"database at revision {_run(migrate, settings)}")


# -- cases -----------------------------------------------------------------------------------


def _with_sessions(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    async def go() -> T:
        engine = await open_database(settings.database.url)
        try:
            return await work(session_factory(engine))
        finally:
            await engine.dispose()

    return _run(go, settings)


@cases_app.command("list")
def cases_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """Cases, newest first."""
    settings = _settings(ctx)
    tz = settings.organisation.tz
    out.print(_with_sessions(settings, lambda sessions: casefile.case_table(sessions, limit, tz)))


@cases_app.command("show")
def cases_show(ctx: typer.Context, number: str) -> None:
    """One case: its fields, the handoff summary and every message."""
    settings = _settings(ctx)
    tz = settings.organisation.tz
    shown = _with_sessions(settings, lambda sessions: casefile.case_detail(sessions, number, tz))
    if shown is None:
        err.print(f"klachtbot: no case {number}")
        raise typer.Exit(1)
    for part in shown:
        out.print(part)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        # Ctrl-C before a command's own handling is in place (while loading): no traceback.
        raise SystemExit(130) from None
