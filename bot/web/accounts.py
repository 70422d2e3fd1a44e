"""Handler accounts for the web desk: reading a new password and storing its hash.

Behind `klachtbot handlers passwd NAME` (bot/cli_handlers.py): on a terminal the password is
asked twice, without echo; `--password-stdin` reads one line from standard input, for scripts.
Setting a password ends the handler's open desk sessions.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from datetime import datetime

from bot.web.passwords import MIN_LENGTH, hash_password
from storage import desk
from storage import handlers as repo
from storage.db import SessionFactory, transaction


class PasswordRefused(Exception):
    """No password was taken; the message says why, `exit_code` is what the command exits with."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def read_new_password(*, from_stdin: bool, prompts: tuple[str, str]) -> str:
    """`prompts`: what to ask, the first time and the second (on a terminal)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sys.stdin.isatty():
        raise PasswordRefused("no terminal to ask on; use --password-stdin", exit_code=2)
    else:
        password = getpass.getpass(prompts[0])
        if getpass.getpass(prompts[1]) != password:
            raise PasswordRefused("the two passwords differ; nothing changed")
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(f"a password needs at least {MIN_LENGTH} characters")
    return password


async def set_password(
    sessions: SessionFactory,
    *,
    configured: Sequence[repo.HandlerConfig],
    name: str,
    password: str,
    now: datetime,
) -> str | None:
    """The handler's name as configured once the password is set; None when no configured
    handler has that name."""
    hashed = await hash_password(password)
    async with transaction(sessions) as session:
        await repo.sync_handlers(session, configured=configured)
        handler = await repo.handler_by_name(session, name=name)
        if handler is None or handler.id is None or handler.role == repo.FORMER:
            return None
        await desk.set_password_hash(session, handler_id=handler.id, hash=hashed, now=now)
        return handler.name
