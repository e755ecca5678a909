"""The sample index: shared-sample counts as exact as comparing the sets, through folds and removals; and the
grouping it drives: a part of a story joins it, a quoted paragraph does not merge two stories."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from indexer import sample_index
from indexer.cluster import StoryGrouper
from indexer.normalise import normalise_text
from indexer.sample_index import SampleIndex, shared_counts
from indexer.shingles import sketch
from tests.test_cluster import noisy, story_text

SETS = st.lists(st.sets(st.integers(0, 60), max_size=25), min_size=1, max_size=30)


def sorted_array(values: set[int]) -> np.ndarray:
    return np.array(sorted(values), dtype=np.uint32)


@settings(max_examples=100, deadline=None)
@given(SETS, st.sets(st.integers(0, 60), max_size=25), st.sets(st.integers(0, 29)), st.integers(1, 40),
       st.integers(1, 30), st.sampled_from([0, 1 << 40]))
def test_shared_counts_match_set_intersections_through_folds_and_removals(sets, query, removed, fold_every,
                                                                         limit, directory_min):
    """With the bulk searched through its directory or not."""
    saved = sample_index.FOLD_ENTRIES, sample_index.MAX_POSTINGS, sample_index.DIRECTORY_MIN
    sample_index.FOLD_ENTRIES, sample_index.MAX_POSTINGS = fold_every, limit
    sample_index.DIRECTORY_MIN = directory_min
    try:
        live = np.ones(len(sets), dtype=bool)
        index = SampleIndex()
        for slot, values in enumerate(sets):
            index.insert(slot, sorted_array(values))
            if index.pending_entries >= sample_index.FOLD_ENTRIES:
                index.fold(live)
                index.shared(sorted_array(query))  # a directory made now is kept up to date by later folds
        live[[r for r in removed if r < len(sets)]] = False
        index.fold(live)
        slots, counts, skipped = index.shared(sorted_array(query))
        arrays = [sorted_array(values) for values in sets]
        starts = np.r_[0, np.cumsum([len(a) for a in arrays])]
        built = SampleIndex.build(np.concatenate(arrays), starts, live)
        assert [a.tolist() for a in built.shared(sorted_array(query))[:2]] == [slots.tolist(), counts.tolist()]
    finally:
        sample_index.FOLD_ENTRIES, sample_index.MAX_POSTINGS, sample_index.DIRECTORY_MIN = saved
    holders = {sample: sum(1 for slot, values in enumerate(sets) if live[slot] and sample in values)
               for sample in query}
    rare = {sample for sample in query if holders[sample] <= limit}
    # When most of the query's samples are frequent, each one's latest `limit` holders are counted too.
    latest = {sample: sorted(slot for slot, values in enumerate(sets) if live[slot] and sample in values)[-limit:]
              for sample in query if sample not in rare} if 2 * (len(query) - len(rare)) > len(query) else {}
    expected = {slot: len(values & rare) + sum(slot in holding for holding in latest.values())
                for slot, values in enumerate(sets) if live[slot]}
    expected = {slot: count for slot, count in expected.items() if count}
    assert dict(zip(slots.tolist(), counts.tolist())) == expected
    assert skipped == len(query) - len(rare)
    assert shared_counts(sorted_array(query), arrays).tolist() == [len(values & query) for values in sets]


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 0.5), st.integers(0, 1000))
def test_a_printing_of_half_a_story_joins_it(seed_pages, start, seed):
    text = story_text(seed_pages)
    grouper = StoryGrouper()
    story = grouper.assign("a#0", sketch(text))
    grouper.assign("b#0", sketch(noisy(text, 0.02, seed)))
    at = int(start * len(text))
    half = noisy(text[at:at + len(text) // 2], 0.02, seed + 1)
    assert grouper.assign("c#0", sketch(half)) == story


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 3), st.integers(0, 1000))
def test_two_stories_sharing_a_quoted_paragraph_do_not_merge(seed_pages, paragraph, seed):
    text = story_text(seed_pages)
    quote = sorted(text.split("\n"), key=len)[-1 - paragraph]  # one of the story's longest paragraphs
    other = normalise_text(seed_pages["003_d03bbf471f6134ca"].split("## 扎根乡土")[1])
    grouper = StoryGrouper()
    first = grouper.assign("a#0", sketch(text))
    second = grouper.assign("b#0", sketch(other[:1500] + quote))
    later = grouper.assign("c#0", sketch(noisy(other[:1500], 0.02, seed) + quote))
    assert first != second == later
    assert grouper.resolve(first) != grouper.resolve(second)


def frequent_held(index: SampleIndex, samples: np.ndarray) -> int:
    """How many of the samples have more than MAX_POSTINGS entries in the index's sorted levels."""
    held = np.concatenate((index.keys, index.small_keys))
    return sum(int((held == sample).sum()) > sample_index.MAX_POSTINGS for sample in samples.tolist())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sets(st.integers(0, 12), max_size=10), min_size=1, max_size=40), st.sets(st.integers(0, 39)),
       st.integers(1, 40), st.integers(1, 30), st.integers(1, 8))
