"""Cold start: a one-shot `corpus search` as a fresh process against the floor of importing jieba and cutting once,
with the view cache readers leave in the index (warm) and as a fresh `corpus index` leaves it (none yet)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.dataset import ROOT
from bench.measure import median
from indexer.store import VIEW_CACHE_PREFIX

# The floor cuts the term; the search uses a term every news corpus holds, so the timed
# search really ranks, groups and cuts snippets (钍基熔盐 is absent from the generated corpora).
FLOOR_TEXT = "钍基熔盐"
QUERY = "中国"


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def _search(index_dir: Path) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), "search", QUERY, "--index", str(index_dir)]


def drop_view_cache(index_dir: Path) -> int:
    """Delete the view cache files the first reader of a generation writes; how many there were."""
    caches = list(index_dir.glob(f"{VIEW_CACHE_PREFIX}*.npz"))
    for cache in caches:
        cache.unlink()
    return len(caches)


def cold_start(index_dir: Path, runs: int) -> tuple[float, float]:
    """Median wall seconds of `corpus search` and of the jieba floor, run alternately after one untimed run each."""
    search = _search(index_dir)
    floor = [sys.executable, "-c", f"import jieba; jieba.lcut({FLOOR_TEXT!r})"]
    for command in (search, floor):  # fills the page cache and jieba's dictionary cache
        _seconds(command)
    timings: dict[str, list[float]] = {"search": [], "floor": []}
    for _ in range(runs):
        timings["search"].append(_seconds(search))
        timings["floor"].append(_seconds(floor))
    return median(timings["search"]), median(timings["floor"])


def first_search(index_dir: Path, runs: int) -> dict[str, float]:
    """The first `corpus search` after a fresh `corpus index` (no view cache yet: it builds and writes it),
    alternated with one right after it (cache present); medians over `runs` pairs.

    The first pair starts from the index exactly as `corpus index` left it; each later one deletes the
    cache first, which is the state indexing leaves, the index files still in the page cache.
    """
    search = _search(index_dir)
    first, second = [], []
    for _ in range(runs):
        drop_view_cache(index_dir)
        first.append(_seconds(search))
        second.append(_seconds(search))
    return {"first_s": median(first), "cached_s": median(second), "cache_build_s": median(first) - median(second),
            "runs": runs}
