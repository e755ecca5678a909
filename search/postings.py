"""Ranking-word postings for one index generation: the vocabulary with document frequencies, and
each word's live postings as document numbers and weights, gathered across segments and cached."""
from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

import numpy as np

from indexer.literal import Segment
from indexer.sorted_sets import run_starts
from indexer.words import TITLE_BOOST, TITLE_FLAG

# Decoded postings kept per view: frequent words recur across queries, and gathering their lists
# from every segment is most of a query's ranking time. About 8 bytes a posting, so some 32 MB.
POSTING_CACHE_ENTRIES = 4_000_000


def live_documents(docnum_of_key: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, positions in `keys`) of the keys whoosh still holds: the others belong to
    removed or replaced texts, which stay in their segments until a merge drops them."""
    positions = np.flatnonzero(keys < len(docnum_of_key))
    docnums = docnum_of_key[keys[positions]]
    live = docnums >= 0
    return docnums[live], positions[live]


def vocabulary(segments: Sequence[Segment], docnum_of_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(field codes, sorted; the number of live postings of each) over all segments.

    Removed texts are not counted, so a word's document frequency, and with it every score, is the same
    before and after a merge drops them.
    """
    if not segments:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    parts = []
    for segment in segments:
        live = np.zeros(len(segment.keys), dtype=bool)
        live[live_documents(docnum_of_key, segment.keys)[1]] = True
        if live.all():
            parts.append(np.diff(segment.word_starts).astype(np.int64))
        else:  # live postings of each word: differences of a running count over its run
            running = np.concatenate(([0], np.cumsum(live[segment.word_docs])))
            parts.append(running[segment.word_starts[1:]] - running[segment.word_starts[:-1]])
    codes = np.concatenate([s.words for s in segments])
    counts = np.concatenate(parts)
    order = np.argsort(codes, kind="stable")
    codes, counts = codes[order], counts[order]
    starts = run_starts(codes)
    codes, counts = codes[starts], np.add.reduceat(counts, starts) if len(starts) else counts
    return codes[counts > 0], counts[counts > 0]


class PostingCache:
    """The gathered posting lists of recently ranked words, least recently used dropped first."""

    def __init__(self, segments: Sequence[Segment], docnum_of_key: np.ndarray,
                 capacity: int = POSTING_CACHE_ENTRIES) -> None:
        self.segments = segments
        self.docnum_of_key = docnum_of_key
        self.capacity = capacity
        self.entries = 0
        self._lists: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def get(self, code: np.uint64) -> tuple[np.ndarray, np.ndarray]:
        """(sorted live document numbers, weights) of one field's word; title counts weigh TITLE_BOOST."""
        key = int(code)
        cached = self._lists.get(key)
        if cached is not None:
            self._lists.move_to_end(key)
            return cached
        cached = self._gather(code)
        if len(cached[0]) <= self.capacity:
            self._lists[key] = cached
            self.entries += len(cached[0])
            while self.entries > self.capacity:
                _, (dropped, _) = self._lists.popitem(last=False)
                self.entries -= len(dropped)
        return cached

    def _gather(self, code: np.uint64) -> tuple[np.ndarray, np.ndarray]:
        parts = [segment.word_postings(code) for segment in self.segments]
        keys = np.concatenate([k for k, _ in parts]) if parts else np.zeros(0, dtype=np.int64)
        counts = np.concatenate([c for _, c in parts]) if parts else np.zeros(0, dtype=np.uint32)
        docnums, positions = live_documents(self.docnum_of_key, keys)
        counts = counts[positions]
        order = np.argsort(docnums)
        boost = TITLE_BOOST if code & TITLE_FLAG else 1.0
        return docnums[order].astype(np.int32), (counts[order] * boost).astype(np.float32)

    def clear(self) -> None:
        """Forget every gathered list."""
        self._lists.clear()
        self.entries = 0
