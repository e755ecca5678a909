"""Set operations on sorted arrays of distinct integers (document numbers, keys) by binary search.

numpy's intersect1d sorts both inputs together; when one side is much
smaller, as a query's candidates usually are, searching it in the other is
cheaper and keeps the cost near the size of the small side.
"""
from __future__ import annotations

import numpy as np


def locate(sorted_values: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of `values` stands in `sorted_values`, and which of them are there."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return at, sorted_values[at] == values


def find(sorted_values: np.ndarray, value) -> int:
    """The position of `value` in `sorted_values`, or -1 when it is not there."""
    at = int(np.searchsorted(sorted_values, value))
    return at if at < len(sorted_values) and sorted_values[at] == value else -1


def run_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in a sorted array (one diff, no second sort)."""
    if not len(sorted_values):
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(([0], np.flatnonzero(np.diff(sorted_values)) + 1)).astype(np.int64)


def intersect(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The values in both sorted arrays, sorted; the smaller one is searched in the larger."""
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    return small[locate(large, small)[1]]
