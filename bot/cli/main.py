"""The `klachtbot` command: one Typer app with every command group registered on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli import (
    cases,
    handlers,
    improvements,
    mail,
    outbox,
    privacy,
    report,
    running,
    setup,
    understanding,
)

# No local variables in a traceback, whichever typer version: they hold tokens and passwords.
app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Complaint intake bot.",
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Path to klachtbot.toml (else $KLACHTBOT_CONFIG)."),
    ] = None,
) -> None:
    ctx.obj = config


for group in (
    running,
    understanding,
    setup,
    cases,
    report,
    improvements,
    handlers,
    mail,
    outbox,
    privacy,
):
    group.register(app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        # Ctrl-C before a command's own handling is in place (while loading): no traceback.
        raise SystemExit(130) from None
