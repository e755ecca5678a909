"""Near-duplicate articles: exact containment of character 4-gram sets, found by prefix filtering.

Two articles are near duplicates when |A∩B| / min(|A|,|B|) >= NEAR_DUPLICATE_CONTAINMENT over
their sets of character 4-grams. Containment (not Jaccard) so that a short article printed
inside a long one counts too. Exact: candidate pairs come from prefix filtering, which
cannot miss a pair, and every candidate's overlap is counted in full.
"""
from __future__ import annotations

import re
from array import array

import numpy as np

# two articles are one story when this share of the smaller one's 4-gram shingles is in the other
NEAR_DUPLICATE_CONTAINMENT = 0.5
# common shingles the candidate filter asks for: any value is exact, a few more than one
# spare verifying pairs that only share a name or a stock phrase
PREFIX_HITS = 5
PROBE_BATCH = 1 << 20  # posting entries expanded at once when looking for candidate pairs
SORT_SLICES = 8  # finding shared shingles sorts this fraction of all of them at a time
NON_WORD_RE = re.compile(r"[\W_]+")


def shingle_codes(text: str) -> np.ndarray:
    """The distinct character 4-grams of text's letters, digits and ideographs, sorted, one uint64 each."""
    # four UTF-16 code units fill 64 bits exactly: a code is the 4-gram itself, never a hash
    units = np.frombuffer(NON_WORD_RE.sub("", text).encode("utf-16-le"), dtype="<u2").astype(np.uint64)
    if len(units) < 4:
        return np.empty(0, dtype=np.uint64)
    codes = np.sort(units[:-3] << 48 | units[1:-2] << 32 | units[2:-1] << 16 | units[3:])
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))]  # np.unique is 10x slower on short arrays


class ShingleSets:
    """The shingle codes of many texts in one flat buffer (~8 bytes a character of text)."""

    def __init__(self) -> None:
        self._codes = array("Q")
        self._bounds = array("q", [0])

    def add(self, text: str) -> None:
        """Append the shingles of one text."""
        self._codes.frombytes(shingle_codes(text).tobytes())
        self._bounds.append(len(self._codes))

    def __len__(self) -> int:
        return len(self._bounds) - 1

    def codes(self) -> np.ndarray:
        """All codes, text after text: a view of the buffer, so add no more texts while it lives."""
        return np.frombuffer(self._codes, dtype=np.uint64)

    def bounds(self) -> np.ndarray:
        """Where each text's codes start in codes(), plus the end."""
        return np.array(self._bounds, dtype=np.int64)


def shared_ranks(shingles: ShingleSets) -> tuple[list[np.ndarray], np.ndarray]:
    """Per text, its shingles that other texts have too, as sorted ranks; and each rank's text count.

    Only shared shingles can make two texts overlap, so the others are dropped. Ranks order
    shingles rarest first: prefixes made of rare shingles have short posting lists.
    """
    codes, bounds = shingles.codes(), shingles.bounds()
    shared, frequency = shared_codes(codes)
    if not len(shared):
        return [np.empty(0, dtype=np.int32) for _ in range(len(shingles))], frequency
    by_rarity = np.lexsort((shared, frequency))
    rank_of = np.empty(len(shared), dtype=np.int32)
    rank_of[by_rarity] = np.arange(len(shared), dtype=np.int32)
    ranks = []
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        text_codes = codes[start:end]
        where = np.minimum(np.searchsorted(shared, text_codes), len(shared) - 1)
        ranks.append(np.sort(rank_of[where[shared[where] == text_codes]]))
    return ranks, frequency[by_rarity]


def shared_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The codes that occur in more than one text, sorted, and how many texts hold each."""
    # one slice of the codes at a time (by the low byte of the last character): a sorted copy
    # of all of them would double the memory taken by the shingles
    slice_of = codes.astype(np.uint8) % SORT_SLICES
    found, counts = [np.empty(0, dtype=np.uint64)], [np.empty(0, dtype=np.int64)]
    for part in range(SORT_SLICES):
        ordered = np.sort(codes[slice_of == part])
        run_starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1], [True])))
        run_lengths = np.diff(run_starts)
        repeated = run_lengths > 1  # a text's codes are distinct, so a run of two is two texts
        found.append(ordered[run_starts[:-1][repeated]])
        counts.append(run_lengths[repeated])
    shared = np.concatenate(found)
    order = np.argsort(shared)
    return shared[order], np.concatenate(counts)[order]


def overlap_needed(sizes: np.ndarray) -> np.ndarray:
    """Common shingles that make a text of each size a near duplicate of a larger one."""
    return np.ceil(NEAR_DUPLICATE_CONTAINMENT * sizes).astype(np.int64)


def postings(ranks: list[np.ndarray], frequency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The texts holding each rank, concatenated in rank order, and where each rank's list starts."""
    starts = np.cumsum(frequency) - frequency
    holders = np.empty(int(frequency.sum()), dtype=np.int32)
    cursor = starts.copy()
    # filled text by text (a counting sort) rather than argsorted: no temporaries of 8 bytes an entry
    for text, text_ranks in enumerate(ranks):
        holders[cursor[text_ranks]] = text
        cursor[text_ranks] += 1  # a text's ranks are distinct, so no index repeats here
    return holders, starts


