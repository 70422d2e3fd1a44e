"""Why something the settings point at does not work, said in one line that names the
setting: `database.url: cannot connect to 127.0.0.1:5999 (connection refused)`.

Foreign exceptions (sockets, TLS) are translated here into a `Problem`; the database's own
(asyncpg, sqlite3) in `bot.runtime.database`.
A problem is either the settings' fault (`configuration`: a wrong password, a database
that does not exist, an unknown host, a refused token, a TLS mismatch; retrying will not
help) or a service that is away for now (connection refused, no answer). The text never
holds a secret: it is built from host names, ports and the server's own words, never
from a URL or a configured credential.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

EXIT_CONFIGURATION = 2
EXIT_UNAVAILABLE = 1
_UNKNOWN_HOST = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


@dataclass(frozen=True)
class Problem:
    setting: str  # the key to look at, e.g. "email.imap_host"
    reason: str
    configuration: bool = True  # False: the service is away for now, a retry may help

    def __str__(self) -> str:
        return f"{self.setting}: {self.reason}"


class StartupFailure(Exception):
    """A part cannot start. The CLI prints `error: <problem>` and exits with `exit_code`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem

    @property
    def exit_code(self) -> int:
        return EXIT_CONFIGURATION if self.problem.configuration else EXIT_UNAVAILABLE


def causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it was raised from or during, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def network_problem(
    exc: BaseException,
    *,
    setting: str,
    host: str,
    port: int,
    security_setting: str | None = None,
) -> Problem | None:
    """The network or TLS failure somewhere in `exc`'s causes; None if there is none.
    `setting` names where the host is configured, `security_setting` the TLS choice."""
    where = f"{host}:{port}"
    for cause in causes(exc):
        if isinstance(cause, socket.gaierror):
            if cause.errno in _UNKNOWN_HOST:
                return Problem(setting, f"unknown host {host!r}")
            return Problem(setting, f"cannot look up {host} ({strerror(cause)})", False)
        if isinstance(cause, ssl.SSLCertVerificationError):
            return Problem(
                setting, f"the TLS certificate of {where} is not accepted ({cause.verify_message})"
            )
        if isinstance(cause, ssl.SSLError):
            reason = cause.reason or strerror(cause)
            return Problem(
                security_setting or setting,
                f"TLS with {where} failed ({reason}): does that port take this security?",
            )
        if isinstance(cause, TimeoutError):
            return Problem(setting, f"cannot connect to {where} (no answer)", False)
        if isinstance(cause, OSError) and cause.errno is not None:
            return Problem(setting, f"cannot connect to {where} ({strerror(cause)})", False)
    return None


def strerror(exc: OSError) -> str:
    if isinstance(exc.errno, int) and exc.errno > 0:
        return os.strerror(exc.errno).lower()
    return str(exc.strerror or exc).lower()
