"""Turn one page into index-ready variants: segment into articles, normalise, sketch for grouping.

It needs no access to the index; jieba runs later, inside the whoosh writer's
processes.
"""
from __future__ import annotations

from dataclasses import dataclass

from indexer.cluster import Sketch, sketch
from indexer.normalise import normalise, normalise_text
from indexer.blocks import JUMP_TAIL
from indexer.records import Article, Page
from indexer.segment import segment_page


@dataclass
class PreparedVariant:
    """One article of a page, with everything the index stores and ranks on."""

    ordinal: int
    title: str
    head_lines: int
    text: str
    norm: str
    offsets: bytes
    sketch: Sketch


@dataclass
class PreparedPage:
    """A page's source facts and its prepared variants."""

    source: str
    path: str
    content_hash: str
    metadata: dict
    variants: list[PreparedVariant]


def printed_part(article: Article) -> str:
    """Which part of its story a printed article is: "tail" after a (上接…) marker, "head" before a (下转…)
    jump, else "whole"."""
    if article.continuation:
        return "tail"
    body = article.body
    return "head" if body and JUMP_TAIL.search(body[-1].text) else "whole"


def prepare_text(ordinal: int, title: str, head_lines: int, text: str, body: str,
                 part: str = "whole") -> PreparedVariant:
    """Prepare one variant from its title, display text (after `head_lines` header lines) and body text."""
    normalised = normalise(text)
    return PreparedVariant(
        ordinal=ordinal,
        title=title,
        head_lines=head_lines,
        text=text,
        norm=normalised.text,
        offsets=normalised.pack_offsets(),
        sketch=sketch(normalise_text(body), part),
    )


def prepare_page(page: Page) -> PreparedPage:
    """Segment a page into articles and prepare each one that has any text."""
    variants = []
    for article in segment_page(page.text):
        text = article.display_text()
        if not text.strip():
            continue
        variants.append(prepare_text(len(variants), article.title, len(article.head()), text,
                                     article.body_text(), printed_part(article)))
    return PreparedPage(page.source, page.path, page.content_hash, page.metadata, variants)
