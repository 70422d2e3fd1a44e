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

_BOUNDARY = "\\b"


def top_level_alternatives(pattern: str) -> list[str]:
    """`pattern` split at `|` outside groups and character classes, groups made non-capturing."""
    parts: list[str] = []
    out: list[str] = []
    depth = 0
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            # A "]" right after "[" or "[^" is a literal member, not the end of the class.
            end = i + 1
            if pattern.startswith("^", end):
                end += 1
            if pattern.startswith("]", end):
                end += 1
            out.append(pattern[i:end])
            i = end
            continue
        elif ch == "(":
            depth += 1
            if not pattern.startswith("?", i + 1):
                ch = "(?:"
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(out))
            out = []
            i += 1
            continue
        out.append(ch)
        i += 1
    parts.append("".join(out))
    return parts


def layout(*patterns: str) -> str:
    """The alternation of `patterns`, with runs of `\\b` alternatives behind one shared `\\b`."""
    runs: list[tuple[bool, list[str]]] = []
    for pattern in patterns:
        for alternative in top_level_alternatives(pattern):
            bounded = alternative.startswith(_BOUNDARY)
            if bounded and runs and runs[-1][0]:
                runs[-1][1].append(alternative[len(_BOUNDARY) :])
            elif bounded:
                runs.append((True, [alternative[len(_BOUNDARY) :]]))
            else:
                runs.append((False, [alternative]))
    return "|".join(
        f"{_BOUNDARY}(?:{'|'.join(alts)})" if bounded else alts[0] for bounded, alts in runs
    )


def alternation(*patterns: str) -> re.Pattern[str]:
    return re.compile(layout(*patterns))
