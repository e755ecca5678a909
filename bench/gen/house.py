"""House styles: how each newspaper lays out its pages, and which layout family a page is printed in.

Layout families (truth.jsonl's `layout`):
    classic   the generator's layout before 1.3 (markdown or plain headings, kicker "——..." below)
    stacked   kicker / headline / subtitle stacks, bylines at the top or the end, end credits
              such as （来源：新华社） or 责任编辑：张三, photo captions between paragraphs
    plain     no markdown at all; the headline is a short first clause of the lead
    briefs    a column label, then short items, each under a short bold or plain headline
    headless  short items with no headline that open with a dateline such as 本报讯

House styles are drawn from their own seeded streams, apart from the plan and the pages, so that a
corpus printed in the classic family alone (--layouts classic --traditional 0) is the 1.2 corpus.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from bench.gen.script import CONFIGS

FAMILIES = ("classic", "stacked", "plain", "briefs", "headless")
MAIN_FAMILIES = ("classic", "stacked", "plain")  # families a whole article, head or tail is printed in
MAIN_WEIGHTS = (40, 30, 30)
BRIEF_FAMILIES = ("briefs", "headless")


@dataclass(frozen=True)
class House:
    """One newspaper's habits beyond its classic style (plan.Source)."""

    main: str  # the family its articles are printed in
    briefs: float  # share of its pages that are a briefs column with headlines
    headless: float  # share of its pages that are headline-less briefs
    headline: str  # "#", "**" or "": how stacked headlines and brief headlines are marked
    kicker: float  # probability of a kicker line above a stacked headline
    subtitle: float  # probability of a subtitle line below a stacked headline that has none of its own
    byline_end: float  # probability that a byline is printed at the end, e.g. （记者 张三）
    credit: float  # probability of an end credit line (（来源：新华社）, 责任编辑：张三)
    caption: float  # probability of a photo caption between a stacked article's paragraphs
    brief_head: str  # "**", "" or "■": how a brief's headline is marked
    label: str  # how a briefs column's label is printed, e.g. "■{}" or "**{}**"
    opencc: str  # the OpenCC config of its traditional script (s2hk, s2tw), "" when it prints simplified


def make_house(seed: int, sid: str, layouts: Sequence[str], traditional: bool) -> House:
    """A newspaper's house style, from a stream seeded by the source alone."""
    rng = random.Random(f"{seed}:house:{sid}")
    mains = [(f, w) for f, w in zip(MAIN_FAMILIES, MAIN_WEIGHTS) if f in layouts]
    main = rng.choices([f for f, _ in mains], [w for _, w in mains])[0] if mains else layouts[0]
    briefs = rng.choice((0.05, 0.1, 0.15)) if "briefs" in layouts else 0.0
    headless = rng.choice((0.03, 0.06, 0.1)) if "headless" in layouts else 0.0
    if main in BRIEF_FAMILIES:  # only brief families allowed: every page is one of them
        briefs, headless = (1.0, 0.0) if main == "briefs" else (0.0, 1.0)
    return House(
        main=main,
        briefs=briefs,
        headless=headless,
        headline=rng.choice(("#", "#", "**", "")),
        kicker=rng.choice((0.1, 0.3, 0.5)),
        subtitle=rng.choice((0.0, 0.15, 0.3)),
        byline_end=rng.choice((0.0, 0.3, 0.8)),
        credit=rng.choice((0.1, 0.4, 0.7)),
        caption=rng.choice((0.1, 0.2, 0.35)),
        brief_head=rng.choice(("**", "**", "", "■")),
        label=rng.choice(("■{}", "**{}**", "# {}", "【{}】", "{}")),
        opencc=rng.choice(CONFIGS) if traditional else "",
    )


def traditional_sources(seed: int, count: int, share: float) -> list[bool]:
    """Which of `count` newspapers print in traditional characters: `share` of them, at least one when
    the share is not 0."""
    chosen = random.Random(f"{seed}:scripts").sample(range(count), max(1, round(share * count)) if share > 0 else 0)
    return [index in chosen for index in range(count)]


def page_family(seed: int, sid: str, page_id: str, house: House) -> str:
    """The family a page is printed in (its partial printings fall back to the house's main family)."""
    roll = random.Random(f"{seed}:layout:{sid}:{page_id}").random()
    if roll < house.briefs:
        return "briefs"
    if roll < house.briefs + house.headless:
        return "headless"
    return house.main


def parse_layouts(text: str) -> tuple[str, ...]:
    """A comma-separated list of layout families (or "all"); ValueError names the unknown ones."""
    if text.strip() == "all":
        return FAMILIES
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in FAMILIES]
    if unknown or not names:
        raise ValueError(f"unknown layout families {unknown or [text]}: choose from {', '.join(FAMILIES)} or all")
    return names
