"""Structured logs: one line per event, bound to the case, without message bodies or
addresses at INFO (those appear at DEBUG only)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

import structlog


def configure(*, level: str, fmt: str, file: str | None = None) -> None:
    stream: TextIO = sys.stderr
    if file:
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        stream = open(file, "a", encoding="utf-8")  # noqa: SIM115  (lives as long as the process)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )


log = structlog.get_logger("klachtbot")
