"""Targets and table rows of the topic lookups (facets, timeline, batch topics, concordance, export) and of
the checks against the generator's truth (raw-text reference, cuts and joins, consensus, script tolerance)."""
from __future__ import annotations

from typing import Any

from bench.markdown import MB, causes, ms, row

FACET_ADDED = 0.25  # facets may add this share to a search's p50
VS_BRUTE = 0.05
EXPORT_RATE = 20_000  # variants per second
EXPORT_RSS_BYTES = 300e6
KWIC_MS = 100.0
Target = tuple[str, float, str, bool]


def lookup_targets(lk: dict[str, Any]) -> list[Target]:
    """Every lookup target with its value and verdict."""
    facet, line, topic, export, kwic = lk["facets"], lk["timeline"], lk["topics"], lk["export"], lk["kwic"]
    return [
        ("facets added to a search's p50", facet["added"], "<= 25%", facet["added"] <= FACET_ADDED),
        ("facet lookup / brute-force facet count", facet["vs_brute"], "<= 0.05", facet["vs_brute"] <= VS_BRUTE),
        ("timeline / brute-force count", line["vs_brute"], "<= 0.05", line["vs_brute"] <= VS_BRUTE),
        ("facet and timeline cells off", facet["cells_off"] + line["cells_off"], "0",
         facet["cells_off"] + line["cells_off"] == 0),
        ("batch topics / brute-force counts", topic["vs_brute"], "<= 0.05", topic["vs_brute"] <= VS_BRUTE),
        ("batch topic cells off", topic["cells_off"], "0", topic["cells_off"] == 0 and not topic["problems"]),
        ("export variants/s", export["variants_per_s"], ">= 20,000",
         export["variants_per_s"] >= EXPORT_RATE and export["rows"] == export["matching"] == export["variants"]),
        ("export peak RSS (MB)", export["peak_rss_bytes"] / MB, "< 300", export["peak_rss_bytes"] < EXPORT_RSS_BYTES),
        ("KWIC 1,000 lines p50 (ms)", kwic["p50_ms"], "<= 100",
         bool(kwic["terms"]) and kwic["p50_ms"] <= KWIC_MS and not kwic["short_pages"]),
    ]


def truth_targets(r: dict[str, Any]) -> list[Target]:
    """Every target checked against the generator's truth."""
    raw, cuts, cons, script = r["raw_reference"], r["cuts"], r["consensus"], r["script"]
    simplified, traditional = script["simplified"]["recall"], script["traditional"]["recall"]
    stories = cons.get("stories", 0)
    return [
        ("literal recall vs raw page text", raw["recall"], "= 1", raw["recall"] == 1.0),
        ("literal precision vs raw page text", raw["precision"], "= 1", raw["precision"] == 1.0),
        ("AND recall across cuts (page)", cuts["page_recall"], "= 1", cuts["page_recall"] == 1.0),
        ("false joins", cuts["false_joins"], "0", cuts["false_joins"] == 0),
        ("consensus CER, mean story", cons.get("mean_consensus", float("nan")), "< best printing's",
         stories > 0 and cons["mean_consensus"] < cons["mean_best"]),
        ("consensus CER, median story", cons.get("median_consensus", float("nan")), "< best printing's",
         stories > 0 and cons["median_consensus"] < cons["median_best"]),
        ("script: traditional recall - simplified", traditional - simplified, ">= 0", traditional >= simplified),
        ("script: extra hits", script["simplified"]["extra"] + script["traditional"]["extra"], "0",
         script["simplified"]["extra"] + script["traditional"]["extra"] == 0),
    ]


def lookup_rows(lk: dict[str, Any], verdict: dict[str, str]) -> list[str]:
    """The table rows of the topic lookups."""
    facet, line, topic, export, kwic = lk["facets"], lk["timeline"], lk["topics"], lk["export"], lk["kwic"]
    return [
        row("facets in a search (publication, date:month, source)",
            f"p50 {ms(facet['search_with_facets_p50_ms'])}", f"without facets {ms(facet['search_p50_ms'])}",
            f"+{facet['added']:.0%}", "<= +25%", verdict["facets added to a search's p50"]),
        row("facet counts alone", f"p50 {ms(facet['lookup_p50_ms'])}",
            f"brute-force scan and count {ms(facet['brute_p50_ms'])}", f"{facet['vs_brute']:.3f}", "<= 0.05",
            verdict["facet lookup / brute-force facet count"]),
        row("timeline of one query by month", f"p50 {ms(line['engine_p50_ms'])}",
            f"brute-force scan and count {ms(line['brute_p50_ms'])}", f"{line['vs_brute']:.3f}", "<= 0.05",
            verdict["timeline / brute-force count"]),
        row("facet and timeline counts", f"{facet['cells_off'] + line['cells_off']} cells off",
            f"brute force, {facet['queries']} queries ({facet['queries_off']} / {line['queries_off']} off)", "",
            "0", verdict["facet and timeline cells off"]),
        row(f"batch of {topic['topics']} topics by publication x month", f"{topic['engine_s']:.3g} s",
            f"{topic['topics']} brute-force counts {topic['brute_s']:.3g} s", f"{topic['vs_brute']:.3f}", "<= 0.05",
            verdict["batch topics / brute-force counts"]),
        row("batch topic counts", f"{topic['cells_off']} cells off",
            f"{topic['cells']:,} cells, {topic['rows']:,} rows, {topic['problems']} lines skipped", "", "0",
            verdict["batch topic cells off"]),
        row("export of every variant, JSON Lines", f"{export['variants_per_s']:,.0f} variants/s streamed",
            f"{export['rows']:,} rows of {export['variants']:,} variants ({export['matching']:,} match), "
            f"{export['bytes'] / MB:,.0f} MB in {export['seconds']:.1f} s, the first row after "
            f"{export['first_row_s']:.2f} s ({export['variants_per_s_overall']:,.0f}/s from the start); "
            f"an OR of {export['query_terms']} characters, {export['one_term']['variants_per_s']:,.0f}/s for its "
            f"first alone ({export['one_term']['rows']:,} rows)", "", ">= 20,000/s",
            verdict["export variants/s"]),
        row("export peak RSS", f"{export['peak_rss_bytes'] / MB:,.0f} MB",
            f"PSS {export['tree_peak_pss_bytes'] / MB:,.0f} MB", "", "< 300 MB", verdict["export peak RSS (MB)"]),
        row(f"concordance page of {kwic['lines']:,} lines", f"p50 {ms(kwic['p50_ms'])}",
            f"max {ms(kwic['max_ms'])} over {len(kwic['terms'])} terms", "", "<= 100 ms",
            verdict["KWIC 1,000 lines p50 (ms)"]),
    ]


