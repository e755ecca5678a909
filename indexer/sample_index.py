"""The inverted index of sampled shingles that story grouping finds candidates in: sample -> variant slots,
and the shared-sample counts that containment is measured with."""
from __future__ import annotations

import numpy as np

FOLD_ENTRIES = 1 << 18  # pending entries folded into the sorted arrays at a time
RECENT_ENTRIES = 1 << 12  # recent entries merged into the small level at a time
# A sample held by more variants than this is a stock phrase ("新华社", a dateline): looking up its
# postings would cost more the larger the index grows, and it tells stories apart no better.
MAX_POSTINGS = 256
# shared_counts rules samples out by this many low bits (a 64 KB table: a few hundred samples mark under 1%).
LOW_BITS = 16
LOW_MASK = np.uint32((1 << LOW_BITS) - 1)
GROWTH = 1.25  # the bulk's arrays grow by this factor when a fold needs more room
MOVE_BLOCK = 1 << 16  # entries moved at a time when a fold merges in place
# From this many entries, the bulk is searched through a directory of where the keys of each value of
# their top DIRECTORY_BITS bits start (samples are hash values, spread evenly): a binary search of the
# whole bulk misses the cache at every step, and at 300k variants it was a sixth of indexing's main
# process. The directory (8 bytes a bucket) narrows each search to a bucket of a few dozen entries.
DIRECTORY_MIN = 1 << 21
DIRECTORY_BITS = 20
_BUCKET_SHIFT = np.uint32(32 - DIRECTORY_BITS)


def shared_counts(samples: np.ndarray, others: list[np.ndarray]) -> np.ndarray:
    """How many of `samples` each of `others` holds (all sorted and distinct).

    Every other's samples are looked up at once (an intersection per other costs some 10 µs of numpy
    overhead, and at 100k variants a variant may have thousands of candidates): a table of the samples'
    low bits rules out nearly all of them with one lookup each, and the few left are searched for. A
    binary search of them all was a quarter of indexing's main process at 100k variants, four times this.
    """
    if not others or not len(samples):
        return np.zeros(len(others), dtype=np.int64)
    pooled = np.concatenate(others)
    table = np.zeros(1 << LOW_BITS, dtype=bool)
    table[samples & LOW_MASK] = True
    maybe = np.flatnonzero(table[pooled & LOW_MASK])
    at = np.minimum(np.searchsorted(samples, pooled[maybe]), len(samples) - 1)
    ends = np.cumsum(np.fromiter(map(len, others), dtype=np.int64, count=len(others)))
    owner = np.searchsorted(ends, maybe[samples[at] == pooled[maybe]], side="right")
    return np.bincount(owner, minlength=len(others))


