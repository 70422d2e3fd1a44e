"""Login attempts slowed down after repeated failures, per name and per client address.

Five wrong passwords in a row lock that name (and that address) for a minute, each further
failure doubles the wait, up to fifteen minutes; a successful login clears the name's count.
Kept in memory: one desk process per bot, and a restart forgetting the counts costs an
attacker a restart of our process, not a way in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from common.clock import Clock

FREE_ATTEMPTS = 5
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)


@dataclass
class _Failures:
    count: int
    last: datetime


class LoginThrottle:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._failures: dict[str, _Failures] = {}

    def wait(self, *keys: str) -> timedelta:
        """How long any of `keys` must still wait before its next attempt."""
        now = self._clock()
        return max((self._wait_for(key, now) for key in keys), default=timedelta(0))

    def _wait_for(self, key: str, now: datetime) -> timedelta:
        failures = self._failures.get(key)
        if failures is None or failures.count < FREE_ATTEMPTS:
            return timedelta(0)
        wait = min(FIRST_WAIT * 2 ** (failures.count - FREE_ATTEMPTS), LONGEST_WAIT)
        left: timedelta = failures.last + wait - now
        return max(left, timedelta(0))

    def failed(self, *keys: str) -> None:
        now = self._clock()
        self._forget_old(now)
        for key in keys:
            failures = self._failures.setdefault(key, _Failures(0, now))
            failures.count += 1
            failures.last = now

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _forget_old(self, now: datetime) -> None:
        for key in [k for k, f in self._failures.items() if now - f.last > FORGET_AFTER]:
            del self._failures[key]
