"""Write a corpus: pages, sidecars, truth.jsonl and the manifest, issue by issue."""
from __future__ import annotations

import json
import random
import shutil
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from bench.gen.families import column_label
from bench.gen.garble import OcrTable
from bench.gen.house import (
    BRIEF_FAMILIES,
    FAMILIES,
    make_house,
    page_family,
    traditional_sources,
)
from bench.gen.noise import page_noise
from bench.gen.plan import (
    START_DATE,
    Source,
    issues,
    make_plan,
    pack_pages,
    page_numbers,
)
from bench.gen.pool import load_pool
from bench.gen.render import Context, join_articles, render_article
from bench.gen.script import converter

VERSION = "1.5.0"
TRADITIONAL_SHARE = 0.1  # newspapers printing in traditional characters (Hong Kong, Taiwan)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 with \\n line ends on every platform."""
    path.write_text(text, encoding="utf-8", newline="\n")


def write_page(ctx: Context, source: Source, day: int, page_no: int, members: list[int],
               refs: dict[tuple[int, str], int], truth: IO[str]) -> None:
    """Render one page, write it, its sidecar and its truth lines."""
    when = START_DATE + timedelta(days=day)
    page_id = f"{when:%Y%m%d}-p{page_no:02d}"
    relative = f"pages/{source.sid}/{page_id}.txt"
    rng = random.Random(f"{ctx.seed}:page:{source.sid}:{page_id}")
    noise = page_noise(source, rng)
    house = ctx.houses[ctx.plan.variants[members[0]].source]
    family = page_family(ctx.seed, source.sid, page_id, house)
    convert = converter(house.opencc)
    parts, records, layouts = [], [], []
    for ordinal, index in enumerate(members):
        variant = ctx.plan.variants[index]
        rendered = render_article(ctx, variant, family, refs, noise, rng)
        parts.append(rendered.pieces)
        layouts.append(rendered.layout)
        records.append({
            "page": relative,
            "ordinal": ordinal,
            "story": f"st{variant.story:06d}",
            "layout": rendered.layout,
            "script": rendered.script,
            "title": rendered.title,
            "partial": rendered.part != "whole",
            "part": rendered.part,
            "origin": rendered.origin,
            "text_sample": rendered.sample,
            "clean_title": rendered.clean_title,
            "title_garbles": rendered.title_garbles,
            "clean_body": rendered.clean_body,
            "garbles": rendered.garbles,
        })
        ctx.counts["partial_variants"] += rendered.part != "whole"
        ctx.layouts[rendered.layout] = ctx.layouts.get(rendered.layout, 0) + 1
        ctx.scripts[rendered.script] = ctx.scripts.get(rendered.script, 0) + 1
    label = None
    first_brief = next((k for k, layout in enumerate(layouts) if layout in BRIEF_FAMILIES), None)
    if first_brief is not None and (family == "briefs" or rng.random() < 0.6):
        label = (first_brief, convert(column_label(house, rng)))
    page = join_articles(ctx, parts, noise, rng, label, convert)
    runs = page.runs()
    for ordinal, record in enumerate(records):
        lines = runs[ordinal]
        record.update(first_line=lines[0][0], last_line=lines[-1][1], lines=lines)
        truth.write(json.dumps(record, ensure_ascii=False) + "\n")
    text = page.text()
    path = ctx.out / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, text)
    if rng.random() < source.meta:
        meta = {"publication": source.name, "date": when.isoformat(), "page": page_no}
        write_text(path.with_suffix(".meta.json"), json.dumps(meta, ensure_ascii=False) + "\n")
        ctx.counts["pages_with_meta"] += 1
    ctx.counts["pages"] += 1
    ctx.counts["variants"] += len(members)
    ctx.counts["characters"] += len(text)


def write_issue(ctx: Context, day: int, source_index: int, members: list[int], truth: IO[str]) -> None:
    """Pack and write all pages of one newspaper issue."""
    source = ctx.plan.sources[source_index]
    rng = random.Random(f"{ctx.seed}:issue:{source.sid}:{day}")
    variants = ctx.plan.variants
    pages = pack_pages(members, variants, rng)
    numbers = page_numbers(len(pages), any(variants[i].part == "head" for i in members), rng)
    refs: dict[tuple[int, str], int] = {}  # (story, part) -> page, for continuation markers
    for page, number in zip(pages, numbers):
        for index in page:
            variants[index].page_no = number
            refs.setdefault((variants[index].story, variants[index].part), number)
    for page, number in zip(pages, numbers):
        write_page(ctx, source, day, number, page, refs, truth)


def prepare_out(out: Path, force: bool) -> None:
    """Create the output directory; refuse to mix with an earlier run unless --force."""
    previous = [out / "pages", out / "truth.jsonl", out / "manifest.json"]
    if any(p.exists() for p in previous):
        if not force:
            raise SystemExit(f"{out} already holds a generated corpus; pass --force to replace it")
        shutil.rmtree(out / "pages", ignore_errors=True)
        for path in previous[1:]:
            path.unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def manifest(ctx: Context, n: int, names: list[str], pool: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The run's parameters and counts (no paths, no time stamps)."""
    plan = ctx.plan
    per_story = [0] * len(plan.story_pool)
    for variant in plan.variants:
        per_story[variant.story] += 1
    return {
        "generator": "bench/generate.py",
        "version": VERSION,
        "size": n,
        "seed": ctx.seed,
        "articles": names,
        "pool": {**pool, "usable": len(ctx.store)},
        "parameters": {
            "sources": len(plan.sources),
            "days": plan.n_days,
            "start_date": START_DATE.isoformat(),
            "max_variants_per_story": plan.max_variants,
            "layouts": list(ctx.layout_families),
            "traditional_share": ctx.traditional_share,
        },
        "counts": {
            "pages": ctx.counts["pages"],
            "pages_with_meta": ctx.counts["pages_with_meta"],
            "variants": ctx.counts["variants"],
            "partial_variants": ctx.counts["partial_variants"],
            "stories": len(plan.story_pool),
            "stories_with_several_variants": sum(1 for c in per_story if c > 1),
            "characters": ctx.counts["characters"],
            "layouts": {family: ctx.layouts.get(family, 0) for family in FAMILIES},
            "scripts": dict(sorted(ctx.scripts.items())),
        },
    }


def generate(n: int, out: Path, seed: int, corpora: Path, names: list[str], force: bool = False,
             layouts: Sequence[str] = FAMILIES, traditional: float = TRADITIONAL_SHARE) -> dict[str, Any]:
    """Build the whole corpus in `out` from the named source corpora and return the manifest.

    Pages are printed in the given layout families; about `traditional` of the newspapers print
    in traditional characters.
    """
    prepare_out(out, force)
    store, pool = load_pool(corpora, names)
    try:
        if not len(store):
            raise SystemExit(f"no usable articles in {corpora}")
        plan = make_plan(n, store.lengths, seed)
        scripts = traditional_sources(seed, len(plan.sources), traditional)
        houses = [make_house(seed, source.sid, layouts, script) for source, script in zip(plan.sources, scripts)]
        ctx = Context(seed, out, store, OcrTable.load(corpora / "ocr-noise"), plan, houses, tuple(layouts),
                      traditional)
        with open(out / "truth.jsonl", "w", encoding="utf-8", newline="\n") as truth:
            for (day, source), members in issues(plan):
                write_issue(ctx, day, source, members, truth)
        result = manifest(ctx, n, names, pool)
    finally:
        store.close()
    write_text(out / "manifest.json", json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return result
