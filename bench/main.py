"""Benchmark the search backend on a generated corpus and hold the figures to their targets (issues 4, 16, 17
and the topic lookups).

    bench/run --size 1k|10k|100k|300k|N [--seed 0] [--work /tmp/corpus-bench] [--out FILE] [--repeat N] ...

Indexes the corpus with `corpus index` (fresh directory per run) beside plain
jieba in as many processes, times the first search after it, measures query
latency of Corpus.search against a brute-force scan and tantivy on a seeded
query set, checks literal correctness and story grouping against the ground
truth, times facets, timelines, batch topics, the concordance and an export of
every variant against brute-force counts, checks literal search against the raw
page text and across segmentation cuts, scores the consensus of each story's
printings and script tolerance against the clean text, times a cold `corpus
search`, then prints a Markdown table and writes the same figures as JSON.
Every figure is a median over repeated runs made in this one invocation.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from bench import coldstart, compaction, grouping, lookups, querying, segmentation, truthchecks
from bench.benchquery import BenchQuery, ScannedQueries
from bench.dataset import ROOT, Dataset, locate
from bench.generate import parse_size
from bench.indexing import measure_indexing
from bench.queries import make_queries
from bench.reference import Variants, brute_force, load_variants
from bench.report import indexing_table, table, targets
from bench.tantivy_ref import TantivyReference
from search.engine import Corpus

LARGE = 100_000  # from this many variants, indexing runs once unless --repeat says otherwise
_started = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr, with the elapsed time."""
    print(f"[{time.perf_counter() - _started:7.1f}s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1k", help="1k, 10k, 100k, 300k or a number of variants (default 1k)")
    parser.add_argument("--seed", type=int, default=0, help="corpus and query-set seed")
    parser.add_argument("--work", type=Path, default=Path("/tmp/corpus-bench"),
                        help="cache for generated corpora and scratch space for indexes")
    parser.add_argument("--out", type=Path, help="JSON results (default bench/results/<size>.json)")
    parser.add_argument("--repeat", type=int, help="indexing runs (default 3, 1 from 100k variants)")
    parser.add_argument("--query-repeat", type=int, default=5, help="timed rounds over the query set")
    parser.add_argument("--brute-repeat", type=int, default=3, help="timed rounds of the brute-force scan")
    parser.add_argument("--queries", type=int, default=300, help="size of the query set")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold starts timed")
    parser.add_argument("--workers", type=int, default=2, help="indexing and jieba processes")
    parser.add_argument("--reference-terms", type=int, default=150,
                        help="words drawn from the raw page text for the independent reference (as many again: "
                             "a third of them mixed stretches)")
    parser.add_argument("--pair-queries", type=int, default=200, help="two-term queries across cuts, and as many apart")
    parser.add_argument("--compare-stories", type=int, default=300, help="stories whose consensus is scored")
    parser.add_argument("--compaction-runs", type=int, default=20,
                        help="corpus index runs the compaction row's index is built in (0: no compaction row)")
    parser.add_argument("--script-stories", type=int, default=200, help="stories printed in both scripts sampled")
    parser.add_argument("--indexing-only", action="store_true",
                        help="measure indexing alone (its runs' spread, memory, size) and stop")
    args = parser.parse_args(argv)
    args.repeat = args.repeat or (1 if parse_size(args.size) >= LARGE else 3)
    args.out = args.out or ROOT / "bench" / "results" / f"{args.size}.json"
    return args


