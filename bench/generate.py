#!/usr/bin/env python3
"""Deterministic generator of benchmark corpora: noisy OCR'd Chinese newspaper pages.

    python bench/generate.py --size 1k --out DIR [--seed 0] [--corpora PATH]

Stories are real news articles (People's Daily, January 1998, from the PKU corpus,
and/or SogouC). Every story is printed as one or more *variants* on the pages of
synthetic newspapers ("sources"); each variant carries its own OCR-style noise,
modelled on the seed pages in ../shared/seeds. The size is the number of variants.

Output in DIR:

    pages/<source>/<YYYYMMDD>-p<NN>.txt        one page holding several articles
    pages/<source>/<YYYYMMDD>-p<NN>.meta.json  {"publication", "date", "page"} (most pages)
    truth.jsonl                                one line per printed variant, in page order
    manifest.json                              size, seed, counts and generator version

truth.jsonl fields:
    page         page file, relative to DIR
    ordinal      0-based position of the article on its page (stray photo captions
                 between articles are not articles)
    story        story id; variants of one story share it
    title        the printed main title, hard wraps joined; null when printed without one
    partial      true when only part of the story is printed
    part         "whole", "head" (cut off before the end) or "tail" (continued from
                 another page, printed after a marker such as (上接第一版))
    origin       id of the source article in the PKU or SogouC corpus
    text_sample  up to 40 non-whitespace characters from the start of the printed
                 body: after the title, kicker, byline, continuation marker and a
                 leading dateline, without markdown markup (#, **), stopping at a
                 photo caption; it is one contiguous run of the page's text

Determinism: all randomness comes from random.Random instances seeded with strings
built from --seed; inputs are read in file order; no set iteration, no time stamps.
Streaming: source articles are spooled to a temporary file and read back by offset,
and pages are written one at a time, so memory does not grow with the output.
Articles are never reused: when the pool is too small for about three variants per
story (100k from SogouC), stories get more variants, the extra ones going
preferentially to longer articles so that the corpus keeps its size in characters.
Near-duplicate articles (one story reposted with small edits, or one article printed
inside a longer one) are dropped from the pool, so that two stories never share a text.
"""
from __future__ import annotations

import argparse
import html
import json
import lzma
import math
import random
import re
import shutil
import sys
import tempfile
import time
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from hashlib import sha1
from itertools import accumulate
from pathlib import Path
from typing import IO, Any, NamedTuple

import numpy as np

VERSION = "1.1.0"
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
DEFAULT_CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
START_DATE = date(2025, 1, 1)

MEAN_VARIANTS = 3
BASE_VARIANT_WEIGHTS = {1: 20, 2: 25, 3: 20, 4: 15, 5: 12, 6: 8}  # mean ~3, range 1-6
MIN_MAX_VARIANTS = 12
EXTRA_WEIGHT_CAP = 6_000  # characters: caps how strongly length attracts extra variants
DAY_OFFSETS = (0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 6)  # printing day after the story's day
PAGE_SIZE_WEIGHTS = {2: 10, 3: 18, 4: 22, 5: 20, 6: 14, 7: 9, 8: 7}
VARIANTS_PER_ISSUE = 20  # sets the number of days: variants / (newspapers * this)

MIN_ARTICLE_CHARS = 150
MAX_ARTICLE_CHARS = 12_000
LONG_PARAGRAPH = 600  # longer paragraphs are split at sentence ends ...
PARAGRAPH_TARGET = 300  # ... into pieces of at least this many characters
SAMPLE_CHARS = 40
SHAPE_WEIGHT = 0.5  # a similar-shape pair counts as half a FASPell observation
# two articles are one story when this share of the smaller one's 4-gram shingles is in the other
NEAR_DUPLICATE_CONTAINMENT = 0.5
# common shingles the candidate filter asks for: any value is exact, a few more than one
# spare verifying pairs that only share a name or a stock phrase
PREFIX_HITS = 5
PROBE_BATCH = 1 << 20  # posting entries expanded at once when looking for candidate pairs
SORT_SLICES = 8  # finding shared shingles sorts this fraction of all of them at a time

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
CN_DIGITS = "零一二三四五六七八九"