def similarity(shared: np.ndarray, sizes: np.ndarray, other_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Jaccard similarity and containment of the smaller sample set in the larger, from shared counts and
    the two sides' sample counts (broadcast)."""
    smaller = np.maximum(1, np.minimum(sizes, other_sizes))
    return shared / np.maximum(1, sizes + other_sizes - shared), shared / smaller


class SampleIndex:
    """Postings of sampled shingles: the slots holding each sample.

    Three sorted levels, as in a log-structured merge: the bulk (8 bytes a
    posting), a small level that recent inserts are merged into a few thousand
    at a time, and those recent inserts themselves, scanned whole. Every
    lookup is vectorised; the small level is folded into the bulk in place,
    so the bulk is never copied.
    """

    def __init__(self, keys: np.ndarray | None = None, slots: np.ndarray | None = None) -> None:
        # The bulk lives at the start of arrays with room to spare, which folds merge into in place.
        self._key_store = np.zeros(0, dtype=np.uint32) if keys is None else np.array(keys, dtype=np.uint32)
        self._slot_store = np.zeros(0, dtype=np.int32) if slots is None else np.array(slots, dtype=np.int32)
        self.keys, self.slots = self._key_store[:], self._slot_store[:]  # sorted by key; the bulk's entries
        self.small_keys, self.small_slots = np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int32)
        self.recent_keys: list[np.ndarray] = []
        self.recent_slots: list[np.ndarray] = []
        self.recent_entries = 0
        self._directory: np.ndarray | None = None  # of the bulk as it is; None until a search needs it
        # slot -> an upper bound on how many of its samples are frequent (over MAX_POSTINGS entries in the
        # sorted levels): a slot shares no more of a variant's frequent samples than that (StoryGrouper._matches)
        self.stock = np.zeros(0, dtype=np.int32)

    @property
    def pending_entries(self) -> int:
        """Entries not yet folded into the bulk."""
        return len(self.small_keys) + self.recent_entries

    @classmethod
    def build(cls, samples: np.ndarray, starts: np.ndarray, live: np.ndarray) -> "SampleIndex":
        """The index of many slots at once: slot i holds samples[starts[i]:starts[i + 1]]; only `live` slots."""
        owner = np.repeat(np.arange(len(starts) - 1, dtype=np.int32), np.diff(starts))
        keep = live[owner]
        keys, slots = samples[keep], owner[keep]
        order = np.argsort(keys, kind="stable")
        index = cls(keys[order], slots[order])
        bounds = np.r_[0, np.flatnonzero(index.keys[1:] != index.keys[:-1]) + 1, len(index.keys)]
        lengths = np.diff(bounds)
        frequent = np.repeat(lengths > MAX_POSTINGS, lengths)
        index.stock = np.bincount(index.slots[frequent], minlength=len(starts) - 1).astype(np.int32)
        return index

    def insert(self, slot: int, samples: np.ndarray) -> None:
        """Add a slot under each of its samples."""
        if slot >= len(self.stock):
            self.stock = np.concatenate((self.stock, np.zeros(max(1024, slot + 1), dtype=np.int32)))
        self.stock[slot] = len(samples)  # until its samples are counted in the sorted levels
        self.recent_keys.append(samples)
        self.recent_slots.append(np.full(len(samples), slot, dtype=np.int32))
        self.recent_entries += len(samples)
        if self.recent_entries >= RECENT_ENTRIES:
            keys, slots = self._take_recent()
            self.small_keys, self.small_slots = _merge(self.small_keys, self.small_slots, keys, slots)
            self._counted(keys, slots)

    def _counted(self, keys: np.ndarray, slots: np.ndarray) -> None:
        """Keep `stock` an upper bound once entries have joined the sorted levels: every slot holding a sample
        they made frequent counts one more, and their own slots are counted exactly. (A removal only makes
        samples rarer, which leaves the bound true.)"""
        if not len(keys):
            return
        distinct, added = np.unique(keys, return_counts=True)
        (bulk_lo, bulk_hi), (small_lo, small_hi) = self._bulk_bounds(distinct), _bounds(self.small_keys, distinct)
        entries = bulk_hi - bulk_lo + small_hi - small_lo
        frequent = entries > MAX_POSTINGS
        crossed = frequent & (entries - added <= MAX_POSTINGS)
        if crossed.any():
            holders = np.concatenate((self.slots[_ranges(bulk_lo[crossed], bulk_hi[crossed])],
                                      self.small_slots[_ranges(small_lo[crossed], small_hi[crossed])]))
            np.add.at(self.stock, holders, 1)
        self.stock[np.unique(slots)] = 0
        np.add.at(self.stock, slots[frequent[np.searchsorted(distinct, keys)]], 1)

    def _take_recent(self) -> tuple[np.ndarray, np.ndarray]:
        keys = np.concatenate(self.recent_keys) if self.recent_keys else np.zeros(0, dtype=np.uint32)
        slots = np.concatenate(self.recent_slots) if self.recent_slots else np.zeros(0, dtype=np.int32)
        self.recent_keys, self.recent_slots, self.recent_entries = [], [], 0
        return keys, slots

    def fold(self, live: np.ndarray) -> None:
        """Merge every pending entry into the bulk, dropping slots that are not `live`."""
        recent_keys, recent_slots = self._take_recent()
        keys, slots = _merge(self.small_keys, self.small_slots, recent_keys, recent_slots)
        self.small_keys, self.small_slots = np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int32)
        self._fold_in(keys, slots)
        self._counted(recent_keys, recent_slots)
        if not live[self.slots].all():  # some variants were removed since the last fold
            keep = live[self.slots]
            kept = int(keep.sum())
            self._key_store[:kept], self._slot_store[:kept] = self.keys[keep], self.slots[keep]
            self.keys, self.slots = self._key_store[:kept], self._slot_store[:kept]
            self._directory = None

    def _fold_in(self, more_keys: np.ndarray, more_slots: np.ndarray) -> None:
        """Merge entries sorted by key into the bulk where it lies, new ones after equal keys. The arrays
        grow by reallocation (which moves no data for arrays this large) and the bulk's entries move up
        from its end a block at a time, so a fold never holds a second copy of the bulk: copying it whole
        (np.insert) had been a transient of 8 bytes a posting, some 260 MB at 100k variants."""
        count, more = len(self.keys), len(more_keys)
        if not more:
            return
        if count + more > len(self._key_store):
            capacity = max(count + more, int(len(self._key_store) * GROWTH))
            try:  # the views of the stores are made again, as the reallocation may move them
                self._key_store.resize(capacity, refcheck=False)
                self._slot_store.resize(capacity, refcheck=False)
            finally:
                self.keys, self.slots = self._key_store[:count], self._slot_store[:count]
        keys, slots = self._key_store, self._slot_store
        arriving = np.arange(more) + np.searchsorted(keys[:count], more_keys, side="right")
        for high in range(count, 0, -MOVE_BLOCK):
            low = max(0, high - MOVE_BLOCK)
            # Each entry moves up by the new keys below it; from the end down, no entry is overwritten
            # before it has moved (numpy copies a block's overlapping source first).
            moved = np.arange(low, high) + np.searchsorted(more_keys, keys[low:high], side="left")
            keys[moved] = keys[low:high]
            slots[moved] = slots[low:high]
        keys[arriving] = more_keys
        slots[arriving] = more_slots
        self.keys, self.slots = keys[:count + more], slots[:count + more]
        if self._directory is not None:  # each bucket starts after the new keys of the buckets below it
            added = np.bincount(more_keys >> _BUCKET_SHIFT, minlength=1 << DIRECTORY_BITS)
            self._directory[1:] += np.cumsum(added)

    def shared(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """The distinct slots holding any of `samples` but the frequent ones (over MAX_POSTINGS slots in
        the sorted levels), how many of them each holds, and how many frequent samples were left out:
        a slot may share up to that many more. When most samples are frequent, the latest MAX_POSTINGS
        slots of each are included (counted in the hits too)."""
        levels = [(self.keys, self.slots), (self.small_keys, self.small_slots)]
        bounds = [self._bulk_bounds(samples), _bounds(self.small_keys, samples)]
        rare = sum(hi - lo for lo, hi in bounds) <= MAX_POSTINGS
        skipped = int(len(samples) - rare.sum())
        if 2 * skipped > len(samples):
            # Most samples are frequent: a story printed more than MAX_POSTINGS times, not a stock phrase.
            # Its latest printings hold each of them, and postings are in slot order: the last of each
            # sample's postings are looked up, so the variant still finds its story at bounded cost.
            found = [slots[_ranges(np.where(rare, lo, np.maximum(lo, hi - MAX_POSTINGS)), hi)]
                     for (_, slots), (lo, hi) in zip(levels, bounds)]
        else:
            found = [slots[_ranges(lo[rare], hi[rare])] for (_, slots), (lo, hi) in zip(levels, bounds)]
        wanted = samples[rare]
        if self.recent_keys and len(wanted):
            keys, slots = np.concatenate(self.recent_keys), np.concatenate(self.recent_slots)
            found.append(slots[wanted[np.minimum(np.searchsorted(wanted, keys), len(wanted) - 1)] == keys])
        slots, counts = np.unique(np.concatenate(found), return_counts=True)
        return slots, counts, skipped

    def _bulk_bounds(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each sample's entries start and end in the bulk (`_bounds`), through the directory once the
        bulk is large."""
        if len(self.keys) < DIRECTORY_MIN:
            return _bounds(self.keys, samples)
        if self._directory is None:
            self._directory = directory(self.keys)
        return _bucket_bounds(self.keys, self._directory, samples)


def directory(keys: np.ndarray) -> np.ndarray:
    """Where the sorted keys of each bucket (value of their top DIRECTORY_BITS bits) start, and their end."""
    firsts = np.arange(1 << DIRECTORY_BITS, dtype=np.uint32) << _BUCKET_SHIFT
    return np.append(np.searchsorted(keys, firsts), len(keys))


def _bounds(keys: np.ndarray, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each sample's entries start and end in sorted keys."""
    return np.searchsorted(keys, samples, side="left"), np.searchsorted(keys, samples, side="right")


def _bucket_bounds(keys: np.ndarray, directory: np.ndarray, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_bounds`, each sample searched for within its bucket of the directory: a bisection of all the
    samples' buckets at once, as many steps as the largest bucket takes (a sample held by many variants
    makes one large), every step a few operations over the samples alone."""
    buckets = (samples >> _BUCKET_SHIFT).astype(np.int64)
    # The start of a sample's entries is the first key not below it; their end, the first not below it + 1.
    targets = np.concatenate((samples, samples)).astype(np.int64)
    targets[len(samples):] += 1
    lo = np.tile(directory[buckets], 2)
    hi = np.tile(directory[buckets + 1], 2)
    last = len(keys) - 1
    while True:
        searching = lo < hi
        if not searching.any():
            break
        middle = (lo + hi) >> 1
        below = keys[np.minimum(middle, last)] < targets
        lo = np.where(searching & below, middle + 1, lo)
        hi = np.where(searching & ~below, middle, hi)
    return lo[:len(samples)], lo[len(samples):]


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Every position in the ranges [lo, hi), concatenated."""
    lengths = hi - lo
    return np.arange(lengths.sum()) + np.repeat(lo - np.cumsum(lengths) + lengths, lengths)


def _merge(keys: np.ndarray, slots: np.ndarray, more_keys: np.ndarray,
           more_slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted postings with more inserted: the new ones are sorted on their own and inserted, so the
    bulk is copied once rather than sorted again."""
    order = np.argsort(more_keys, kind="stable")
    at = np.searchsorted(keys, more_keys[order], side="right")
    return np.insert(keys, at, more_keys[order]), np.insert(slots, at, more_slots[order])
