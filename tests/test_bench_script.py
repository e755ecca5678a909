"""Traditional printings (bench/gen/script.py): OpenCC phrase conversion that keeps what OpenCC would drop."""
from __future__ import annotations

import opencc

from bench.gen.articles import Article, Block
from bench.gen.script import converter, traditional_article


def test_opencc_itself_loses_nuls() -> None:
    # the reason converter() splits at NULs; if OpenCC ever keeps them, this is the test to drop
    raw = opencc.OpenCC("s2hk").convert
    assert raw("头发\x00发展") == "頭髮發展"  # dropped
    assert raw("abc\x00def") == "abc"  # or everything after it


def test_conversion_keeps_nul_padding_and_converts_phrases() -> None:
    convert = converter("s2hk")
    assert convert("头发\x00\x00发展") == "頭髮\x00\x00發展"
    assert convert("钍基熔盐实验堆\x00") == "釷基熔鹽實驗堆\x00"
    assert converter("")("头发") == "头发"


def test_an_article_is_converted_but_its_byline_waits_for_the_paper() -> None:
    article = Article("pku:1", "钍基熔盐实验堆", "——发展一线见闻", "本报记者 张发", [Block("p", "头发发展。\x00")])
    converted = traditional_article(article, converter("s2tw"))
    assert (converted.title, converted.kicker, converted.byline) == ("釷基熔鹽實驗堆", "——發展一線見聞", "本报记者 张发")
    assert converted.blocks == [Block("p", "頭髮發展。\x00")]
