"""Structured logs: one line per event, bound to the case, without message bodies or
addresses at INFO (those appear at DEBUG only).

No secret reaches a log line. Exceptions are rendered as plain tracebacks, never with
their local variables (a frame's locals hold tokens, passwords, request headers); and as a
last guard every rendered line has the configured secrets blanked out, which also covers
a library that puts one in an exception message (PTB names a refused token, URLs carry
it). Libraries that log through the standard `logging` module (PTB, httpx, aioimaplib,
asyncio) go through the same renderer and the same guard, from WARNING up. Control and
escape sequences are removed too: a log line may contain a customer's words and is read
on a terminal.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

import structlog

from common.terminal import inert

HIDDEN = "***"


def configure(
    *, level: str, fmt: str, file: str | None = None, secrets: Iterable[str] = ()
) -> None:
    """`secrets`: values never to show (`bot.config.settings.secret_values`)."""
    stream: TextIO = sys.stderr
    if file:
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        stream = open(file, "a", encoding="utf-8")  # noqa: SIM115  (lives as long as the process)
    json = fmt == "json"
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # JSON gets the traceback as a string here; the console renderer formats it.
            *([structlog.processors.format_exc_info] if json else []),
            Scrubbed(renderer, secrets),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    _route_standard_logging()


class Scrubbed:
    """The last processor: `renderer`'s line with every secret hidden and control and
    escape sequences removed."""

    def __init__(self, renderer: structlog.typing.Processor, secrets: Iterable[str]) -> None:
        self._renderer = renderer
        self._forms = _forms(secrets)

    def __call__(self, logger: Any, method: str, event: structlog.typing.EventDict) -> str:
        return inert(_replace(str(self._renderer(logger, method, event)), self._forms))


def hide(text: str, secrets: Iterable[str]) -> str:
    """`text` with each of `secrets` (also URL-quoted) replaced by ***."""
    return _replace(text, _forms(secrets))


def _forms(secrets: Iterable[str]) -> tuple[str, ...]:
    forms = {form for secret in secrets if secret for form in (secret, quote(secret))}
    # Longest first: a secret that contains another is hidden whole.
    return tuple(sorted(forms, key=len, reverse=True))


def _replace(text: str, forms: tuple[str, ...]) -> str:
    for form in forms:
        text = text.replace(form, HIDDEN)
    return text


class _ToStructlog(logging.Handler):
    """A `logging` record rendered like our own events."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            structlog.get_logger().log(
                record.levelno,
                record.getMessage(),
                logger=record.name,
                exc_info=record.exc_info or None,
            )
        except Exception:
            self.handleError(record)


def _route_standard_logging() -> None:
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _ToStructlog)]:
        root.removeHandler(handler)
    root.addHandler(_ToStructlog())
    # Below WARNING, httpx alone logs every request's URL, and the URL carries the token.
    root.setLevel(logging.WARNING)


log = structlog.get_logger("klachtbot")
