"""The inverted index of sampled shingles that story grouping finds candidates in: sample -> variant slots,
and the shared-sample counts that containment is measured with."""
from __future__ import annotations

import numpy as np

FOLD_ENTRIES = 1 << 18  # pending entries folded into the sorted arrays at a time


def shared_counts(samples: np.ndarray, others: list[np.ndarray]) -> np.ndarray:
    """How many of `samples` each of `others` holds (all sorted and distinct)."""
    return np.array([np.intersect1d(samples, other, assume_unique=True).size for other in others], dtype=np.int64)


def similarity(shared: np.ndarray, sizes: np.ndarray, other_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Jaccard similarity and containment of the smaller sample set in the larger, from shared counts and
    the two sides' sample counts (broadcast)."""
    smaller = np.maximum(1, np.minimum(sizes, other_sizes))
    return shared / np.maximum(1, sizes + other_sizes - shared), shared / smaller


class SampleIndex:
    """Postings of sampled shingles: the slots holding each sample.

    The bulk lives in two sorted numpy arrays (8 bytes a posting); recent
    inserts wait in a small dict until there are enough to fold in. Plain ints,
    not lists, hold a sample's first recent slot, so that the garbage collector
    has little to walk.
    """

    def __init__(self, keys: np.ndarray | None = None, slots: np.ndarray | None = None) -> None:
        self.keys = np.zeros(0, dtype=np.uint32) if keys is None else keys  # sorted; once for each slot
        self.slots = np.zeros(0, dtype=np.int32) if slots is None else slots
        self.pending: dict[int, int] = {}
        self.pending_more: dict[int, list[int]] = {}
        self.pending_entries = 0

    @classmethod
    def build(cls, samples: np.ndarray, starts: np.ndarray, live: np.ndarray) -> "SampleIndex":
        """The index of many slots at once: slot i holds samples[starts[i]:starts[i + 1]]; only `live` slots."""
        owner = np.repeat(np.arange(len(starts) - 1, dtype=np.int32), np.diff(starts))
        keep = live[owner]
        keys, slots = samples[keep], owner[keep]
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], slots[order])

    def insert(self, slot: int, samples: np.ndarray) -> None:
        """Add a slot under each of its samples."""
        pending = self.pending
        for key in samples.tolist():
            if pending.setdefault(key, slot) != slot:
                self.pending_more.setdefault(key, []).append(slot)
        self.pending_entries += len(samples)

    def fold(self, live: np.ndarray) -> None:
        """Merge the pending entries into the sorted arrays, dropping slots that are not `live`.

        The pending entries are sorted on their own and inserted, so the bulk is
        copied once rather than sorted again.
        """
        more = [(key, slot) for key, slots in self.pending_more.items() for slot in slots]
        keys = np.concatenate([np.fromiter(self.pending.keys(), dtype=np.uint32, count=len(self.pending)),
                               np.array([k for k, _ in more], dtype=np.uint32)])
        slots = np.concatenate([np.fromiter(self.pending.values(), dtype=np.int32, count=len(self.pending)),
                                np.array([s for _, s in more], dtype=np.int32)])
        order = np.argsort(keys, kind="stable")
        at = np.searchsorted(self.keys, keys[order], side="right")
        self.keys = np.insert(self.keys, at, keys[order])
        self.slots = np.insert(self.slots, at, slots[order])
        if not live[self.slots].all():  # some variants were removed since the last fold
            keep = live[self.slots]
            self.keys, self.slots = self.keys[keep], self.slots[keep]
        self.pending.clear()
        self.pending_more.clear()
        self.pending_entries = 0

    def shared(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct slots holding any of `samples`, and how many of them each holds."""
        lo = np.searchsorted(self.keys, samples, side="left")
        hi = np.searchsorted(self.keys, samples, side="right")
        found = [self.slots[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if b > a]
        if self.pending:
            recent = [self.pending[k] for k in samples.tolist() if k in self.pending]
            recent += [s for k in samples.tolist() for s in self.pending_more.get(k, ())]
            if recent:
                found.append(np.array(recent, dtype=np.int32))
        if not found:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(found), return_counts=True)
