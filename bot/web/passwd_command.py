"""`klachtbot handlers passwd NAME`: set a handler's password for the web desk.

On a terminal the password is asked twice, without echo; `--password-stdin` reads one line
from standard input, for scripts. Setting a password ends the handler's open desk sessions.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from bot.clock import utc_now
from bot.terminal import err, out
from bot.web.passwords import MIN_LENGTH, hash_password
from storage import desk
from storage import handlers as repo
from storage.db import SessionFactory, transaction


def handlers_passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The handler's name, as configured.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set the password a handler logs in to the web desk with."""
    # Imported here, not at the top: bot.cli imports the handlers commands to register them.
    from bot.cli import _settings, _with_sessions

    settings = _settings(ctx)
    password = _read_password(from_stdin=password_stdin)

    async def work(sessions: SessionFactory) -> str | None:
        hashed = await hash_password(password)
        async with transaction(sessions) as session:
            await repo.sync_handlers(session, configured=settings.handlers)
            handler = await repo.handler_by_name(session, name=name)
            if handler is None or handler.id is None or handler.role == repo.FORMER:
                return None
            await desk.set_password_hash(session, handler_id=handler.id, hash=hashed, now=utc_now())
            return handler.name

    changed = _with_sessions(settings, work)
    if changed is None:
        err.print(f"klachtbot: no handler named {name!r} in [[handlers]]", highlight=False)
        raise typer.Exit(1)
    out.print(f"{changed}: password set; open desk sessions ended", highlight=False)


def _read_password(*, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sys.stdin.isatty():
        err.print("klachtbot: no terminal to ask on; use --password-stdin", highlight=False)
        raise typer.Exit(2)
    else:
        password = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != password:
            err.print("klachtbot: the two passwords differ; nothing changed", highlight=False)
            raise typer.Exit(1)
    if len(password) < MIN_LENGTH:
        err.print(f"klachtbot: a password needs at least {MIN_LENGTH} characters", highlight=False)
        raise typer.Exit(1)
    return password
