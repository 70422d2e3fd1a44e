"""The conversation's quality bar (issue 15): every tuning persona, run through the wired app,
must come out clean on every measure. All run on SQLite, a quarter also on PostgreSQL.

The held-out personas are run and reported as a whole, never one by one: their numbers are
printed and only a floor is asserted, so nobody tunes the dialogue on their transcripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conversations.metrics import Measures, measure
from tests.conversations.personas import PERSONAS, Persona
from tests.conversations.simulator import run_persona

TUNING = [p for p in PERSONAS if not p.held_out]
HELD_OUT = [p for p in PERSONAS if p.held_out]
# A quarter of the personas also run on PostgreSQL: every fourth, across both sets.
ON_POSTGRES = {p.key for p in PERSONAS[::4]}


def runs(personas: list[Persona]) -> list[Any]:
    found = [pytest.param(p, "sqlite", id=f"{p.key}-sqlite") for p in personas]
    found += [
        pytest.param(p, "postgresql", id=f"{p.key}-postgresql")
        for p in personas
        if p.key in ON_POSTGRES
    ]
    return found


def faults(m: Measures) -> list[str]:
    found: list[str] = []
    if not m.route_right:
        found.append(f"route {m.route_reached}, expected {m.route_expected}")
    if not m.ack_first:
        found.append("the first reply asks a question")
    if m.max_questions > 1:
        found.append(f"{m.max_questions} questions in one message")
    found += [f"re-asked {q}" for q in m.reasked]
    found += [f"mis-slotted {s}" for s in m.misslotted]
    if m.missing:
        found.append("not in the handler summary: " + ", ".join(m.missing))
    if m.promise_needed and not m.promised:
        found.append("no concrete day and time promised")
    if m.answered_back < m.asked_back:
        found.append(f"questions back answered {m.answered_back}/{m.asked_back}")
    return found


@pytest.mark.parametrize(("persona", "database_url"), runs(TUNING), indirect=["database_url"])
async def test_a_tuning_persona_gets_a_clean_conversation(
    persona: Persona, database_url: str, engine: AsyncEngine
) -> None:
    conversation = await run_persona(persona, database_url)
    measures = measure(conversation)
    transcript = "\n".join(
        f"> {turn.customer}\n" + "\n".join(f"< {text}" for text in turn.bot)
        for turn in conversation.turns
    )
    assert faults(measures) == [], transcript
    assert measures.clean


# What the held-out set must at least reach. Stated before the dialogue work (baseline: 6 of
# 16 clean, every route right, ack first, at most one question per message).
HELD_OUT_FLOOR_CLEAN = 10


async def test_the_held_out_personas_reach_the_floor(tmp_path: Path) -> None:
    results: list[Measures] = []
    for persona in HELD_OUT:
        url = f"sqlite+aiosqlite:///{tmp_path / persona.key}.db"
        results.append(measure(await run_persona(persona, url)))
    clean = sum(r.clean for r in results)
    # Numbers only: the transcripts of the held-out set are not to be read while tuning.
    print(f"held-out: {clean}/{len(results)} clean")
    assert all(r.route_right for r in results)
    assert all(r.ack_first and r.max_questions <= 1 for r in results)
    assert clean >= HELD_OUT_FLOOR_CLEAN, f"{clean}/{len(results)} clean"


@pytest.mark.parametrize(
    "persona",
    [pytest.param(p, id=p.key) for p in HELD_OUT if p.key in ON_POSTGRES],
)
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_held_out_persona_runs_on_postgresql(
    persona: Persona, database_url: str, engine: AsyncEngine
) -> None:
    """Each on an emptied database. Only what the floor holds is asserted, without a
    transcript in the message."""
    measures = measure(await run_persona(persona, database_url))
    assert measures.route_right
    assert measures.ack_first
    assert measures.max_questions <= 1
