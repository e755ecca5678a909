"""Whether the boundary segmentation drew before a variant could be a mis-cut, read from what the index
stores of each variant's edges: the head lines above its body (title, kicker, byline, dateline, marker), its
first paragraph, and the last paragraph of the variant printed before it on the page."""
from __future__ import annotations

from dataclasses import dataclass

from indexer.blocks import DATELINE_LEAD, END_MARK_TAIL, JUMP_TAIL, Kind, classify, script_shape
from indexer.cohesion import bigrams, echoes, similarity
from indexer.context import SUBHEAD_SHAPE
from search.view import View

# Head lines that only an article's start carries. An end credit (source, editor) is stored among the head
# lines too, but a page prints it under the article's last paragraph: it says nothing of where one starts.
START_KINDS = frozenset({Kind.DATELINE, Kind.BYLINE, Kind.CONTINUATION, Kind.KICKER, Kind.LABEL})
# The two sides of a cut are compared over this many characters of normalised text each (as indexer.context
# compares the text above a heading with the text below it) ...
WINDOW = 600
# ... and read as one article when their bigram sets' cosine reaches this. On the 10k bench (bench/cuts.py,
# seeds 1-4: 5,319 pairs, 800 apart queries) with no joins, AND recall across cuts 0.948 and 9 false joins; joined
# at 0.04: 0.964 / 20; 0.05: 0.960 / 16; 0.06: 0.958 / 11. Below it, a title set with no dateline or byline is as
# often another article's.
JOIN_SIMILARITY = 0.06


@dataclass(frozen=True)
class Edges:
    """One variant's place on its page and the text at its two edges."""

    source: str
    version: int
    ordinal: int
    title: str
    head: tuple[str, ...]  # its head lines, the title first when it has one
    lead: str  # its first body line ("" for none)
    last: str  # its last body line ("" for none)
    opening: str  # the first WINDOW characters of its normalised text
    closing: str  # the last WINDOW characters of its normalised text


def edges(view: View, docnum: int) -> Edges:
    """A variant's edges, from its record header and original text."""
    header = view.header(docnum)
    lines = view.original(docnum)[0].split("\n")
    body = lines[header.head_lines:header.head_lines + header.body_lines]
    text = view.normalised_text(docnum)
    return Edges(header.source, header.version, header.ordinal, header.title, tuple(lines[:header.head_lines]),
                 body[0] if body else "", body[-1] if body else "", text[:WINDOW], text[-WINDOW:])


def follows(earlier: Edges, later: Edges) -> bool:
    """True if `later` is the variant printed right after `earlier` on the same page version."""
    return (later.source, later.version, later.ordinal) == (earlier.source, earlier.version, earlier.ordinal + 1)


def weak_cut(earlier: Edges, later: Edges) -> bool:
    """True if nothing on the page marks a strong article start between two variants printed one after the
    other, and the text on the two sides goes on with one subject: `later` opens with no byline, dateline,
    kicker, label or continuation marker (above its body or opening it), and its title (if any) does not repeat
    its lead as a headline set from the lead does; `earlier` does not close with a jump or an end mark; and the
    two sides share their vocabulary. Such a boundary is where the segmenter may have read a sub-head as a title."""
    if JUMP_TAIL.search(script_shape(earlier.last)) or END_MARK_TAIL.search(earlier.last):
        return False
    if DATELINE_LEAD.match(script_shape(later.lead)):
        return False
    others = later.head[1:] if later.title else later.head
    for line in others:
        piece = classify([line], 0)
        if piece is not None and (piece.kind in START_KINDS or piece.has_lead):
            return False
    if later.title and echoes(later.title, later.lead) and not SUBHEAD_SHAPE.match(script_shape(later.title)):
        return False  # a headline set from its lead; a numbered section ("5． 推理的作用") may open its own too
    return similarity(bigrams(earlier.closing), bigrams(later.opening)) >= JOIN_SIMILARITY
