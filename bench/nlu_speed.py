"""Speed of `bot.nlu.understand` per message over the evaluation set.

Run: python -m bench.nlu_speed [calls]
The baseline is a bare `text.lower().split()` pass over the same messages in the same run, so
the ratio stays comparable across machines.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date

from bench.nlu_accuracy import load_eval
from bot.nlu import understand

TODAY = date(2026, 3, 20)


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
    mean_nlu, mean_base = statistics.fmean(nlu), statistics.fmean(base)
    print(f"{calls} calls over {len(texts)} messages; first call (model load) {cold_ms:.0f} ms\n")
    print("| pass | mean ms/msg | p99 ms/msg |")
    print("|---|---:|---:|")
    print(f"| understand() | {mean_nlu:.3f} | {_p99(nlu):.3f} |")
    print(f"| baseline lower().split() | {mean_base:.4f} | {_p99(base):.4f} |")
    print(f"\nratio understand/baseline (mean): {mean_nlu / mean_base:.0f}x; budget 5 ms/msg")


if __name__ == "__main__":
    main(sys.argv[1:])
