"""Concordance (KWIC): every occurrence of a query's terms as one line, left context | term | right context,
in the printed characters, with the printing's ids and metadata."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Iterator

import numpy as np

from search.counting import occurrences
from search.rank import Matched
from search.request import ParameterError

SORTS = ("date", "source", "left", "right")
DEFAULT_WIDTH = 30
MAX_WIDTH = 500
_BREAKS = re.compile(r"\s*\n\s*")


@dataclass
class KwicLine:
    """One occurrence: its context in original characters and where it was printed."""

    variant_id: str
    article_id: str
    source: str
    publication: str | None
    date: str | None
    left: str
    match: str
    right: str
    start: int  # where the match starts in the printing's original text
    end: int


@dataclass
class Concordance:
    """One page of a concordance, and how many lines there are in all."""

    query: str
    total: int
    offset: int
    lines: list[KwicLine]

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "offset": self.offset,
                "lines": [asdict(line) for line in self.lines]}


def check_options(width: int, sort: str) -> None:
    """ParameterError for a width or sort order a concordance cannot have."""
    if not 1 <= width <= MAX_WIDTH:
        raise ParameterError(f"width must be between 1 and {MAX_WIDTH} characters, not {width}")
    if sort not in SORTS:
        raise ParameterError(f"sort by {', '.join(SORTS)}, not {sort!r}")


def _spans(norm: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping occurrences of each term in normalised text (as str.count counts them), in order."""
    found = []
    for term in terms:
        start = norm.find(term)
        while start != -1:
            found.append((start, start + len(term)))
            start = norm.find(term, start + len(term))
    return sorted(found)


def _flat(text: str) -> str:
    """Context on one line: a line break between a printing's parts becomes a space."""
    return _BREAKS.sub(" ", text)


def lines_of(matched: Matched, docnum: int, width: int, terms: list[str]) -> list[KwicLine]:
    """Every occurrence of the terms (the query's) in one printing."""
    view = matched.view
    norm = view.normalised_text(docnum)
    spans = _spans(norm, terms)
    if not spans:
        return []
    text, mapped = view.original(docnum, norm)
    header = view.header(docnum)
    meta = (header.variant_id, view.story_names[view.story_of[docnum]], header.source,
            view.value("publication", docnum), view.value("date", docnum))
    found = []
    for start, end in spans:
        first, last = mapped.span_to_original(start, end)
        found.append(KwicLine(*meta, _flat(text[max(0, first - width):first]), text[first:last],
                              _flat(text[last:last + width]), first, last))
    return found


def _document_order(matched: Matched) -> np.ndarray:
    """Matched documents by date (undated last), then source, then place in the index."""
    view = matched.view
    day, source = view.column("date"), view.column("source")
    days = day.codes[matched.docnums].astype(np.int64)
    days[days < 0] = len(day.values)
    return matched.docnums[np.lexsort((matched.docnums, source.codes[matched.docnums], days))]


def iter_lines(matched: Matched, width: int) -> Iterator[KwicLine]:
    """Every line of the concordance in date order, printing by printing, without holding them all."""
    terms = matched.terms()
    for docnum in _document_order(matched).tolist():
        matched.deadline.check()
        yield from lines_of(matched, docnum, width, terms)


def concordance(matched: Matched, query: str, width: int = DEFAULT_WIDTH, sort: str = "date",
                one_per_story: bool = False, limit: int | None = None, offset: int = 0) -> Concordance:
    """One page of the concordance, sorted by date (and source), by source, or by the context left or right of
    the match (left: read backwards from the match, as concordancers sort). `one_per_story` keeps each story's
    first line in that order."""
    check_options(width, sort)
    stop = None if limit is None else offset + limit
    if sort == "date" and not one_per_story:  # the order lines come in: stop once the page is full
        total = int(occurrences(matched.view, matched.docnums, matched.terms(), matched.deadline.check).sum())
        page = []
        for line in iter_lines(matched, width):
            page.append(line)
            if stop is not None and len(page) >= stop:
                break
        return Concordance(query, total, offset, page[offset:])
    lines = list(iter_lines(matched, width))
    keys = {"date": lambda line: 0,
            "source": lambda line: (line.source, line.variant_id, line.start),
            "left": lambda line: (line.left[::-1], line.match, line.right),
            "right": lambda line: (line.match, line.right, line.left[::-1])}
    lines.sort(key=keys[sort])  # stable: ties keep date order
    if one_per_story:
        seen: set[str] = set()
        lines = [line for line in lines if not (line.article_id in seen or seen.add(line.article_id))]
    return Concordance(query, len(lines), offset, lines[offset:stop])
