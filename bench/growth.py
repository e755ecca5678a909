"""How the figures grow with the corpus: index time, index size, peak memory and query p50 / p95 against the
number of variants indexed, from the bench results of several sizes, drawn log-log with the least-squares
slope of each (1 grows linearly, 0 stays flat). Runs made on different days meet machines of different speed,
so each run's own yardsticks are tabled beside them: two-process jieba's time over the same corpus (indexing
that keeps pace with jieba grows with slope 1 in both) and the raw bytes indexed.

    python -m bench.growth [--results bench/results] [--sizes 1k,10k,100k,300k] [--out bench/results/growth.png]

Prints a Markdown table of the figures per size with each slope, over every size and between the two largest;
sizes without a results file are skipped.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = ("1k", "10k", "100k", "300k")
MB = 1e6


@dataclass(frozen=True)
class Series:
    """One figure: its name, unit, the panel it is drawn in and how it is read from a results file."""

    name: str
    unit: str
    panel: str
    read: Callable[[dict[str, Any]], float]


SERIES = (
    Series("index time", "s", "index time (s)", lambda r: r["indexing"]["seconds"]),
    Series("index size", "MB", "index size (MB)", lambda r: r["indexing"]["size_bytes"] / MB),
    Series("peak memory, indexing", "MB", "peak memory (MB)", lambda r: r["indexing"]["peak_rss_bytes"] / MB),
    Series("query p50", "ms", "query latency (ms)", lambda r: r["query"]["engine"]["p50_ms"]),
    Series("query p95", "ms", "query latency (ms)", lambda r: r["query"]["engine"]["p95_ms"]),
    Series("jieba x2, same corpus", "s", "index time (s)", lambda r: r["indexing"]["jieba_seconds"]),
    Series("raw UTF-8 text", "MB", "index size (MB)", lambda r: r["indexing"]["raw_bytes"] / MB),
)


def slope(sizes: list[float], values: list[float]) -> float:
    """Least-squares slope of log(value) on log(size); NaN with fewer than two usable points."""
    points = [(math.log(s), math.log(v)) for s, v in zip(sizes, values, strict=True) if s > 0 and v > 0]
    if len(points) < 2:
        return math.nan
    x, y = np.array(points).T
    return float(np.polyfit(x, y, 1)[0])


def load(results: Path, names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The results files that exist, by size name, in the order given."""
    found = {}
    for name in names:
        path = results / f"{name}.json"
        if path.is_file():
            found[name] = json.loads(path.read_text(encoding="utf-8"))
    return found


def variants(result: dict[str, Any]) -> float:
    """The corpus size a result is plotted at: variants indexed."""
    return float(result["indexing"]["variants"])


def table(runs: dict[str, dict[str, Any]]) -> str:
    """Markdown: one row per figure, one column per size, then the log-log slope."""
    sizes = [variants(r) for r in runs.values()]
    lines = ["| figure | " + " | ".join(f"{name} ({int(n):,} variants)" for name, n in zip(runs, sizes))
             + " | slope | slope of the last step |",
             "| --- |" + " --- |" * (len(runs) + 2)]
    for series in SERIES:
        values = [series.read(r) for r in runs.values()]
        cells = [f"{v:,.3g} {series.unit}" if v < 1000 else f"{v:,.0f} {series.unit}" for v in values]
        # The fit over every size can hide a bend: the step between the two largest shows where it is going.
        lines.append(f"| {series.name} | " + " | ".join(cells)
                     + f" | {_shown(slope(sizes, values))} | {_shown(slope(sizes[-2:], values[-2:]))} |")
    return "\n".join(lines)


def _shown(value: float) -> str:
    """A slope to two places (a flat series' -0.00 shown as 0.00)."""
    return f"{value + 0.0:.2f}"


def draw(runs: dict[str, dict[str, Any]], out: Path) -> None:
    """Log-log panels of every series with its fitted line, saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [variants(r) for r in runs.values()]
    panels = list(dict.fromkeys(s.panel for s in SERIES))
    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8), constrained_layout=True)
    for axis, panel in zip(np.atleast_1d(axes), panels):
        for series in (s for s in SERIES if s.panel == panel):
            values = [series.read(r) for r in runs.values()]
            fitted = slope(sizes, values)
            line, = axis.loglog(sizes, values, "o-", label=f"{series.name} (slope {fitted:.2f})")
            if not math.isnan(fitted):
                intercept = np.mean(np.log(values)) - fitted * np.mean(np.log(sizes))
                span = np.array([min(sizes), max(sizes)])
                axis.loglog(span, np.exp(intercept) * span ** fitted, "--", color=line.get_color(), alpha=0.5)
        axis.set_title(panel)
        axis.set_xlabel("variants indexed")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle("corpus growth: " + ", ".join(runs))
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=RESULTS, help="directory of SIZE.json results")
    parser.add_argument("--sizes", default=",".join(SIZES), help="size names to read, comma-separated")
    parser.add_argument("--out", type=Path, help="the PNG (default RESULTS/growth.png)")
    args = parser.parse_args(argv)
    runs = load(args.results, tuple(s.strip() for s in args.sizes.split(",") if s.strip()))
    if len(runs) < 2:
        print(f"growth needs results of two sizes or more in {args.results}, found {', '.join(runs) or 'none'}",
              file=sys.stderr)
        return 2
    print(table(runs))
    out = args.out or args.results / "growth.png"
    draw(runs, out)
    print(f"\nwrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
