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


def intersect(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The values in both sorted arrays, sorted; the smaller one is searched in the larger."""
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    return small[locate(large, small)[1]]