FULL_TO_HALF = {"，": ",", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")"}
WIDTH_FLIP = {**FULL_TO_HALF, **{v: k for k, v in FULL_TO_HALF.items()}}
HALFWIDTH_TABLE = str.maketrans(FULL_TO_HALF)
PUNCT_RE = re.compile("[" + re.escape("".join(WIDTH_FLIP)) + "]")
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
SENTENCE_END = "。！？!?…”」）)；;：:，,"

# SogouC debris: entities, private-use glyphs, control characters, "[1][2]下一页", ">>> links"
JUNK_RE = re.compile(
    r"&nbsp;?|[\ue000-\uf8ff\x00-\x08\x0b-\x1f\x7f]|(?:\[\d+\])+下一页|》》》?[^\n。]{0,20}$", re.M
)
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
NUMBER_RE = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
NON_WORD_RE = re.compile(r"[\W_]+")


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
        """Characters in the body."""
        return sum(len(b.text) for b in self.blocks)

    def to_json(self) -> str:
        """Compact JSON for the spool file."""
        record = [self.origin, self.title, self.kicker, self.byline, [list(b) for b in self.blocks]]
        return json.dumps(record, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Article:
        """Inverse of to_json."""
        origin, title, kicker, byline, blocks = json.loads(text)
        return cls(origin, title, kicker, byline, [Block(k, t) for k, t in blocks])


# --------------------------------------------------------------------------- loading


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


def truncate(paragraphs: list[str], limit: int) -> list[str]:
    """Keep leading paragraphs up to `limit` characters (at least one)."""
    kept: list[str] = []
    total = 0
    for paragraph in paragraphs:
        if kept and total + len(paragraph) > limit:
            break
        kept.append(paragraph)
        total += len(paragraph)
    return kept


def is_byline(text: str) -> bool:
    """A short credit line such as 本报记者向兵 or 作者：蔡广银."""
    return len(text) <= 30 and "。" not in text and bool(BYLINE_RE.search(text))


def cjk_count(text: str) -> int:
    """Number of CJK ideographs in text."""
    return len(text) - len(CJK_RE.sub("", text))


def is_junk(text: str) -> bool:
    """Debris such as a lone page number or [1]: short and without any Chinese."""
    return len(text) < 10 and not CJK_RE.search(text)


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
    body = "".join(b.text for b in blocks)
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


class ArticleStore:
    """Articles spooled to an anonymous temporary file and read back by index."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()
        self._offsets = array("q", [0])
        self.lengths = array("l")

    def add(self, article: Article) -> None:
        """Append one article."""
        self._append(article.to_json().encode("utf-8"), article.n_chars)

    def _append(self, data: bytes, n_chars: int) -> None:
        self._file.write(data)
        self._offsets.append(self._offsets[-1] + len(data))
        self.lengths.append(n_chars)

    def __len__(self) -> int:
        return len(self.lengths)

    def _read(self, index: int) -> bytes:
        start, end = self._offsets[index], self._offsets[index + 1]
        self._file.seek(start)
        return self._file.read(end - start)

    def get(self, index: int) -> Article:
        """Read article `index` back from the spool."""
        return Article.from_json(self._read(index).decode("utf-8"))

    def subset(self, indices: Iterable[int]) -> ArticleStore:
        """A new store with the articles at `indices`, in that order (copied as bytes, not re-parsed)."""
        subset = ArticleStore()
        for index in indices:
            subset._append(self._read(index), self.lengths[index])
        return subset

    def close(self) -> None:
        """Delete the spool file."""
        self._file.close()


def article_text(article: Article) -> str:
    """Title and body of an article, the text compared for near-duplicates."""
    return "\n".join([article.title, *(b.text for b in article.blocks)])


def load_pool(corpora: Path, names: Sequence[str]) -> tuple[ArticleStore, dict[str, dict[str, int]]]:
    """Spool the usable articles of the named corpora, without exact or near duplicates."""
    spool = ArticleStore()
    shingles = ShingleSets()
    corpus_of: list[str] = []  # spool index -> corpus name, to count near duplicates per corpus
    seen: dict[str, None] = {}  # a dict, not a set: only membership is asked, never iterated
    report: dict[str, dict[str, int]] = {}
    for name in names:
        stats = report.setdefault(
            name, {"read": 0, "unusable": 0, "duplicates": 0, "near_duplicates": 0, "kept": 0}
        )
        for article in iter_corpus(corpora, name, stats):
            digest = sha1("\n".join(b.text for b in article.blocks).encode("utf-8")).hexdigest()
            if digest in seen:
                stats["duplicates"] += 1
                continue
            seen[digest] = None
            spool.add(article)
            shingles.add(article_text(article))
            corpus_of.append(name)
    dropped = dict.fromkeys(near_duplicates(shingles))
    del shingles  # 8 bytes a character of the pool: free it before the pool is copied
    kept = [index for index in range(len(spool)) if index not in dropped]
    for index in dropped:
        report[corpus_of[index]]["near_duplicates"] += 1
    for index in kept:
        report[corpus_of[index]]["kept"] += 1
    try:
        return spool.subset(kept), report
    finally:
        spool.close()


# --------------------------------------------------------------------------- near duplicates
#
# Two articles are near duplicates when |A∩B| / min(|A|,|B|) >= NEAR_DUPLICATE_CONTAINMENT over
# their sets of character 4-grams. Containment (not Jaccard) so that a short article printed
# inside a long one counts too. Exact: candidate pairs come from prefix filtering, which
# cannot miss a pair, and every candidate's overlap is counted in full.


def shingle_codes(text: str) -> np.ndarray:
    """The distinct character 4-grams of text's letters, digits and ideographs, sorted, one uint64 each."""
    # four UTF-16 code units fill 64 bits exactly: a code is the 4-gram itself, never a hash
    units = np.frombuffer(NON_WORD_RE.sub("", text).encode("utf-16-le"), dtype="<u2").astype(np.uint64)
    if len(units) < 4:
        return np.empty(0, dtype=np.uint64)
    codes = np.sort(units[:-3] << 48 | units[1:-2] << 32 | units[2:-1] << 16 | units[3:])
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))]  # np.unique is 10x slower on short arrays


