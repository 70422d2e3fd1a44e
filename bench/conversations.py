"""Simulated customers through the wired app (issue 15): how well the conversation listens.

Runs every persona in tests/conversations on a fresh SQLite database and prints a Markdown
table with the tuning set and the held-out set apart. `--detail` adds one line per
conversation saying what was not clean.

    python -m bench.conversations [--detail]
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


def detail(results: list[Measures]) -> str:
    lines = []
    for r in results:
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
    args = parser.parse_args()
    # The app logs every message; the table is the output.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    results = asyncio.run(measure_all())
    print(table(results))
    if args.detail:
        print()
        print(detail(results))


if __name__ == "__main__":
    main()
