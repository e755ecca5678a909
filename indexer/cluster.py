"""Group article variants into stories with MinHash LSH, incrementally and with stable story ids.

Two variants are the same story when the smaller one's character shingles are
mostly contained in the larger one's. Containment, not Jaccard similarity, is
what survives partial copies: a page holding the second half of a story has
half the shingles of the full print, all of them shared. LSH (banded buckets
in numpy arrays) proposes candidates at a low Jaccard threshold; containment is
then estimated from the two signatures alone, with no text re-read (see estimate).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
from datasketch import MinHash

from indexer.store import resolve_story

NUM_PERM = 128
SHINGLE_CHARS = 4
SEED = 1
SCHEME = "affine32"
SKETCH_BATCH = 20_000
# LSH proposes pairs sharing all ROWS values of any of BANDS signature bands: 93% of pairs at
# Jaccard 0.2, 41% at 0.09 (a short partial copy inside a long print). A bucket entry costs
# 12 bytes, so using the whole signature is affordable.
BANDS = 64
ROWS = 2
FOLD_ENTRIES = 1 << 16  # pending bucket entries folded into the sorted arrays at a time
MIN_JACCARD = 0.08
MIN_CONTAINMENT = 0.7
# Shorter texts (a caption, a two-line brief) share too little to be told apart from chance.
MIN_SHINGLES = 24
# A variant joins a story only when it matches at least this share of the story's variants that
# can be compared (long enough, and not the opposite part of a continued story). Matching just
# one lets stories chain together through a variant that holds two articles (a segmentation
# merge) or a shared boilerplate footer.
MIN_SUPPORT = 0.5
# A variant is split in two only where each part is this similar to a variant of the story it
# matches: the whole article printed elsewhere, not a partial copy or a fragment.
SPLIT_MIN_JACCARD = 0.4
SPLIT_MAX_SHARE = 0.85
SPLIT_LENGTH_SLACK = 0.3
# Two stories merge when this share of the pairs of their variants match.
MIN_MERGE_SUPPORT = 0.67
_NON_WORD = re.compile(r"[\W_]+")
_PRIME = np.uint64(1000003)
_BAND_SALT = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)


PARTS = ("whole", "head", "tail")


@dataclass(frozen=True)
class Sketch:
    """What grouping knows of a variant: its MinHash signature, its number of distinct shingles, and
    which part of a story it prints ("head" jumps to another page, "tail" continues from one)."""

    signature: bytes
    size: int
    part: str = "whole"


def shingle_hashes(text: str) -> np.ndarray:
    """Distinct hashes of the overlapping character 4-grams of `text`'s letters, digits and ideographs.

    Punctuation and spaces are dropped first, so full- and half-width
    punctuation or a missing comma do not change the shingles.
    """
    skeleton = _NON_WORD.sub("", text)
    if len(skeleton) < SHINGLE_CHARS:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(skeleton.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - SHINGLE_CHARS + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for i in range(SHINGLE_CHARS):
        hashes = hashes * _PRIME + codes[i:i + count]
    return np.unique(hashes & np.uint64(0xFFFFFFFF))


def _minhash() -> MinHash:
    """A MinHash with the shared permutations (datasketch derives them anew for every object otherwise)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, scheme=SCHEME, permutations=_PERMUTATIONS)


_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def sketch(text: str, part: str = "whole") -> Sketch:
    """The MinHash sketch of a variant's normalised body text."""
    hashes = shingle_hashes(text)
    minhash = _minhash()
    # datasketch hashes a batch as one (shingles x permutations) matrix, a kilobyte a shingle: in slices, a
    # page of half a million characters costs 20 MB instead of half a gigabyte (minima compose).
    for start in range(0, len(hashes), SKETCH_BATCH):
        minhash.update_batch(hashes[start:start + SKETCH_BATCH].tolist())
    return Sketch(minhash.hashvalues.astype(np.uint32).tobytes(), int(len(hashes)), part)


