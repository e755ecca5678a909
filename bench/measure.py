"""Timing statistics and a sampler of a process tree's resident memory."""
from __future__ import annotations

import math
import os
import statistics
import threading
from pathlib import Path
from typing import Sequence

SAMPLE_SECONDS = 0.2


def median(values: Sequence[float]) -> float:
    """The median, NaN for no values."""
    return statistics.median(values) if values else math.nan


def spread(values: Sequence[float]) -> dict[str, float]:
    """Minimum, median and maximum (NaN for no values)."""
    return {"min": min(values, default=math.nan), "median": median(values), "max": max(values, default=math.nan)}


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile, NaN for no values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else math.nan


def disk_usage(path: Path) -> int:
    """Bytes allocated to the files under `path`, as `du` counts them."""
    return sum(p.lstat().st_blocks * 512 for p in path.rglob("*")) + path.lstat().st_blocks * 512


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it, from /proc/PID/task/TID/children."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                stack.extend(int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split())
            except OSError:
                continue
    return found


def _memory(pid: int) -> tuple[int, int]:
    """Resident and proportional (shared pages split between their users) bytes of one process; 0s once gone."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0, 0
    sizes = {}
    for line in lines:
        key, _, value = line.partition(":")
        if key in ("Rss", "Pss"):
            sizes[key] = int(value.split()[0]) * 1024  # reported in kB
    return sizes.get("Rss", 0), sizes.get("Pss", 0)


class TreeMemory:
    """Samples the memory of a process and its descendants every 0.2 s in a thread; keeps the peaks.

    The RSS sum counts pages that forked workers share once per process, so it errs high; the PSS sum
    splits them between the processes.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_bytes = 0  # summed RSS
        self.peak_pss_bytes = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            pids = _descendants(self.pid)
            sizes = [_memory(p) for p in pids]
            self.peak_bytes = max(self.peak_bytes, sum(rss for rss, _ in sizes))
            self.peak_pss_bytes = max(self.peak_pss_bytes, sum(pss for _, pss in sizes))
            self.peak_processes = max(self.peak_processes, len(pids))
            if self._stop.wait(SAMPLE_SECONDS):
                return