def truth_rows(r: dict[str, Any], verdict: dict[str, str]) -> list[str]:
    """The table rows checked against the generator's truth."""
    raw, cuts, cons, script = r["raw_reference"], r["cuts"], r["consensus"], r["script"]
    origins = "; ".join(f"{name}: {s['terms']} terms, R {s['recall']:.4f} P {s['precision']:.4f}"
                        for name, s in raw["by_origin"].items())
    missed = {k.removeprefix("missed: "): v for k, v in raw["causes"].items() if k.startswith("missed")}
    extra = {k.removeprefix("extra: "): v for k, v in raw["causes"].items() if k.startswith("extra")}
    simplified, traditional = script["simplified"], script["traditional"]
    rows = [
        row("literal recall vs raw page text", f"{raw['recall']:.4%}",
            f"{raw['reference_pairs']:,} (term, article) pairs; {origins}", "", "100%",
            verdict["literal recall vs raw page text"]),
        row("literal precision vs raw page text", f"{raw['precision']:.4%}",
            f"{raw['returned_pairs']:,} pairs returned", "", "100%", verdict["literal precision vs raw page text"]),
        row("raw-reference disagreements by cause", "missed: " + (causes(missed) or "none"),
            "extra: " + (causes(extra) or "none"), "", "", "info"),
        row("AND recall across cuts", f"{cuts['page_recall']:.4f} (page)",
            f"{cuts['pairs']:,} (query, article) pairs of {cuts['together_queries']} queries; "
            f"article level {cuts['article_recall']:.4f}; lost: {causes(cuts['lost_by_cover']) or 'none'}", "", "1",
            verdict["AND recall across cuts (page)"]),
        row("false joins", f"{cuts['false_joins']} of {cuts['apart_queries']} queries",
            "terms of two articles of one page that no article holds together", "", "0", verdict["false joins"]),
    ]
    if cons.get("stories"):
        rows += [
            row("consensus CER, mean story", f"{cons['mean_consensus']:.4f}",
                f"best printing {cons['mean_best']:.4f}, mean printing {cons['mean_mean']:.4f}",
                f"{cons['mean_consensus'] / cons['mean_best']:.2f}x" if cons["mean_best"] else "",
                "< best printing", verdict["consensus CER, mean story"]),
            row("consensus CER, median story", f"{cons['median_consensus']:.4f}",
                f"best printing {cons['median_best']:.4f}, mean printing {cons['median_mean']:.4f}",
                f"{cons['median_consensus'] / cons['median_best']:.2f}x" if cons["median_best"] else "",
                "< best printing", verdict["consensus CER, median story"]),
            row("consensus stories", f"{cons['not_worse']} of {cons['stories']} not worse than the best printing",
                f"{cons['printings']:,} printings, {cons['qualifying']:,} stories qualify; of the worse, "
                f"{cons['worse_and_shorter']} lost text; {cons['seconds_per_story'] * 1000:,.0f} ms a story",
                "", "", "info"),
            *(row(f"consensus CER, {label}", f"mean {part['mean_consensus']:.4f}, median {part['median_consensus']:.4f}",
                  f"best printing {part['mean_best']:.4f} / {part['median_best']:.4f}; {part['not_worse']} of "
                  f"{part['stories']} stories not worse", "", "", "info")
              for label, part in (("two printings", cons["two_printings"]), ("three or more", cons["three_or_more"]))
              if part["stories"]),
        ]
    rows += [
        row("script tolerance: recall of simplified queries", f"traditional {traditional['recall']:.4f}",
            f"simplified {simplified['recall']:.4f} ({traditional['eligible']:,} / {simplified['eligible']:,} "
            f"printings eligible, {script['terms']} terms, {script['stories']} stories); "
            f"{traditional['missed_unfolded']} of {traditional['eligible'] - traditional['found']} traditional misses "
            f"hold a character the index leaves as printed: "
            f"{causes(script['traditional_misses_by_character']) or 'none'}",
            f"{traditional['recall'] - simplified['recall']:+.4f}", "traditional = simplified",
            verdict["script: traditional recall - simplified"]),
        row("script tolerance: extra hits", f"traditional {traditional['extra']}, simplified {simplified['extra']}",
            f"of {traditional['not_printed']:,} / {simplified['not_printed']:,} printings not printing the term",
            "", "0", verdict["script: extra hits"]),
    ]
    return rows
