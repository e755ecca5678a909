"""Binary-search set operations agree with Python's sets on sorted arrays of distinct integers."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from indexer.sorted_sets import find, intersect, locate, run_starts

distinct_sorted = st.sets(st.integers(min_value=0, max_value=10_000), max_size=200).map(
    lambda values: np.array(sorted(values), dtype=np.int64))


@given(distinct_sorted, distinct_sorted)
def test_intersect_is_the_sorted_set_intersection(first: np.ndarray, second: np.ndarray) -> None:
    expected = sorted(set(first.tolist()) & set(second.tolist()))
    assert intersect(first, second).tolist() == expected
    assert intersect(second, first).tolist() == expected


@given(distinct_sorted, st.lists(st.integers(min_value=-5, max_value=10_005), max_size=50))
def test_locate_finds_exactly_the_present_values_and_their_positions(sorted_values: np.ndarray,
                                                                     values: list[int]) -> None:
    at, found = locate(sorted_values, np.array(values, dtype=np.int64))
    assert found.tolist() == [v in set(sorted_values.tolist()) for v in values]
    assert all(sorted_values[i] == v for i, v, f in zip(at.tolist(), values, found.tolist()) if f)


@given(distinct_sorted, st.integers(min_value=-5, max_value=10_005))
def test_find_gives_the_position_of_a_present_value_and_minus_one_otherwise(sorted_values: np.ndarray,
                                                                            value: int) -> None:
    values = sorted_values.tolist()
    assert find(sorted_values, value) == (values.index(value) if value in values else -1)


@given(st.lists(st.integers(min_value=0, max_value=20), max_size=60))
def test_run_starts_mark_where_each_distinct_value_begins(values: list[int]) -> None:
    ordered = np.array(sorted(values), dtype=np.uint64)
    starts = run_starts(ordered).tolist()
    assert starts == [i for i, v in enumerate(ordered.tolist()) if i == 0 or v != ordered[i - 1]]
    assert ordered[starts].tolist() == sorted(set(values))
