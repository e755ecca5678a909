"""The lines printed around an article's body: title, kicker, byline, datelines and continuation markers."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from bench.gen.articles import DATELINE_RE, OWN_CREDIT_RE, Article, Block
from bench.gen.plan import CITIES, START_DATE, Source, Variant, make_name
from bench.gen.printed import Piece

CN_DIGITS = "零一二三四五六七八九"
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class StoryInfo:
    """Story-level facts shared by all printings: how the wire credits it."""

    style: str  # "own" (the text has its own dateline), "news", "feature", "local" or "none"
    dateline: str  # 新华社北京1月5日电 / 本报北京1月5日讯
    reporters: tuple[str, ...]


@dataclass
class Header:
    """The lines printed around an article's body."""

    above: list[Piece]  # title, kicker, byline, continuation marker
    below: list[Piece]  # a dateline at the end, a (下转…) marker
    lead: Piece  # glued to the first paragraph: a dateline or a continuation marker ("" for none)
    title: str | None  # as truth records it
    clean_title: str | None  # the title before OCR noise


def cn_number(value: int) -> str:
    """Chinese numeral for 1-99 (page numbers in 第一版)."""
    tens, units = divmod(value, 10)
    if tens == 0:
        return CN_DIGITS[units]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[units] if units else "")


def page_ref(page: int, direction: str, rng: random.Random) -> str:
    """A continuation marker such as (上接第一版), （上接1版） or (下转第3版)."""
    number = rng.choice((f"第{cn_number(page)}版", f"{page}版", f"第{page}版"))
    left, right = rng.choice((("(", ")"), ("(", ")"), ("（", "）")))
    return f"{left}{direction}{number}{right}"


def story_info(seed: int, story: int, day: int, article: Article) -> StoryInfo:
    """Wire style, dateline and reporters of a story (seeded by the story alone)."""
    rng = random.Random(f"{seed}:story:{story}")
    edges = [b.text for b in article.blocks[:1] + article.blocks[-1:]]
    own = OWN_CREDIT_RE.search(edges[0]) or any(
        DATELINE_RE.search(text[:40]) or DATELINE_RE.search(text[-40:]) for text in edges
    )
    style = "own" if own else rng.choices(("news", "feature", "local", "none"), (40, 20, 20, 20))[0]
    when = START_DATE + timedelta(days=day - rng.randint(0, 1))
    agency, kind = ("本报", "讯") if style == "local" else ("新华社", "电")
    dateline = f"{agency}{rng.choice(CITIES)}{when.month}月{when.day}日{kind}"
    if any("０" <= c <= "９" for c in article.blocks[0].text):
        dateline = dateline.translate(FULLWIDTH_DIGITS)  # match the article's own digits
    reporters = tuple(make_name(rng) for _ in range(rng.choice((1, 1, 2, 2, 3))))
    return StoryInfo(style, dateline, reporters)


def ocr_title(title: str, rng: random.Random) -> tuple[str, str]:
    """A headline as OCR gives it: the line (a hard wrap now and then) and the text truth records."""
    printed = title
    if len(title) > 6 and rng.random() < 0.04:  # OCR splits a word with a space
        at = rng.randint(2, len(title) - 2)
        printed = title[:at] + " " + title[at:]
    line = printed
    if len(printed) > 8 and rng.random() < 0.05:
        at = rng.randint(3, len(printed) - 3)
        line = printed[:at] + "  \n" + printed[at:]
    return line, printed


def format_title(title: str, source: Source, rng: random.Random) -> tuple[str, str]:
    """The printed title line and the title text as truth records it."""
    line, printed = ocr_title(title, rng)
    if source.markdown:
        line = ("## " if rng.random() < 0.15 else "# ") + line
    return line, printed


def format_byline(article: Article, info: StoryInfo, source: Source, rng: random.Random) -> str:
    """The byline as this newspaper prints it, or "" for none."""
    if article.byline:
        text = article.byline
    elif info.style == "feature":
        text = "新华社记者 " + " ".join(info.reporters)
    elif info.style == "local" and rng.random() < 0.5:
        text = "本报记者 " + " ".join(info.reporters)
    else:
        return ""
    if rng.random() < 0.1:
        return ""
    if " " in text and rng.random() < 0.2:  # wrapped between two names
        spaces = [i for i, c in enumerate(text) if c == " "]
        at = rng.choice(spaces[1:] or spaces)
        text = text[:at] + "  \n" + text[at + 1 :]
    return source.byline_mark + text


def lead_dateline(info: StoryInfo, rng: random.Random) -> str:
    """A dateline glued to the first paragraph: 新华社北京12月8日电(记者黄轶铭 邹多为)."""
    if info.style == "local":
        first = info.reporters[0]
        return info.dateline + rng.choice((f" 记者{first}报道：", f"（记者 {first}）", " "))
    names = rng.choice(("、".join(info.reporters), " ".join(info.reporters)))
    return info.dateline + rng.choice((f"(记者{names})", f"（记者{names}）", f" (记者 {names})", " "))


def end_dateline(info: StoryInfo, rng: random.Random) -> str:
    """A dateline on its own line after the article: (新华社北京12月6日电)."""
    return rng.choice((info.dateline, f"({info.dateline})", f"（{info.dateline}）"))


def render_header(variant: Variant, article: Article, info: StoryInfo, source: Source,
                  refs: dict[tuple[int, str], int], rng: random.Random) -> Header:
    """Title, kicker, byline, dateline and continuation markers of one printing."""
    above: list[Piece] = []
    below: list[Piece] = []
    lead = Piece("", "dateline")
    title = None
    if variant.part != "tail" or rng.random() < 0.5:
        line, title = format_title(article.title, source, rng)
        above.append(Piece(line, "title"))
        if article.kicker and rng.random() < 0.85:
            above.append(Piece(("## " if source.markdown else "") + article.kicker, "subtitle"))
    byline = format_byline(article, info, source, rng)
    if byline:
        above.append(Piece(byline, "byline"))
    if variant.part == "tail":
        marker = Piece(page_ref(refs.get((variant.story, "head"), rng.choice((1, 1, 1, 2, 3))), "上接", rng), "marker")
        if rng.random() < 0.4:
            lead = marker
        else:
            above.append(marker)
    elif info.style in ("news", "local") and rng.random() < 0.9:
        if info.style == "news" and rng.random() < source.dateline_end:
            below.append(Piece(end_dateline(info, rng), "dateline"))
        else:
            lead = Piece(lead_dateline(info, rng), "dateline")
    if variant.part != "head" and info.style == "feature" and rng.random() < 0.85:
        below.append(Piece(end_dateline(info, rng), "dateline"))
    if variant.part == "head" and rng.random() < 0.6:
        later = refs.get((variant.story, "tail"), variant.page_no + rng.randint(1, 4))
        below.append(Piece(page_ref(later, "下转", rng), "marker"))
    return Header(above, below, lead, title, article.title if title is not None else None)


def format_block(block: Block, subhead: str) -> str:
    """A block's printed line: sub-heads get the newspaper's heading style ("###", "**" or "")."""
    if block.kind != "h":
        return block.text
    if subhead == "###":
        return "### " + block.text
    if subhead == "**":
        return f"**{block.text}**"
    return block.text
