"""The dialogue's choices as an inline keyboard, and a pressed button back as a choice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

CHOICE_PREFIX = "choice:"


def choice_keyboard(
    choices: Sequence[str], labels: Mapping[str, str]
) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    row = [
        InlineKeyboardButton(labels.get(choice, choice), callback_data=CHOICE_PREFIX + choice)
        for choice in choices
    ]
    return InlineKeyboardMarkup([row])


def choice_of(callback_data: str | None) -> str | None:
    if callback_data and callback_data.startswith(CHOICE_PREFIX):
        return callback_data.removeprefix(CHOICE_PREFIX) or None
    return None


def button_keyboard(buttons: Sequence[Sequence[str]]) -> InlineKeyboardMarkup | None:
    """Buttons the core named outright, as [label, callback data] pairs, one row."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in buttons]]
    )
