"""Counting what a query matched, at the three levels a researcher reports: stories (a story reprinted by
thirty papers counts once), variants (printings) and occurrences (times the query's terms appear in the
matched variants' normalised text: each positive term's non-overlapping occurrences, summed)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from indexer.literal import TEXT_ENCODING, Segment, term_grams
from indexer.sorted_sets import intersect
from search.view import View

LEVELS = ("stories", "variants", "occurrences")
# From this many documents of a segment, counting bytes pays for looking up which ones it can be wrong in.
BYTE_COUNT_FROM = 32


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


@dataclass(frozen=True)
class Cells:
    """Counts per key, for the keys at least one matched document has (ascending), as parallel arrays."""

    keys: np.ndarray
    stories: np.ndarray
    variants: np.ndarray
    occurrences: np.ndarray

    def __iter__(self) -> Iterator[tuple[int, Counts]]:
        for key, s, v, o in zip(self.keys.tolist(), self.stories.tolist(), self.variants.tolist(),
                                self.occurrences.tolist()):
            yield key, Counts(s, v, o)


def _off_boundary(segment: Segment, places: np.ndarray, term: str) -> np.ndarray:
    """Which of the documents could hold the term's encoded bytes one byte off a character boundary, where
    counting bytes would count a stretch that is not the term. Such a stretch holds, as whole characters,
    the ones made of each character's high byte and the next one's low byte; a document whose postings lack
    them cannot hold it. A term of one character, or one where such a character would be a surrogate, gives
    no such characters to rule it out with: every document is counted by its characters then."""
    units = np.frombuffer(term.encode(TEXT_ENCODING), dtype=np.uint16).astype(np.uint32)
    straddling = (units[:-1] >> 8) | ((units[1:] & 0xFF) << 8)
    if not len(straddling) or ((straddling >= 0xD800) & (straddling < 0xE000)).any():
        return np.ones(len(places), dtype=bool)
    if not straddling.all():  # normalised text never holds U+0000
        return np.zeros(len(places), dtype=bool)
    grams, _ = term_grams("".join(map(chr, straddling.tolist())))
    holding = segment.postings(grams)
    candidates = holding[0]
    for docs in holding[1:]:
        candidates = intersect(candidates, docs)
    return np.isin(places, candidates)


def _segment_occurrences(segment: Segment, places: np.ndarray, terms: list[str]) -> np.ndarray:
    """Occurrences of the terms, summed, in each of a segment's documents (as str.count counts them).

    Many documents are counted in the stored UTF-16 bytes, without decoding (a third of the cost), except
    those where a byte count could be wrong (`_off_boundary`), which are decoded and counted by characters;
    a few are all decoded, which costs less than looking the postings up.
    """
    starts, ends = segment.text_ranges(places)
    buffer = segment.text_buffer
    found = np.zeros(len(places), dtype=np.int64)
    for term in terms:
        needle = term.encode(TEXT_ENCODING)
        by_characters = _off_boundary(segment, places, term).tolist() if len(places) >= BYTE_COUNT_FROM \
            else [True] * len(places)
        found += np.array([buffer[a:b].decode(TEXT_ENCODING).count(term) if slow else buffer[a:b].count(needle)
                           for a, b, slow in zip(starts, ends, by_characters)], dtype=np.int64)
    return found


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
        found[at] = _segment_occurrences(view.literal.segments[number], view.place_of[docnums[at]], terms)
    return found


def totals(stories: np.ndarray, found: np.ndarray) -> Counts:
    """The counts of a set of matched documents, given each one's story and occurrences."""
    return Counts(len(np.unique(stories)), len(stories), int(found.sum()))


def count_by(keys: np.ndarray, stories: np.ndarray, found: np.ndarray) -> tuple[Cells, Counts]:
    """Counts per key (>= 0) of the matched documents, and of those with no key (-1): one sort by key and
    story, so a story counts once per key however many of its variants are there."""
    has = keys >= 0
    keyed, story, occurring = keys[has].astype(np.int64), stories[has], found[has]
    order = np.lexsort((story, keyed))
    keyed, story, occurring = keyed[order], story[order], occurring[order]
    new_key = np.ones(len(keyed), dtype=bool)
    new_key[1:] = keyed[1:] != keyed[:-1]
    new_story = new_key.copy()
    new_story[1:] |= story[1:] != story[:-1]
    starts = np.flatnonzero(new_key)
    if len(starts):
        cells = Cells(keyed[starts], np.add.reduceat(new_story.astype(np.int64), starts),
                      np.diff(np.append(starts, len(keyed))), np.add.reduceat(occurring, starts))
    else:
        empty = np.zeros(0, dtype=np.int64)
        cells = Cells(empty, empty, empty, empty)
    return cells, totals(stories[~has], found[~has])
