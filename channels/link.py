"""A channel's link to its service (the mailbox, the Bot API): up or down, and why.

A channel that loses its service keeps trying on its own, with a capped backoff. Every
failed attempt is a WARNING naming the setting to look at, with the wait until the next
one; getting through again is an INFO. The state is what `App.status()` shows.
"""

from __future__ import annotations

from channels.base import ChannelStatus
from common.logs import log
from common.problems import Problem


class Link:
    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._problem: Problem | None = None
        self._connected = False
        self.failures = 0  # in a row, since the link was last up

    def status(self) -> ChannelStatus:
        if self._connected:
            return ChannelStatus(connected=True)
        return ChannelStatus(connected=False, problem=str(self._problem or "connecting"))

    def up(self) -> None:
        if not self._connected and self.failures:
            log.info("channel.connected", channel=self.channel, after_failures=self.failures)
        self._connected, self._problem, self.failures = True, None, 0

    def down(self, problem: Problem, *, retry_in: float) -> None:
        self._connected, self._problem = False, problem
        self.failures += 1
        log.warning(
            "channel.not_connected",
            channel=self.channel,
            problem=str(problem),
            retry_in_s=round(retry_in, 1),
        )
