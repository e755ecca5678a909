"""The plan of a corpus: newspapers, stories, their printings, days, issues and pages (no text)."""
from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

START_DATE = date(2025, 1, 1)
MEAN_VARIANTS = 3
BASE_VARIANT_WEIGHTS = {1: 20, 2: 25, 3: 20, 4: 15, 5: 12, 6: 8}  # mean ~3, range 1-6
MIN_MAX_VARIANTS = 12
EXTRA_WEIGHT_CAP = 6_000  # characters: caps how strongly length attracts extra variants
DAY_OFFSETS = (0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 6)  # printing day after the story's day
PAGE_SIZE_WEIGHTS = {2: 10, 3: 18, 4: 22, 5: 20, 6: 14, 7: 9, 8: 7}
VARIANTS_PER_ISSUE = 20  # sets the number of days: variants / (newspapers * this)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺"
    "信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江"
    "超浩亮政谦奇朗宏言若鸣朋斌栋维启克伦翔旭鹏泽晨辰士建家致树德行时泰盛雄钧冠策腾楠风航弘秀娟英华慧巧"
    "美娜静淑惠珠翠雅芝玉萍红玲芬芳燕彩春菊兰凤洁梅琳素云莲真雪荣爱霞香月媛艳瑞凡佳嘉琼勤珍莉桂叶璐晶妍"
    "茜秋珊锦青倩婷婉颖露瑶怡雁蓓仪荷丹蓉眉君琴蕊薇菁梦岚馨韵融艺咏卿聪澜悦昭冰爽茗羽希欣育筠柔竹凝晓欢"
    "霄枫芸菲寒伊亚宜可舒影思丽"
)
CITIES = (
    "北京 上海 天津 重庆 广州 深圳 南京 杭州 武汉 成都 西安 沈阳 长春 哈尔滨 济南 青岛 郑州 长沙 "
    "南昌 合肥 福州 厦门 昆明 贵阳 南宁 海口 兰州 西宁 银川 乌鲁木齐 拉萨 呼和浩特 太原 石家庄 大连 "
    "宁波 苏州 无锡 温州 佛山 东莞 珠海 汕头 洛阳 开封 桂林 遵义 绵阳 宜昌 襄阳"
).split()
PAPER_SUFFIXES = ("日报", "晚报", "晨报", "商报", "都市报", "时报")


@dataclass(frozen=True)
class Source:
    """One synthetic newspaper with fixed typographic habits."""

    sid: str
    name: str
    markdown: bool  # titles as "# ...", kickers as "## ..."
    subhead: str  # "###", "**" or "" (plain line)
    byline_mark: str  # "□", "■" or ""
    dateline_end: float  # probability that a news dateline is printed at the end
    halfwidth: float  # probability that a page comes out with half-width punctuation
    meta: float  # probability that a page has a sidecar
    wrap: float  # probability that an article is hard-wrapped at a column width
    noise: float  # multiplier on the noise rates of its pages


@dataclass(slots=True)
class Variant:
    """One printing of a story: where it goes and which part of it is printed."""

    story: int
    part: str  # "whole", "head" or "tail"
    source: int
    day: int
    page_no: int = 0


@dataclass
class Plan:
    """Everything decided before any page is rendered (metadata only, no text)."""

    sources: list[Source]
    story_pool: list[int]  # story index -> article index in the store
    story_day: list[int]
    variants: list[Variant]
    n_days: int
    max_variants: int


def make_name(rng: random.Random) -> str:
    """A plausible Chinese personal name."""
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2))))
    return rng.choice(SURNAMES) + given


def make_sources(count: int, rng: random.Random) -> list[Source]:
    """Newspapers with per-source style (markdown or plain headings, bylines, OCR habits)."""
    names = [city + suffix for suffix in PAPER_SUFFIXES for city in CITIES]
    assert count <= len(names)
    rng.shuffle(names)
    sources = []
    for index in range(count):
        markdown = rng.random() < 0.5
        sources.append(
            Source(
                sid=f"src{index:03d}",
                name=names[index],
                markdown=markdown,
                subhead=rng.choice(("###", "###", "**") if markdown else ("", "", "**")),
                byline_mark=rng.choice(("□", "■", "")),
                dateline_end=rng.choice((0.1, 0.3, 0.6)),
                halfwidth=rng.choice((0.05, 0.05, 0.5, 0.9)),
                meta=0.0 if rng.random() < 0.1 else 0.95,
                wrap=rng.choice((0.02, 0.05, 0.1, 0.3)),
                noise=rng.uniform(0.6, 1.4),
            )
        )
    return sources


