"""Indexing throughput and memory of `corpus index`, and the plain-jieba throughput it is compared with."""
from __future__ import annotations

import json
import multiprocessing
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from bench.dataset import ROOT, Dataset
from bench.measure import TreeMemory, disk_usage, median, spread
from bench.words import cut_page, jieba

MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
if TYPE_CHECKING:
    from multiprocessing.synchronize import Barrier

CHUNK = 4  # pages per task for the jieba pool
SHOWN_FAILURES = 5


@dataclass
class IndexRun:
    """One `corpus index` run into a fresh directory."""

    seconds: float
    variants: int
    max_rss_bytes: int  # the largest single process, as /usr/bin/time reports it
    tree_peak_bytes: int  # the most the whole process tree held at once, sampled (summed RSS)
    tree_peak_pss_bytes: int  # the same with shared pages counted once
    tree_peak_processes: int
    size_bytes: int
    files_failed: int  # pages the reader refused (it indexes the others and exits 1)
    failures: list[str]  # the first few of its one-line reasons
    refused: list[str]  # the paths of all of them (kept out of the results)


def index_once(pages: Path, index_dir: Path, workers: int) -> IndexRun:
    """Run `corpus index` end to end as a subprocess under /usr/bin/time -v, sampling its tree's memory."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        command = ["/usr/bin/time", "-v", "-o", report.name, sys.executable, str(ROOT / "cli.py"), "index",
                   str(pages), "--id-from", "path", "--index", str(index_dir), "--workers", str(workers), "--json"]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with TreeMemory(process.pid) as memory:
            out, err = process.communicate()
        seconds = time.perf_counter() - started
        # exit 1 with a summary: some files were refused and the others indexed
        if process.returncode not in (0, 1) or not out.strip():
            raise RuntimeError(f"corpus index failed ({process.returncode}):\n{err[-2000:]}")
        max_rss = MAX_RSS.search(report.read())
    summary = json.loads(out)
    failures = [failure["error"] for failure in summary["failures"]]
    return IndexRun(seconds, summary["variants_total"], int(max_rss.group(1)) * 1024 if max_rss else 0,
                    memory.peak_bytes, memory.peak_pss_bytes, memory.peak_processes, disk_usage(index_dir),
                    len(failures), failures[:SHOWN_FAILURES], [failure["path"] for failure in summary["failures"]])


def _load(ready: Barrier) -> None:
    """Pool initializer: load jieba's dictionary, then wait until every worker and the timer are ready."""
    jieba()
    ready.wait()


def jieba_once(files: list[Path], workers: int) -> tuple[float, int]:
    """Seconds for plain jieba.lcut over every page's raw text in a pool of `workers` processes, and the characters.

    The dictionary is loaded in each worker before the clock starts.
    """
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(workers + 1)
    with context.Pool(workers, initializer=_load, initargs=(ready,)) as pool:
        ready.wait()
        started = time.perf_counter()
        characters = sum(pool.imap_unordered(cut_page, files, chunksize=CHUNK))
        return time.perf_counter() - started, characters


def measure_indexing(dataset: Dataset, scratch: Path, repeat: int, workers: int,
                     log: Callable[[str], None]) -> tuple[dict[str, Any], Path]:
    """Alternate `corpus index` runs with jieba runs; the figures and the last index, kept for querying.

    Characters, raw bytes and the jieba baseline count the pages the reader indexed, not those it refused.
    """
    files = dataset.page_files()
    runs: list[IndexRun] = []
    jieba_runs: list[tuple[float, int]] = []
    for k in range(repeat):
        index_dir = scratch / f"index-{k}"
        log(f"indexing run {k + 1}/{repeat}")
        runs.append(index_once(dataset.pages_dir, index_dir, workers))
        if k:
            shutil.rmtree(scratch / f"index-{k - 1}")  # the runs build the same index; only the last is kept
        refused = set(runs[-1].refused)
        files = [f for f in files if str(f) not in refused]
        log(f"  {runs[-1].seconds:.1f} s; jieba run {k + 1}/{repeat}")
        jieba_runs.append(jieba_once(files, workers))
    characters = jieba_runs[0][1]
    raw_bytes = sum(f.stat().st_size for f in files)
    seconds = median([r.seconds for r in runs])
    jieba_seconds = median([s for s, _ in jieba_runs])
    tree, largest = median([r.tree_peak_bytes for r in runs]), median([r.max_rss_bytes for r in runs])
    size = median([r.size_bytes for r in runs])
    figures = {
        "runs": [{k: v for k, v in r.__dict__.items() if k != "refused"} for r in runs],
        # min / median / max over the runs; each run's ratio to the jieba run made right after it
        "spread": {"seconds": spread([r.seconds for r in runs]),
                   "chars_per_s": spread([characters / r.seconds for r in runs]),
                   "vs_jieba": spread([j / r.seconds for r, (j, _) in zip(runs, jieba_runs)])},
        "characters": characters,
        "raw_bytes": raw_bytes,
        "variants": runs[-1].variants,
        "files_failed": runs[-1].files_failed,
        "seconds": seconds,
        "chars_per_s": characters / seconds,
        "variants_per_s": runs[-1].variants / seconds,
        "jieba_seconds": jieba_seconds,
        "jieba_chars_per_s": characters / jieba_seconds,
        "vs_jieba": jieba_seconds / seconds,
        "size_bytes": size,
        "size_vs_raw": size / raw_bytes,
        "tree_peak_bytes": tree,
        "tree_peak_pss_bytes": median([r.tree_peak_pss_bytes for r in runs]),
        "max_process_rss_bytes": largest,
        "peak_rss_bytes": max(tree, largest),  # the sampler can miss a short peak that time -v sees
    }
    return figures, index_dir
