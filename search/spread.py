"""Who printed a story: which papers, on which dates, and who first, from its variants' metadata."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from search.view import View


@dataclass
class Paper:
    """One publication that printed the story (null when its pages carry no publication), and its printings."""

    publication: str | None
    dates: list[str] = field(default_factory=list)  # the dates it printed the story on, earliest first
    sources: list[str] = field(default_factory=list)
    variants: int = 0


@dataclass
class FirstPrinted:
    """The earliest dated printing of a story."""

    date: str
    publication: str | None
    source: str
    variant_id: str


@dataclass
class Spread:
    """The papers that printed a story and the first printing."""

    papers: list[Paper]
    first_printed: FirstPrinted | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def spread(view: View, members: np.ndarray, variant_ids: dict[int, str] | None = None) -> Spread:
    """The spread of a story over its variants `members` (document numbers): papers by number of printings,
    then name; the first printing by date, then publication and variant id (`variant_ids`, where the
    caller has them, saves reading the records again)."""
    papers: dict[str | None, Paper] = {}
    first: tuple | None = None
    publications, days, sources = (_values(view, field, members) for field in ("publication", "date", "source"))
    for docnum, publication, day, source in zip(members.tolist(), publications, days, sources):
        source = source or ""
        paper = papers.setdefault(publication, Paper(publication))
        paper.variants += 1
        if day and day not in paper.dates:
            paper.dates.append(day)
        if source not in paper.sources:
            paper.sources.append(source)
        if day:
            variant_id = variant_ids[docnum] if variant_ids else view.header(docnum).variant_id
            candidate = (day, publication or "", variant_id, source)
            first = min(first, candidate) if first else candidate
    for paper in papers.values():
        paper.dates.sort()
        paper.sources.sort()
    ordered = sorted(papers.values(), key=lambda p: (-p.variants, p.publication is None, p.publication or ""))
    printed = FirstPrinted(first[0], first[1] or None, first[3], first[2]) if first else None
    return Spread(ordered, printed)


def _values(view: View, field: str, docnums: np.ndarray) -> list[str | None]:
    """The documents' values of a metadata field, None where there is none (read off the column at once: a
    view.value call per document and field cost more than the rest of the spread)."""
    column = view.column(field)
    return [column.values[code] if code >= 0 else None for code in column.codes[docnums].tolist()]
