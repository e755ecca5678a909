"""Export of every variant: `corpus export` as a process, its rows counted as they stream, its speed in
variants per second while it streams (first row to exit; from process start too) and its peak memory.

The query must match every variant: an OR of the characters that cover all the texts, chosen greedily
(the character most uncovered texts hold, until none is left), and checked against the scan.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.benchquery import BenchQuery
from bench.dataset import ROOT
from bench.indexing import MAX_RSS
from bench.measure import TreeMemory
from bench.reference import Variants, brute_force

CHUNK = 1 << 16
MAX_COVER = 50  # characters in the OR at most


def covering_query(variants: Variants) -> str:
    """An OR of characters that every variant's normalised text holds one of (greedy set cover)."""
    uncovered = [set(text) for text in variants.norm]
    chosen: list[str] = []
    while uncovered and len(chosen) < MAX_COVER:
        counts = Counter(char for chars in uncovered for char in chars if not char.isspace() and char not in "\"()-")
        if not counts:
            break
        best = min(counts, key=lambda char: (-counts[char], char))
        chosen.append(best)
        uncovered = [chars for chars in uncovered if best not in chars]
    return " OR ".join(chosen)


def run_export(index_dir: Path, query: str) -> dict[str, Any]:
    """Run `corpus export QUERY --format jsonl --level variant` under /usr/bin/time -v, reading its rows as they come."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report, tempfile.TemporaryFile() as errors:
        command = ["/usr/bin/time", "-v", "-o", report.name, sys.executable, str(ROOT / "cli.py"), "export", query,
                   "--format", "jsonl", "--level", "variant", "--index", str(index_dir)]
        rows = size = 0
        first = None
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=errors)
        with TreeMemory(process.pid) as memory:
            assert process.stdout is not None
            while chunk := process.stdout.read1(CHUNK):
                if first is None:
                    first = time.perf_counter() - started
                rows += chunk.count(b"\n")
                size += len(chunk)
            process.wait()
        seconds = time.perf_counter() - started
        if process.returncode:
            errors.seek(0)
            raise RuntimeError(f"corpus export failed ({process.returncode}): {errors.read().decode()[-2000:]}")
        largest = MAX_RSS.search(report.read())
    peak = max(memory.peak_bytes, int(largest.group(1)) * 1024 if largest else 0)
    first = seconds if first is None else first
    return {"query_terms": query.count(" OR ") + 1, "rows": rows, "bytes": size, "seconds": seconds,
            "first_row_s": first, "variants_per_s": rows / (seconds - first) if seconds > first else 0.0,
            "variants_per_s_overall": rows / seconds, "peak_rss_bytes": peak,
            "tree_peak_pss_bytes": memory.peak_pss_bytes}


def export_all(index_dir: Path, variants: Variants) -> dict[str, Any]:
    """An export of every variant (an OR of covering characters), and for comparison one of the variants
    holding the first of those characters alone (one term: occurrences are counted per term)."""
    query = covering_query(variants)
    single = query.split(" OR ")[0]
    matching = len(brute_force(variants, BenchQuery("export", query)))
    return {"variants": len(variants), "matching": matching, **run_export(index_dir, query),
            "one_term": run_export(index_dir, single)}
