"""Telegram's errors sorted into what the dispatcher needs to know: retry, wait, or give up."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from channels.base import DeliveryResult


def retry_after_seconds(exc: RetryAfter) -> float:
    # PTB 22 returns int or timedelta depending on PTB_TIMEDELTA and warns about the int.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def failure(exc: TelegramError) -> DeliveryResult:
    error = f"{type(exc).__name__}: {exc.message}"
    if isinstance(exc, RetryAfter):
        return DeliveryResult.failed(error, retry_after=retry_after_seconds(exc))
    # Blocked by the user, chat gone, message refused: sending again will not help.
    if isinstance(exc, Forbidden | BadRequest | InvalidToken):
        return DeliveryResult.failed(error, permanent=True)
    return DeliveryResult.failed(error)
