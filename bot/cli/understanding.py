"""`klachtbot classify`: what the bot understands of a message, as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import settings_of
from common.clock import utc_now
from common.terminal import err, json_inert


def classify(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="The message to understand.")] = None,
    jsonl: Annotated[
        Path | None, typer.Option(help='Read one {"text": …} per line; write one result per line.')
    ] = None,
) -> None:
    """Print what the bot understands of a message, as JSON."""
    from bot.nlu import understand  # loads the model: only for this command

    settings = settings_of(ctx)
    today = utc_now().astimezone(settings.organisation.tz).date()
    fields = (
        "language",
        "intent",
        "explicit",
        "category",
        "anger",
        "danger",
        "emergency_kind",
        "confidence",
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


def register(app: typer.Typer) -> None:
    app.command("classify")(classify)
