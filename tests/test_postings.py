"""Whole posting lists read from whoosh's segment files, and the cache of decoded lists."""
from __future__ import annotations

import numpy as np

from search.postings import PostingCache, posting_arrays

WORDS = [("body", "发展"), ("title", "攀高"), ("body", "记者")]


def matcher_postings(searcher, field: str, word: str) -> list[tuple[int, float]]:
    matcher, found = searcher.postings(field, word), []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight()))
        matcher.next()
    return found


def test_posting_arrays_equal_whooshs_own_matcher(corpus):
    searcher = corpus._view().searcher
    for field, word in WORDS:
        ids, weights = posting_arrays(searcher, field, word)
        expected = matcher_postings(searcher, field, word)
        assert expected and ids.tolist() == [i for i, _ in expected]
        assert np.allclose(weights, [w for _, w in expected])


def test_the_cache_returns_the_same_lists_and_stays_within_its_capacity(corpus):
    searcher = corpus._view().searcher
    sizes = {key: len(posting_arrays(searcher, *key)[0]) for key in WORDS}
    cache = PostingCache(searcher, capacity=max(sizes.values()))
    for key in WORDS + WORDS:
        ids, weights = cache.get(*key)
        assert ids.tolist() == posting_arrays(searcher, *key)[0].tolist()
        assert cache.entries <= cache.capacity
    assert list(cache._lists)[-1] == WORDS[-1]  # the most recently used list is kept
    cache.clear()
    assert cache.entries == 0 and not cache._lists
