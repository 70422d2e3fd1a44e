"""The Telegram benchmark with a few customers: both bots answer every message, klachtbot
loses and doubles nothing and takes every customer to a handoff. No timing assertions."""

from __future__ import annotations

from pathlib import Path

from bench.rounds import median_round
from bench.telegram_throughput import Round, Run, measure, report
from tests.telegram_lab import TelegramLab


async def test_the_benchmark_answers_everything_and_loses_nothing(
    telegram_lab: TelegramLab, tmp_path: Path
) -> None:
    rounds = await measure(
        telegram_lab, 3, 5, database_url=f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}"
    )
    assert len(rounds) == 1
    (measured,) = rounds
    assert measured.tally == {"stored": 15, "distinct": 15, "cases": 3, "handed_off": 3}, report(
        rounds
    )
    assert len(measured.baseline.latencies) == len(measured.ours.latencies) == 15
    assert measured.baseline.per_second > 0
    assert measured.ours.per_second > 0
    assert "ratio klachtbot / echo bot" in report(rounds)


def test_the_round_shown_is_the_one_with_the_median_ratio() -> None:
    def run(per_second: float) -> Run:
        return Run("bot", 100, 100 / per_second, [0.1])

    rounds = [Round(run(200), run(ours), {}) for ours in (150, 100, 120, 190)]
    # Ratios 0.75, 0.50, 0.60, 0.95: of an even count, the lower middle one.
    assert median_round(rounds).ratio == 0.6
    assert median_round(rounds[:3]).ratio == 0.6
