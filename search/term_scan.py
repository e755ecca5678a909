"""Occurrences of several terms counted in one pass over a segment's text, with numpy over its UTF-16 code
units: cheaper than counting document by document once that would read most of the segment anyway (a
batch of topics with frequent terms), and exact as units are whole characters' halves aligned per text."""
from __future__ import annotations

import numpy as np

from indexer.literal import TEXT_ENCODING, Segment
from search.view import View

# Units of text a scan takes at a time (whole documents: a run may hold more when one document does).
SCAN_UNITS = 1 << 20
# Units read past what the documents hold before a slice of the text is read document by document instead.
SLICE_SLACK = 4096


def scan_counts(segment: Segment, terms: list[str]) -> np.ndarray:
    """Each term's occurrences in each of the segment's documents, as str.count counts them (non-overlapping):
    an array of shape (terms, documents). The text is scanned a run of whole documents at a time (some
    SCAN_UNITS units), so that each step's arrays stay in the processor's cache."""
    units = segment.text_units()
    bounds = np.asarray(segment.offsets, dtype=np.int64) // 2
    counts = np.zeros((len(terms), len(segment.keys)), dtype=np.int64)
    encoded = [np.frombuffer(term.encode(TEXT_ENCODING), dtype=np.uint16) for term in terms]
    firsts = sorted({int(e[0]) for e in encoded})
    starting = np.zeros(1 << 16, dtype=bool)
    starting[firsts] = True
    cuts = np.unique(np.concatenate(([0], np.searchsorted(bounds[:-1], np.arange(SCAN_UNITS, len(units), SCAN_UNITS)),
                                     [len(segment.keys)]))).tolist()
    for first_doc, past_doc in zip(cuts[:-1], cuts[1:]):
        base = int(bounds[first_doc])
        chunk = units[base:int(bounds[past_doc])]
        edges_of_docs = bounds[first_doc:past_doc + 1] - base
        if len(firsts) == 1:  # one first unit: comparing with it costs less than a table lookup per unit
            at = np.flatnonzero(chunk == firsts[0])
            heads = np.full(len(at), firsts[0], dtype=np.uint16)
        else:
            at = np.flatnonzero(starting[chunk])  # every place one of the terms could start
            heads = chunk[at]
            order = np.argsort(heads, kind="stable")  # grouped by first unit, in text order within each group
            at, heads = at[order], heads[order]
        for row, (term, units_of) in enumerate(zip(terms, encoded)):
            size = len(units_of)
            found = at[np.searchsorted(heads, units_of[0]):np.searchsorted(heads, units_of[0], side="right")]
            found = found[found <= len(chunk) - size]  # the run ends at a document's end
            for j in range(1, size):
                found = found[chunk[found + j] == units_of[j]]
            # Occurrences are in text order, so each document's are one run: where its bounds fall among them
            # counts them (a search per document, not one per occurrence), less those starting too near its
            # end to fit, which run on into the next text.
            edges = np.searchsorted(found, edges_of_docs)
            fitting = np.searchsorted(found, np.maximum(edges_of_docs[:-1], edges_of_docs[1:] - size + 1))
            counts[row, first_doc:past_doc] = fitting - edges[:-1]
            # str.count skips an occurrence overlapping the one before ("哈哈" once in "哈哈哈"): texts where
            # two may overlap are counted by characters.
            close = np.flatnonzero(np.diff(found) < size)
            for place in np.unique(np.searchsorted(edges_of_docs, found[close + 1], side="right") - 1).tolist():
                counts[row, first_doc + place] = segment.text_at(first_doc + place).count(term)
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
    for run, segment, places in view.segment_runs(docnums):
        units, offsets = segment.text_units(), segment.offsets
        starts, ends = offsets[places] // 2, offsets[places + 1] // 2
        first, last = int(starts.min()), int(ends.max())
        # A count per document (a fraction of a microsecond) costs less than a running sum over the slice.
        if last - first <= 2 * int((ends - starts).sum()) + SLICE_SLACK:
            marked = table[units[first:last]]
            found[run] = [np.count_nonzero(marked[a:b]) for a, b in zip((starts - first).tolist(),
                                                                        (ends - first).tolist())]
        else:
            found[run] = [np.count_nonzero(table[units[a:b]]) for a, b in zip(starts.tolist(), ends.tolist())]
    return found