class ShingleSets:
    """The shingle codes of many texts in one flat buffer (~8 bytes a character of text)."""

    def __init__(self) -> None:
        self._codes = array("Q")
        self._bounds = array("q", [0])

    def add(self, text: str) -> None:
        """Append the shingles of one text."""
        self._codes.frombytes(shingle_codes(text).tobytes())
        self._bounds.append(len(self._codes))

    def __len__(self) -> int:
        return len(self._bounds) - 1

    def codes(self) -> np.ndarray:
        """All codes, text after text: a view of the buffer, so add no more texts while it lives."""
        return np.frombuffer(self._codes, dtype=np.uint64)

    def bounds(self) -> np.ndarray:
        """Where each text's codes start in codes(), plus the end."""
        return np.array(self._bounds, dtype=np.int64)


def shared_ranks(shingles: ShingleSets) -> tuple[list[np.ndarray], np.ndarray]:
    """Per text, its shingles that other texts have too, as sorted ranks; and each rank's text count.

    Only shared shingles can make two texts overlap, so the others are dropped. Ranks order
    shingles rarest first: prefixes made of rare shingles have short posting lists.
    """
    codes, bounds = shingles.codes(), shingles.bounds()
    shared, frequency = shared_codes(codes)
    if not len(shared):
        return [np.empty(0, dtype=np.int32) for _ in range(len(shingles))], frequency
    by_rarity = np.lexsort((shared, frequency))
    rank_of = np.empty(len(shared), dtype=np.int32)
    rank_of[by_rarity] = np.arange(len(shared), dtype=np.int32)
    ranks = []
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        text_codes = codes[start:end]
        where = np.minimum(np.searchsorted(shared, text_codes), len(shared) - 1)
        ranks.append(np.sort(rank_of[where[shared[where] == text_codes]]))
    return ranks, frequency[by_rarity]


