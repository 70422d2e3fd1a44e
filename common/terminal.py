"""What the CLI prints: text from outside (customers, mail headers, Telegram names) shown
inertly, so it can neither command the operator's terminal nor Rich.

A customer chooses their name, their words and their mail headers. Printed as they are,
`[/b]` would make Rich refuse the whole table, `[link=…]` would become a clickable link,
and escape sequences would reach the terminal itself: set the window title, write the
clipboard (OSC 52), hide text or move the cursor over other lines. `inert` removes them;
`out` and `err` are consoles that pass every string through it and read no markup at all.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from rich.console import Console
from rich.text import Text

# Escape sequences as terminals read them (ECMA-48), 7-bit and 8-bit forms:
# - OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \ or 0x9C), or to the end of the
#   text when it is never ended (the terminal would swallow what follows anyway);
# - CSI: parameters, intermediates, one final byte;
# - any other ESC plus one character (charset switches, cursor save, reset).
_SEQUENCE = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
# What is left of control characters after the sequences: C0 but tab and newline, DEL, C1,
# and the bidi embeddings, overrides and isolates that reorder what is shown (Trojan Source).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same characters as JSON \u escapes: JSON itself escapes only C0.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """`text` without escape sequences and control characters (tab and newline stay)."""
    if text.isprintable():  # the common case: nothing to remove, no regex run
        return text
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


def json_inert(encoded: str) -> str:
    """JSON text with the characters a terminal acts on written as \\u escapes: the data
    stays the same for a program that reads it."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)


def turn(speaker: str, text: str, *, width: int) -> str:
    """One turn of a chat: `speaker: text`, inert, each line wrapped to `width` with the
    lines after the first indented under it. Words are never split: case numbers, phone
    numbers, addresses and links stay whole, and a line keeps its own indentation."""
    lines: list[str] = []
    lead = f"{inert(speaker)}: "
    for line in inert(text).splitlines() or [""]:
        own = line[: len(line) - len(line.lstrip())]
        first = lead if not lines else "  "
        lines += textwrap.wrap(
            line.strip(),
            width=max(width, 20),
            initial_indent=first + own,
            subsequent_indent="  " + own,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [first.rstrip()]
    return "\n".join(lines)


class InertConsole(Console):
    """A Rich console that treats every string as plain text from outside: no markup, no
    emoji codes, escape sequences and control characters removed. Styled output is built
    from `rich.text.Text` by our own code."""

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **options)

    def render_str(self, text: str, **options: Any) -> Text:
        # Every string Rich prints passes here: print(), table cells, panels, titles.
        options.update(markup=False, emoji=False)
        return super().render_str(inert(text), **options)


out = InertConsole()
# Messages, one per line: never wrapped at the terminal width.
err = InertConsole(stderr=True, soft_wrap=True)
