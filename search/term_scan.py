"""Occurrences of several terms counted in one pass over a segment's text, with numpy over its UTF-16 code
units: cheaper than counting document by document once that would read most of the segment anyway (a
batch of topics with frequent terms), and exact as units are whole characters' halves aligned per text."""
from __future__ import annotations

import numpy as np

from indexer.literal import TEXT_ENCODING, Segment


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
