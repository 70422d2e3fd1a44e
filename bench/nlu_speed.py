"""Speed and cost of the understanding: ms per message (p50/p99, one core), start-up time,
resident memory it adds, and the install size of what it needs.

Run: python -m bench.nlu_speed [calls]
Messages are the training corpus (timing them tunes nothing). Start-up and memory are measured
in a fresh interpreter each, pinned to one thread, as a helper process starts: import, load the
model, read one message. Two dialogue steps that read a message are timed too, as the bot takes
them: an answer to a question in a chat, and a mail that is the story.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path

from bench.nlu_accuracy import load_set
from bot.dialogue import CustomerMessage, Dialogue, DialogueState, Policy
from bot.nlu import understand
from bot.nlu.linear import shipped_model_path
from bot.nlu.word_vectors import shipped_word_vectors_path

TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
ANSWERING = DialogueState(
    step="questioning", channel="telegram", current_question="outcome", asked=("outcome",)
)
MAILING = DialogueState(channel="email")
ONE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# Resident memory before and after loading the understanding, in a fresh interpreter.
_PROBE = """
import json, resource, sys, time
def rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS")) / 1024
before = rss()
start = time.perf_counter()
from datetime import date
from bot.nlu.pipeline import warm_understanding
warm_understanding()
print(json.dumps({"start_s": time.perf_counter() - start, "before_mb": before, "after_mb": rss()}))
"""
# Distributions the understanding needs beyond the rest of the bot.
DEPENDENCIES = ("numpy", "phonenumberslite")


def _timings(texts: list[str], calls: int, fn: Callable[[str], object]) -> list[float]:
    out: list[float] = []
    clock = time.perf_counter
    for i in range(calls):
        text = texts[i % len(texts)]
        start = clock()
        fn(text)
        out.append((clock() - start) * 1000.0)
    return out


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100)[p - 1]


def probe() -> dict[str, float]:
    """Start-up seconds and resident memory (MB) of a fresh interpreter loading the model."""
    env = {**os.environ, **ONE_CORE}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, env=env
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def installed_mb(distribution: str) -> float:
    files = metadata.distribution(distribution).files or []
    total = 0
    for file in files:
        path = Path(str(file.locate()))
        if path.is_file():
            total += path.stat().st_size
    return total / 1e6


def main(argv: list[str]) -> None:
    calls = int(argv[0]) if argv else 3000
    texts = [str(row["text"]) for row in load_set("train")]
    understand("warm-up", today=TODAY)
    nlu = _timings(texts, calls, lambda t: understand(t, today=TODAY))
    dialogue = Dialogue(Policy(), understand)
    answer = _timings(texts, calls, lambda t: dialogue.step(ANSWERING, CustomerMessage(1, t), NOW))
    mail = _timings(texts, calls, lambda t: dialogue.step(MAILING, CustomerMessage(1, t), NOW))
    fresh = probe()
    threads = os.environ.get("OMP_NUM_THREADS")
    print(f"{calls} calls over {len(texts)} messages (threads: {threads})\n")
    print("| pass | p50 ms/msg | p99 ms/msg | mean ms/msg |")
    print("|---|---:|---:|---:|")
    for name, samples in (
        ("understand()", nlu),
        ("Dialogue.step, answer to a question", answer),
        ("Dialogue.step, mail telling the story", mail),
    ):
        print(
            f"| {name} | {percentile(samples, 50):.2f} | {percentile(samples, 99):.2f} "
            f"| {statistics.fmean(samples):.2f} |"
        )
    added = fresh["after_mb"] - fresh["before_mb"]
    print(f"\nstart (import, load model, read one message): {fresh['start_s']:.2f} s")
    print(f"resident memory added per process: {added:.0f} MB (of {fresh['after_mb']:.0f} MB)")
    model_mb = shipped_model_path().stat().st_size / 1e6
    vectors_mb = shipped_word_vectors_path().stat().st_size / 1e6
    sizes = ", ".join(f"{name} {installed_mb(name):.0f} MB" for name in DEPENDENCIES)
    print(f"install: model file {model_mb:.1f} MB, word vectors {vectors_mb:.1f} MB; {sizes}")


if __name__ == "__main__":
    main(sys.argv[1:])
