"""bench/merge_memory.py: merging an index's segments, repeated or not, holds every document and is measured."""
from __future__ import annotations

from bench.merge_memory import measure
from search.engine import Corpus
from search.request import ALL_VARIANTS


def test_a_merge_of_the_seed_index_holds_every_document_and_is_measured(seed_index):
    documents = len(Corpus(seed_index).view().scope(ALL_VARIANTS))
    once, twice = measure(seed_index), measure(seed_index, times=2)
    assert once["documents"] == documents and twice["documents"] == 2 * documents
    assert twice["characters"] == 2 * once["characters"] > 0
    assert 0 < once["peak_traced_bytes"] and 0 < once["pack_bytes"] < twice["pack_bytes"]
