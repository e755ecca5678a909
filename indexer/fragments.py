"""Short fragments that cannot start an article, given back to the article printed before them."""
from __future__ import annotations

import re

from indexer.blocks import JUMP_TAIL, script_shape
from indexer.cohesion import echoes
from indexer.context import HEADING_CUT
from indexer.records import Article, Block

# An article of this few letters (title, body and captions, without its end credit), started at a heading read as
# a title (Article.cut) with nothing that opens an article above its text, is the end of the article before cut off: a line a column break left alone ("共找到7,466"
# over "个相关网页."), a closing name or date, a sentence's last words. On the 10k bench, of the page's
# consecutive variant pairs whose second is this short, 153 were one article cut and 61 two articles; those 61
# mostly open with a dateline or marker or follow a jump line, which keep them apart here.
MAX_FRAGMENT_LETTERS = 40
_NON_LETTER = re.compile(r"[\W_]+")


def reattach_fragments(articles: list[Article]) -> list[Article]:
    """The page's articles with each fragment (see MAX_FRAGMENT_LETTERS) folded into the one before it,
    its title and paragraphs as that article's paragraphs and its end credit added to that article's;
    ordinals renumbered."""
    kept: list[Article] = []
    for article in articles:
        if kept and _is_fragment(article) and not _jumps(kept[-1]):
            _fold(kept[-1], article)
        else:
            kept.append(article)
    for ordinal, article in enumerate(kept):
        article.ordinal = ordinal
    return kept


def _is_fragment(article: Article) -> bool:
    if article.cut != HEADING_CUT or article.kicker or article.byline or article.dateline or article.continuation:
        return False
    body = article.body
    if not body or echoes(article.title, body[0].text):
        return False  # a headline set from its lead opens a brief, however short
    letters = sum(len(_NON_LETTER.sub("", text)) for text in [article.title, *(b.text for b in article.blocks)])
    return letters <= MAX_FRAGMENT_LETTERS


def _jumps(article: Article) -> bool:
    """True if the article closes with a jump to another page: nothing more of it is printed here."""
    body = article.body
    return bool(body) and bool(JUMP_TAIL.search(script_shape(body[-1].text)))


def _fold(article: Article, fragment: Article) -> None:
    captions = [b for b in article.blocks if b.kind == "caption"]
    article.blocks = [b for b in article.blocks if b.kind != "caption"]
    if fragment.title:
        article.blocks.append(Block("body", fragment.title))
    article.blocks += [b for b in fragment.blocks if b.kind != "caption"]
    article.blocks += captions + [b for b in fragment.blocks if b.kind == "caption"]
    if fragment.credit and fragment.credit not in article.credit:
        article.credit = f"{article.credit} {fragment.credit}".strip()
