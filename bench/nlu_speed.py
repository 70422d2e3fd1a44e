"""Speed of `bot.nlu.understand` per message over the evaluation set.

Run: python -m bench.nlu_speed [calls]
The baseline is a bare `text.lower().split()` pass over the same messages in the same run, so
the ratio stays comparable across machines. Two dialogue steps that read a message are timed
too, as the bot takes them: an answer to a question in a chat, and a mail that is the story.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from bench.nlu_accuracy import load_eval
from bot.dialogue import CustomerMessage, Dialogue, DialogueState, Policy
from bot.nlu import understand

TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
ANSWERING = DialogueState(
    step="questioning", channel="telegram", current_question="outcome", asked=("outcome",)
)
MAILING = DialogueState(channel="email")


def _timings(texts: list[str], calls: int, fn: Callable[[str], object]) -> list[float]:
    out: list[float] = []
    clock = time.perf_counter
    for i in range(calls):
        text = texts[i % len(texts)]
        start = clock()
        fn(text)
        out.append((clock() - start) * 1000.0)
    return out


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def main(argv: list[str]) -> None:
    calls = int(argv[0]) if argv else 2000
    texts = [ex.text for ex in load_eval()]
    start = time.perf_counter()
    understand("warm-up", today=TODAY)  # loads the training data and compiles the model once
    cold_ms = (time.perf_counter() - start) * 1000.0
    nlu = _timings(texts, calls, lambda t: understand(t, today=TODAY))
    base = _timings(texts, calls, lambda t: t.lower().split())
    dialogue = Dialogue(Policy(), understand)
    answer = _timings(texts, calls, lambda t: dialogue.step(ANSWERING, CustomerMessage(1, t), NOW))
    mail = _timings(texts, calls, lambda t: dialogue.step(MAILING, CustomerMessage(1, t), NOW))
    mean_nlu, mean_base = statistics.fmean(nlu), statistics.fmean(base)
    print(f"{calls} calls over {len(texts)} messages; first call (model load) {cold_ms:.0f} ms\n")
    print("| pass | mean ms/msg | p99 ms/msg |")
    print("|---|---:|---:|")
    print(f"| understand() | {mean_nlu:.3f} | {_p99(nlu):.3f} |")
    print(f"| baseline lower().split() | {mean_base:.4f} | {_p99(base):.4f} |")
    for name, samples in (("answer to a question", answer), ("mail telling the story", mail)):
        print(f"| Dialogue.step, {name} | {statistics.fmean(samples):.3f} | {_p99(samples):.3f} |")
    print(f"\nratio understand/baseline (mean): {mean_nlu / mean_base:.0f}x; budget 5 ms/msg")


if __name__ == "__main__":
    main(sys.argv[1:])
