"""Turn one page into index-ready variants: segment into articles, normalise, sketch for grouping,
count ranking words.

It needs no access to the index, so it runs in worker processes, jieba included.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from indexer.blocks import JUMP_TAIL, script_shape
from indexer.jumps import page_number
from indexer.shingles import Sketch, sketch
from indexer import original
from indexer.literal import gram_codes
from indexer.normalise import normalise, normalise_text
from indexer.records import Article, Page
from indexer.segment import segment_page
from indexer.words import WordCounts, count_words


@dataclass
class PreparedVariant:
    """One article of a page, with everything the index stores and ranks on."""

    ordinal: int
    title: str
    head_lines: int
    body_lines: int  # lines of body text after the head lines; captions follow them
    text: str
    norm: str
    offsets: bytes
    sketch: Sketch
    words: WordCounts
    grams: np.ndarray  # the literal index's codes of `norm`, computed where the page is prepared
    stored_body: bytes  # the stored original text (indexer.original), made where the page is prepared
    jump: int | None = None  # the page a head's (下转…) or a tail's (上接…) line names (indexer.jumps)

    def body(self) -> list[str]:
        """The body text's lines, as printed."""
        return self.text.split("\n")[self.head_lines:self.head_lines + self.body_lines]

    def line_sketches(self) -> list[Sketch]:
        """The sketch of each body line: what story grouping compares, line by line."""
        return [sketch(normalise_text(line)) for line in self.body()]


@dataclass
class PreparedPage:
    """A page's source facts and its prepared variants."""

    source: str
    path: str
    content_hash: str
    metadata: dict
    variants: list[PreparedVariant]
    warnings: list[str] = field(default_factory=list)  # one line each, about what reading the page had to mend


def printed_part(article: Article) -> tuple[str, int | None]:
    """Which part of its story a printed article is: "tail" after a (上接…) marker, "head" before a (下转…)
    jump, else "whole"; and the page its jump line names (None where it names none). Segmentation leaves a
    (下转…) line at the end of the last paragraph, or reads it as an end credit on a line of its own."""
    if article.continuation:
        return "tail", page_number(script_shape(article.continuation))
    body = article.body
    for text in (body[-1].text if body else "", article.credit):
        found = JUMP_TAIL.search(script_shape(text))
        if found:
            return "head", page_number(found.group(0))
    return "whole", None


def prepare_text(ordinal: int, title: str, head_lines: int, text: str, body: str,
                 part: str = "whole", words: WordCounts | None = None, jump: int | None = None) -> PreparedVariant:
    """Prepare one variant from its title, display text (`head_lines` header lines, the body's lines,
    then captions) and body text; its ranking words are counted unless given."""
    normalised = normalise(text)
    # The body is a stretch of the display text: its normalised form is cut from the text's, not redone.
    body_start = len("\n".join(text.split("\n", head_lines)[:head_lines])) + (1 if head_lines else 0)
    body_norm = normalised.text[normalised.from_original(body_start):
                                normalised.from_original(body_start + len(body))]
    offsets = normalised.pack_offsets()
    return PreparedVariant(
        ordinal=ordinal,
        title=title,
        head_lines=head_lines,
        body_lines=body.count("\n") + 1 if body else 0,
        text=text,
        norm=normalised.text,
        offsets=offsets,
        sketch=sketch(body_norm, part),
        words=words if words is not None else count_words(normalise_text(title), normalised.text),
        grams=gram_codes(normalised.text),
        stored_body=original.encode(text, normalised),
        jump=jump,
    )


def prepare_page(page: Page) -> PreparedPage:
    """Segment a page into articles and prepare each one that has any text."""
    variants = []
    for article in segment_page(page.text):
        text = article.display_text()
        if not text.strip():
            continue
        part, jump = printed_part(article)
        variants.append(prepare_text(len(variants), article.title, len(article.head()), text,
                                     article.body_text(), part, jump=jump))
    return PreparedPage(page.source, page.path, page.content_hash, page.metadata, variants)


def split_variant(variant: PreparedVariant, at: int) -> tuple[PreparedVariant, PreparedVariant]:
    """Two variants from one that holds two articles: the head, captions and body up to line `at`,
    and the body from line `at` on. A jump to another page, if any, ends the second."""
    lines = variant.text.split("\n")
    head, body = lines[:variant.head_lines], variant.body()
    captions = lines[variant.head_lines + variant.body_lines:]
    first_body, second_body = "\n".join(body[:at]), "\n".join(body[at:])
    part = variant.sketch.part
    second = prepare_text(variant.ordinal + 1, "", 0, second_body, second_body,
                          "head" if part == "head" else "whole", jump=variant.jump if part == "head" else None)
    first = prepare_text(variant.ordinal, variant.title, len(head), "\n".join(head + body[:at] + captions),
                         first_body, "tail" if part == "tail" else "whole",
                         variant.words.without_body_of(second.words), jump=variant.jump if part == "tail" else None)
    return first, second
