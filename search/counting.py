"""Counting what a query matched, at the three levels a researcher reports: stories (a story reprinted by
thirty papers counts once), variants (printings) and occurrences (times the query's terms appear in the
matched variants' normalised text: each positive term's non-overlapping occurrences, summed)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from indexer.literal import TEXT_ENCODING, Segment, term_grams
from search.term_scan import scan_counts
from search.view import View

LEVELS = ("stories", "variants", "occurrences")
# From this many documents of a segment, counting bytes pays for looking up which ones it can be wrong in.
BYTE_COUNT_FROM = 32
# A term is scanned for when it is to be counted in at least this share of a segment's documents, and the
# scan runs when such terms would have at least SCAN_FROM times its documents read one at a time.
SCAN_TERM_FROM = 0.05
SCAN_FROM = 0.5


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
    return np.isin(places, segment.candidates(grams))


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


def _scanned_terms(demand: dict[str, int], documents: int) -> list[str]:
    """The terms a segment's text is scanned for at once: those to be counted in many of its documents,
    when together they would have at least SCAN_FROM times its documents read one at a time."""
    frequent = [term for term, wanted in demand.items() if wanted >= documents * SCAN_TERM_FROM]
    return frequent if sum(demand[term] for term in frequent) >= documents * SCAN_FROM else []


def occurrences_of_each(view: View, lookups: list[tuple[np.ndarray, list[str]]],
                        between_segments: Callable[[], None] = lambda: None) -> list[np.ndarray]:
    """For each (documents, terms) of a batch, each document's occurrences of the terms, summed over terms.
    Segment by segment, the terms many documents of the batch are counted for are counted in one scan of
    its text (search.term_scan), the others document by document."""
    found = [np.zeros(len(docnums), dtype=np.int64) for docnums, _ in lookups]
    numbers = np.arange(len(view.literal.segments) + 1)
    located = []  # per lookup: its documents ordered by segment, where each segment's start, their places
    for docnums, _ in lookups:
        segments = view.segment_of[docnums]
        order = np.argsort(segments, kind="stable")
        located.append((order, np.searchsorted(segments[order], numbers).tolist(), view.place_of[docnums]))
    for number, segment in enumerate(view.literal.segments):
        parts, demand = [], Counter()
        for k, ((_, terms), (order, starts, places)) in enumerate(zip(lookups, located)):
            at = order[starts[number]:starts[number + 1]]
            if len(at) and terms:
                parts.append((k, at, places[at], terms))
                demand.update(dict.fromkeys(terms, len(at)))
        if not parts:
            continue
        between_segments()
        scanned = _scanned_terms(demand, len(segment.keys))
        counts = scan_counts(segment, scanned) if scanned else np.zeros((0, 0), dtype=np.int64)
        row = {term: i for i, term in enumerate(scanned)}
        for k, at, places, terms in parts:
            rest = [term for term in terms if term not in row]
            total = _segment_occurrences(segment, places, rest) if rest else np.zeros(len(at), dtype=np.int64)
            for term in terms:
                if term in row:
                    total += counts[row[term], places]
            found[k][at] = total
    return found


def occurrences(view: View, docnums: np.ndarray, terms: list[str],
                between_segments: Callable[[], None] = lambda: None) -> np.ndarray:
    """For each document, its occurrences of the terms, summed over terms."""
    return occurrences_of_each(view, [(docnums, terms)], between_segments)[0]


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