def shared_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The codes that occur in more than one text, sorted, and how many texts hold each."""
    # one slice of the codes at a time (by the low byte of the last character): a sorted copy
    # of all of them would double the memory taken by the shingles
    slice_of = codes.astype(np.uint8) % SORT_SLICES
    found, counts = [np.empty(0, dtype=np.uint64)], [np.empty(0, dtype=np.int64)]
    for part in range(SORT_SLICES):
        ordered = np.sort(codes[slice_of == part])
        run_starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1], [True])))
        run_lengths = np.diff(run_starts)
        repeated = run_lengths > 1  # a text's codes are distinct, so a run of two is two texts
        found.append(ordered[run_starts[:-1][repeated]])
        counts.append(run_lengths[repeated])
    shared = np.concatenate(found)
    order = np.argsort(shared)
    return shared[order], np.concatenate(counts)[order]


def overlap_needed(sizes: np.ndarray) -> np.ndarray:
    """Common shingles that make a text of each size a near duplicate of a larger one."""
    return np.ceil(NEAR_DUPLICATE_CONTAINMENT * sizes).astype(np.int64)


def postings(ranks: list[np.ndarray], frequency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The texts holding each rank, concatenated in rank order, and where each rank's list starts."""
    starts = np.cumsum(frequency) - frequency
    holders = np.empty(int(frequency.sum()), dtype=np.int32)
    cursor = starts.copy()
    # filled text by text (a counting sort) rather than argsorted: no temporaries of 8 bytes an entry
    for text, text_ranks in enumerate(ranks):
        holders[cursor[text_ranks]] = text
        cursor[text_ranks] += 1  # a text's ranks are distinct, so no index repeats here
    return holders, starts


