"""Traditional-script printings: OpenCC's phrase-level conversion of what a Hong Kong or Taiwan paper prints.

OpenCC loses NULs (1.4.2: convert("头发\\x00发展") gives "頭髮發展", convert("abc\\x00def") gives
"abc"), so text is converted between its NULs and put back together around them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

import opencc

from bench.gen.articles import Article, Block

CONFIGS = ("s2hk", "s2tw")  # Hong Kong and Taiwan standard characters, phrase by phrase


@lru_cache(maxsize=None)
def _opencc(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def converter(config: str) -> Callable[[str], str]:
    """A function printing text in the script of an OpenCC config ("" prints it as it is)."""
    if not config:
        return str
    convert = _opencc(config).convert
    return lambda text: "\x00".join(convert(part) for part in text.split("\x00"))


def traditional_article(article: Article, convert: Callable[[str], str]) -> Article:
    """The article's title, subtitle and body in traditional characters (the byline is printed later,
    converted with the lines made around the article)."""
    return replace(article, title=convert(article.title), kicker=convert(article.kicker),
                   blocks=[Block(block.kind, convert(block.text)) for block in article.blocks])
