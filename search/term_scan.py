"""Occurrences of several terms counted in one pass over a segment's text, with numpy over its UTF-16 code
units: cheaper than counting document by document once that would read most of the segment anyway (a
batch of topics with frequent terms), and exact as units are whole characters' halves aligned per text."""
from __future__ import annotations

import numpy as np

from indexer.literal import TEXT_ENCODING, Segment
from search.view import View

# Units read past what the documents hold before a slice of the text is read document by document instead.
SLICE_SLACK = 4096


def scan_counts(segment: Segment, terms: list[str]) -> np.ndarray:
    """Each term's occurrences in each of the segment's documents, as str.count counts them (non-overlapping):
    an array of shape (terms, documents)."""
    units = segment.text_units()
    bounds = np.asarray(segment.offsets, dtype=np.int64) // 2
    counts = np.zeros((len(terms), len(segment.keys)), dtype=np.int64)
    encoded = [np.frombuffer(term.encode(TEXT_ENCODING), dtype=np.uint16) for term in terms]
    starting = np.zeros(1 << 16, dtype=bool)
    starting[[int(e[0]) for e in encoded]] = True
    at = np.flatnonzero(starting[units])  # every place one of the terms could start
    heads = units[at]
    order = np.argsort(heads, kind="stable")  # grouped by first unit, in text order within each group
    at, heads = at[order], heads[order]
    for row, (term, units_of) in enumerate(zip(terms, encoded)):
        size = len(units_of)
        found = at[np.searchsorted(heads, units_of[0]):np.searchsorted(heads, units_of[0], side="right")]
        found = found[found <= len(units) - size]
        for j in range(1, size):
            found = found[units[found + j] == units_of[j]]
        doc = np.searchsorted(bounds, found, side="right") - 1
        inside = found + size <= bounds[doc + 1]  # not running on into the next text
        found, doc = found[inside], doc[inside]
        counts[row] = np.bincount(doc, minlength=len(segment.keys))
        # str.count skips an occurrence overlapping the one before ("哈哈" once in "哈哈哈"): texts where
        # two overlap are counted by characters.
        overlapping = doc[1:][(np.diff(found) < size) & (doc[1:] == doc[:-1])]
        for place in np.unique(overlapping).tolist():
            counts[row, place] = segment.text_at(place).count(term)
    return counts


def character_table(terms: list[str]) -> tuple[np.ndarray, list[str]]:
    """Which UTF-16 units are a term of one unit (a character of the Basic Multilingual Plane), and the
    other terms (a repeated one among them, so that it is counted as often as it is given). An export counts
    the first kind by looking every unit up: a query of many characters (an OR covering a whole archive)
    would otherwise be one str.count per character per text."""
    table = np.zeros(1 << 16, dtype=bool)
    rest = []
    for term in terms:
        if len(term) == 1 and ord(term) < 0x10000 and not 0xD800 <= ord(term) < 0xE000 and not table[ord(term)]:
            table[ord(term)] = True
        else:
            rest.append(term)
    return table, rest


def character_counts(view: View, docnums: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Each document's units that `table` (character_table) marks: its occurrences of those terms, as
    str.count counts them. Documents of one segment that lie close together are looked up in one slice
    of its text."""
    found = np.zeros(len(docnums), dtype=np.int64)
    if not len(docnums):
        return found
    segments, places = view.segment_of[docnums], view.place_of[docnums].astype(np.int64)
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(segments)) + 1, [len(docnums)])).tolist()
    for low, high in zip(bounds[:-1], bounds[1:]):
        segment = view.literal.segments[int(segments[low])]
        units, offsets = segment.text_units(), segment.offsets
        starts, ends = offsets[places[low:high]] // 2, offsets[places[low:high] + 1] // 2
        first, last = int(starts.min()), int(ends.max())
        # A count per document (a fraction of a microsecond) costs less than a running sum over the slice.
        if last - first <= 2 * int((ends - starts).sum()) + SLICE_SLACK:
            marked = table[units[first:last]]
            found[low:high] = [np.count_nonzero(marked[a:b]) for a, b in zip((starts - first).tolist(),
                                                                             (ends - first).tolist())]
        else:
            found[low:high] = [np.count_nonzero(table[units[a:b]]) for a, b in zip(starts.tolist(), ends.tolist())]
    return found
