"""The report's charts, drawn on the server as SVG: readable without JavaScript, in a
browser, in a mail client and in the PDF.

matplotlib with its Agg backend (no display); each chart is one figure, closed after use.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from functools import cache
from types import ModuleType

# A4 text width is ~6.3 in; the document scales the SVG down to it.
WIDTH, HEIGHT = 6.3, 2.6
# The most frequent values get a line of their own; the rest are summed as "other".
SHOWN = 6


@cache
def _pyplot() -> ModuleType:
    """matplotlib on first use: half a second to load, needed only to draw a report, not by
    every process and command that can send one."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def stacked_series(
    series: Mapping[str, Mapping[str, int]], labels: Mapping[str, str], other: str, name: str
) -> str:
    """Bars per bucket (week or month), stacked per value; `labels` names the values in the
    reader's language. Returns the SVG element; `name` keeps its element ids apart from
    those of the other charts on the page."""
    buckets = list(series)
    totals: dict[str, int] = {}
    for counts in series.values():
        for value, count in counts.items():
            totals[value] = totals.get(value, 0) + count
    top = sorted(totals, key=lambda value: (-totals[value], value))[:SHOWN]
    rest = [value for value in totals if value not in top]
    figure, axes = _pyplot().subplots(figsize=(WIDTH, HEIGHT))
    try:
        bottom = [0] * len(buckets)
        stacks = [(labels.get(value, value), [value]) for value in top]
        if rest:
            stacks.append((other, rest))
        for name, values in stacks:
            heights = [sum(series[b].get(v, 0) for v in values) for b in buckets]
            axes.bar(buckets, heights, bottom=bottom, label=name)
            bottom = [low + high for low, high in zip(bottom, heights, strict=True)]
        axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
        axes.tick_params(labelsize=7)
        axes.tick_params(axis="x", labelrotation=45)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
    finally:
        _pyplot().close(figure)
    svg = buffer.getvalue()
    return _IDS.sub(lambda found: f"{found.group(1)}{name}-", svg[svg.index("<svg") :])


# matplotlib names the elements of every chart alike (line2d_1, patch_2, …): on a page with
# several charts the names are made unique by the chart's name, references included.
_IDS = re.compile(r'(\bid="|xlink:href="#|url\(#)')
