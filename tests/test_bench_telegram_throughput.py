"""The Telegram benchmark with a few customers: both bots answer every message, klachtbot
loses and doubles nothing and takes every customer to a handoff. No timing assertions."""

from __future__ import annotations

from pathlib import Path

from bench.telegram_throughput import measure, report
from tests.telegram_lab import TelegramLab


async def test_the_benchmark_answers_everything_and_loses_nothing(
    telegram_lab: TelegramLab, tmp_path: Path
) -> None:
    baseline, ours, tally = await measure(
        telegram_lab, 3, 5, database_url=f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}"
    )
    assert tally == {"stored": 15, "distinct": 15, "cases": 3, "handed_off": 3}, report(
        baseline, ours, tally
    )
    assert len(baseline.latencies) == len(ours.latencies) == 15
    assert baseline.per_second > 0
    assert ours.per_second > 0
    assert "ratio klachtbot / echo bot" in report(baseline, ours, tally)
