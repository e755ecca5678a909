"""Whole posting lists of ranking words as numpy arrays, for scoring large match sets without a Python step per posting.

whoosh (pinned at 2.7.4) decodes postings one at a time through its matcher
API; reading its W3 codec's blocks directly and decoding their delta-coded ids
with numpy is what makes BM25F over tens of thousands of postings cheap. The
block layout used here is private to that codec, so tests compare the
result with whoosh's own matcher.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.searching import Searcher


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
