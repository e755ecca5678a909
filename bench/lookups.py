"""Topic lookups against brute force (issue: facets, timeline, batch topics, concordance): each timed in
this run beside a scan of the normalised texts that counts the same thing, and each count held to it.

A brute-force count is the query's scan (timed once, in the query-latency rows) plus counting stories,
variants and occurrences per value over the matched variants (timed here); the engine's figure is the
library call that answers the same question.
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

from bench.benchquery import BenchQuery, ScannedQueries
from bench.brute_counts import (
    FACETS,
    TOPIC_FACETS,
    cells_off,
    combined,
    count_cells,
    engine_facet_cells,
    engine_timeline_cells,
    engine_topic_cells,
    facet_cells,
    key_of,
    occurrences,
)
from bench.exporting import export_all
from bench.measure import median, percentile
from bench.querying import time_each
from bench.reference import Variants
from search.engine import Corpus
from search.facets import facets
from search.query import Term, parse_query
from search.request import SearchRequest

TOPICS = 200  # topics in the batch
KWIC_LINES = 1000  # lines a concordance page is timed for
KWIC_TERMS = 10  # terms it is timed on
COMMON_SAMPLE = 500  # texts the most common characters are counted in


def _p50_ms(seconds: Sequence[float]) -> float:
    return percentile([s * 1000 for s in seconds], 50)


def _paired(queries: Sequence[BenchQuery], first: Callable[[BenchQuery], Any], second: Callable[[BenchQuery], Any],
            repeat: int) -> tuple[list[float], list[float]]:
    """Per query, the median seconds of two calls made one right after the other (the machine's load hits both)."""
    times: tuple[list[list[float]], list[list[float]]] = ([[] for _ in queries], [[] for _ in queries])
    for _ in range(repeat):
        for k, query in enumerate(queries):
            for run, spent in ((first, times[0]), (second, times[1])):
                started = time.perf_counter()
                run(query)
                spent[k].append(time.perf_counter() - started)
    return [median(s) for s in times[0]], [median(s) for s in times[1]]


def facet_figures(corpus: Corpus, variants: Variants, scanned: ScannedQueries, repeat: int,
                  brute_repeat: int) -> dict[str, Any]:
    """Facets by publication, month and source: their cost inside a search, alone, and exactness."""
    queries = scanned.queries
    plain, faceted = _paired(queries, lambda q: corpus.search(q.request(limit=10)),
                             lambda q: corpus.search(replace(q.request(limit=10), facets=FACETS)), repeat)
    lookup_seconds, answers = time_each(queries, lambda q: facets(corpus.matched(q.request(limit=1)), FACETS), repeat)
    count_seconds, brute = time_each(range(len(queries)), lambda k: facet_cells(
        variants, scanned.expected[k], queries[k].q), brute_repeat)
    brute_seconds = [scan + count for scan, count in zip(scanned.scan_seconds, count_seconds, strict=True)]
    off = [sum(cells_off(brute[k][name], engine_facet_cells(answers[k][name])) for name in FACETS)
           for k in range(len(queries))]
    return {"facets": list(FACETS), "queries": len(queries),
            "search_p50_ms": _p50_ms(plain), "search_with_facets_p50_ms": _p50_ms(faceted),
            "added": _p50_ms(faceted) / _p50_ms(plain) - 1,
            "lookup_p50_ms": _p50_ms(lookup_seconds), "brute_p50_ms": _p50_ms(brute_seconds),
            "count_p50_ms": _p50_ms(count_seconds),
            "vs_brute": _p50_ms(lookup_seconds) / _p50_ms(brute_seconds),
            "cells_off": sum(off), "queries_off": sum(n > 0 for n in off)}


def timeline_figures(corpus: Corpus, variants: Variants, scanned: ScannedQueries, repeat: int,
                     brute_repeat: int) -> dict[str, Any]:
    """A timeline of one query by month, per query of the set, against the brute-force count by month."""
    queries = scanned.queries
    engine_seconds, charts = time_each(queries, lambda q: corpus.timeline(q.request(limit=1), [q.q], "month"), repeat)
    month = key_of(variants, "date:month")
    count_seconds, brute = time_each(range(len(queries)), lambda k: count_cells(
        variants, scanned.expected[k], occurrences(variants, scanned.expected[k], queries[k].q), month), brute_repeat)
    brute_seconds = [scan + count for scan, count in zip(scanned.scan_seconds, count_seconds, strict=True)]
    off = [cells_off(brute[k], engine_timeline_cells(charts[k])) for k in range(len(queries))]
    return {"queries": len(queries), "engine_p50_ms": _p50_ms(engine_seconds), "brute_p50_ms": _p50_ms(brute_seconds),
            "vs_brute": _p50_ms(engine_seconds) / _p50_ms(brute_seconds),
            "cells_off": sum(off), "queries_off": sum(n > 0 for n in off)}


def topic_figures(corpus: Corpus, variants: Variants, scanned: ScannedQueries, repeat: int,
                  brute_repeat: int) -> dict[str, Any]:
    """A batch of topics (the unfiltered queries of the set, up to TOPICS) by publication x month."""
    chosen = [k for k, q in enumerate(scanned.queries) if not q.has_filters][:TOPICS]
    text = "\n".join(f"t{k}\t{scanned.queries[k].q}" for k in chosen)
    by = list(TOPIC_FACETS)
    request = SearchRequest(query="topics")
    engine_seconds, tables = time_each([text], lambda t: corpus.topics(t, by, request), repeat)
    key = combined([key_of(variants, name) for name in by])
    count_seconds, brute = time_each(chosen, lambda k: count_cells(
        variants, scanned.expected[k], occurrences(variants, scanned.expected[k], scanned.queries[k].q), key),
        brute_repeat)
    brute_total = sum(scanned.scan_seconds[k] for k in chosen) + sum(count_seconds)
    table = tables[0]
    got = engine_topic_cells(table.rows, by)
    off = [cells_off(cells, got.get(f"t{k}", {})) for k, cells in zip(chosen, brute, strict=True)]
    return {"topics": len(chosen), "by": by, "problems": len(table.problems), "rows": len(table.rows),
            "engine_s": engine_seconds[0], "brute_s": brute_total, "vs_brute": engine_seconds[0] / brute_total,
            "cells": sum(len(cells) for cells in brute), "cells_off": sum(off), "topics_off": sum(n > 0 for n in off)}


def _single_term(query: BenchQuery) -> str | None:
    node = parse_query(query.q)
    return node.text if isinstance(node, Term) and not query.has_filters else None


def kwic_terms(corpus: Corpus, variants: Variants, queries: Sequence[BenchQuery]) -> list[str]:
    """Up to KWIC_TERMS terms with at least KWIC_LINES occurrences: single-term queries of the set first, then
    the characters most common in a sample of the texts."""
    sample = variants.norm[:: max(1, len(variants) // COMMON_SAMPLE)]
    counts: dict[str, int] = {}
    for text in sample:
        for char in text:
            if "\u4e00" <= char <= "\u9fff":
                counts[char] = counts.get(char, 0) + 1
    common = sorted(counts, key=lambda c: (-counts[c], c))[:KWIC_TERMS]
    candidates = [t for t in dict.fromkeys([*(_single_term(q) for q in queries), *common]) if t]
    chosen = []
    for term in candidates:
        if len(chosen) == KWIC_TERMS:
            break
        if corpus.kwic(SearchRequest(query=term), limit=1).total >= KWIC_LINES:
            chosen.append(term)
    return chosen


def kwic_figures(corpus: Corpus, variants: Variants, queries: Sequence[BenchQuery], repeat: int) -> dict[str, Any]:
    """A concordance page of KWIC_LINES lines (date order, the default), per term."""
    terms = kwic_terms(corpus, variants, queries)
    seconds, pages = time_each(terms, lambda t: corpus.kwic(SearchRequest(query=t), limit=KWIC_LINES), repeat)
    ms = [s * 1000 for s in seconds]
    return {"lines": KWIC_LINES, "terms": terms, "p50_ms": percentile(ms, 50), "max_ms": max(ms, default=float("nan")),
            "short_pages": sum(len(page.lines) != KWIC_LINES for page in pages)}


def measure(corpus: Corpus, variants: Variants, scanned: ScannedQueries, index_dir: Path, args: Any,
            log: Callable[[str], None]) -> dict[str, Any]:
    """Every topic-lookup figure: facets, timeline, batch topics, concordance, export."""
    log(f"facets with and without, x{args.query_repeat}; brute-force facet counts x{args.brute_repeat}")
    figures = {"facets": facet_figures(corpus, variants, scanned, args.query_repeat, args.brute_repeat)}
    log("timeline by month against brute-force counts")
    figures["timeline"] = timeline_figures(corpus, variants, scanned, args.query_repeat, args.brute_repeat)
    log(f"a batch of {TOPICS} topics by publication x month against brute-force counts")
    figures["topics"] = topic_figures(corpus, variants, scanned, min(args.query_repeat, 3), args.brute_repeat)
    log(f"concordance pages of {KWIC_LINES} lines")
    figures["kwic"] = kwic_figures(corpus, variants, scanned.queries, args.query_repeat)
    log("export of every variant as JSON Lines (corpus export, a process)")
    figures["export"] = export_all(index_dir, variants)
    return figures