def source_count(n: int) -> int:
    """20-200 newspapers, fewer for tiny corpora."""
    return min(200, max(min(20, max(3, n // 10)), n // 250))


def variant_counts(n: int, lengths: Sequence[int], chosen: list[int], max_k: int, rng: random.Random) -> list[int]:
    """Variants per chosen story: drawn around 3, then adjusted to sum to exactly n."""
    counts = rng.choices(list(BASE_VARIANT_WEIGHTS), list(BASE_VARIANT_WEIGHTS.values()), k=len(chosen))
    cumulative = list(accumulate(min(lengths[i], EXTRA_WEIGHT_CAP) for i in chosen))
    total = sum(counts)
    while total < n:  # extra printings go preferentially to longer stories
        story = bisect_right(cumulative, rng.random() * cumulative[-1])
        if counts[story] < max_k:
            counts[story] += 1
            total += 1
    while total > n:
        story = rng.randrange(len(counts))
        if counts[story] > 1:
            counts[story] -= 1
            total -= 1
    return counts


def variant_parts(count: int, rng: random.Random) -> list[str]:
    """Which part of the story each printing carries; the first printing is whole."""
    parts = ["whole"]
    while len(parts) < count:
        roll = rng.random()
        if roll < 0.05 and count - len(parts) >= 2:
            parts += ["head", "tail"]  # a front-page start continued inside the same issue
        elif roll < 0.17:
            parts.append("tail")
        elif roll < 0.21:
            parts.append("head")
        else:
            parts.append("whole")
    return parts


def pick_source(placed: list[Variant], day: int, n_sources: int, rng: random.Random) -> tuple[int, int]:
    """A newspaper and day offset; a quarter reuse a newspaper, then on another day."""
    used = [v.source for v in placed]
    offset = rng.choice(DAY_OFFSETS)
    if used and rng.random() < 0.25:
        source = rng.choice(used)
        taken = [v.day - day for v in placed if v.source == source]
        for _ in range(5):
            if offset not in taken:
                break
            offset = rng.choice(DAY_OFFSETS)
        return source, offset
    source = rng.randrange(n_sources)
    for _ in range(3):
        if source not in used:
            break
        source = rng.randrange(n_sources)
    return source, offset


def place_variants(story: int, day: int, parts: list[str], n_sources: int, rng: random.Random) -> list[Variant]:
    """Give each printing a newspaper and a day; a tail usually follows its head's issue."""
    placed: list[Variant] = []
    for index, part in enumerate(parts):
        if part == "tail" and index > 0 and parts[index - 1] == "head" and rng.random() < 0.85:
            placed.append(Variant(story, part, placed[-1].source, placed[-1].day))
            continue
        source, offset = pick_source(placed, day, n_sources, rng)
        placed.append(Variant(story, part, source, day + offset))
    return placed


def make_plan(n: int, lengths: Sequence[int], seed: int) -> Plan:
    """Choose stories, their variant counts, newspapers and days."""
    rng = random.Random(f"{seed}:plan")
    n_stories = min(math.ceil(n / MEAN_VARIANTS), len(lengths), n)
    max_k = max(MIN_MAX_VARIANTS, math.ceil(2 * n / n_stories))
    chosen = sorted(rng.sample(range(len(lengths)), n_stories))
    counts = variant_counts(n, lengths, chosen, max_k, rng)
    n_sources = source_count(n)
    n_days = max(1, round(n / (n_sources * VARIANTS_PER_ISSUE)))
    sources = make_sources(n_sources, rng)
    days = [rng.randrange(n_days) for _ in chosen]
    variants: list[Variant] = []
    for story, count in enumerate(counts):
        variants += place_variants(story, days[story], variant_parts(count, rng), n_sources, rng)
    return Plan(sources, chosen, days, variants, n_days, max_k)


def issues(plan: Plan) -> list[tuple[tuple[int, int], list[int]]]:
    """Variant indices grouped by (day, newspaper), in sorted order.

    A lone variant moves to the same newspaper's next (or previous) issue, so
    that pages nearly always carry several articles.
    """
    groups: dict[tuple[int, int], list[int]] = {}
    for index, variant in enumerate(plan.variants):
        groups.setdefault((variant.source, variant.day), []).append(index)
    keys = sorted(groups)
    for position, key in enumerate(keys):
        if len(groups[key]) != 1:
            continue
        following = [k for k in keys[position + 1 : position + 2] if k[0] == key[0]]
        earlier = [k for k in keys[:position] if k[0] == key[0] and groups[k]][-1:]
        target = (following or earlier or [None])[0]
        if target is not None:
            plan.variants[groups[key][0]].day = target[1]
            groups[target] += groups[key]
            groups[key] = []
    return sorted(((day, source), members) for (source, day), members in groups.items() if members)


def pack_pages(members: list[int], variants: list[Variant], rng: random.Random) -> list[list[int]]:
    """Fill pages of 2-8 articles; heads first, tails last, a story at most once a page."""
    order = members[:]
    rng.shuffle(order)
    order.sort(key=lambda i: ("head", "whole", "tail").index(variants[i].part))
    sizes, weights = list(PAGE_SIZE_WEIGHTS), list(PAGE_SIZE_WEIGHTS.values())
    pages: list[list[int]] = []
    capacity: list[int] = []
    for item in order:
        story = variants[item].story
        for page, cap in zip(pages, capacity):
            if len(page) < cap and all(variants[j].story != story for j in page):
                page.append(item)
                break
        else:
            pages.append([item])
            capacity.append(rng.choices(sizes, weights)[0])
    if len(pages) > 1 and len(pages[-1]) == 1:
        fill_last_page(pages, variants, max(sizes))
    return pages


def fill_last_page(pages: list[list[int]], variants: list[Variant], most: int) -> None:
    """Avoid a lone article on the last page: merge it back, or move a neighbour to it."""
    lone = variants[pages[-1][0]].story
    for page in pages[:-1]:
        if len(page) < most and all(variants[j].story != lone for j in page):
            page.append(pages.pop()[0])
            return
    for page in reversed(pages[:-1]):
        movable = [j for j in page if variants[j].part != "head" and variants[j].story != lone]
        if len(page) >= 3 and movable:
            page.remove(movable[-1])
            pages[-1].insert(0, movable[-1])
            return


def page_numbers(count: int, has_head: bool, rng: random.Random) -> list[int]:
    """Increasing page numbers with gaps; page 1 when a front-page head is printed."""
    top = count + rng.randint(0, 2 * count + 2)
    if has_head:
        return [1] + sorted(rng.sample(range(2, top + 2), count - 1))
    return sorted(rng.sample(range(1, top + 1), count))

