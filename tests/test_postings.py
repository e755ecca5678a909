"""Ranking-word postings gathered across segments, their vocabulary, and the cache of gathered lists."""
from __future__ import annotations

import numpy as np

from indexer.ingest import index_paths, remove_sources
from indexer.words import TITLE_BOOST, field_code
from search.engine import Corpus
from search.postings import PostingCache
from tests.conftest import recounted_words

WORDS = [("body", "发展"), ("title", "攀高"), ("body", "记者"), ("title", "新华社"), ("body", "钍")]


def brute_postings(view, field: str, word: str) -> tuple[list[int], list[float]]:
    """(document numbers, weights) of the word in the field, from every live variant's stored text."""
    ids, weights = [], []
    for docnum, fields in recounted_words(view).items():
        count = fields[field][word]
        if count:
            ids.append(docnum)
            weights.append(count * (TITLE_BOOST if field == "title" else 1.0))
    return ids, weights


def test_gathered_postings_equal_a_recount_of_the_stored_texts(corpus):
    view = corpus.view()
    for field, word in WORDS:
        ids, weights = view.postings.get(field_code(field, word))
        expected_ids, expected_weights = brute_postings(view, field, word)
        assert ids.tolist() == expected_ids, (field, word)
        assert np.allclose(weights, expected_weights)
        assert view.document_frequency(field_code(field, word)) == len(expected_ids)
    assert len(view.postings.get(field_code("title", "攀高"))[0]) > 0  # title words are posted apart


def test_postings_of_removed_sources_are_left_out(tmp_path, fresh_seeds):
    index_dir = tmp_path / "index"
    index_paths([fresh_seeds], index_dir, workers=1)
    code = field_code("body", "钍")
    before = len(Corpus(index_dir).view().postings.get(code)[0])
    remove_sources(["000_b412ed2ff225a7db"], index_dir)
    view = Corpus(index_dir).view()
    ids, _ = view.postings.get(code)
    assert len(ids) == before - 1 == len(brute_postings(view, "body", "钍")[0])
    assert view.document_frequency(code) == before - 1  # so scores do not change when a merge drops the text


def test_the_cache_returns_the_same_lists_and_stays_within_its_capacity(corpus):
    view = corpus.view()
    codes = [field_code(*key) for key in WORDS]
    sizes = {int(code): len(view.postings.get(code)[0]) for code in codes}
    cache = PostingCache(view.literal.segments, view.docnum_of_key, capacity=max(sizes.values()))
    for code in codes + codes:
        ids, _ = cache.get(code)
        assert ids.tolist() == view.postings.get(code)[0].tolist()
        assert cache.entries <= cache.capacity
    assert list(cache._lists)[-1] == int(codes[-1])  # the most recently used list is kept
    cache.clear()
    assert cache.entries == 0 and not cache._lists
