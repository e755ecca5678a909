"""The targets each figure is held to, and the Markdown table that shows figures, baselines and verdicts."""
from __future__ import annotations

from typing import Any

from bench.compaction import compaction_rows
from bench.markdown import MB, causes, ms, row
from bench.report_rows import lookup_rows, lookup_targets, truth_rows, truth_targets

RSS_LIMIT_BYTES = 1.5e9


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target with the measured value and whether it is met."""
    ix, q, lit, grp, cold = r["indexing"], r["query"], r["literal"], r["grouping"], r["cold_start"]
    engine, brute, tantivy = q["engine"], q["brute_force"], q["tantivy"]
    rows: list[tuple[str, float, str, bool]] = [
        *_indexing_targets(ix),
        ("query p50 / brute-force p50", engine["p50_ms"] / brute["p50_ms"], "<= 0.05",
         engine["p50_ms"] <= brute["p50_ms"] / 20),
        ("query p95 / brute-force p95", engine["p95_ms"] / brute["p95_ms"], "<= 0.10",
         engine["p95_ms"] <= brute["p95_ms"] / 10),
        ("query p50 / tantivy p50", engine["p50_ms"] / tantivy["p50_ms"], "<= 10",
         engine["p50_ms"] <= 10 * tantivy["p50_ms"]),
        ("cold start / jieba floor", cold["vs_jieba"], "<= 1.30", cold["vs_jieba"] <= 1.3),
        ("grouping pairwise precision", grp["pairwise_precision"], ">= 0.98", grp["pairwise_precision"] >= 0.98),
        ("grouping pairwise recall", grp["pairwise_recall"], ">= 0.98", grp["pairwise_recall"] >= 0.98),
        ("literal recall", lit["recall"], "= 1", lit["recall"] == 1.0),
        ("literal precision", lit["precision"], "= 1", lit["precision"] == 1.0 and not lit["duplicates"]),
        ("total_variants = brute-force count", lit["total_mismatches"], "0 queries off", lit["total_mismatches"] == 0),
        ("first search after a fresh index / jieba floor", cold["first_vs_jieba"], "<= 1.30",
         cold["first_vs_jieba"] <= 1.3),
        *lookup_targets(r["lookups"]),
        *truth_targets(r),
    ]
    return [{"name": n, "value": v, "target": t, "pass": ok} for n, v, t, ok in rows]


def table(r: dict[str, Any]) -> str:
    """The results as a Markdown table, a heading line of context before it."""
    ix, q, lit, grp, cold = r["indexing"], r["query"], r["literal"], r["grouping"], r["cold_start"]
    engine, brute, tantivy = q["engine"], q["brute_force"], q["tantivy"]
    uncached = q["engine_uncached"]
    verdict = {t["name"]: "PASS" if t["pass"] else "FAIL" for t in r["targets"]}
    s = r["settings"]
    lines = [
        *_head(r, f"{q['count']} queries; medians of {s['repeat']} indexing runs, {s['query_repeat']} query rounds "
                  f"({s['brute_repeat']} brute-force), {s['cold_runs']} cold starts"),
        *_indexing_rows(ix, s["workers"], verdict),
        row("query p50", ms(engine["p50_ms"]), f"brute force {ms(brute['p50_ms'])}",
             f"{engine['p50_ms'] / brute['p50_ms']:.3f}", "<= 0.05", verdict["query p50 / brute-force p50"]),
        row("query p95", ms(engine["p95_ms"]), f"brute force {ms(brute['p95_ms'])}",
             f"{engine['p95_ms'] / brute['p95_ms']:.3f}", "<= 0.10", verdict["query p95 / brute-force p95"]),
        row("query p99", ms(engine["p99_ms"]), f"brute force {ms(brute['p99_ms'])}",
             f"{engine['p99_ms'] / brute['p99_ms']:.3f}", "", ""),
        row("query p50 / p95, postings not cached", f"{ms(uncached['p50_ms'])} / {ms(uncached['p95_ms'])}",
             f"brute force {ms(brute['p50_ms'])} / {ms(brute['p95_ms'])}",
             f"{uncached['p50_ms'] / brute['p50_ms']:.3f} / {uncached['p95_ms'] / brute['p95_ms']:.3f}", "", "info"),
        row("query p50 vs tantivy", ms(engine["p50_ms"]), f"tantivy alone (terms cut before) {ms(tantivy['p50_ms'])}",
             f"{engine['p50_ms'] / tantivy['p50_ms']:.1f}x", "<= 10x", verdict["query p50 / tantivy p50"]),
        row("query p50 vs tantivy with jieba's cut", ms(engine["p50_ms"]),
             f"tantivy, cut timed {ms(q['tantivy_with_cut']['p50_ms'])}",
             f"{engine['p50_ms'] / q['tantivy_with_cut']['p50_ms']:.1f}x", "", "info"),
        row("query p50 without the page (match, rank, top stories)", ms(q["engine_ranking"]["p50_ms"]),
             f"tantivy alone {ms(tantivy['p50_ms'])}", f"{q['engine_ranking']['p50_ms'] / tantivy['p50_ms']:.1f}x",
             "", "info"),
        row("tantivy recall (of literal matches)", f"{tantivy['recall']:.1%}",
             f"missed {tantivy['missed']:,} of {tantivy['literal_matches']:,} in {tantivy['queries_with_misses']} "
             f"queries; {tantivy['extra']:,} non-matches returned", "", "", "info"),
        row("literal recall", f"{lit['recall']:.4%}", f"brute force, {lit['expected']:,} matches",
             "", "100%", verdict["literal recall"]),
        row("literal precision", f"{lit['precision']:.4%}",
             f"{lit['extra']:,} extra, {lit['duplicates']} listed twice", "", "100%",
             verdict["literal precision"]),
        row("total_variants", f"{lit['total_mismatches']} queries off", "brute-force count", "", "0",
             verdict["total_variants = brute-force count"]),
        row("grouping pairwise precision", f"{grp['pairwise_precision']:.4f}",
             f"{grp['articles']:,} articles, {grp['mapped_fuzzy']} fuzzy, {grp['unmapped']} unmapped", "",
             ">= 0.98", verdict["grouping pairwise precision"]),
        row("grouping pairwise recall", f"{grp['pairwise_recall']:.4f}",
             f"{grp['articles_sharing_a_variant']} articles share a variant", "", ">= 0.98",
             verdict["grouping pairwise recall"]),
        row("grouping P / R, one article per variant",
             f"{grp['unshared_precision']:.4f} / {grp['unshared_recall']:.4f}", "segmentation merges left out",
             "", "", "info"),
        row("grouping errors by cause", "wrong pairs: " + causes(grp["wrong_pairs"]),
             "missed pairs: " + causes(grp["missed_pairs"]), "", "", "info"),
        row("grouping P / R, unmapped left out", f"{grp['mapped_precision']:.4f} / {grp['mapped_recall']:.4f}",
             "as scored before unmapped articles counted as misses", "", "", "info"),
        row("sample mapping, checked on line truth",
             ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in grp["mapping_check"].items()), "", "", "", "info"),
        *_family_rows(r["segmentation"], {**grp["families"], "all": grp}),
        row("cold start", f"{cold['search_s'] * 1000:,.0f} ms", f"jieba floor {cold['jieba_s'] * 1000:,.0f} ms",
             f"{cold['vs_jieba']:.2f}x", "<= 1.30x", verdict["cold start / jieba floor"]),
        row("first search after a fresh index", f"{cold['first_s'] * 1000:,.0f} ms",
             f"jieba floor {cold['jieba_s'] * 1000:,.0f} ms; view cache left by indexing: "
             f"{'yes' if cold.get('cache_left_by_index') else 'no'}; without it "
             f"{cold.get('uncached_s', cold['first_s']) * 1000:,.0f} ms: building it costs "
             f"{cold['cache_build_s'] * 1000:,.0f} ms ({cold['cache_build_share_of_indexing']:.2%} of indexing)",
             f"{cold['first_vs_jieba']:.2f}x", "<= 1.30x", verdict["first search after a fresh index / jieba floor"]),
        *lookup_rows(r["lookups"], verdict),
        *truth_rows(r, verdict),
        *compaction_rows(r.get("compaction")),
    ]
    return "\n".join(lines)


def indexing_table(r: dict[str, Any]) -> str:
    """The indexing rows alone, for a run that measured nothing else (bench/run --indexing-only)."""
    ix, s = r["indexing"], r["settings"]
    verdict = {name: "PASS" if ok else "FAIL" for name, _, _, ok in _indexing_targets(ix)}
    return "\n".join([*_head(r, f"{s['repeat']} indexing runs, each followed by a jieba run"),
                      *_indexing_rows(ix, s["workers"], verdict)])


def _head(r: dict[str, Any], measured: str) -> list[str]:
    """A line of context (the corpus, what was measured on it, the machine), then the table's header."""
    c, ix = r["corpus"], r["indexing"]
    return [
        f"corpus {r['size']} (seed {r['seed']}): {c['pages']:,} pages, {ix['characters']:,} characters, "
        f"{ix['variants']:,} variants indexed, {ix['files_failed']:,} pages refused by the reader; {measured}; "
        f"{r['machine']['cpus']} CPUs, load {r['machine']['load_start']:.1f} -> {r['machine']['load_end']:.1f}",
        "",
        row("figure", "measured", "baseline", "ratio", "target", "result"),
        row(*["---"] * 6),
    ]


