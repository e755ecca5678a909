"""Print one article or one page: cut and noise the blocks, lay out the body, join the articles of a page."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from bench.gen.articles import SENTENCE_END, Block, split_sentences
from bench.gen.families import brief_blocks, brief_header, plain_header, stacked_header
from bench.gen.garble import HALFWIDTH_TABLE, OcrTable, garbled_title, text_noise
from bench.gen.house import BRIEF_FAMILIES, House
from bench.gen.layout import Header, format_block, render_header, story_info
from bench.gen.noise import (
    PageNoise,
    column_break,
    cut_part,
    hard_wrap,
    single_wrap,
    structural_noise,
)
from bench.gen.plan import Plan, Variant, make_name
from bench.gen.pool import ArticleStore
from bench.gen.printed import PageText, Piece, map_text, paragraphs
from bench.gen.script import converter, traditional_article

SAMPLE_CHARS = 40


@dataclass
class Rendered:
    """One article as printed, with the facts truth.jsonl records about it."""

    pieces: list[Piece]
    title: str | None
    sample: str
    origin: str
    layout: str  # the family it was printed in
    part: str  # the part printed: a whole story cut down to a brief is a head
    script: str  # "simplified" or "traditional"
    clean_title: str | None  # the title before OCR noise (null when none is printed)
    title_garbles: list[list]  # [position in clean_title, clean string, printed string]
    clean_body: str  # the body's blocks as typeset (after cuts, dropped and repeated text), "\n" between
    garbles: list[list]  # [position in clean_body, clean string, printed string]


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
    houses: list[House]  # by source index
    layout_families: tuple[str, ...]
    traditional_share: float
    counts: dict[str, int] = field(default_factory=zero_counts)
    layouts: dict[str, int] = field(default_factory=dict)  # variants printed in each family
    scripts: dict[str, int] = field(default_factory=dict)  # variants printed in each script
    tables: dict[str, OcrTable] = field(default_factory=dict)  # OCR confusions per OpenCC config

    def table(self, config: str) -> OcrTable:
        """The OCR confusions of a script: the loaded table, its characters converted for a traditional one."""
        if not config:
            return self.ocr
        if config not in self.tables:
            self.tables[config] = self.ocr.mapped(converter(config))
        return self.tables[config]


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


BLOCK_ROLES = {"p": "body", "h": "subhead", "c": "caption"}


@dataclass(frozen=True)
class BodyStyle:
    """How a family lays out an article's body."""

    subhead: str  # "###", "**" or ""
    wrap: float  # probability of hard wraps at a column width (scaled by the page's noise level)
    photo: float = 0.0  # probability of a photo caption of the article's own between two paragraphs
    convert: Callable[[str], str] = str  # the script the captions it makes are printed in


