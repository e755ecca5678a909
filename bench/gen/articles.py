"""Source articles: read the PKU and SogouC corpora and clean each record into title, byline and blocks."""
from __future__ import annotations

import html
import json
import lzma
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

MIN_ARTICLE_CHARS = 150
MAX_ARTICLE_CHARS = 12_000
LONG_PARAGRAPH = 600  # longer paragraphs are split at sentence ends ...
PARAGRAPH_TARGET = 300  # ... into pieces of at least this many characters

SENTENCE_END = "。！？!?…”」）)；;：:，,"

# SogouC's web-page debris: entities, "[1][2]下一页", ">>> links". Its control characters (the NUL
# padding that ends 697 of its 17,910 texts, stray C0 bytes) and private-use glyphs stay: real input
# folders carry them, and a reader must meet them in the benchmark too.
JUNK_RE = re.compile(r"&nbsp;?|(?:\[\d+\])+下一页|》》》?[^\n。]{0,20}$", re.M)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
PARA_SPLIT_RE = re.compile(r"\n|\u3000{2,}| {3,}")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
ATTACHMENT_RE = re.compile(r"（附[^）]*）")
KICKER_RE = re.compile(r"—{2,}")
SENTENCE_RE = re.compile(r"[^。！？!?；]*[。！？!?；]+[”’」）)]*|[^。！？!?；]+$")
CLAUSE_SPLIT_RE = re.compile(r"[，。！？；：,!?;:]")
BYLINE_RE = re.compile(r"记者|作者|通讯员|撰稿|特约")
NOT_TITLE_RE = re.compile(
    r"^【|^资料图|^图片|摄$|消息$|讯$|电$|日电|日讯|网讯|^第\d+页|^(人物|作者|来源|摘要|图|文)[:：/]"
    r"|摄影|^■|(说|称|表示|指出)$"
)
DATEISH_RE = re.compile(r"^[\d０-９年月日号时分秒至到今去明前昨本上下午晚早的 .\-—]+$")
CAPTION_RE = re.compile(r"摄[）)]?$")
DATELINE_RE = re.compile(
    r"本报讯|(新华社|本报|中新社)[^，。,]{0,12}?[0-9０-９一二三四五六七八九十]{1,2}月"
    r"[0-9０-９一二三四五六七八九十]{1,3}日(电|讯)"
)
# credits SogouC texts open with: 【赛迪网讯】, 人民网4月1日讯, 新华网成都４月１１日专电, 中国日报网站消息：
OWN_CREDIT_RE = re.compile(
    r"^【[^】]{0,20}】|^[^，。]{0,20}\d{1,2}月\d{1,2}日[^，。]{0,2}(电|讯|消息)"
    r"|^[^，。]{2,10}(网|社|报)讯|^[^，。]{2,12}消息[:：]"
)
LEAD_JUNK_RE = re.compile(r"^(【[^】]*】|\[[^\]]*\])\s*")
REPORTER_RE = re.compile(r"^\s*[(（][^)）]{0,20}[)）]")


class Block(NamedTuple):
    """One paragraph of an article: kind "p" (body), "h" (sub-head) or "c" (caption)."""

    kind: str
    text: str


