"""Counting what a query matched, at the three levels a researcher reports: stories (a story reprinted by
thirty papers counts once), variants (printings) and occurrences (times the query's terms appear in the
matched variants' normalised text: each positive term's non-overlapping occurrences, summed)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from search.view import View

LEVELS = ("stories", "variants", "occurrences")


@dataclass(frozen=True)
class Counts:
    """One cell of a count: stories, variants, occurrences."""

    stories: int
    variants: int
    occurrences: int

    def to_dict(self) -> dict[str, int]:
        return {"stories": self.stories, "variants": self.variants, "occurrences": self.occurrences}

    def level(self, name: str) -> int:
        """The count at one level ('stories', 'variants' or 'occurrences')."""
        return int(getattr(self, name))


def occurrences(view: View, docnums: np.ndarray, terms: list[str],
                between_segments: Callable[[], None] = lambda: None) -> np.ndarray:
    """For each document, its occurrences of the terms, summed over terms."""
    found = np.zeros(len(docnums), dtype=np.int64)
    if not len(docnums) or not terms:
        return found
    segments = view.segment_of[docnums]
    for number in np.unique(segments).tolist():
        between_segments()
        at = np.flatnonzero(segments == number)
        places = view.place_of[docnums[at]]
        for term in terms:
            found[at] += view.literal.segments[number].occurrences(places, term)
    return found


def totals(stories: np.ndarray, found: np.ndarray) -> Counts:
    """The counts of a set of matched documents, given each one's story and occurrences."""
    return Counts(len(np.unique(stories)), len(stories), int(found.sum()))


def count_by(keys: np.ndarray, size: int, stories: np.ndarray, found: np.ndarray) -> tuple[list[Counts], Counts]:
    """Counts per key (0 .. size-1) of the matched documents, and of those with no key (-1)."""
    has = keys >= 0
    variants = np.bincount(keys[has], minlength=size)
    occurrence = np.bincount(keys[has], weights=found[has], minlength=size).astype(np.int64)
    pairs = np.unique(keys[has].astype(np.int64) * (int(stories.max(initial=0)) + 1) + stories[has])
    distinct = np.bincount(pairs // (int(stories.max(initial=0)) + 1), minlength=size)
    cells = [Counts(int(s), int(v), int(o)) for s, v, o in zip(distinct.tolist(), variants.tolist(),
                                                                occurrence.tolist())]
    return cells, totals(stories[~has], found[~has])