def measure_queries(dataset: Dataset, index_dir: Path, scratch: Path,
                    args: argparse.Namespace) -> tuple[dict[str, Any], Variants, segmentation.Segmentation,
                                                       ScannedQueries]:
    """Grouping, query latency of the three engines, literal correctness and tantivy's recall; with the
    variants, the segmentation's cover and the scanned query set that the later measurements share."""
    log("loading the indexed variants")
    variants = load_variants(index_dir)
    log("scoring segmentation against the truth's line ranges")
    segments = segmentation.evaluate(dataset, variants)
    log("scoring story grouping against the truth")
    story_groups = grouping.evaluate(dataset, variants, segments.cover).to_dict()
    queries = make_queries(variants, args.seed, args.queries)
    log(f"{len(queries)} queries; brute-force scan x{args.brute_repeat}")
    brute_seconds, expected = querying.time_each(queries, lambda q: brute_force(variants, q), args.brute_repeat)
    log("literal correctness of Corpus.search (all pages of 1000 groups)")
    corpus = Corpus(index_dir)
    literal = querying.literal_check(corpus, variants, queries, expected)
    log(f"Corpus.search x{args.query_repeat}")
    engine_seconds, _ = querying.time_each(queries, lambda q: corpus.search(q.request(limit=10)), args.query_repeat)
    log(f"Corpus.search x{args.query_repeat}, decoded postings cache emptied before each query")

    def uncached(query: BenchQuery) -> object:
        corpus.view().postings.clear()
        return corpus.search(query.request(limit=10))

    uncached_seconds, _ = querying.time_each(queries, uncached, args.query_repeat)
    log(f"Corpus.rank x{args.query_repeat}: the same searches without building the page")
    ranking_seconds, _ = querying.time_each(queries, lambda q: corpus.rank(q.request(limit=10)), args.query_repeat)
    log("building the tantivy reference")
    started = time.perf_counter()
    tantivy = TantivyReference(variants, scratch / "tantivy", args.workers)
    build_seconds = time.perf_counter() - started
    tantivy.top(queries[0])  # the first search pays for opening segment files
    log(f"  {build_seconds:.1f} s; tantivy x{args.query_repeat}, with and without cutting the terms")
    with_cut_seconds, _ = querying.time_each(queries, tantivy.top, args.query_repeat)
    prepared = [tantivy.query(q) for q in queries]  # jieba's cut of the terms, made before the clock starts
    tantivy_seconds, _ = querying.time_each(prepared, tantivy.top_of, args.query_repeat)
    figures = {
        "segmentation": segments.to_dict(),
        "grouping": story_groups,
        "literal": literal,
        "query": {
            "count": len(queries),
            "by_kind": dict(Counter(q.kind for q in queries)),
            "engine": querying.latency(queries, engine_seconds),
            "engine_uncached": querying.latency(queries, uncached_seconds),
            "engine_ranking": querying.latency(queries, ranking_seconds),
            "brute_force": querying.latency(queries, brute_seconds),
            "tantivy": {**querying.latency(queries, tantivy_seconds), "build_seconds": build_seconds,
                        **querying.tantivy_recall(tantivy, queries, expected)},
            "tantivy_with_cut": querying.latency(queries, with_cut_seconds),
        },
    }
    return figures, variants, segments, ScannedQueries(queries, expected, brute_seconds)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_start = os.getloadavg()[0]
    args.work.mkdir(parents=True, exist_ok=True)
    dataset = locate(args.size, args.seed, args.work)
    context = _context(args, dataset, load_start)
    log(f"corpus {dataset.root}")
    with tempfile.TemporaryDirectory(dir=args.work, prefix="run-") as scratch:
        indexing, index_dir = measure_indexing(dataset, Path(scratch), args.repeat, args.workers, log)
        if args.indexing_only:
            return _write({**context, "indexing": indexing, "seconds": time.perf_counter() - _started},
                          indexing_table, args.out)
        log(f"first search after a fresh index x{args.cold_runs}")
        first_search = coldstart.first_search(index_dir, args.cold_runs)
        measured, variants, segments, scanned = measure_queries(dataset, index_dir, Path(scratch), args)
        corpus = Corpus(index_dir)
        lookups_figures = lookups.measure(corpus, variants, scanned, index_dir, args, log)
        truth_figures = truthchecks.measure(dataset, corpus, variants, segments, scanned.queries, args, log)
        del variants, segments, scanned
        log(f"cold start x{args.cold_runs}")
        search_s, jieba_s = coldstart.cold_start(index_dir, args.cold_runs)
        compacting = compaction.measure(dataset.pages_dir, Path(scratch), args.compaction_runs, args.workers,
                                        args.queries, args.seed, args.query_repeat, log) if args.compaction_runs else None
    results: dict[str, Any] = {
        **context,
        "indexing": indexing,
        **measured,
        "lookups": lookups_figures,
        **truth_figures,
        "cold_start": {"search_s": search_s, "jieba_s": jieba_s, "vs_jieba": search_s / jieba_s,
                       **first_search, "first_vs_jieba": first_search["first_s"] / jieba_s,
                       "cache_build_share_of_indexing": first_search["cache_build_s"] / indexing["seconds"]},
        "compaction": compacting,
        "seconds": time.perf_counter() - _started,
    }
    results["targets"] = targets(results)
    return _write(results, table, args.out)


def _context(args: argparse.Namespace, dataset: Dataset, load_start: float) -> dict[str, Any]:
    """What a run measured on: the corpus, the settings and the machine (the load as the run ends is added
    by _write)."""
    counts = dataset.manifest["counts"]
    return {
        "size": args.size,
        "seed": args.seed,
        "corpus": {"root": str(dataset.root), "pages": counts["pages"], "articles": counts["variants"],
                   "stories": counts["stories"]},
        "settings": {k: getattr(args, k) for k in ("repeat", "query_repeat", "brute_repeat", "queries",
                                                    "cold_runs", "workers", "reference_terms", "pair_queries",
                                                    "compare_stories", "script_stories", "compaction_runs",
                                                    "indexing_only")},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_start": load_start},
    }


def _write(results: dict[str, Any], render: Callable[[dict[str, Any]], str], out: Path) -> int:
    """Print the results' table and write them as JSON."""
    results["machine"]["load_end"] = os.getloadavg()[0]
    print(render(results))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
