"""A terminal chat as one customer: lines in, bot replies out.

Interactive: an empty line (or the dialogue's pause timer) ends a burst. Scripted: the
line `~pause` ends a burst and waits until the bot has answered; end of file does too.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TextIO

from channels.base import (
    ChannelTraits,
    CustomerPaused,
    DeliveryResult,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
)
from common.clock import Clock
from common.terminal import json_inert, turn

PAUSE_LINE = "~pause"

LineSource = Callable[[], Awaitable[str | None]]
Settle = Callable[[], Awaitable[None]]


def stdin_lines(stream: TextIO) -> LineSource:
    """Read lines on a daemon thread: a blocked readline must not keep the process alive
    after a stop signal, which a worker thread from `asyncio.to_thread` would."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        for line in iter(stream.readline, ""):
            loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\r\n"))
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=pump, name="console-stdin", daemon=True).start()
    return lines.get


def script_lines(lines: Iterable[str]) -> LineSource:
    remaining = iter(lines)

    async def read() -> str | None:
        line = next(remaining, None)
        return None if line is None else line.rstrip("\r\n")

    return read


@dataclass(frozen=True)
class Speakers:
    """How turns are shown: who speaks (in the customer's language), and the width to wrap to
    (asked per reply: the terminal can be resized). `echo_customer` repeats the customer's
    lines, for a scripted chat, where nobody typed them."""

    bot: str
    customer: str
    echo_customer: bool
    width: Callable[[], int]


class ConsoleChannel:
    name = "console"
    # A typed chat: a pause ends a burst; choices are only named in the text.
    traits = ChannelTraits()

    def __init__(
        self,
        *,
        customer: str,
        read_line: LineSource,
        out: TextIO,
        clock: Clock,
        speakers: Speakers,
        language: str | None = None,
        json_output: bool = False,
        interactive: bool = False,
    ) -> None:
        self.customer = customer
        self._read_line = read_line
        self._out = out
        self._clock = clock
        self._language = language
        self._json = json_output
        self._interactive = interactive
        self._speakers = speakers
        # Line numbers restart every run; the run id keeps external ids unique across runs.
        self._run = uuid.uuid4().hex[:12]
        self._sent = 0
        self._settle: Settle | None = None

    def on_pause_settled(self, settle: Settle) -> None:
        """Wire in how to wait until the bot has answered everything due."""
        self._settle = settle

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def inbound(self) -> AsyncIterator[InboundEvent]:
        number = 0
        while (line := await self._read_line()) is not None:
            if line.strip() == PAUSE_LINE or (self._interactive and not line.strip()):
                yield self._pause()
                await self._wait_for_bot()
                continue
            if not line.strip():
                continue
            number += 1
            if self._speakers.echo_customer and not self._json:
                self._show(self._speakers.customer, line)
            yield InboundMessage(
                channel=self.name,
                external_id=f"{self._run}:{number}",
                sender=self.customer,
                sender_name=self.customer,
                text=line,
                received_at=self._clock(),
                language=self._language,
            )
        yield self._pause()
        await self._wait_for_bot()

    async def acknowledge(self, message: InboundMessage) -> None:
        return None

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        if message.recipient != self.customer:
            return DeliveryResult.failed("that customer is not at this console", permanent=True)
        self._sent += 1
        if self._json:
            record = {
                "case": message.case_number,
                "state": message.meta.get("state"),
                "text": message.text,
                "choices": message.meta.get("choices", []),
            }
            line = json_inert(json.dumps(record, ensure_ascii=False))
            print(line, file=self._out, flush=True)
        else:
            self._show(self._speakers.bot, message.text)
        return DeliveryResult.sent(f"console:{self._run}:{self._sent}")

    def _show(self, speaker: str, text: str) -> None:
        # A reply can quote what a customer wrote: `turn` shows it inertly.
        shown = turn(speaker, text, width=self._speakers.width())
        print(f"\n{shown}", file=self._out, flush=True)

    def _pause(self) -> CustomerPaused:
        return CustomerPaused(channel=self.name, sender=self.customer, at=self._clock())

    async def _wait_for_bot(self) -> None:
        if self._settle is not None:
            await self._settle()
