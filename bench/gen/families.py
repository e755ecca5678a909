"""The heads and tails of the layout families other than classic: stacked, plain, briefs and headless.

Each builds the lines around an article's body (house.py says what each family looks like) and,
for briefs, cuts the article down to a short item.
"""
from __future__ import annotations

import random

from bench.gen.articles import (
    CLAUSE_SPLIT_RE,
    DATEISH_RE,
    NOT_TITLE_RE,
    Article,
    Block,
    cjk_count,
    is_byline,
    split_sentences,
    strip_lead,
    title_like,
    visible_len,
)
from bench.gen.house import House
from bench.gen.layout import (
    Header,
    StoryInfo,
    cn_number,
    end_dateline,
    lead_dateline,
    ocr_title,
)
from bench.gen.plan import CITIES, Source, Variant, make_name
from bench.gen.printed import Piece

KICKERS = (
    "新春走基层", "一线见闻", "权威发布", "民生关注", "经济观察", "本报特稿", "记者调查", "政策解读",
    "热点追踪", "聚焦{city}", "{city}传真", "来自{city}的报道", "关注", "特别报道", "深度", "视点",
)
COLUMN_NAMES = (
    "国内简讯", "国际简讯", "本地快讯", "新闻速递", "综合新闻", "要闻简报", "财经短波", "体坛快递",
    "社会新闻", "一周要闻", "简讯", "经济快讯", "文化短讯", "科技简讯",
)
SHORT_TITLE = 14  # characters: a brief's headline is at most this long
BRIEF_CHARS = (100, 360)  # a brief keeps about this many characters of the article's opening


def jump_line(page: int, direction: str, rng: random.Random) -> str:
    """A jump line in one of the forms papers use: （下转第3版）, (转3版), （上接第一版）, (接第1版)."""
    verb = direction if rng.random() < 0.7 else direction[1:]
    number = rng.choice((f"第{cn_number(page)}版", f"{page}版", f"第{page}版", f"第{page}页"))
    left, right = rng.choice((("(", ")"), ("（", "）"), ("（", "）")))
    return f"{left}{verb}{number}{right}"


def jump_lines(variant: Variant, refs: dict[tuple[int, str], int], rng: random.Random) -> tuple[Piece, Piece]:
    """The (上接…) line a tail opens with and the (下转…) line a head ends with ("" where none)."""
    above = below = Piece("", "marker")
    if variant.part == "tail":
        above = Piece(jump_line(refs.get((variant.story, "head"), rng.choice((1, 1, 2))), "上接", rng), "marker")
    if variant.part == "head" and rng.random() < 0.7:
        later = refs.get((variant.story, "tail"), variant.page_no + rng.randint(1, 4))
        below = Piece(jump_line(later, "下转", rng), "marker")
    return above, below


def marked(text: str, mark: str) -> str:
    """A headline line in a house's markup: "# text", "**text**", "■text" or plain."""
    if mark in ("#", "##", "###"):
        return f"{mark} {text}"
    if mark == "**":
        return f"**{text}**"
    return mark + text


def first_clause(article: Article) -> str | None:
    """The first clause of the lead (after its dateline) when it is short enough to stand as a headline."""
    lead = next((b.text for b in article.blocks if b.kind == "p"), "")
    clause = CLAUSE_SPLIT_RE.split(strip_lead(lead), maxsplit=1)[0].strip()
    if 4 <= len(clause) <= 24 and cjk_count(clause) >= 3 and not DATEISH_RE.match(clause) \
            and not NOT_TITLE_RE.search(clause) and not is_byline(clause):
        return clause
    return None


def short_title(article: Article) -> str:
    """A brief's headline: the title when short, else a short clause of it or of the lead, else its start."""
    if len(article.title) <= SHORT_TITLE:
        return article.title
    for text in (article.title, strip_lead(next((b.text for b in article.blocks if b.kind == "p"), ""))):
        for clause in CLAUSE_SPLIT_RE.split(text.replace(" ", "，")):
            if len(clause.strip()) <= SHORT_TITLE and title_like(clause.strip()) and not is_byline(clause):
                return clause.strip()
    return article.title[:SHORT_TITLE - 2]


def byline_text(article: Article, info: StoryInfo, rng: random.Random) -> str:
    """Who wrote it, as the top of an article credits it ("" for nobody)."""
    if article.byline:
        return article.byline
    if info.style == "feature" or (info.style == "news" and rng.random() < 0.3):
        return "新华社记者 " + " ".join(info.reporters)
    if info.style == "local" and rng.random() < 0.7:
        return "本报记者 " + " ".join(info.reporters)
    return ""


def end_byline(info: StoryInfo, rng: random.Random) -> str:
    """A byline printed at the end: （记者 张三 李四）, (本报记者 张三) or 文/张三."""
    names = " ".join(info.reporters)
    return rng.choice((f"（记者 {names}）", f"(本报记者 {names})", f"（{names}）", f"文/{names}"))


def credit_line(info: StoryInfo, source: Source, rng: random.Random) -> str:
    """An end credit: the wire it came from or the page's editor."""
    agency = "新华社" if info.style != "local" else source.name
    return rng.choice((f"（来源：{agency}）", f"(来源:{agency})", f"来源：{agency}", f"责任编辑：{make_name(rng)}",
                       f"（编辑：{make_name(rng)}）", f"本版编辑 {make_name(rng)}"))


def kicker_text(rng: random.Random) -> str:
    """A kicker (引题) line above a headline."""
    return rng.choice(KICKERS).format(city=rng.choice(CITIES))


