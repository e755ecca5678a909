"""Every line of a page ends up in some article, and in one only: on generated pages of every layout
family, on the seed pages and on made-up pages (hypothesis).

The one exception is page furniture: a lone title-shaped heading or label at a page's foot
("民有所呼 我有所应 人大代表风采录"), which belongs to no article. Lines are looked for in the
articles' normalised text as the benchmark's scorer looks for them (bench/segmentation.py): whole,
or in a few stretches, as a dateline glued to a paragraph moves into the article's head.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.segmentation import MARKUP, WHITESPACE, assign_lines, compact
from indexer.blocks import INLINE_TAG
from indexer.normalise import normalise
from indexer.read import InputFile, ReadError, read_page
from indexer.segment import segment_page

ROOT = Path(__file__).resolve().parent.parent


def lines_in_no_article(text: str) -> list[str]:
    """The non-blank lines of a page that no article of it holds."""
    texts = {k: WHITESPACE.sub("", normalise(a.display_text()).text) for k, a in enumerate(segment_page(text))}
    lines = [INLINE_TAG.sub("", line) for line in text.split("\n")]  # markup the segmenter reads and drops
    found = assign_lines(lines, list(texts), texts)
    return [line for n, line in enumerate(lines, 1) if n not in found and compact(line)]


def is_subsequence(needle: str, haystack: str) -> bool:
    chars = iter(haystack)
    return all(c in chars for c in needle)


def last_line(text: str) -> str:
    return [line for line in text.split("\n") if line.strip()][-1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small corpus printed in all five layout families."""
    out = tmp_path_factory.mktemp("lines") / "corpus"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--size", "300", "--out", str(out),
                    "--seed", "3"], check=True, capture_output=True)
    return out


def test_every_line_of_generated_pages_of_every_family_is_in_an_article(generated: Path) -> None:
    families: set[str] = set()
    pages = sorted({json.loads(line)["page"] for line in (generated / "truth.jsonl").open(encoding="utf-8")})
    for line in (generated / "truth.jsonl").open(encoding="utf-8"):
        families.add(json.loads(line)["layout"])
    assert families == {"classic", "stacked", "plain", "briefs", "headless"}
    checked = 0
    for page in pages:
        try:
            text = read_page(InputFile(generated / page, page, page))[0].text
        except ReadError:
            continue  # a page the reader refuses is nobody's to segment
        lost = lines_in_no_article(text)
        assert lost in ([], [last_line(text)]), (page, lost)
        checked += 1
    assert checked >= 0.8 * len(pages)


def test_every_line_of_the_seed_pages_is_in_an_article_but_the_furniture(seed_pages: dict[str, str]) -> None:
    lost = {stem[:3]: lines_in_no_article(text) for stem, text in seed_pages.items()}
    assert lost == {"000": [], "001": [], "002": [], "003": ["民有所呼 我有所应 人大代表风采录"], "004": []}


# --- made-up pages of distinct paragraphs ---

HEADS = ["# 铁路建设全面提速", "**女足亚洲杯小组赛开战**", "科技创新引领产业升级", "■记者手记", "经济观察",
         "本报记者 张三", "（来源：新华社）", "责任编辑：李四", "(新华社北京1月2日电)", "(上接第1版)", "（下转第3版）",
         "### 一、背景", "新华社记者 王五 摄", "——新质生产力发展一线见闻"]
SENTENCES = [
    "国家铁路局发布数据，去年全国铁路完成固定资产投资八千亿元", "女足亚洲杯小组赛昨晚开战，中国队以三比零战胜越南队",
    "中西部地区铁路建设加快，一批重点工程提前建成通车", "王霜接队友传球后突入禁区低射破门",
    "工业和信息化部发布十四个行业数字化转型场景导航图", "我国货物贸易进出口连续十个月保持增长",
]
LEADS = ["", "本报讯 ", "新华社北京1月2日电 ", "（上接第一版）"]


@st.composite
def made_up_pages(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A page of heading-like lines and paragraphs that each print a numbered sentence once."""
    parts, paragraphs = [], []
    for k in range(draw(st.integers(1, 14))):
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(HEADS)))
            continue
        paragraph = f"{draw(st.sampled_from(LEADS))}{draw(st.sampled_from(SENTENCES))}，第{k + 1}次报道{draw(st.sampled_from('。，'))}"
        parts.append(paragraph)
        paragraphs.append(paragraph)
    return "\n\n".join(parts) + "\n", paragraphs


@settings(max_examples=200, deadline=None)
@given(made_up_pages())
def test_every_line_lands_in_an_article_and_no_paragraph_in_two(made: tuple[str, list[str]]) -> None:
    text, paragraphs = made
    holders = [WHITESPACE.sub("", normalise(a.display_text()).text) for a in segment_page(text)]
    # A line's characters are in one article in their order (a dateline may have moved to the head,
    # over a sub-head between the title and the first paragraph).
    keys = [compact(MARKUP.sub("", line)) for line in text.split("\n")]
    lost = [key for key in keys if key and not any(is_subsequence(key, held) for held in holders)]
    assert lost in ([], [compact(MARKUP.sub("", last_line(text)))])
    for paragraph in paragraphs:
        # The numbered sentence after any lead: printed once, so held by one article only.
        key = compact(paragraph)[-14:]
        assert sum(key in held for held in holders) == 1, (paragraph, holders)
