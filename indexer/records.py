"""Records that cross module boundaries: pages, the articles segmented from them, and sources."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Block:
    """One piece of an article in reading order; `kind` is body, subhead or caption."""

    kind: str
    text: str


@dataclass
class Article:
    """One article as printed on one page: the unit that becomes a variant in the index."""

    ordinal: int
    title: str = ""
    kicker: str = ""
    byline: str = ""
    dateline: str = ""
    continuation: str = ""
    credit: str = ""  # source, editor or author lines printed under the last paragraph
    blocks: list[Block] = field(default_factory=list)
    cut: str = ""  # why segmentation started an article here: one of indexer.context.CUTS ("" if not said)

    @property
    def body(self) -> list[Block]:
        """Body paragraphs and sub-heads, without captions."""
        return [b for b in self.blocks if b.kind != "caption"]

    @property
    def captions(self) -> list[str]:
        """Photo captions found inside or beside this article."""
        return [b.text for b in self.blocks if b.kind == "caption"]

    def display_text(self) -> str:
        """The article's text in original characters, one part a line, captions last.

        This is the text that is normalised, searched and shown; its line
        structure is what snippets and `corpus show` print.
        """
        lines = self.head()
        lines += [b.text for b in self.body]
        lines += self.captions
        return "\n".join(lines)

    def head(self) -> list[str]:
        """The non-empty header parts (title, kicker, byline, end credits, dateline, continuation): the
        lines about the article rather than of it, those printed above the body in print order. The
        dateline and marker come last, so that one glued to the first paragraph stays next to it."""
        parts = (self.title, self.kicker, self.byline, self.credit, self.dateline, self.continuation)
        return [part for part in parts if part]

    def body_text(self) -> str:
        """Body paragraphs and sub-heads only: what story grouping compares."""
        return "\n".join(b.text for b in self.body)


@dataclass
class Page:
    """A decoded input file: its source id, text and sidecar metadata."""

    source: str
    path: str
    text: str
    content_hash: str
    metadata: dict[str, Any] = field(default_factory=dict)
