"""Cold start: a one-shot `corpus search` as a fresh process against the floor of importing jieba and cutting once."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.dataset import ROOT
from bench.measure import median

# The floor cuts the term; the search uses a term every news corpus holds, so the timed
# search really ranks, groups and cuts snippets (钍基熔盐 is absent from the generated corpora).
FLOOR_TEXT = "钍基熔盐"
QUERY = "中国"


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def cold_start(index_dir: Path, runs: int) -> tuple[float, float]:
    """Median wall seconds of `corpus search` and of the jieba floor, run alternately after one untimed run each."""
    search = [sys.executable, str(ROOT / "cli.py"), "search", QUERY, "--index", str(index_dir)]
    floor = [sys.executable, "-c", f"import jieba; jieba.lcut({FLOOR_TEXT!r})"]
    for command in (search, floor):  # fills the page cache and jieba's dictionary cache
        _seconds(command)
    timings: dict[str, list[float]] = {"search": [], "floor": []}
    for _ in range(runs):
        timings["search"].append(_seconds(search))
        timings["floor"].append(_seconds(floor))
    return median(timings["search"]), median(timings["floor"])
