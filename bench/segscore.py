"""Segmentation and grouping per layout family on a generated corpus, without the rest of the benchmark.

    python -m bench.segscore CORPUS_DIR [--direct] [--index DIR] [--out FILE] [--workers 2] [--lost N]

By default the corpus is indexed once with `corpus index` (as bench/run does) and both scores are
read from the index; `--direct` segments the pages in this process and its workers instead (no
grouping, no split of merged variants: segmentation alone, in a fraction of the time). Either way
it also counts the page lines that no variant holds, by role, with examples: text a literal search
could never find.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench import grouping, segmentation
from bench.dataset import Dataset
from bench.indexing import index_once
from bench.reference import Variants, load_variants
from indexer.normalise import normalise
from indexer.read import ReadError, discover, read_page
from indexer.segment import segment_page


def _segment_file(item: Any) -> list[tuple[str, int, str]]:
    """(source, ordinal, normalised text) of every article the segmenter finds on one page."""
    try:
        page, _ = read_page(item)
    except ReadError:
        return []  # refused by the reader, as `corpus index` refuses it
    texts = [article.display_text() for article in segment_page(page.text)]
    return [(page.source, k, normalise(text).text) for k, text in enumerate(t for t in texts if t.strip())]


def direct_variants(pages: Path, workers: int) -> Variants:
    """The variants segmentation alone makes of every page, as load_variants returns an index's."""
    items = [item for item in discover([pages], "path") if not isinstance(item, Exception)]
    variants = Variants()
    with ProcessPoolExecutor(workers) as pool:
        for rows in pool.map(_segment_file, items, chunksize=16):
            for source, ordinal, norm in rows:
                variants.variant_id.append(f"{source}#{ordinal}")
                variants.article_id.append(f"{source}#{ordinal}")
                variants.source.append(source)
                variants.ordinal.append(ordinal)
                variants.publication.append(None)
                variants.date.append(None)
                variants.norm.append(norm)
    return variants


def lost_lines(dataset: Dataset, variants: Variants, shown: int) -> dict[str, Any]:
    """Non-blank page lines that no variant of their page holds, by the role the truth gives them."""
    on_page: dict[str, list[int]] = defaultdict(list)
    for i, source in enumerate(variants.source):
        on_page[source].append(i)
    roles: dict[str, dict[int, str]] = defaultdict(dict)
    families: dict[str, dict[int, str]] = defaultdict(dict)
    for record in dataset.truth():
        for first, last, role in record["lines"]:
            for n in range(first, last + 1):
                roles[record["page"]][n] = role
                families[record["page"]][n] = record.get("layout", "classic")
    counts: Counter = Counter()
    examples: list[dict[str, Any]] = []
    for page in sorted(roles):
        source = page.removeprefix("pages/").removesuffix(".txt")
        candidates = sorted(on_page.get(source, []), key=lambda v: variants.ordinal[v])
        if not candidates:
            continue  # a page the reader refused
        lines = (dataset.root / page).read_text(encoding="utf-8").split("\n")
        texts = {v: segmentation.WHITESPACE.sub("", variants.norm[v]) for v in candidates}
        assigned = segmentation.assign_lines(lines, candidates, texts)
        for n, line in enumerate(lines, 1):
            if not line.strip() or n in assigned or not segmentation.compact(line):
                continue
            role = roles[page].get(n, "page")
            counts[f"{families[page].get(n, '-')}/{role}"] += 1
            if len(examples) < shown:
                examples.append({"page": page, "line": n, "role": role, "text": line[:80]})
    return {"by_family_role": dict(counts.most_common()), "total": sum(counts.values()), "examples": examples}


def table(seg: dict[str, Any], groups: dict[str, Any] | None) -> str:
    """The per-family figures as Markdown."""
    rows = ["| family | articles | seg R / P | merged | split | edge | lost | grouping P / R | mapped P / R |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    families = groups["families"] if groups else {}
    mapped = groups["mapped_families"] if groups else {}

    def pair(found: dict[str, Any] | None, precision: str = "pairwise_precision", recall: str = "pairwise_recall") -> str:
        return f"{found[precision]:.3f} / {found[recall]:.3f}" if found else ""

    for family, score in [*seg["families"].items(), ("all", seg["total"])]:
        group = pair(groups) if family == "all" else pair(families.get(family))
        group_mapped = pair(groups, "mapped_precision", "mapped_recall") if family == "all" else pair(mapped.get(family))
        rows.append(f"| {family} | {score['articles']} | {score['recall']:.3f} / {score['precision']:.3f} | "
                    f"{score['merged']} | {score['split']} | {score['edge_slips']} | {score['lines_lost']} | {group} | "
                    f"{group_mapped} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--direct", action="store_true", help="segment in process: no index, no grouping")
    parser.add_argument("--index", type=Path, help="index directory to build (default: a temporary one)")
    parser.add_argument("--out", type=Path, help="JSON of all the figures")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lost", type=int, default=20, help="lost lines shown")
    args = parser.parse_args(argv)
    manifest = json.loads((args.corpus / "manifest.json").read_text(encoding="utf-8"))
    dataset = Dataset(args.corpus, manifest)
    groups = None
    with tempfile.TemporaryDirectory(prefix="segscore-") as scratch:
        if args.direct:
            variants = direct_variants(dataset.pages_dir, args.workers)
        else:
            index_dir = args.index or Path(scratch) / "index"
            run = index_once(dataset.pages_dir, index_dir, args.workers)
            print(f"indexed in {run.seconds:.1f} s: {run.variants} variants", file=sys.stderr)
            variants = load_variants(index_dir)
        seg = segmentation.evaluate(dataset, variants)
        if not args.direct:
            groups = grouping.evaluate(dataset, variants, seg.cover).to_dict()
    lost = lost_lines(dataset, variants, args.lost)
    print(table(seg.to_dict(), groups))
    print(f"\nvariants {len(variants)}; lines in no variant: {lost['total']} {lost['by_family_role']}")
    if groups:
        print(f"wrong pairs {groups['wrong_pairs']}; missed pairs {groups['missed_pairs']}")
    if args.out:
        args.out.write_text(json.dumps({"segmentation": seg.to_dict(), "grouping": groups, "lost_lines": lost},
                                       ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
