"""Whole posting lists of ranking words as numpy arrays, for scoring large match sets without a Python step per posting.

whoosh (pinned at 2.7.4) decodes postings one at a time through its matcher
API; reading its W3 codec's blocks directly and decoding their delta-coded ids
with numpy is what makes BM25F over tens of thousands of postings cheap. The
block layout used here is private to that codec, so tests compare the
result with whoosh's own matcher.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Iterator

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.searching import Searcher


# Decoded postings kept per view: frequent words recur across queries, and decoding their lists is
# most of a query's ranking time. About 8 bytes a posting, so some 32 MB at most.
POSTING_CACHE_ENTRIES = 4_000_000


class PostingCache:
    """The decoded posting lists of recently ranked words, least recently used dropped first."""

    def __init__(self, searcher: Searcher, capacity: int = POSTING_CACHE_ENTRIES) -> None:
        self.searcher = searcher
        self.capacity = capacity
        self.entries = 0
        self._lists: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def get(self, field: str, word: str) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of the word's postings in the field."""
        key = (field, word)
        cached = self._lists.get(key)
        if cached is not None:
            self._lists.move_to_end(key)
            return cached
        ids, weights = posting_arrays(self.searcher, field, word)
        cached = (ids.astype(np.int32), weights.astype(np.float32))
        if len(ids) <= self.capacity:
            self._lists[key] = cached
            self.entries += len(ids)
            while self.entries > self.capacity:
                _, (dropped, _) = self._lists.popitem(last=False)
                self.entries -= len(dropped)
        return cached

    def clear(self) -> None:
        """Forget every decoded list."""
        self._lists.clear()
        self.entries = 0


def posting_arrays(searcher: Searcher, field: str, word: str) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of every posting of `word` in `field`, in document order."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (field, word) not in reader:
            continue
        for block_ids, block_weights in _blocks(reader.postings(field, word)):
            ids.append(block_ids + offset)
            weights.append(block_weights)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(weights)


def _blocks(matcher) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The ids and weights of each block of a term's postings."""
    if not isinstance(matcher, W3LeafMatcher):  # a term with postings inlined in the term info
        found = []
        while matcher.is_active():
            found.append((matcher.id(), matcher.weight()))
            matcher.next()
        yield np.array([i for i, _ in found], dtype=np.int64), np.array([w for _, w in found], dtype=np.float64)
        return
    while matcher.is_active():
        yield _block(matcher)
        if matcher._lastblock:
            return
        matcher._next_block()


def _block(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """The ids and weights of the matcher's current block."""
    if matcher._data is None:
        matcher._read_data()
    raw_ids, raw_weights = matcher._data[0], matcher._data[1]
    block_ids = np.cumsum(np.asarray(raw_ids, dtype=np.int64))  # stored as gaps from the previous id
    count = matcher._blocklength
    if raw_weights is None:
        block_weights = np.ones(count)
    elif isinstance(raw_weights, float):
        block_weights = np.full(count, raw_weights)
    else:
        block_weights = np.asarray(raw_weights, dtype=np.float64)
    return block_ids, block_weights
