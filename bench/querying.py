"""Query latency of each engine over the query set, the engine's literal correctness, and tantivy's recall."""
from __future__ import annotations

import time
from collections import defaultdict
from typing import Any, Callable, Sequence, TypeVar

from bench.benchquery import BenchQuery
from bench.measure import median, percentile
from bench.reference import Variants
from bench.tantivy_ref import TantivyReference
from search.engine import Corpus
from search.request import MAX_LIMIT

SHOWN = 20  # failing queries listed in the results
SHOWN_IDS = 5  # variant ids listed per failing query
T = TypeVar("T")


def time_each(queries: Sequence[T], run: Callable[[T], Any], repeat: int) -> tuple[list[float], list[Any]]:
    """Each query's median seconds over `repeat` rounds through the whole set, and its last result."""
    seconds: list[list[float]] = [[] for _ in queries]
    results: list[Any] = [None] * len(queries)
    for _ in range(repeat):
        for k, query in enumerate(queries):
            started = time.perf_counter()
            results[k] = run(query)
            seconds[k].append(time.perf_counter() - started)
    return [median(s) for s in seconds], results


def latency(queries: Sequence[BenchQuery], seconds: Sequence[float]) -> dict[str, Any]:
    """p50 / p95 / p99 in milliseconds over the per-query medians, overall and p50 by query kind."""
    ms = [s * 1000 for s in seconds]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for query, value in zip(queries, ms, strict=True):
        by_kind[query.kind].append(value)
    return {"p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "p99_ms": percentile(ms, 99),
            "p50_ms_by_kind": {kind: percentile(values, 50) for kind, values in by_kind.items()}}


def _all_matched(corpus: Corpus, query: BenchQuery) -> tuple[list[str], set[int]]:
    """Every literally matched variant id over all pages of MAX_LIMIT groups, and the totals the pages reported
    (a variant matched only across a segmentation cut, search.joins, is not a literal match)."""
    found: list[str] = []
    totals: set[int] = set()
    offset = 0
    while True:
        response = corpus.search(query.request(limit=MAX_LIMIT, offset=offset))
        totals.add(response.total_variants - response.joined_variants)
        found += [v.variant_id for a in response.articles for v in a.variants if v.matched and not v.joined]
        offset += MAX_LIMIT
        if offset >= response.total_articles:
            return found, totals


def literal_check(corpus: Corpus, variants: Variants, queries: Sequence[BenchQuery],
                  expected: Sequence[list[int]]) -> dict[str, Any]:
    """Compare the variants Corpus.search matches (all groups, all pages) with the brute-force scan."""
    counts = dict.fromkeys(("expected", "found", "missing", "extra", "duplicates", "total_mismatches"), 0)
    failures: list[dict[str, Any]] = []
    for query, positions in zip(queries, expected, strict=True):
        want = {variants.variant_id[i] for i in positions}
        try:
            found, totals = _all_matched(corpus, query)
        except Exception as exc:
            raise RuntimeError(f"Corpus.search failed on {query}") from exc
        got = set(found)
        missing, extra = sorted(want - got), sorted(got - want)
        counts["expected"] += len(want)
        counts["found"] += len(got & want)
        counts["missing"] += len(missing)
        counts["extra"] += len(extra)
        counts["duplicates"] += len(found) - len(got)
        wrong_total = totals != {len(want)}
        counts["total_mismatches"] += wrong_total
        if missing or extra or wrong_total or len(found) != len(got):
            failures.append({**query.to_dict(), "brute_force": len(want), "total_variants": sorted(totals),
                             "missing": missing[:SHOWN_IDS], "extra": extra[:SHOWN_IDS]})
    found = counts["found"]
    return {"queries": len(queries), **counts,
            "recall": found / counts["expected"] if counts["expected"] else 1.0,
            "precision": found / (found + counts["extra"]) if found + counts["extra"] else 1.0,
            "failing_queries": len(failures), "failures": failures[:SHOWN]}


def tantivy_recall(engine: TantivyReference, queries: Sequence[BenchQuery],
                   expected: Sequence[list[int]]) -> dict[str, Any]:
    """How many of the literal matches tantivy's word phrases miss, and how many non-matches they return."""
    literal = missed = extra = short = 0
    for query, positions in zip(queries, expected, strict=True):
        want, got = set(positions), engine.all_matches(query)
        literal += len(want)
        missed += len(want - got)
        extra += len(got - want)
        short += bool(want - got)
    return {"literal_matches": literal, "missed": missed, "extra": extra, "queries_with_misses": short,
            "recall": (literal - missed) / literal if literal else 1.0}
