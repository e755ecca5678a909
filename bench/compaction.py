"""Segment compaction at bench scale: an index built in many small `corpus index` runs, its segments and
query latency before and after `corpus compact`, and what compaction costs.

    python -m bench.compaction --pages /tmp/corpus-bench/corpus-10000-s0/pages [--runs 20] [--work DIR]

The page folders are split into `--runs` batches, each hard-linked under a
staging folder of its own (so `--id-from path` names every source as a single
run over the pages would) and indexed by its own `corpus index`. The same
query set is timed on the index as built and after compaction, and the top
results of every query are compared, which must not change.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from bench import querying
from bench.benchquery import BenchQuery
from bench.dataset import ROOT
from bench.indexing import MAX_RSS, index_once
from bench.markdown import MB, ms, row
from bench.queries import make_queries
from bench.reference import load_variants
from indexer.manifest import read_manifest
from indexer.store import open_index
from search.engine import Corpus

RESULTS_COMPARED = 10  # top results per query compared before and after


def stage_runs(pages: Path, stage: Path, runs: int) -> list[Path]:
    """The page folders split into `runs` batches, each linked under stage/run-NN/ with its folder names."""
    folders = sorted(p for p in pages.iterdir() if p.is_dir())
    batches = [folders[k::runs] for k in range(min(runs, len(folders)))]
    staged = []
    for k, batch in enumerate(batches):
        root = stage / f"run-{k:02d}"
        for folder in batch:
            shutil.copytree(folder, root / folder.name, copy_function=_link)
        staged.append(root)
    return staged


def _link(source: str, target: str) -> None:
    """A hard link where the file system allows one (the corpus is never written), else a copy."""
    try:
        Path(target).hardlink_to(source)
    except OSError:
        shutil.copy2(source, target)


def segment_count(index_dir: Path) -> int:
    """Segments of the index's latest generation."""
    return len(read_manifest(index_dir, open_index(index_dir).latest_generation()).segments)


def query_figures(index_dir: Path, queries: Sequence[BenchQuery], repeat: int) -> tuple[dict[str, Any], list]:
    """Search and rank p50/p95 over the query set, and each query's top variant ids with their scores."""
    corpus = Corpus(index_dir)
    search_seconds, responses = querying.time_each(queries, lambda q: corpus.search(q.request(limit=10)), repeat)
    rank_seconds, _ = querying.time_each(queries, lambda q: corpus.rank(q.request(limit=10)), repeat)
    tops = [(r.total_variants, [(v.variant_id, v.matched) for a in r.articles for v in a.variants][:RESULTS_COMPARED])
            for r in responses]
    search, rank = querying.latency(queries, search_seconds), querying.latency(queries, rank_seconds)
    return {"segments": segment_count(index_dir), "search_p50_ms": search["p50_ms"], "search_p95_ms": search["p95_ms"],
            "rank_p50_ms": rank["p50_ms"], "rank_p95_ms": rank["p95_ms"]}, tops


def compact_once(index_dir: Path) -> dict[str, Any]:
    """Run `corpus compact --json` as a subprocess under /usr/bin/time -v: its report and peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        command = ["/usr/bin/time", "-v", "-o", report.name, sys.executable, str(ROOT / "cli.py"), "compact",
                   "--index", str(index_dir), "--json"]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode:
            raise RuntimeError(f"corpus compact failed ({done.returncode}):\n{done.stderr[-2000:]}")
        max_rss = MAX_RSS.search(report.read())
    return {**json.loads(done.stdout), "process_seconds": seconds,
            "max_rss_bytes": int(max_rss.group(1)) * 1024 if max_rss else 0}


def measure(pages: Path, scratch: Path, runs: int, workers: int, query_count: int, seed: int, repeat: int,
            log: Callable[[str], None]) -> dict[str, Any]:
    """Build an index in `runs` runs, time the query set, compact it, time the query set again."""
    index_dir = scratch / "compaction-index"
    staged = stage_runs(pages, scratch / "compaction-stage", runs)
    indexed = []
    for k, run in enumerate(staged):
        log(f"compaction bench: indexing run {k + 1}/{len(staged)}")
        indexed.append(index_once(run, index_dir, workers))
    shutil.rmtree(scratch / "compaction-stage")
    queries = make_queries(load_variants(index_dir), seed, query_count)
    log(f"compaction bench: {len(queries)} queries x{repeat} before compaction")
    before, tops_before = query_figures(index_dir, queries, repeat)
    log("compaction bench: corpus compact")
    compaction = compact_once(index_dir)
    log(f"compaction bench: {len(queries)} queries x{repeat} after compaction")
    after, tops_after = query_figures(index_dir, queries, repeat)
    changed = sum(a != b for a, b in zip(tops_before, tops_after))
    return {"runs": len(indexed), "variants": indexed[-1].variants,
            "indexing_seconds": sum(r.seconds for r in indexed),
            "indexing_peak_rss_bytes": max(max(r.max_rss_bytes, r.tree_peak_bytes) for r in indexed),
            "before": before, "after": after, "queries": len(queries), "queries_with_changed_results": changed,
            "compaction": compaction}


def compaction_rows(c: dict[str, Any] | None) -> list[str]:
    """Table rows: segments, rank and search p50 before -> after compaction, and what it cost."""
    if not c:
        return []
    before, after, run = c["before"], c["after"], c["compaction"]
    return [
        row(f"compaction: index built in {c['runs']} runs, segments", f"{before['segments']} -> {after['segments']}",
            f"{c['queries_with_changed_results']} of {c['queries']} queries answered differently after", "", "0",
            "info"),
        row("compaction: rank p50 / search p50", f"{ms(after['rank_p50_ms'])} / {ms(after['search_p50_ms'])}",
            f"before {ms(before['rank_p50_ms'])} / {ms(before['search_p50_ms'])}",
            f"{after['rank_p50_ms'] / before['rank_p50_ms']:.2f} / {after['search_p50_ms'] / before['search_p50_ms']:.2f}",
            "", "info"),
        row("compaction: cost", f"{run['seconds']:.1f} s ({run['cpu_seconds']:.1f} s CPU), peak RSS {run['max_rss_bytes'] / MB:,.0f} MB",
            f"indexing peak RSS {c['indexing_peak_rss_bytes'] / MB:,.0f} MB", "", "< 1500 MB", "info"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, required=True, help="a generated corpus's pages folder")
    parser.add_argument("--work", type=Path, default=Path("/tmp/corpus-bench"), help="scratch space")
    parser.add_argument("--runs", type=int, default=20, help="indexing runs the page folders are split into")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds over the query set")
    parser.add_argument("--out", type=Path, help="JSON results")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.work, prefix="compaction-") as scratch:
        figures = measure(args.pages, Path(scratch), args.runs, args.workers, args.queries, args.seed, args.repeat,
                          lambda m: print(f"[{time.perf_counter() - started:7.1f}s] {m}", file=sys.stderr, flush=True))
    text = json.dumps(figures, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