def stacked_header(variant: Variant, article: Article, info: StoryInfo, source: Source, house: House,
                   refs: dict[tuple[int, str], int], rng: random.Random) -> Header:
    """Kicker, headline and subtitle; a byline at the top or the end; end credits; jump lines."""
    above: list[Piece] = []
    below: list[Piece] = []
    lead = Piece("", "dateline")
    title = None
    if variant.part != "tail" or rng.random() < 0.6:
        if rng.random() < house.kicker:
            above.append(Piece(kicker_text(rng), "kicker"))
        line, title = ocr_title(article.title, rng)
        above.append(Piece(marked(line, house.headline), "title"))
        clause = first_clause(article)
        subtitle = article.kicker if article.kicker and rng.random() < 0.85 else ""
        if not subtitle and clause and clause != article.title and rng.random() < house.subtitle:
            subtitle = "——" + clause
        if subtitle:
            above.append(Piece(marked(subtitle, "##" if house.headline == "#" else ""), "subtitle"))
    byline = byline_text(article, info, rng)
    at_end = bool(byline) and rng.random() < house.byline_end
    if byline and not at_end:
        above.append(Piece(source.byline_mark + byline, "byline"))
    opening, closing = jump_lines(variant, refs, rng)
    if opening.text:
        above.append(opening)
    elif info.style in ("news", "local") and rng.random() < 0.9:
        if info.style == "news" and rng.random() < source.dateline_end:
            below.append(Piece(end_dateline(info, rng), "dateline"))
        else:
            lead = Piece(lead_dateline(info, rng), "dateline")
    if variant.part != "head" and info.style == "feature" and rng.random() < 0.7:
        below.append(Piece(end_dateline(info, rng), "dateline"))
    if at_end:
        below.append(Piece(end_byline(info, rng), "byline"))
    if variant.part != "head" and rng.random() < house.credit:
        below.append(Piece(credit_line(info, source, rng), "credit"))
    if closing.text:
        below.append(closing)
    return Header(above, below, lead, title, article.title if title is not None else None)


def plain_header(variant: Variant, article: Article, info: StoryInfo, source: Source, house: House,
                 refs: dict[tuple[int, str], int], rng: random.Random) -> Header:
    """No markup anywhere; the headline is the lead's first clause when that is short."""
    above: list[Piece] = []
    below: list[Piece] = []
    lead = Piece("", "dateline")
    title = clean_title = None
    if variant.part != "tail" or rng.random() < 0.5:
        clean_title = first_clause(article) or article.title
        line, title = ocr_title(clean_title, rng)
        above.append(Piece(line, "title"))
    byline = byline_text(article, info, rng)
    at_end = bool(byline) and rng.random() < house.byline_end
    if byline and not at_end and rng.random() < 0.6:
        above.append(Piece(byline, "byline"))
    opening, closing = jump_lines(variant, refs, rng)
    if opening.text:
        above.append(opening)
    elif info.style in ("news", "local") and rng.random() < 0.9:
        lead = Piece(lead_dateline(info, rng), "dateline")
    if at_end:
        below.append(Piece(end_byline(info, rng), "byline"))
    if variant.part != "head" and rng.random() < house.credit / 2:
        below.append(Piece(credit_line(info, source, rng), "credit"))
    if closing.text:
        below.append(closing)
    return Header(above, below, lead, title, clean_title)


def brief_lead(info: StoryInfo, rng: random.Random) -> str:
    """The dateline a headline-less brief opens with: 本报讯, 本报讯（记者 张三）, 据新华社电, 新华社…电."""
    name = info.reporters[0]
    forms = ("本报讯 ", f"本报讯（记者 {name}）", f"本报讯(记者{name}) ", f"本报讯 记者{name}报道：", "据新华社电 ",
             "新华社电 ", f"{info.dateline} ")
    return rng.choice(forms)


def brief_header(article: Article, info: StoryInfo, house: House, headless: bool, rng: random.Random) -> Header:
    """A brief item: a short marked headline (none for a headless one), a dateline, a short end credit."""
    above: list[Piece] = []
    below: list[Piece] = []
    title = None
    if headless:
        lead = Piece(brief_lead(info, rng), "dateline")
    else:
        title = short_title(article)
        above.append(Piece(marked(title, house.brief_head), "title"))
        lead = Piece(lead_dateline(info, rng) if info.style in ("news", "local") and rng.random() < 0.5 else "",
                     "dateline")
    if rng.random() < house.credit / 2:
        name = info.reporters[0]
        below.append(Piece(rng.choice((f"（{name}）", "（新华）", "（据新华社）", f"(记者 {name})")), "credit"))
    return Header(above, below, lead, title, title)


def brief_blocks(blocks: list[Block], rng: random.Random) -> tuple[list[Block], bool]:
    """The opening body paragraphs of an article, cut at a sentence end near a short length; and
    whether anything was left out."""
    limit = rng.randint(*BRIEF_CHARS)
    body = [b for b in blocks if b.kind == "p"]
    kept: list[Block] = []
    total = 0
    for block in body:
        size = visible_len(block.text)
        if total + size <= limit or not kept and size <= 2 * limit:
            kept.append(block)
            total += size
            continue
        sentences = split_sentences(block.text)
        room = ""
        for sentence in sentences:
            if total + len(room) + len(sentence) > limit:
                break
            room += sentence
        if not kept or len(room) >= 20:
            kept.append(Block("p", room or sentences[0]))
        break
    return kept, [b.text for b in kept] != [b.text for b in blocks]


def column_label(house: House, rng: random.Random) -> str:
    """The label over a briefs column, in the house's form."""
    return house.label.format(rng.choice(COLUMN_NAMES))