def estimate(signatures: np.ndarray, sizes: np.ndarray, other_signatures: np.ndarray,
             other_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Estimated Jaccard similarity and containment (of the smaller set in the larger) of every pair of
    rows of two signature matrices: arrays of shape (len(sizes), len(other_sizes)).

    Under each permutation the minimum over both sets lies in both (the two
    minima are equal), in the first only (its minimum is lower) or in the second
    only. Among the permutations whose minimum lies in the smaller set, the share
    where it lies in both estimates containment directly. Derived from Jaccard and
    the set sizes instead, it is about twice as noisy for a short copy inside a long
    print (a few shared minima, scaled up by the long print's size), and never
    exact for a whole copy.
    """
    first, second = signatures[:, None, :], other_signatures[None, :, :]
    equal = (first == second).sum(axis=2)
    first_only = (first < second).sum(axis=2)
    second_only = (first > second).sum(axis=2)
    smaller_only = np.where(np.less_equal.outer(sizes, other_sizes), first_only, second_only)
    return equal / signatures.shape[1], equal / np.maximum(1, equal + smaller_only)


def is_match(jaccard: np.ndarray, contained: np.ndarray) -> np.ndarray:
    """Which estimated pairs are the same story."""
    return (jaccard >= MIN_JACCARD) & (contained >= MIN_CONTAINMENT)


def containment(a: Sketch, b: Sketch) -> tuple[float, float]:
    """Estimated (Jaccard, containment of the smaller set in the larger) of two sketches."""
    jaccard, contained = estimate(*_matrix(a), *_matrix(b))
    return float(jaccard[0, 0]), float(contained[0, 0])


def _matrix(variant_sketch: Sketch) -> tuple[np.ndarray, np.ndarray]:
    return (np.frombuffer(variant_sketch.signature, dtype=np.uint32)[None, :],
            np.array([variant_sketch.size], dtype=np.int64))


@dataclass(frozen=True)
class Match:
    """How a variant matches a story: the best containment and the best Jaccard similarity with its variants."""

    containment: float
    jaccard: float
    size: int  # shingles of the variant the containment was best with


def new_story_id(variant_id: str) -> str:
    """A story id derived from the variant that founded it, so it never changes afterwards."""
    return "s" + hashlib.sha1(variant_id.encode("utf-8")).hexdigest()[:12]


class BandIndex:
    """LSH buckets: the band keys of every inserted signature, mapped to the slots that hold them.

    The bulk lives in two sorted numpy arrays (12 bytes a band entry); recent
    inserts wait in a small dict until there are enough to fold in. A hash table
    of Python objects, as datasketch keeps, costs about 9 KB a variant here.
    """

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint64)  # sorted; a key appears once for each slot under it
        self.slots = np.zeros(0, dtype=np.int32)
        # Recent entries: a key's first slot, and any further ones. Plain ints, not lists, so that the
        # garbage collector has nothing to walk.
        self.pending: dict[int, int] = {}
        self.pending_more: dict[int, list[int]] = {}
        self.pending_entries = 0

    def insert(self, slot: int, keys: np.ndarray) -> None:
        """Add a slot under each of its band keys."""
        pending = self.pending
        for key in keys.tolist():
            if pending.setdefault(key, slot) != slot:
                self.pending_more.setdefault(key, []).append(slot)
        self.pending_entries += len(keys)

    def fold(self, live: np.ndarray) -> None:
        """Merge the pending entries into the sorted arrays, dropping slots that are not `live`.

        The pending entries are sorted on their own and inserted, so the bulk is
        copied once rather than sorted again.
        """
        more = [(key, slot) for key, slots in self.pending_more.items() for slot in slots]
        keys = np.concatenate([np.fromiter(self.pending.keys(), dtype=np.uint64, count=len(self.pending)),
                               np.array([k for k, _ in more], dtype=np.uint64)])
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

    def query(self, keys: np.ndarray) -> np.ndarray:
        """The distinct slots sharing at least one band key with `keys`."""
        lo = np.searchsorted(self.keys, keys, side="left")
        hi = np.searchsorted(self.keys, keys, side="right")
        found = [self.slots[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if b > a]
        recent = [self.pending[k] for k in keys.tolist() if k in self.pending]
        recent += [s for k in keys.tolist() for s in self.pending_more.get(k, ())]
        if recent:
            found.append(np.array(recent, dtype=np.int32))
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int32)


def band_keys(signature: np.ndarray) -> np.ndarray:
    """One 64-bit key per band of ROWS signature values, salted by band so that bands do not collide;
    for a matrix of signatures, one row of keys per signature."""
    rows = signature[..., :BANDS * ROWS].astype(np.uint64).reshape(*signature.shape[:-1], BANDS, ROWS)
    return (rows[..., 0] << np.uint64(32) | rows[..., 1]) ^ _BAND_SALT


class StoryGrouper:
    """The incremental grouping state: every indexed variant's signature and story, and the LSH buckets.

    Variants live in numbered slots of numpy arrays; a removed variant's slot
    is marked dead and dropped from the buckets at the next fold. When a story
    is absorbed into another, its id stays valid as an alias.
    """

    def __init__(self) -> None:
        self.slot_of: dict[str, int] = {}
        self.page_of: list[str] = []  # slot -> the page its variant was printed on (its id up to "#")
        self.place_of: list[int] = []  # slot -> its place on that page (its id after "#")
        self.signatures = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self.sizes = np.zeros(0, dtype=np.int64)
        self.parts = np.zeros(0, dtype=np.int8)
        self.story_of = np.zeros(0, dtype=np.int32)  # slot -> story number
        self.live = np.zeros(0, dtype=bool)  # in the buckets: not removed and long enough to compare
        self.slots = 0
        self.bands = BandIndex()
        self.story_ids: list[str] = []  # story number -> id
        self.story_number: dict[str, int] = {}
        self.aliases: dict[str, str] = {}  # absorbed story id -> the id it was merged into
        self.members: dict[int, list[int]] = {}  # story number -> its slots in the buckets
        self._last_matches: tuple[tuple[Sketch, int], dict[int, Match]] | None = None

    def __len__(self) -> int:
        return len(self.slot_of)

    def resolve(self, story_id: str) -> str:
        """The id a story is known by now (itself unless it was absorbed into another)."""
        return resolve_story(self.aliases, story_id)

    def stories(self) -> set[str]:
        """The ids of the stories that have at least one variant."""
        return {self.story_ids[n] for n in set(self.story_of[list(self.slot_of.values())].tolist())}

    def _members(self, story: int) -> np.ndarray:
        """The story's live slots (removed variants are dropped from the list on the way)."""
        slots = [s for s in self.members.get(story, ()) if self.live[s]]
        self.members[story] = slots
        return np.array(slots, dtype=np.int64)

    def _number(self, story_id: str) -> int:
        number = self.story_number.get(story_id)
        if number is None:
            number = self.story_number[story_id] = len(self.story_ids)
            self.story_ids.append(story_id)
        return number

    def _new_slot(self, story_id: str, variant_sketch: Sketch) -> int:
        slot = self.slots
        if slot == len(self.sizes):  # grow by doubling, so appends stay amortised O(1)
            capacity = max(1024, 2 * slot)
            self.signatures = np.resize(self.signatures, (capacity, NUM_PERM))
            self.sizes, self.parts, self.story_of = (np.resize(a, capacity) for a in (self.sizes, self.parts,
                                                                                        self.story_of))
            self.live = np.concatenate([self.live, np.zeros(capacity - slot, dtype=bool)])
        self.signatures[slot] = np.frombuffer(variant_sketch.signature, dtype=np.uint32)
        self.sizes[slot] = variant_sketch.size
        self.parts[slot] = PARTS.index(variant_sketch.part)
        self.story_of[slot] = self._number(self.resolve(story_id))
        self.slots += 1
        return slot

    @classmethod
    def load(cls, variant_ids: list[str], story_ids: list[str], sketches: list[Sketch],
             aliases: dict[str, str]) -> "StoryGrouper":
        """The grouping state of variants whose stories are decided (an index's), built in bulk."""
        grouper = cls()
        grouper.aliases.update(aliases)
        count = len(variant_ids)
        grouper.slot_of = dict(zip(variant_ids, range(count)))
        for variant_id in variant_ids:
            page, _, place = variant_id.rpartition("#")
            grouper.page_of.append(page)
            grouper.place_of.append(int(place) if place.isdigit() else -1)
        grouper.signatures = np.frombuffer(b"".join(s.signature for s in sketches), dtype=np.uint32
                                           ).reshape(count, NUM_PERM).copy()
        grouper.sizes = np.array([s.size for s in sketches], dtype=np.int64)
        grouper.parts = np.array([PARTS.index(s.part) for s in sketches], dtype=np.int8)
        grouper.story_of = np.array([grouper._number(grouper.resolve(s)) for s in story_ids], dtype=np.int32)
        grouper.live = grouper.sizes >= MIN_SHINGLES
        grouper.slots = count
        live = np.flatnonzero(grouper.live)
        for slot, story in zip(live.tolist(), grouper.story_of[live].tolist()):
            grouper.members.setdefault(story, []).append(slot)
        keys = band_keys(grouper.signatures[live]).ravel()
        order = np.argsort(keys, kind="stable")
        grouper.bands.keys = keys[order]
        grouper.bands.slots = np.repeat(live.astype(np.int32), BANDS)[order]
        return grouper

    def add(self, variant_id: str, story_id: str, variant_sketch: Sketch) -> None:
        """Record a variant whose story is already decided."""
        slot = self._new_slot(story_id, variant_sketch)
        self.slot_of[variant_id] = slot
        page, _, place = variant_id.rpartition("#")
        self.page_of.append(page)
        self.place_of.append(int(place) if place.isdigit() else -1)
        if variant_sketch.size >= MIN_SHINGLES:
            self.live[slot] = True
            self.members.setdefault(int(self.story_of[slot]), []).append(slot)
            self.bands.insert(slot, band_keys(self.signatures[slot]))
            if self.bands.pending_entries >= FOLD_ENTRIES:
                self.bands.fold(self.live)

    def _matches(self, variant_sketch: Sketch) -> dict[int, Match]:
        """Stories the variant matches, with their best containment, each supported by enough of its variants.

        The buckets only propose stories; the variant is then compared with
        every variant of each, so support does not depend on which pairs LSH
        happened to find.
        """
        if self._last_matches is not None and self._last_matches[0] == (variant_sketch, self.slots):
            return self._last_matches[1]  # split_point asked first, and nothing was added since
        signature, size = _matrix(variant_sketch)
        candidates = self.bands.query(band_keys(signature[0]))
        candidates = candidates[self.live[candidates]]
        part = PARTS.index(variant_sketch.part)
        found: dict[int, Match] = {}
        for story in sorted(set(self.story_of[candidates].tolist())):
            members = self._members(story)
            if part:  # a head and a tail printed on different pages need not share a line
                members = members[self.parts[members] != 3 - part]
            if not len(members):
                continue
            jaccard, contained = estimate(self.signatures[members], self.sizes[members], signature, size)
            matching = is_match(jaccard, contained)
            if matching.any() and matching.mean() >= MIN_SUPPORT:
                best = int(np.argmax(np.where(matching, contained, -1.0)))
                found[story] = Match(float(contained.flat[best]), float(jaccard[matching].max()),
                                     int(self.sizes[members[best]]))
        self._last_matches = ((variant_sketch, self.slots), found)
        return found

    def _mergeable(self, story: int, into: int) -> bool:
        """Whether two stories one variant matched are one story that was split, not two chained by it.

        They are when one holds only heads and the other only tails (printed
        before a whole copy linked them), when one's variants were all printed
        next to the other's (an article segmentation cut in two), or when most
        pairs of their variants match. A variant holding two articles (a
        segmentation merge) matches both stories while they do not match each other.
        """
        members, others = self._members(story), self._members(into)
        if not len(members) or not len(others):
            return False
        if self._fragments(members, others):
            return True
        parts, other_parts = set(self.parts[members].tolist()), set(self.parts[others].tolist())
        if len(parts) == 1 and len(other_parts) == 1 and parts | other_parts == {1, 2}:
            return True
        matching = is_match(*estimate(self.signatures[members], self.sizes[members], self.signatures[others],
                                      self.sizes[others]))
        return bool(matching.mean() >= MIN_MERGE_SUPPORT)

    def assign(self, variant_id: str, variant_sketch: Sketch) -> str:
        """Decide the variant's story (joining an existing one or founding a new one) and record it.

        A variant that matches several stories joins the best one, and the
        others are absorbed into it when they are the same story split before.
        """
        matches = self._matches(variant_sketch) if variant_sketch.size >= MIN_SHINGLES and self.slot_of else {}
        if not matches:
            story_id = new_story_id(variant_id)
        else:
            # The best-matching story; ties go to the older story so the choice never depends on bucket order.
            target = min(matches, key=lambda n: (-matches[n].containment, n))
            story_id = self.story_ids[target]
            for other in sorted(matches):
                if other != target and self._mergeable(other, target):
                    self._absorb(other, target)
        self.add(variant_id, story_id, variant_sketch)
        return story_id

    def split_point(self, variant_sketch: Sketch, line_sketches: Callable[[], list[Sketch]]) -> int | None:
        """Where a variant that holds two articles (a segmentation merge) divides into them, or None.

        Other papers' printings tell: a variant matching two stories that do not
        match each other holds both, and the line where it divides is the one
        whose text above matches one story and whose text below matches the
        other, best. MinHash signatures merge by minimum, so every division is
        judged from the lines' signatures without sketching any text again.
        """
        if variant_sketch.size < 2 * MIN_SHINGLES or not self.slot_of:
            return None
        # Each article it holds is printed elsewhere at a fraction of its length.
        matches = {story: match for story, match in self._matches(variant_sketch).items()
                   if match.size <= SPLIT_MAX_SHARE * variant_sketch.size}
        if len(matches) < 2 or all(self._mergeable(a, b) or self._neighbours(a, b)
                                   for a in matches for b in matches if a < b):
            return None
        lines = line_sketches()
        signatures = np.array([np.frombuffer(s.signature, dtype=np.uint32) for s in lines])
        sizes = np.cumsum([s.size for s in lines])
        above = np.minimum.accumulate(signatures)
        below = np.minimum.accumulate(signatures[::-1])[::-1]
        # The division falls where the text above is about as long as one of the matched articles.
        lengths = [m.size for m in matches.values()] + [variant_sketch.size - m.size for m in matches.values()]
        near = [at for at in range(1, len(lines))
                if any(abs(sizes[at - 1] - length) <= SPLIT_LENGTH_SLACK * length for length in lengths)]
        best: tuple[float, int] | None = None
        for at in near:
            first = self._matches(Sketch(above[at - 1].tobytes(), int(sizes[at - 1])))
            second = self._matches(Sketch(below[at].tobytes(), int(sizes[-1] - sizes[at - 1])))
            story = max(first, key=lambda n: first[n].jaccard, default=None)
            other = max(second, key=lambda n: second[n].jaccard, default=None)
            if story is None or other is None or story == other:
                continue
            # Each part must be another printing of its article, not merely hold part of a story.
            if min(first[story].jaccard, second[other].jaccard) >= SPLIT_MIN_JACCARD \
                    and not self._mergeable(story, other):
                score = first[story].jaccard + second[other].jaccard
                if best is None or score > best[0]:
                    best = (score, at)
        return best[1] if best else None

    def _neighbours(self, story: int, other: int) -> bool:
        """Whether some variant of one story was printed right next to a variant of the other on a page:
        the two halves of one article that a page cut in two, which a whole printing matching both
        joins again rather than holding two articles (the mirror of a segmentation merge)."""
        members, others = self._members(story), self._members(other)
        beside = {(self.page_of[s], self.place_of[s] + step) for s in others.tolist() for step in (-1, 1)}
        return any((self.page_of[s], self.place_of[s]) in beside for s in members.tolist())

    def _fragments(self, members: np.ndarray, others: np.ndarray) -> bool:
        """Whether every variant of one story was printed right next to a variant of the other, on the
        same page: one article that segmentation cut in two, not two articles."""
        if len(members) > len(others):
            members, others = others, members
        beside = {(self.page_of[s], self.place_of[s] + step) for s in others.tolist() for step in (-1, 1)}
        return bool(len(members)) and all((self.page_of[s], self.place_of[s]) in beside for s in members.tolist())

    def _absorb(self, story: int, into: int) -> None:
        self.story_of[:self.slots][self.story_of[:self.slots] == story] = into
        self.members.setdefault(into, []).extend(self.members.pop(story, []))
        self.aliases[self.story_ids[story]] = self.story_ids[into]

    def remove(self, variant_id: str) -> None:
        """Forget a variant (its source was removed)."""
        slot = self.slot_of.pop(variant_id, None)
        if slot is not None:
            self.live[slot] = False
