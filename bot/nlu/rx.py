"""Cue alternations compiled so a scan costs one cheap test per position, not one per cue.

Python's `re` tries every alternative at every position of the text. When all alternatives of
an alternation start with `\\b`, its parser moves that word-boundary test in front of the
alternation, so inside a word (most positions) the whole cue group fails at once. A single
alternative without a leading `\\b` ("no one", "^brand") or a wrapped alternative with its own
`|` defeats that and made a scan 10-20 times slower. Here every top-level alternative is
unwrapped and consecutive ones that start with `\\b` share one boundary test, in the original
order, so each scan finds exactly the matches the plain alternation would. Callers only count
or test for matches, so groups are made non-capturing too: recording group bounds at every
attempt cost as much again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_BOUNDARY = "\\b"


def _tokens(pattern: str) -> Iterator[tuple[int, str]]:
    """`pattern` as (index, token): an escape, a whole character class, or one character;
    so a "(", ")" or "|" token is never inside an escape or a class."""
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            token = pattern[i : i + 2]
        elif pattern[i] == "[":
            end = i + 1
            # A "]" right after "[" or "[^" is a literal member, not the end of the class.
            if pattern.startswith("^", end):
                end += 1
            if pattern.startswith("]", end):
                end += 1
            while end < len(pattern) and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            token = pattern[i : end + 1]
        else:
            token = pattern[i]
        yield i, token
        i += len(token)


def top_level_alternatives(pattern: str) -> list[str]:
    """`pattern` split at `|` outside groups and character classes, groups made non-capturing."""
    parts: list[str] = []
    out: list[str] = []
    depth = 0
    for i, token in _tokens(pattern):
        if token == "(":
            depth += 1
            if not pattern.startswith("?", i + 1):
                token = "(?:"
        elif token == ")":
            depth -= 1
        elif token == "|" and depth == 0:
            parts.append("".join(out))
            out = []
            continue
        out.append(token)
    parts.append("".join(out))
    return parts


def _group_end(pattern: str) -> int:
    """Index of the ")" closing the group that `pattern` starts with."""
    depth = 0
    for i, token in _tokens(pattern):
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced group in {pattern!r}")


def _spread(alternative: str) -> list[str]:
    """`(?:a|b)rest` as `arest`, `brest`: tried in the same order with the same backtracking,
    so the same match wins, but each now starts with a literal that `re` can check before
    entering it, where a group has to be entered at every word start."""
    if not alternative.startswith("(?:"):
        return [alternative]
    end = _group_end(alternative)
    inner = top_level_alternatives(alternative[len("(?:") : end])
    rest = alternative[end + 1 :]
    if rest.startswith("?") and rest[1:2] not in ("?", "+"):
        # A greedy optional group is tried with its content first, then without it.
        rest = rest[1:]
        return [*(s for a in inner for s in _spread(a + rest)), *_spread(rest)]
    if rest[:1] in ("?", "*", "+", "{"):
        return [alternative]
    return [spread for a in inner for spread in _spread(a + rest)]


def layout(*patterns: str) -> str:
    """The alternation of `patterns`, with runs of `\\b` alternatives behind one shared `\\b`."""
    runs: list[tuple[bool, list[str]]] = []
    for pattern in patterns:
        for alternative in top_level_alternatives(pattern):
            bounded = alternative.startswith(_BOUNDARY)
            spread = _spread(alternative[len(_BOUNDARY) :] if bounded else alternative)
            if bounded and runs and runs[-1][0]:
                runs[-1][1].extend(spread)
            elif bounded:
                runs.append((True, spread))
            else:
                runs.extend((False, [a]) for a in spread)
    return "|".join(
        f"{_BOUNDARY}(?:{'|'.join(alts)})" if bounded else alts[0] for bounded, alts in runs
    )


def alternation(*patterns: str) -> re.Pattern[str]:
    return re.compile(layout(*patterns))