@dataclass
class Article:
    """A cleaned source article: the text every variant of a story is printed from."""

    origin: str
    title: str
    kicker: str
    byline: str
    blocks: list[Block]

    @property
    def n_chars(self) -> int:
        """Characters in the body, control characters not counted."""
        return sum(visible_len(b.text) for b in self.blocks)

    def to_json(self) -> str:
        """Compact JSON for the spool file."""
        record = [self.origin, self.title, self.kicker, self.byline, [list(b) for b in self.blocks]]
        return json.dumps(record, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Article:
        """Inverse of to_json."""
        origin, title, kicker, byline, blocks = json.loads(text)
        return cls(origin, title, kicker, byline, [Block(k, t) for k, t in blocks])



def split_sentences(text: str) -> list[str]:
    """Sentences with their end punctuation (the last one may lack it)."""
    return [s for s in SENTENCE_RE.findall(text) if s]


def split_long(text: str) -> list[str]:
    """Split a paragraph longer than LONG_PARAGRAPH at sentence ends."""
    if len(text) <= LONG_PARAGRAPH:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        current += sentence
        if len(current) >= PARAGRAPH_TARGET:
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def visible_len(text: str) -> int:
    """Characters of text other than control characters (a NUL padding is no text to print)."""
    return len(text) - len(CONTROL_RE.findall(text))


def truncate(paragraphs: list[str], limit: int) -> list[str]:
    """Keep leading paragraphs up to `limit` visible characters (at least one)."""
    kept: list[str] = []
    total = 0
    for paragraph in paragraphs:
        size = visible_len(paragraph)
        if kept and total + size > limit:
            break
        kept.append(paragraph)
        total += size
    return kept


def is_byline(text: str) -> bool:
    """A short credit line such as 本报记者向兵 or 作者：蔡广银."""
    return len(text) <= 30 and "。" not in text and bool(BYLINE_RE.search(text))


def cjk_count(text: str) -> int:
    """Number of CJK ideographs in text."""
    return len(text) - len(CJK_RE.sub("", text))


def is_junk(text: str) -> bool:
    """Debris such as a lone page number or [1]: short and without any Chinese (a run of control
    characters alone is not debris but what the source holds)."""
    visible = CONTROL_RE.sub("", text)
    return bool(visible) and len(visible) < 10 and not CJK_RE.search(visible)


def classify(text: str, index: int) -> str:
    """Block kind of a source paragraph: caption, sub-head or body."""
    if len(text) <= 200 and CAPTION_RE.search(text):
        return "c"
    if index == 0 or len(text) > 24 or text[-1] in SENTENCE_END or any(c in "。！？；!?;" for c in text):
        return "p"
    headline = cjk_count(text) >= 2 and not is_byline(text) and not NOT_TITLE_RE.search(text)
    return "h" if headline else "p"


def split_kicker(title: str) -> tuple[str, str]:
    """Split 'main——subtitle' into the title and a '——subtitle' kicker."""
    parts = KICKER_RE.split(title, maxsplit=1)
    if len(parts) == 2 and len(parts[0]) >= 4 and len(parts[1]) >= 4:
        return parts[0].strip(), "——" + parts[1].strip()
    return title, ""


def strip_lead(text: str) -> str:
    """Drop a leading 【source】 tag or dateline with its (reporter) credit."""
    text = LEAD_JUNK_RE.sub("", text)
    match = DATELINE_RE.match(text)
    if match:
        text = REPORTER_RE.sub("", text[match.end() :])
    return text.strip()


def title_like(text: str) -> bool:
    """Could this phrase stand as a headline (not a date, not a source line)?"""
    return (
        6 <= len(text) <= 24
        and cjk_count(text) >= 5
        and not DATEISH_RE.match(text)
        and not NOT_TITLE_RE.search(text)
    )


def derive_title(paragraphs: list[str]) -> str:
    """A title from a short first sentence, or else the first headline-like clause."""
    for text in paragraphs[:2]:
        text = strip_lead(text)
        first = split_sentences(text)[0].rstrip(SENTENCE_END) if text else ""
        if title_like(first):
            return first
        for clause in CLAUSE_SPLIT_RE.split(text):
            if title_like(clause.strip()):
                return clause.strip()
    return strip_lead(paragraphs[0])[:16] or paragraphs[0][:16]


def sogou_title(paragraphs: list[str]) -> tuple[str, list[str]]:
    """SogouC has no titles: use a short first line, or derive one from the first clauses."""
    first = paragraphs[0].rstrip("—- ")
    looks_like_title = 4 <= len(first) <= 32 and first[-1] not in SENTENCE_END
    if len(paragraphs) > 1 and looks_like_title and not is_byline(first) and not NOT_TITLE_RE.search(first):
        return first, paragraphs[1:]
    return derive_title(paragraphs), paragraphs


def build_article(origin: str, title: str, paragraphs: list[str]) -> Article | None:
    """Normalise title, byline and paragraphs; None when the article is unusable."""
    # a literal * (e.g. a masked phone number 135****5893) would read as markdown bold
    title, paragraphs = title.replace("*", "＊"), [p.replace("*", "＊") for p in paragraphs]
    title, kicker = split_kicker(title)
    byline = ""
    if len(paragraphs) > 1 and is_byline(paragraphs[0]):
        byline, paragraphs = paragraphs[0], paragraphs[1:]
    paragraphs = truncate([piece for p in paragraphs for piece in split_long(p)], MAX_ARTICLE_CHARS)
    blocks = [Block(classify(p, i), p) for i, p in enumerate(paragraphs)]
    body = CONTROL_RE.sub("", "".join(b.text for b in blocks))
    head = body[:2000]  # enough to tell Chinese prose from debris
    usable = (
        bool(title)
        and len(body) >= MIN_ARTICLE_CHARS
        and cjk_count(head) >= 0.5 * len(head)
        and any(b.kind == "p" for b in blocks)
    )
    return Article(origin, title, kicker, byline, blocks) if usable else None


def pku_article(record: dict[str, Any]) -> Article | None:
    """An Article from a PKU record (its first paragraph is the title)."""
    paragraphs = [p.strip() for p in record["paragraphs"] if p.strip()]
    if len(paragraphs) < 2:
        return None
    title = ATTACHMENT_RE.sub("", paragraphs[0]).strip()  # drop the corpus's （附图片１张）
    if len(title) > 50:
        return None
    return build_article("pku:" + record["article_id"], title, paragraphs[1:])


def sogou_article(record: dict[str, Any]) -> Article | None:
    """An Article from a SogouC record: clean HTML debris, split paragraphs, find a title."""
    text = html.unescape(JUNK_RE.sub("", record["text"]))
    paragraphs = [p.strip() for p in PARA_SPLIT_RE.split(text)]
    paragraphs = [p for p in paragraphs if p and not is_junk(p) and "://" not in p]
    if not paragraphs:
        return None
    title, body = sogou_title(paragraphs)
    return build_article("sogouc:" + record["id"], title, body)


CORPUS_FILES = {
    "pku": ("pku-199801/articles.jsonl.xz", pku_article),
    "sogouc": ("sogouc/articles.jsonl.xz", sogou_article),
}


def iter_corpus(corpora: Path, name: str, stats: dict[str, int]) -> Iterator[Article]:
    """Stream the usable articles of one corpus in file order, counting what is skipped."""
    relative, parse = CORPUS_FILES[name]
    with lzma.open(corpora / relative, "rt", encoding="utf-8") as handle:
        for line in handle:
            stats["read"] += 1
            article = parse(json.loads(line))
            if article is None:
                stats["unusable"] += 1
                continue
            yield article