def layout_body(ctx: Context, blocks: list[Block], lead: Piece, style: BodyStyle, level: float,
                rng: random.Random) -> list[list[Piece]]:
    """Printed body paragraphs with column breaks, inserted captions and hard wraps."""
    texts = [format_block(b, style.subhead) for b in blocks]
    roles = [BLOCK_ROLES[b.kind] for b in blocks]
    first_free = sample_blocks(blocks)  # a caption there would split text_sample
    if lead.text and blocks[0].kind == "p":
        texts[0] = lead.text + texts[0]
    elif lead.text:
        texts.insert(0, lead.text.strip())
        roles.insert(0, lead.role)
        blocks = [Block("p", lead.text)] + blocks
        first_free += 1
    body = [i for i, b in enumerate(blocks) if b.kind == "p" and len(texts[i]) >= 8]
    if body and rng.random() < 0.5 * level:
        for index in rng.choices(body, k=rng.choice((1, 1, 2, 3))):
            texts[index] = column_break(texts[index], rng)
    paras = [[Piece(text, role)] for text, role in zip(texts, roles)]
    later = [i for i in body if i >= first_free and len(texts[i]) >= 30]
    if later and rng.random() < 0.25 * level:
        index = rng.choice(later)
        text = texts[index]
        at = rng.randint(len(text) // 4, 3 * len(text) // 4)
        caption = Piece(style.convert(make_caption(ctx, rng)), "caption")
        paras[index] = [Piece(text[:at], roles[index]), Piece("\n\n\n\n"), caption, Piece("\n\n"),
                        Piece(text[at:], roles[index])]
    if style.photo and first_free < len(paras) and rng.random() < style.photo:
        at = rng.randint(first_free, len(paras))
        paras.insert(at, [Piece(photo_caption(blocks, rng, style.convert), "caption")])
        blocks = blocks[:at] + [Block("c", "")] + blocks[at:]
        body = [i + (i >= at) for i in body]
    if rng.random() < style.wrap * level:
        width = rng.randint(14, 22)
        for index, block in enumerate(blocks):
            if block.kind != "h":
                map_text(paras[index], lambda t: hard_wrap(t, width))
        return paras
    if body and rng.random() < 0.15 * level:
        index = rng.choice(body)
        single_wrap(paras[index], rng)
    return paras


def photo_caption(blocks: list[Block], rng: random.Random, convert: Callable[[str], str]) -> str:
    """A caption for the article's own photo: 图为 and one of its sentences, with a credit."""
    sentences = [s for b in blocks if b.kind == "p" for s in split_sentences(b.text) if 10 <= len(s) <= 60]
    scene = (rng.choice(sentences) if sentences else "活动现场").rstrip(SENTENCE_END)
    credits = (f"本报记者 {make_name(rng)} 摄", f"新华社记者 {make_name(rng)} 摄", "新华社发", "资料图片")
    credit = convert(rng.choice(credits))
    return rng.choice((f"图为{scene}。{credit}", f"▲{scene}。\n\n{credit}", f"{scene}。（{credit}）"))


MADE_ROLES = ("kicker", "byline", "marker", "dateline", "credit")  # lines the paper makes, not the article's


def convert_made_lines(header: Header, convert: Callable[[str], str]) -> None:
    """Print the lines made around the article in the paper's script (the article's own text is already)."""
    for piece in [*header.above, *header.below, header.lead]:
        if piece.role in MADE_ROLES:
            piece.text = convert(piece.text)


def render_article(ctx: Context, variant: Variant, family: str, refs: dict[tuple[int, str], int],
                   noise: PageNoise, rng: random.Random) -> Rendered:
    """Print one variant in a layout family: cut, noise, header, layout."""
    source, house = ctx.plan.sources[variant.source], ctx.houses[variant.source]
    article = ctx.store.get(ctx.plan.story_pool[variant.story])
    info = story_info(ctx.seed, variant.story, ctx.plan.story_day[variant.story], article)
    convert = converter(house.opencc)
    if house.opencc:
        article = traditional_article(article, convert)
    if family in BRIEF_FAMILIES and variant.part != "whole" and house.main not in BRIEF_FAMILIES:
        family = house.main  # a head or tail is never cut down to a brief
    part = variant.part
    blocks = cut_part(article.blocks, part, rng)
    if family in BRIEF_FAMILIES:
        blocks, cut = brief_blocks(blocks, rng)
        part = "head" if cut and part == "whole" else part
    blocks, garbled = text_noise(structural_noise(blocks, noise.level, rng), ctx.table(house.opencc), noise.ocr_rate,
                                noise.level, rng)
    if family == "classic":
        header = render_header(variant, article, info, source, refs, rng)
        style = BodyStyle(source.subhead, source.wrap, convert=convert)
    elif family == "stacked":
        header = stacked_header(variant, article, info, source, house, refs, rng)
        style = BodyStyle({"#": "###", "**": "**"}.get(house.headline, ""), source.wrap, house.caption, convert)
    elif family == "plain":
        header = plain_header(variant, article, info, source, house, refs, rng)
        style = BodyStyle("", source.wrap, convert=convert)
    else:
        header = brief_header(article, info, house, family == "headless", rng)
        style = BodyStyle("", source.wrap / 2, convert=convert)
    if house.opencc:
        convert_made_lines(header, convert)
    body = layout_body(ctx, blocks, header.lead, style, noise.level, rng)
    pieces = paragraphs([[p] for p in header.above] + body + [[p] for p in header.below])
    title, sample = header.title, text_sample(blocks)
    printed_title = garbled_title(header.clean_title, title) if header.clean_title is not None else None
    if noise.halfwidth:
        map_text(pieces, lambda t: t.translate(HALFWIDTH_TABLE))
        title = title.translate(HALFWIDTH_TABLE) if title is not None else None
        sample = sample.translate(HALFWIDTH_TABLE)
        for text in [*garbled, *([printed_title] if printed_title else [])]:
            text.translate(HALFWIDTH_TABLE)
    offsets = [0, *accumulate(len(text.clean) + 1 for text in garbled)]
    script = "traditional" if house.opencc else "simplified"
    return Rendered(pieces, title, sample, article.origin, family, part, script,
                    clean_title=header.clean_title, title_garbles=printed_title.edits() if printed_title else [],
                    clean_body="\n".join(text.clean for text in garbled),
                    garbles=[edit for text, at in zip(garbled, offsets) for edit in text.edits(at)])


def join_articles(ctx: Context, parts: list[list[Piece]], noise: PageNoise, rng: random.Random,
                  label: tuple[int, str] | None = None, convert: Callable[[str], str] = str) -> PageText:
    """Assemble a page: a column label before article k, a stray photo caption, separators, blank lines.

    Article k of `parts` owns its lines as owner k; the label and the stray caption are the page's.
    """
    owners: list[int | None] = list(range(len(parts)))
    if label is not None:
        at, text = label
        printed = text.translate(HALFWIDTH_TABLE) if noise.halfwidth else text
        parts = parts[:at] + [[Piece(printed, "label")]] + parts[at:]
        owners.insert(at, None)
    if rng.random() < 0.08 * noise.level:
        caption = convert(make_caption(ctx, rng))
        if noise.halfwidth:
            caption = caption.translate(HALFWIDTH_TABLE)
        at = rng.randint(1, len(parts))
        parts = parts[:at] + [[Piece(caption, "caption")]] + parts[at:]
        owners.insert(at, None)
    separators = [rng.choices(("\n\n", "\n\n\n\n", "\n\n \n"), (70, 20, 10))[0] for _ in parts[1:]]
    page = PageText()
    if rng.random() < 0.3:
        page.add([Piece("\n\n")])
    for position, (part, owner) in enumerate(zip(parts, owners)):
        if position:
            page.add([Piece(separators[position - 1])])
        page.add(part, owner)
    if rng.random() < 0.5:
        page.add([Piece("\n")])
    return page
