"""Cold start: a one-shot `corpus search` as a fresh process against the floor of importing jieba and cutting once,
with the view cache readers leave in the index (warm), and right after a fresh `corpus index` (which leaves it too)."""
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
    """The first `corpus search` after a fresh `corpus index`, as indexing leaves the index (with the view
    cache, Corpus.prepare: whether it was left is recorded), alternated with one whose cache was deleted
    first, which shows what building it costs (paid by indexing now); medians over `runs` pairs."""
    search = _search(index_dir)
    left = bool(list(index_dir.glob(f"{VIEW_CACHE_PREFIX}*.npz")))
    first, uncached = [], []
    for _ in range(runs):
        first.append(_seconds(search))
        drop_view_cache(index_dir)
        uncached.append(_seconds(search))
    return {"first_s": median(first), "uncached_s": median(uncached),
            "cache_build_s": median(uncached) - median(first), "cache_left_by_index": left, "runs": runs}