def candidate_pairs(ranks: list[np.ndarray], sizes: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """Pairs (smaller, larger) of texts that may be near duplicates; never misses one.

    Prefix filtering: if the smaller text A has `need` shingles in B, the shingles of A outside
    its rarest |A| - need + k hold at most need - k of them, so that prefix holds at least k
    shingles of B. Probing only the smaller text's prefix is what finds a short text inside a
    long one, and probing a prefix is cheap because ranks put rare shingles first.
    """
    need = overlap_needed(sizes)
    hits = np.minimum(PREFIX_HITS, need)
    unshared = sizes - np.array([len(r) for r in ranks], dtype=np.int64)
    probes = sizes - need + hits - unshared  # unshared shingles rank first but hit nothing
    holders, starts = postings(ranks, frequency)
    found: list[np.ndarray] = []
    batch: list[int] = []
    volume = 0
    for text in np.flatnonzero((probes > 0) & (need > 0)).tolist():
        batch.append(text)
        volume += int(frequency[ranks[text][: probes[text]]].sum())
        if volume >= PROBE_BATCH:
            found.append(probe(batch, ranks, probes, hits, sizes, holders, starts, frequency))
            batch, volume = [], 0
    found.append(probe(batch, ranks, probes, hits, sizes, holders, starts, frequency))
    return np.concatenate(found)


def probe(
    batch: list[int], ranks: list[np.ndarray], probes: np.ndarray, hits: np.ndarray, sizes: np.ndarray,
    holders: np.ndarray, starts: np.ndarray, frequency: np.ndarray,
) -> np.ndarray:
    """Candidate pairs (text, other) for a batch of texts: other holds `hits` of text's prefix."""
    if not batch:
        return np.empty((0, 2), dtype=np.int64)
    prefix = np.concatenate([ranks[t][: probes[t]] for t in batch])
    owner = np.repeat(np.array(batch, dtype=np.int64), probes[batch])
    lengths = frequency[prefix]
    # expand every prefix rank into its posting list: one (owner, holder) row per entry
    first = np.repeat(starts[prefix] - (np.cumsum(lengths) - lengths), lengths)
    other = holders[first + np.arange(int(lengths.sum()))].astype(np.int64)
    owner = np.repeat(owner, lengths)
    # the smaller text probes; between equal sizes the earlier one
    smaller = (sizes[owner] < sizes[other]) | ((sizes[owner] == sizes[other]) & (owner < other))
    keys, counts = np.unique(owner[smaller] * len(sizes) + other[smaller], return_counts=True)
    keys = keys[counts >= hits[keys // len(sizes)]]
    return np.stack([keys // len(sizes), keys % len(sizes)], axis=1)


def containing_pairs(candidates: np.ndarray, ranks: list[np.ndarray], sizes: np.ndarray) -> list[tuple[int, int]]:
    """The candidate pairs whose overlap, counted exactly, reaches the threshold; as (earlier, later)."""
    need = overlap_needed(sizes)
    pairs = []
    for smaller, larger in candidates.tolist():
        if len(np.intersect1d(ranks[smaller], ranks[larger], assume_unique=True)) >= need[smaller]:
            pairs.append((min(smaller, larger), max(smaller, larger)))
    return sorted(pairs)


def drop_later(pairs: list[tuple[int, int]]) -> list[int]:
    """Walk texts in order and drop each one that matches an earlier text still kept."""
    earlier: dict[int, list[int]] = {}
    for first, later in pairs:
        earlier.setdefault(later, []).append(first)
    dropped: dict[int, None] = {}
    for later in sorted(earlier):
        if any(first not in dropped for first in earlier[later]):
            dropped[later] = None
    return list(dropped)


def near_duplicates(shingles: ShingleSets) -> list[int]:
    """Indices of texts to drop, ascending: each is a near duplicate of an earlier text that is kept."""
    sizes = np.diff(shingles.bounds())
    ranks, frequency = shared_ranks(shingles)
    return drop_later(containing_pairs(candidate_pairs(ranks, sizes, frequency), ranks, sizes))


def geometric_gap(log_keep: float, rng: random.Random) -> int:
    """Characters skipped before the next substitution (geometric distribution)."""
    return int(math.log(1.0 - rng.random()) / log_keep)


class OcrTable:
    """Character -> weighted OCR confusions from FASPell counts and similar-shape groups."""

    def __init__(self, weights: dict[str, dict[str, float]]) -> None:
        self._table: dict[str, tuple[list[str], list[float]]] = {}
        for char in sorted(weights):
            outputs = sorted(weights[char])
            self._table[char] = (outputs, list(accumulate(weights[char][o] for o in outputs)))

    @classmethod
    def load(cls, noise_dir: Path) -> OcrTable:
        """Read faspell_substitutions.tsv and similar_shape_groups.txt."""
        weights: dict[str, dict[str, float]] = {}
        with open(noise_dir / "faspell_substitutions.tsv", encoding="utf-8") as handle:
            next(handle)
            for line in handle:
                correct, output, count = line.rstrip("\n").split("\t")
                if len(correct) == 1 and len(output) == 1 and correct != output:
                    row = weights.setdefault(correct, {})
                    row[output] = row.get(output, 0.0) + int(count)
        with open(noise_dir / "similar_shape_groups.txt", encoding="utf-8") as handle:
            for line in handle:
                group = [c for c in line.rstrip("\n").split("\t") if len(c) == 1]
                for char in group:
                    row = weights.setdefault(char, {})
                    for other in group:
                        if other != char:
                            row[other] = row.get(other, 0.0) + SHAPE_WEIGHT
        return cls(weights)

    def substitute(self, text: str, rate: float, rng: random.Random) -> str:
        """Replace about `rate` of the characters with confusable ones."""
        if rate <= 0 or not text:
            return text
        chars: list[str] | None = None
        log_keep = math.log(1.0 - rate)
        position = geometric_gap(log_keep, rng)
        while position < len(text):
            # the chosen character may have no known confusion: try the next few
            for index in range(position, min(position + 4, len(text))):
                entry = self._table.get(text[index])
                if entry:
                    outputs, cumulative = entry
                    chars = chars if chars is not None else list(text)
                    chars[index] = outputs[bisect_right(cumulative, rng.random() * cumulative[-1])]
                    break
            position += 1 + geometric_gap(log_keep, rng)
        return "".join(chars) if chars is not None else text


# --------------------------------------------------------------------------- planning


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


# --------------------------------------------------------------------------- noise


@dataclass(frozen=True)
class PageNoise:
    """Noise settings shared by the articles of one page."""

    halfwidth: bool
    ocr_rate: float
    level: float


def page_noise(source: Source, rng: random.Random) -> PageNoise:
    """Draw this page's noise around its newspaper's habits."""
    return PageNoise(
        halfwidth=rng.random() < source.halfwidth,
        ocr_rate=rng.uniform(0.004, 0.012) * source.noise,
        level=rng.uniform(0.5, 1.5) * source.noise,
    )


def drop_paragraphs(blocks: list[Block], rng: random.Random) -> list[Block]:
    """Lose one or two body paragraphs (never the first)."""
    candidates = [i for i, b in enumerate(blocks) if i > 0 and b.kind == "p"]
    count = min(len(candidates) - 1, rng.choice((1, 1, 2)))
    if count <= 0:
        return blocks
    doomed = rng.sample(candidates, count)
    return [b for i, b in enumerate(blocks) if i not in doomed]


def repeat_paragraphs(blocks: list[Block], rng: random.Random) -> list[Block]:
    """Print a run of 1-3 paragraphs two or three times in a row."""
    start = rng.randrange(len(blocks))
    run = blocks[start : start + rng.choice((1, 1, 2, 3))]
    end = start + len(run)
    return blocks[:end] + run * rng.choice((1, 1, 2)) + blocks[end:]


def repeat_sentence(blocks: list[Block], rng: random.Random) -> list[Block]:
    """Repeat one sentence two or three times inside its paragraph."""
    candidates = [i for i, b in enumerate(blocks) if b.kind == "p" and len(split_sentences(b.text)) >= 2]
    if not candidates:
        return blocks
    index = rng.choice(candidates)
    sentences = split_sentences(blocks[index].text)
    pick = rng.randrange(len(sentences))
    sentences[pick] = sentences[pick] * rng.choice((2, 3))
    return blocks[:index] + [Block("p", "".join(sentences))] + blocks[index + 1 :]


def split_point(blocks: list[Block], rng: random.Random) -> int:
    """Index where a printing is cut in two; splits the paragraph of a one-paragraph text."""
    if len(blocks) < 2:
        text = blocks[0].text
        sentences = split_sentences(text)
        at = len("".join(sentences[: len(sentences) // 2])) if len(sentences) >= 2 else len(text) // 2
        blocks[:] = [Block("p", text[:at]), Block("p", text[at:])]
        return 1
    low = max(1, round(len(blocks) * 0.3))
    high = max(low, min(len(blocks) - 1, round(len(blocks) * 0.7)))
    return rng.randint(low, high)


def cut_part(blocks: list[Block], part: str, rng: random.Random) -> list[Block]:
    """Keep the whole article, its head or its tail."""
    if part == "whole":
        return blocks
    blocks = blocks[:]
    cut = split_point(blocks, rng)
    if part == "tail":
        tail = blocks[cut:]
        return tail if any(b.kind == "p" for b in tail) else blocks[cut - 1 :]
    head = blocks[:cut]
    last = head[-1]
    if last.kind == "p" and len(last.text) > 20 and rng.random() < 0.5:  # cut mid-sentence
        head[-1] = Block("p", last.text[: rng.randint(len(last.text) // 3, len(last.text) - 5)])
    return head


def structural_noise(blocks: list[Block], level: float, rng: random.Random) -> list[Block]:
    """Dropped and repeated paragraphs, repeated sentences."""
    if len(blocks) >= 4 and rng.random() < 0.2 * level:
        blocks = drop_paragraphs(blocks, rng)
    if rng.random() < 0.12 * level:
        blocks = repeat_paragraphs(blocks, rng)
    if rng.random() < 0.05 * level:
        blocks = repeat_sentence(blocks, rng)
    return blocks


def drop_digit(text: str, rng: random.Random) -> str:
    """Lose a digit or a decimal point of one number (72TB→7TB, 3.5万→35万)."""
    numbers = [m for m in NUMBER_RE.finditer(text) if len(m.group()) >= 2]
    if not numbers:
        return text
    match = rng.choice(numbers)
    digits = match.group()
    if any(c in ".．" for c in digits) and rng.random() < 0.6:
        new = digits.replace(".", "").replace("．", "")
    else:
        drop = rng.choice([i for i, c in enumerate(digits) if c not in ".．"])
        new = digits[:drop] + digits[drop + 1 :]
    return text[: match.start()] + new + text[match.end() :]


def flip_punctuation(text: str, rate: float, rng: random.Random) -> str:
    """Swap full- and half-width forms of some punctuation marks."""
    return PUNCT_RE.sub(lambda m: WIDTH_FLIP[m.group()] if rng.random() < rate else m.group(), text)


def text_noise(blocks: list[Block], ocr: OcrTable, noise: PageNoise, rng: random.Random) -> list[Block]:
    """Character substitutions, punctuation width flips and lost digits."""
    rate = noise.ocr_rate * rng.uniform(0.5, 1.5) if rng.random() < 0.85 else 0.0
    flip = rng.uniform(0.02, 0.1) if rng.random() < 0.3 * noise.level else 0.0
    out = []
    for block in blocks:
        text = ocr.substitute(block.text, rate, rng)
        out.append(Block(block.kind, flip_punctuation(text, flip, rng) if flip else text))
    if rng.random() < 0.25 * noise.level:
        for _ in range(rng.choice((1, 1, 2))):
            index = rng.randrange(len(out))
            out[index] = Block(out[index].kind, drop_digit(out[index].text, rng))
    return out


def column_break(text: str, rng: random.Random) -> str:
    """A blank line where the column breaks, often mid-word ("工\\n\\n业领域")."""
    if len(text) < 8:
        return text
    at = rng.randint(2, len(text) - 2)
    return text[:at] + "\n\n" + text[at:]


def hard_wrap(text: str, width: int) -> str:
    """Break every line at a fixed width with markdown's two trailing spaces."""
    lines = []
    for line in text.split("\n"):
        if len(line) > width:
            line = "  \n".join(line[i : i + width] for i in range(0, len(line), width))
        lines.append(line)
    return "\n".join(lines)


def single_wrap(text: str, rng: random.Random) -> str:
    """One hard line break inside a word ("腾冲科学论  \\n坛")."""
    if len(text) < 10:
        return text
    at = rng.randint(3, len(text) - 3)
    return text[:at] + "  \n" + text[at:]


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class StoryInfo:
    """Story-level facts shared by all printings: how the wire credits it."""

    style: str  # "own" (the text has its own dateline), "news", "feature", "local" or "none"
    dateline: str  # 新华社北京1月5日电 / 本报北京1月5日讯
    reporters: tuple[str, ...]


@dataclass
class Header:
    """The lines printed around an article's body."""

    above: list[str]  # title, kicker, byline, continuation marker
    below: list[str]  # a dateline at the end, a (下转…) marker
    lead: str  # glued to the first paragraph: a dateline or a continuation marker
    title: str | None  # as truth records it


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


def format_title(title: str, source: Source, rng: random.Random) -> tuple[str, str]:
    """The printed title line and the title text as truth records it."""
    printed = title
    if len(title) > 6 and rng.random() < 0.04:  # OCR splits a word with a space
        at = rng.randint(2, len(title) - 2)
        printed = title[:at] + " " + title[at:]
    line = printed
    if len(printed) > 8 and rng.random() < 0.05:
        at = rng.randint(3, len(printed) - 3)
        line = printed[:at] + "  \n" + printed[at:]
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


def render_header(variant: Variant, article: Article, info: StoryInfo, source: Source,
                  refs: dict[tuple[int, str], int], rng: random.Random) -> Header:
    """Title, kicker, byline, dateline and continuation markers of one printing."""
    above: list[str] = []
    below: list[str] = []
    lead = ""
    title = None
    if variant.part != "tail" or rng.random() < 0.5:
        line, title = format_title(article.title, source, rng)
        above.append(line)
        if article.kicker and rng.random() < 0.85:
            above.append(("## " if source.markdown else "") + article.kicker)
    byline = format_byline(article, info, source, rng)
    if byline:
        above.append(byline)
    if variant.part == "tail":
        marker = page_ref(refs.get((variant.story, "head"), rng.choice((1, 1, 1, 2, 3))), "上接", rng)
        if rng.random() < 0.4:
            lead = marker
        else:
            above.append(marker)
    elif info.style in ("news", "local") and rng.random() < 0.9:
        if info.style == "news" and rng.random() < source.dateline_end:
            below.append(end_dateline(info, rng))
        else:
            lead = lead_dateline(info, rng)
    if variant.part != "head" and info.style == "feature" and rng.random() < 0.85:
        below.append(end_dateline(info, rng))
    if variant.part == "head" and rng.random() < 0.6:
        later = refs.get((variant.story, "tail"), variant.page_no + rng.randint(1, 4))
        below.append(page_ref(later, "下转", rng))
    return Header(above, below, lead, title)


def format_block(block: Block, source: Source) -> str:
    """A block's printed line: sub-heads get the newspaper's heading style."""
    if block.kind != "h":
        return block.text
    if source.subhead == "###":
        return "### " + block.text
    if source.subhead == "**":
        return f"**{block.text}**"
    return block.text


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
    parts = []
    for ordinal, index in enumerate(members):
        variant = ctx.plan.variants[index]
        rendered = render_article(ctx, variant, refs, noise, rng)
        parts.append(rendered.text)
        record = {
            "page": relative,
            "ordinal": ordinal,
            "story": f"st{variant.story:06d}",
            "title": rendered.title,
            "partial": variant.part != "whole",
            "part": variant.part,
            "origin": rendered.origin,
            "text_sample": rendered.sample,
        }
        truth.write(json.dumps(record, ensure_ascii=False) + "\n")
        ctx.counts["partial_variants"] += variant.part != "whole"
    text = join_articles(ctx, parts, noise, rng)
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


# --------------------------------------------------------------------------- main


def parse_size(text: str) -> int:
    """'1k', '10k', '100k' or a positive integer: the number of variants."""
    key = text.strip().lower()
    if key in SIZES:
        return SIZES[key]
    if key.isdigit() and int(key) > 0:
        return int(key)
    raise argparse.ArgumentTypeError(f"size must be one of {', '.join(SIZES)} or a positive integer")


def pool_names(choice: str, n: int) -> list[str]:
    """Corpora to draw stories from; 'auto' is both up to 10k and SogouC above."""
    if choice == "auto":
        choice = "both" if n <= SIZES["10k"] else "sogouc"
    return ["pku", "sogouc"] if choice == "both" else [choice]


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
        },
        "counts": {
            "pages": ctx.counts["pages"],
            "pages_with_meta": ctx.counts["pages_with_meta"],
            "variants": ctx.counts["variants"],
            "partial_variants": ctx.counts["partial_variants"],
            "stories": len(plan.story_pool),
            "stories_with_several_variants": sum(1 for c in per_story if c > 1),
            "characters": ctx.counts["characters"],
        },
    }


def generate(n: int, out: Path, seed: int, corpora: Path, articles: str, force: bool = False) -> dict[str, Any]:
    """Build the whole corpus in `out` and return the manifest."""
    prepare_out(out, force)
    names = pool_names(articles, n)
    store, pool = load_pool(corpora, names)
    try:
        if not len(store):
            raise SystemExit(f"no usable articles in {corpora}")
        plan = make_plan(n, store.lengths, seed)
        ctx = Context(seed, out, store, OcrTable.load(corpora / "ocr-noise"), plan)
        with open(out / "truth.jsonl", "w", encoding="utf-8", newline="\n") as truth:
            for (day, source), members in issues(plan):
                write_issue(ctx, day, source, members, truth)
        result = manifest(ctx, n, names, pool)
    finally:
        store.close()
    write_text(out / "manifest.json", json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=SIZES["1k"],
                        help="1k, 10k, 100k or a number of article variants (default 1k)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="the shared corpora directory")
    parser.add_argument("--articles", choices=("auto", "pku", "sogouc", "both"), default="auto",
                        help="source corpora (auto: both up to 10k variants, SogouC above)")
    parser.add_argument("--force", action="store_true", help="replace a corpus already in --out")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.size, args.out, args.seed, args.corpora, args.articles, args.force)["counts"]
    print(
        f"{counts['variants']} variants of {counts['stories']} stories on {counts['pages']} pages, "
        f"{counts['characters']:,} characters in {time.perf_counter() - started:.1f}s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
