"""`klachtbot init`, `config show`, `db upgrade`: the configuration and the schema."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import run, settings_of
from bot.config.settings import masked
from bot.runtime.database import open_database
from common.templates import render
from common.terminal import err, json_inert, out
from storage.db import current_revision

config_app = typer.Typer(no_args_is_help=True, help="Inspect the configuration.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")


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
    # Fresh keys for every file written: the desk's sessions (`[web] secret_key`) and the
    # hashes of erased mail (`[privacy] hash_key`, bot.privacy).
    text = render(
        "config/klachtbot.toml.j2",
        secret_key=secrets.token_urlsafe(32),
        hash_key=secrets.token_urlsafe(32),
    )
    path.write_text(text + "\n", encoding="utf-8")
    out.print(f"wrote {path}")


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Print the effective settings, secrets masked."""
    settings = settings_of(ctx)
    typer.echo(json_inert(json.dumps(masked(settings), indent=2, ensure_ascii=False)))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database schema to the newest version."""
    settings = settings_of(ctx)

    async def migrate() -> str | None:
        engine = await open_database(settings.database.url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    out.print(f"database at revision {run(migrate, settings)}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(config_app, name="config")
    app.add_typer(db_app, name="db")