def candidate_pairs(ranks: list[np.ndarray], sizes: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """Pairs (smaller, larger) of texts that may be near duplicates; never misses one.

    Prefix filtering: if the smaller text A has `need` shingles in B, the shingles of A outside
    its rarest |A| - need + k hold at most need - k of them, so that prefix holds at least k
    shingles of B. Probing only the smaller text's prefix is what finds a short text inside a
    long one, and probing a prefix is cheap because ranks put rare shingles first.
    """
    need = overlap_needed(sizes)
    hits = np.minimum(PREFIX_HITS, need)
    unshared = sizes - np.array([len(r) for r in ranks], dtype=np.int64)
    probes = sizes - need + hits - unshared  # unshared shingles rank first but hit nothing
    holders, starts = postings(ranks, frequency)
    found: list[np.ndarray] = []
    batch: list[int] = []
    volume = 0
    for text in np.flatnonzero((probes > 0) & (need > 0)).tolist():
        batch.append(text)
        volume += int(frequency[ranks[text][: probes[text]]].sum())
        if volume >= PROBE_BATCH:
            found.append(probe(batch, ranks, probes, hits, sizes, holders, starts, frequency))
            batch, volume = [], 0
    found.append(probe(batch, ranks, probes, hits, sizes, holders, starts, frequency))
    return np.concatenate(found)


def probe(
    batch: list[int], ranks: list[np.ndarray], probes: np.ndarray, hits: np.ndarray, sizes: np.ndarray,
    holders: np.ndarray, starts: np.ndarray, frequency: np.ndarray,
) -> np.ndarray:
    """Candidate pairs (text, other) for a batch of texts: other holds `hits` of text's prefix."""
    if not batch:
        return np.empty((0, 2), dtype=np.int64)
    prefix = np.concatenate([ranks[t][: probes[t]] for t in batch])
    owner = np.repeat(np.array(batch, dtype=np.int64), probes[batch])
    lengths = frequency[prefix]
    # expand every prefix rank into its posting list: one (owner, holder) row per entry
    first = np.repeat(starts[prefix] - (np.cumsum(lengths) - lengths), lengths)
    other = holders[first + np.arange(int(lengths.sum()))].astype(np.int64)
    owner = np.repeat(owner, lengths)
    # the smaller text probes; between equal sizes the earlier one
    smaller = (sizes[owner] < sizes[other]) | ((sizes[owner] == sizes[other]) & (owner < other))
    keys, counts = np.unique(owner[smaller] * len(sizes) + other[smaller], return_counts=True)
    keys = keys[counts >= hits[keys // len(sizes)]]
    return np.stack([keys // len(sizes), keys % len(sizes)], axis=1)


def containing_pairs(candidates: np.ndarray, ranks: list[np.ndarray], sizes: np.ndarray) -> list[tuple[int, int]]:
    """The candidate pairs whose overlap, counted exactly, reaches the threshold; as (earlier, later)."""
    need = overlap_needed(sizes)
    pairs = []
    for smaller, larger in candidates.tolist():
        if len(np.intersect1d(ranks[smaller], ranks[larger], assume_unique=True)) >= need[smaller]:
            pairs.append((min(smaller, larger), max(smaller, larger)))
    return sorted(pairs)


def drop_later(pairs: list[tuple[int, int]]) -> list[int]:
    """Walk texts in order and drop each one that matches an earlier text still kept."""
    earlier: dict[int, list[int]] = {}
    for first, later in pairs:
        earlier.setdefault(later, []).append(first)
    dropped: dict[int, None] = {}
    for later in sorted(earlier):
        if any(first not in dropped for first in earlier[later]):
            dropped[later] = None
    return list(dropped)


def near_duplicates(shingles: ShingleSets) -> list[int]:
    """Indices of texts to drop, ascending: each is a near duplicate of an earlier text that is kept."""
    sizes = np.diff(shingles.bounds())
    ranks, frequency = shared_ranks(shingles)
    return drop_later(containing_pairs(candidate_pairs(ranks, sizes, frequency), ranks, sizes))

