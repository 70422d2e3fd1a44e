"""A per-recipient cap on automatic mail, so two bots answering each other cannot loop.

Pure: the caller reads when automatic mails went to the recipient (from the outbox) and
asks. The window is the hour up to and including `now`; a mail sent exactly an hour ago has
left it, so `allowed(..., now=next_allowed_at(...))` is always true.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)


def _in_window(sent_times: Sequence[datetime], now: datetime) -> list[datetime]:
    # Times after `now` (another host's clock running ahead) count as recent: when in
    # doubt, send less.
    return sorted(sent for sent in sent_times if sent > now - WINDOW)


def _check(per_hour: int) -> None:
    if per_hour < 1:
        raise ValueError(f"per_hour must be at least 1, not {per_hour}")


def allowed(sent_times: Sequence[datetime], now: datetime, *, per_hour: int) -> bool:
    """True if one more automatic mail stays within `per_hour` for the last hour."""
    _check(per_hour)
    return len(_in_window(sent_times, now)) < per_hour


def next_allowed_at(sent_times: Sequence[datetime], now: datetime, *, per_hour: int) -> datetime:
    """The first moment `allowed` is true: `now` if it already is, else when enough of the
    oldest mails in the window have dropped out of it."""
    _check(per_hour)
    recent = _in_window(sent_times, now)
    if len(recent) < per_hour:
        return now
    # With more than per_hour in the window (the limit was lowered), several must leave:
    # once this one is out, per_hour - 1 remain.
    return recent[len(recent) - per_hour] + WINDOW
