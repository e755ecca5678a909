"""Turn one page into index-ready variants: segment into articles, normalise, sketch for grouping.

It needs no access to the index; jieba runs later, inside the whoosh writer's
processes.
"""
from __future__ import annotations

from dataclasses import dataclass

from indexer.cluster import Sketch, sketch
from indexer.normalise import normalise, normalise_text
from indexer.records import Page
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


def prepare_text(ordinal: int, title: str, head_lines: int, text: str, body: str) -> PreparedVariant:
    """Prepare one variant from its title, display text (after `head_lines` header lines) and body text."""
    normalised = normalise(text)
    return PreparedVariant(
        ordinal=ordinal,
        title=title,
        head_lines=head_lines,
        text=text,
        norm=normalised.text,
        offsets=normalised.pack_offsets(),
        sketch=sketch(normalise_text(body)),
    )


def prepare_page(page: Page) -> PreparedPage:
    """Segment a page into articles and prepare each one that has any text."""
    variants = []
    for article in segment_page(page.text):
        text = article.display_text()
        if not text.strip():
            continue
        variants.append(prepare_text(len(variants), article.title, len(article.head()), text,
                                     article.body_text()))
    return PreparedPage(page.source, page.path, page.content_hash, page.metadata, variants)
