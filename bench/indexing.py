"""Indexing throughput and memory of `corpus index`, and the plain-jieba throughput it is compared with."""
from __future__ import annotations

import json
import multiprocessing
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.dataset import ROOT
from bench.measure import TreeMemory, disk_usage
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
