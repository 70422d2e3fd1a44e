"""Simulated customers through the wired app (issue 15): how well the conversation listens.

Runs every persona in tests/conversations on a fresh SQLite database and prints a Markdown
table with the tuning set and the held-out set apart, then the same measures before issue 15's
dialogue work and now. `--detail` adds one line per tuning conversation saying what was not
clean; the held-out conversations are only counted (they are not to be tuned on), unless
`--held-out-detail` is given for the final report.

    python -m bench.conversations [--detail] [--held-out-detail]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path

import structlog

from tests.conversations.metrics import Measures, measure
from tests.conversations.personas import PERSONAS
from tests.conversations.simulator import run_persona


async def measure_all() -> list[Measures]:
    results: list[Measures] = []
    with tempfile.TemporaryDirectory() as folder:
        for persona in PERSONAS:
            url = f"sqlite+aiosqlite:///{Path(folder) / persona.key}.db"
            results.append(measure(await run_persona(persona, url)))
    return results


def row(name: str, results: list[Measures]) -> str:
    given = sum(r.facts_given for r in results)
    recalled = sum(r.facts_recalled for r in results)
    asked = sum(r.asked_back for r in results)
    cells = [
        name,
        str(len(results)),
        f"{sum(r.clean for r in results)}",
        f"{recalled}/{given} ({recalled / given:.0%})" if given else "—",
        str(sum(len(r.misslotted) for r in results)),
        str(sum(len(r.reasked) for r in results)),
        f"{sum(r.answered_back for r in results)}/{asked}",
        f"{sum(r.route_right for r in results)}/{len(results)}",
        f"{sum(r.ack_first for r in results)}/{len(results)}",
        f"{sum(r.max_questions <= 1 for r in results)}/{len(results)}",
        f"{sum(r.promised for r in results if r.promise_needed)}/"
        f"{sum(r.promise_needed for r in results)}",
    ]
    return "| " + " | ".join(cells) + " |"


def table(results: list[Measures]) -> str:
    head = (
        "| set | conversations | clean | fact recall | mis-slotted facts | re-asked questions "
        "| questions back answered | routes right | ack first | ≤1 question per message "
        "| day+time promised |"
    )
    rule = "|" + "---|" * 11
    tuning = [r for r in results if not r.held_out]
    held_out = [r for r in results if r.held_out]
    return "\n".join(
        [head, rule, row("tuning", tuning), row("held-out", held_out), row("all", results)]
    )


# Measured on the dialogue before issue 15's work (docs/conversations.md, "Baseline"):
# clean, fact recall (recalled, given), mis-slotted, re-asked, questions back (answered, asked).
BEFORE: dict[str, tuple[int, tuple[int, int], int, int, tuple[int, int]]] = {
    "tuning": (12, (59, 71), 9, 6, (0, 4)),
    "held-out": (6, (34, 38), 5, 7, (0, 1)),
}


def comparison(results: list[Measures]) -> str:
    head = (
        "| set | clean before → after | fact recall before → after | mis-slotted before → after "
        "| re-asked before → after | questions back answered before → after |"
    )
    lines = [head, "|" + "---|" * 6]
    for name, held_out in (("tuning", False), ("held-out", True)):
        part = [r for r in results if r.held_out == held_out]
        clean, (recalled, given), slotted, reasked, (answered, asked) = BEFORE[name]
        now_given = sum(r.facts_given for r in part)
        now_recalled = sum(r.facts_recalled for r in part)
        cells = [
            name,
            f"{clean}/{len(part)} → {sum(r.clean for r in part)}/{len(part)}",
            f"{recalled / given:.0%} → {now_recalled / now_given:.0%}" if now_given else "—",
            f"{slotted} → {sum(len(r.misslotted) for r in part)}",
            f"{reasked} → {sum(len(r.reasked) for r in part)}",
            f"{answered}/{asked} → {sum(r.answered_back for r in part)}/"
            f"{sum(r.asked_back for r in part)}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def detail(results: list[Measures], *, held_out: bool) -> str:
    lines = []
    for r in results:
        if r.held_out and not held_out:
            continue
        problems = []
        if not r.route_right:
            problems.append(f"route {r.route_reached} (expected {r.route_expected})")
        if not r.ack_first:
            problems.append("first reply asks a question")
        if r.max_questions > 1:
            problems.append(f"{r.max_questions} questions in one message")
        problems += [f"re-asked {q}" for q in r.reasked]
        problems += [f"mis-slotted {m}" for m in r.misslotted]
        if r.missing:
            problems.append("not in the handler summary: " + ", ".join(r.missing))
        if r.promise_needed and not r.promised:
            problems.append("no day and time promised")
        if r.answered_back < r.asked_back:
            problems.append("question back unanswered")
        mark = "held-out" if r.held_out else "tuning"
        lines.append(f"- {r.key} ({mark}): " + ("clean" if r.clean else "; ".join(problems)))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detail", action="store_true", help="one line per conversation")
    parser.add_argument(
        "--held-out-detail",
        action="store_true",
        help="also the held-out conversations' lines (for the final report only)",
    )
    args = parser.parse_args()
    # The app logs every message; the table is the output.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    results = asyncio.run(measure_all())
    print(table(results))
    print()
    print(comparison(results))
    if args.detail or args.held_out_detail:
        print()
        print(detail(results, held_out=args.held_out_detail))


if __name__ == "__main__":
    main()
