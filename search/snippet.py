"""Snippets in original characters: around the matched terms, or aligned to a sibling variant's match.

Matching positions come from the stored normalised text (no jieba at query
time); the offset map turns them into spans of the original text, which is
what a snippet shows.
"""
from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from indexer.normalise import Normalised
from search.query import Term

SNIPPET_CHARS = 120
ANCHOR_CONTEXT = 24
MAX_OCCURRENCES = 200
MIN_ALIGNMENT_SCORE = 60.0
MIN_TERM_SIMILARITY = 50.0
ELLIPSIS = "…"


@dataclass
class Snippet:
    """A snippet, its highlighted spans (offsets into it), and the normalised passage it was cut around."""

    text: str
    highlights: list[list[int]]
    anchor: str = ""


def _occurrences(norm: str, terms: list[Term]) -> list[tuple[int, int, int]]:
    """(start, end, term index) of every occurrence of each term, by position."""
    found = []
    for index, term in enumerate(terms):
        start = norm.find(term.text)
        count = 0
        while start != -1 and count < MAX_OCCURRENCES:
            found.append((start, start + len(term.text), index))
            start = norm.find(term.text, start + 1)
            count += 1
    return sorted(found)


def _best_focus(occurrences: list[tuple[int, int, int]], width: int) -> tuple[int, int]:
    """The normalised span, at most `width` long where possible, that covers the most distinct terms."""
    best = (0, occurrences[0][0], occurrences[0][1])
    for i, (start, end, _) in enumerate(occurrences):
        covered = {occurrences[i][2]}
        stop = end
        for other_start, other_end, term in occurrences[i + 1:]:
            if other_end - start > width:
                break
            covered.add(term)
            stop = max(stop, other_end)
        if len(covered) > best[0]:
            best = (len(covered), start, stop)
    return best[1], best[2]


def cut(text: str, normalised: Normalised, focus: tuple[int, int], spans: list[tuple[int, int]]) -> Snippet:
    """Cut a snippet of the original text around a normalised focus span, highlighting normalised spans."""
    focus_start, focus_end = normalised.span_to_original(*focus)
    line_start = text.rfind("\n", 0, focus_start) + 1
    line_end = text.find("\n", focus_start)
    line_end = len(text) if line_end == -1 else line_end
    slack = max(0, SNIPPET_CHARS - (focus_end - focus_start)) // 2
    start = max(line_start, focus_start - slack)
    end = max(focus_end, min(line_end, start + SNIPPET_CHARS))
    start = max(line_start, min(start, end - SNIPPET_CHARS))
    prefix = ELLIPSIS if start > line_start else ""
    suffix = ELLIPSIS if end < line_end else ""
    body = text[start:end].replace("\n", " ")
    highlights = []
    for span in spans:
        orig_start, orig_end = normalised.span_to_original(*span)
        if orig_start >= start and orig_end <= end:
            highlights.append([orig_start - start + len(prefix), orig_end - start + len(prefix)])
    return Snippet(prefix + body + suffix, highlights)


def matched_snippet(text: str, normalised: Normalised, terms: list[Term]) -> Snippet | None:
    """A snippet around the passage where the most query terms occur together; None if none occurs."""
    occurrences = _occurrences(normalised.text, terms)
    if not occurrences:
        return None
    focus = _best_focus(occurrences, SNIPPET_CHARS // 2)
    snippet = cut(text, normalised, focus, [(s, e) for s, e, _ in occurrences])
    anchor_start = max(0, focus[0] - ANCHOR_CONTEXT)
    snippet.anchor = normalised.text[anchor_start:focus[1] + ANCHOR_CONTEXT]
    return snippet


def _counterpart(norm: str, around: int, term: str) -> tuple[int, int] | None:
    """The span near `around` that most resembles `term` (its OCR-garbled form), if any is close enough."""
    best: tuple[float, int] | None = None
    for start in range(max(0, around - 3), min(len(norm), around + 4)):
        score = fuzz.ratio(term, norm[start:start + len(term)])
        if best is None or score > best[0]:
            best = (score, start)
    if best is None or best[0] < MIN_TERM_SIMILARITY:
        return None
    return best[1], best[1] + len(term)


def aligned_snippet(text: str, normalised: Normalised, anchor: str, terms: list[Term]) -> Snippet | None:
    """The passage of this variant that corresponds to a sibling's matched passage, or None if none does."""
    if not anchor:
        return None
    alignment = fuzz.partial_ratio_alignment(anchor, normalised.text)
    if alignment is None or alignment.score < MIN_ALIGNMENT_SCORE:
        return None
    shift = alignment.dest_start - alignment.src_start
    spans = []
    for term in terms:
        position = anchor.find(term.text)
        if position != -1:
            span = _counterpart(normalised.text, position + shift, term.text)
            if span:
                spans.append(span)
    focus = (alignment.dest_start, max(alignment.dest_start + 1, alignment.dest_end))
    if spans:
        focus = (min(s for s, _ in spans), max(e for _, e in spans))
    return cut(text, normalised, focus, spans)


def lead_snippet(text: str, normalised: Normalised, head_lines: int) -> Snippet:
    """The start of the variant's body (after its header lines), when no passage corresponds."""
    start = 0
    for _ in range(head_lines):
        line_break = normalised.text.find("\n", start)
        if line_break == -1:
            break
        start = line_break + 1
    start = min(start, max(0, len(normalised.text) - 1))
    return cut(text, normalised, (start, min(len(normalised.text), start + 1)), [])
