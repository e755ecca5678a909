"""Print one article or one page: cut and noise the blocks, lay out the body, join the articles of a page."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from bench.gen.articles import SENTENCE_END, Block, split_sentences
from bench.gen.layout import format_block, render_header, story_info
from bench.gen.noise import (
    HALFWIDTH_TABLE,
    OcrTable,
    PageNoise,
    column_break,
    cut_part,
    hard_wrap,
    single_wrap,
    structural_noise,
    text_noise,
)
from bench.gen.plan import Plan, Source, Variant, make_name
from bench.gen.pool import ArticleStore

SAMPLE_CHARS = 40


@dataclass
class Rendered:
    """One article as printed, with the facts truth.jsonl records about it."""

    text: str
    title: str | None
    sample: str
    origin: str


def zero_counts() -> dict[str, int]:
    """Fresh output counters."""
    return dict.fromkeys(("pages", "pages_with_meta", "variants", "partial_variants", "characters"), 0)


@dataclass
class Context:
    """Shared state of one generator run."""

    seed: int
    out: Path
    store: ArticleStore
    ocr: OcrTable
    plan: Plan
    counts: dict[str, int] = field(default_factory=zero_counts)


def make_caption(ctx: Context, rng: random.Random) -> str:
    """A photo caption: a sentence of another article plus a photographer's credit."""
    article = ctx.store.get(rng.randrange(len(ctx.store)))
    sentences = [s for b in article.blocks for s in split_sentences(b.text) if 10 <= len(s) <= 80]
    sentence = (rng.choice(sentences) if sentences else article.title).rstrip(SENTENCE_END)
    if sentence.startswith("“") and "”" not in sentence:
        sentence = sentence[1:]
    name = make_name(rng)
    credits = (
        f"新华社记者 {name} 摄",
        f"新华社记者{name}摄",
        f"新华社发 {name} 摄",
        f"本报记者 {name} 摄",
        f"{name} 摄",
        f"■新华社记者 {name} 摄",
    )
    credit = rng.choice(credits)
    form = rng.random()
    if form < 0.6:
        return f"{sentence}。{credit}"
    if form < 0.8:
        return f"{sentence}。（{credit}）"
    return f"{sentence}。\n\n{rng.choice((credit, '新华/传真', '新华社发'))}"


def text_sample(blocks: list[Block]) -> str:
    """Up to SAMPLE_CHARS non-whitespace characters from the start of the body.

    Leading captions are skipped and the sample stops at the next caption, so
    that it is one contiguous run of printed text.
    """
    sample = ""
    for block in blocks:
        if block.kind == "c":
            if sample:
                break
            continue
        sample += "".join(block.text.split())
        if len(sample) >= SAMPLE_CHARS:
            break
    return sample[:SAMPLE_CHARS]


def sample_blocks(blocks: list[Block]) -> int:
    """How many leading blocks text_sample may draw from (at most)."""
    total = 0
    for index, block in enumerate(blocks):
        total += len("".join(block.text.split()))
        if total >= SAMPLE_CHARS:
            return index + 1
    return len(blocks)


def layout_body(ctx: Context, blocks: list[Block], lead: str, source: Source, level: float,
                rng: random.Random) -> list[str]:
    """Printed body paragraphs with column breaks, an inserted caption and hard wraps."""
    texts = [format_block(b, source) for b in blocks]
    first_free = sample_blocks(blocks)  # a caption there would split text_sample
    if lead and blocks[0].kind == "p":
        texts[0] = lead + texts[0]
    elif lead:
        texts.insert(0, lead.strip())
        blocks = [Block("p", lead)] + blocks
        first_free += 1
    body = [i for i, b in enumerate(blocks) if b.kind == "p" and len(texts[i]) >= 8]
    if body and rng.random() < 0.5 * level:
        for index in rng.choices(body, k=rng.choice((1, 1, 2, 3))):
            texts[index] = column_break(texts[index], rng)
    later = [i for i in body if i >= first_free and len(texts[i]) >= 30]
    if later and rng.random() < 0.25 * level:
        index = rng.choice(later)
        text = texts[index]
        at = rng.randint(len(text) // 4, 3 * len(text) // 4)
        texts[index] = text[:at] + "\n\n\n\n" + make_caption(ctx, rng) + "\n\n" + text[at:]
    if rng.random() < source.wrap * level:
        width = rng.randint(14, 22)
        return [t if blocks[i].kind == "h" else hard_wrap(t, width) for i, t in enumerate(texts)]
    if body and rng.random() < 0.15 * level:
        index = rng.choice(body)
        texts[index] = single_wrap(texts[index], rng)
    return texts


def render_article(ctx: Context, variant: Variant, refs: dict[tuple[int, str], int], noise: PageNoise,
                   rng: random.Random) -> Rendered:
    """Print one variant: cut, noise, header, layout."""
    source = ctx.plan.sources[variant.source]
    article = ctx.store.get(ctx.plan.story_pool[variant.story])
    info = story_info(ctx.seed, variant.story, ctx.plan.story_day[variant.story], article)
    blocks = cut_part(article.blocks, variant.part, rng)
    blocks = text_noise(structural_noise(blocks, noise.level, rng), ctx.ocr, noise, rng)
    header = render_header(variant, article, info, source, refs, rng)
    body = layout_body(ctx, blocks, header.lead, source, noise.level, rng)
    text = "\n\n".join(header.above + body + header.below)
    title, sample = header.title, text_sample(blocks)
    if noise.halfwidth:
        text = text.translate(HALFWIDTH_TABLE)
        title = title.translate(HALFWIDTH_TABLE) if title is not None else None
        sample = sample.translate(HALFWIDTH_TABLE)
    return Rendered(text, title, sample, article.origin)


def join_articles(ctx: Context, parts: list[str], noise: PageNoise, rng: random.Random) -> str:
    """Assemble a page: article separators, a stray photo caption, leading blank lines."""
    if rng.random() < 0.08 * noise.level:
        caption = make_caption(ctx, rng)
        if noise.halfwidth:
            caption = caption.translate(HALFWIDTH_TABLE)
        parts = parts[:]
        parts.insert(rng.randint(1, len(parts)), caption)
    text = parts[0]
    for part in parts[1:]:
        text += rng.choices(("\n\n", "\n\n\n\n", "\n\n \n"), (70, 20, 10))[0] + part
    if rng.random() < 0.3:
        text = "\n\n" + text
    return text + ("\n" if rng.random() < 0.5 else "")