def _indexing_targets(ix: dict[str, Any]) -> list[tuple[str, float, str, bool]]:
    return [("indexing / 2-process jieba", ix["vs_jieba"], ">= 0.50", ix["vs_jieba"] >= 0.5),
            ("peak RSS (MB)", ix["peak_rss_bytes"] / MB, "< 1500", ix["peak_rss_bytes"] < RSS_LIMIT_BYTES)]


def _indexing_rows(ix: dict[str, Any], workers: int, verdict: dict[str, str]) -> list[str]:
    """Throughput against jieba, its spread over the runs, index size and peak memory."""
    return [
        row("indexing throughput", f"{ix['chars_per_s']:,.0f} chars/s, {ix['variants_per_s']:,.1f} variants/s",
            f"jieba.lcut x{workers}: {ix['jieba_chars_per_s']:,.0f} chars/s", f"{ix['vs_jieba']:.2f}",
            ">= 0.50", verdict["indexing / 2-process jieba"]),
        row(f"indexing, {len(ix['runs'])} runs: min / median / max",
            " / ".join(f"{ix['spread']['seconds'][k]:,.1f}" for k in ("min", "median", "max")) + " s",
            " / ".join(f"{ix['spread']['chars_per_s'][k]:,.0f}" for k in ("min", "median", "max")) + " chars/s",
            " / ".join(f"{ix['spread']['vs_jieba'][k]:.2f}" for k in ("min", "median", "max")), "", "info"),
        row("index size", f"{ix['size_bytes'] / MB:,.1f} MB", f"raw text {ix['raw_bytes'] / MB:,.1f} MB",
            f"{ix['size_vs_raw']:.2f}x", "", ""),
        row("peak RSS, indexing", f"{ix['peak_rss_bytes'] / MB:,.0f} MB",
            f"tree {ix['tree_peak_bytes'] / MB:,.0f} MB (PSS {ix['tree_peak_pss_bytes'] / MB:,.0f} MB), "
            f"largest process {ix['max_process_rss_bytes'] / MB:,.0f} MB",
            "", "< 1500 MB", verdict["peak RSS (MB)"]),
    ]


def _family_rows(seg: dict[str, Any], groups: dict[str, dict[str, float]]) -> list[str]:
    """One row per layout family: segmentation recall and precision, merges, splits; grouping P / R."""
    rows = []
    for family, score in [*seg["families"].items(), ("all", seg["total"])]:
        grouping = groups.get(family)
        rows.append(row(
            f"layout {family}: segmentation R / P",
            f"{score['recall']:.3f} / {score['precision']:.3f}",
            f"{score['articles']:,} articles: {score['exact']:,} exact, {score['merged']:,} merged, "
            f"{score['split']:,} split ({score['edge_slips']:,} merged or split by edge lines only), "
            f"{score['lines_lost']:,} lines lost, {score['missed']:,} missed",
            f"grouping {grouping['pairwise_precision']:.3f} / {grouping['pairwise_recall']:.3f}" if grouping else "",
            "", "info"))
    return rows