def test_a_slot_never_holds_more_frequent_samples_than_its_stock(sets, removed, fold_every, recent, limit):
    """Through inserts, merges of recent entries, folds and removals, the stock bound holds for every slot in
    the index, and after a fold with nothing removed it is exact."""
    saved = sample_index.FOLD_ENTRIES, sample_index.RECENT_ENTRIES, sample_index.MAX_POSTINGS
    sample_index.FOLD_ENTRIES, sample_index.RECENT_ENTRIES, sample_index.MAX_POSTINGS = fold_every, recent, limit
    try:
        live = np.ones(len(sets), dtype=bool)
        index = SampleIndex()
        arrays = [sorted_array(values) for values in sets]
        for slot, samples in enumerate(arrays):
            index.insert(slot, samples)
            if index.pending_entries >= fold_every:
                index.fold(live)
            assert all(index.stock[s] >= frequent_held(index, arrays[s]) for s in range(slot + 1))
        index.fold(live)
        assert [index.stock[s] for s in range(len(arrays))] == [frequent_held(index, a) for a in arrays]
        live[[r for r in removed if r < len(sets)]] = False
        index.fold(live)
        assert all(index.stock[s] >= frequent_held(index, arrays[s]) for s in np.flatnonzero(live).tolist())
        starts = np.r_[0, np.cumsum([len(a) for a in arrays])]
        built = SampleIndex.build(np.concatenate(arrays), starts, live)
        assert all(built.stock[s] == frequent_held(built, arrays[s]) for s in np.flatnonzero(live).tolist())
    finally:
        sample_index.FOLD_ENTRIES, sample_index.RECENT_ENTRIES, sample_index.MAX_POSTINGS = saved


# Keys at and around bucket edges, the ends of the range among them, and runs of one key.
BUCKET_EDGES = st.builds(lambda bucket, offset: min(max(0, (bucket << int(sample_index._BUCKET_SHIFT)) + offset),
                                                    (1 << 32) - 1),
                         st.sampled_from([0, 1, 2, 7, (1 << sample_index.DIRECTORY_BITS) - 1, 1 << sample_index.DIRECTORY_BITS]),
                         st.integers(-2, 2))
KEYS = st.one_of(BUCKET_EDGES, st.integers(0, (1 << 32) - 1))


@settings(max_examples=150, deadline=None)
@given(st.lists(KEYS, max_size=60), st.sets(KEYS, max_size=20))
def test_a_search_through_the_directory_finds_what_a_binary_search_does(keys, samples):
    keys = np.array(sorted(keys), dtype=np.uint32)
    samples = sorted_array(samples)
    found = sample_index._bucket_bounds(keys, sample_index.directory(keys), samples)
    expected = sample_index._bounds(keys, samples)
    assert [a.tolist() for a in found] == [a.tolist() for a in expected]


COLLIDING = st.builds(lambda low, high: low | (high << sample_index.LOW_BITS), st.integers(0, 7), st.integers(0, 7))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sets(COLLIDING, max_size=30), max_size=20), st.sets(COLLIDING, max_size=30))
def test_shared_counts_are_exact_where_samples_share_their_low_bits(sets, query):
    """The low-bits table only narrows the search: samples alike in those bits and not above are not shared."""
    arrays = [sorted_array(values) for values in sets]
    assert shared_counts(sorted_array(query), arrays).tolist() == [len(values & query) for values in sets]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), max_size=12), max_size=40), st.integers(1, 30), st.integers(1, 9))
def test_a_fold_in_place_keeps_every_entry_sorted_by_key_then_slot(slot_samples, fold_every, block):
    """However the bulk grows and however few entries move at a time, it is what sorting every entry by
    key, and by slot within a key (the order the latest-postings rule relies on), gives."""
    saved = sample_index.FOLD_ENTRIES, sample_index.MOVE_BLOCK
    sample_index.FOLD_ENTRIES, sample_index.MOVE_BLOCK = fold_every, block
    try:
        index = SampleIndex()
        live = np.ones(len(slot_samples), dtype=bool)
        for slot, samples in enumerate(slot_samples):
            index.insert(slot, sorted_array(set(samples)))
            if index.pending_entries >= fold_every:
                index.fold(live)
        index.fold(live)
    finally:
        sample_index.FOLD_ENTRIES, sample_index.MOVE_BLOCK = saved
    expected = sorted((key, slot) for slot, samples in enumerate(slot_samples) for key in set(samples))
    assert list(zip(index.keys.tolist(), index.slots.tolist())) == expected
    assert index.pending_entries == 0
