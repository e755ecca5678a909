"""Group article variants into stories with MinHash LSH, incrementally and with stable story ids.

Two variants are the same story when the smaller one's character shingles are
mostly contained in the larger one's. Containment, not Jaccard similarity, is
what survives partial copies: a page holding the second half of a story has
half the shingles of the full print, all of them shared. LSH (datasketch)
proposes candidates at a low Jaccard threshold; containment is then estimated
from the two signatures and the two set sizes, with no text re-read.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_CHARS = 4
SEED = 1
SCHEME = "affine32"
# LSH proposes pairs around this Jaccard similarity (28 bands of 2 rows: 93% of pairs at 0.3,
# 68% at 0.2). Each band costs every variant a hash-table entry, the bulk of the grouping
# state's memory (about 9 KB a variant here), so the threshold is no lower.
CANDIDATE_THRESHOLD = 0.2
MIN_JACCARD = 0.08
MIN_CONTAINMENT = 0.7
# Shorter texts (a caption, a two-line brief) share too little to be told apart from chance.
MIN_SHINGLES = 24
# A variant joins a story only when it matches at least this share of the story's variants (that
# can be compared: long enough). Matching just one lets stories chain together through a variant
# that holds two articles (a segmentation merge) or a shared boilerplate footer.
MIN_SUPPORT = 0.5
_NON_WORD = re.compile(r"[\W_]+")
_PRIME = np.uint64(1000003)


@dataclass(frozen=True)
class Sketch:
    """A variant's MinHash signature and the number of distinct shingles it was built from."""

    signature: bytes
    size: int

    def hashvalues(self) -> np.ndarray:
        """The signature as the array datasketch works with."""
        return np.frombuffer(self.signature, dtype=np.uint32).copy()


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


def _minhash(hashvalues: np.ndarray | None = None) -> MinHash:
    """A MinHash with the shared permutations (datasketch derives them anew for every object otherwise)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, scheme=SCHEME, hashvalues=hashvalues,
                   permutations=_PERMUTATIONS)


_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def sketch(text: str) -> Sketch:
    """The MinHash sketch of a variant's normalised body text."""
    hashes = shingle_hashes(text)
    minhash = _minhash()
    if len(hashes):
        minhash.update_batch(hashes.tolist())
    return Sketch(minhash.hashvalues.astype(np.uint32).tobytes(), int(len(hashes)))


def containment(a: Sketch, b: Sketch) -> tuple[float, float]:
    """Estimated (Jaccard, containment of the smaller set in the larger) of two sketches."""
    jaccard = float(np.mean(np.frombuffer(a.signature, np.uint32) == np.frombuffer(b.signature, np.uint32)))
    shared = jaccard / (1.0 + jaccard) * (a.size + b.size)
    return jaccard, min(1.0, shared / max(1, min(a.size, b.size)))


def new_story_id(variant_id: str) -> str:
    """A story id derived from the variant that founded it, so it never changes afterwards."""
    return "s" + hashlib.sha1(variant_id.encode("utf-8")).hexdigest()[:12]


class StoryGrouper:
    """The incremental grouping state: every indexed variant's sketch and story id, in an LSH index."""

    def __init__(self) -> None:
        self.lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
        self.members: dict[str, tuple[str, Sketch]] = {}
        self.comparable: dict[str, int] = {}  # story id -> its variants long enough to compare

    def __len__(self) -> int:
        return len(self.members)

    def add(self, variant_id: str, story_id: str, variant_sketch: Sketch) -> None:
        """Record a variant whose story is already decided (when rebuilding from the index)."""
        self.members[variant_id] = (story_id, variant_sketch)
        if variant_sketch.size >= MIN_SHINGLES:
            minhash = _minhash(variant_sketch.hashvalues())
            self.lsh.insert(variant_id, minhash, check_duplication=False)
            self.comparable[story_id] = self.comparable.get(story_id, 0) + 1

    def best_story(self, variant_sketch: Sketch) -> str | None:
        """The story the variant belongs to, or None when it matches no indexed variant."""
        if variant_sketch.size < MIN_SHINGLES or not self.members:
            return None
        minhash = _minhash(variant_sketch.hashvalues())
        matches: dict[str, list[tuple[float, float]]] = {}
        for candidate in self.lsh.query(minhash):
            story_id, other = self.members[candidate]
            jaccard, contained = containment(variant_sketch, other)
            if jaccard >= MIN_JACCARD and contained >= MIN_CONTAINMENT:
                matches.setdefault(story_id, []).append((contained, jaccard))
        supported = [(max(found), story_id) for story_id, found in matches.items()
                     if len(found) >= MIN_SUPPORT * self.comparable.get(story_id, 1)]
        # The best-matching story; ties are broken by id so the choice never depends on LSH result order.
        return min(supported, key=lambda s: (-s[0][0], -s[0][1], s[1]))[1] if supported else None

    def assign(self, variant_id: str, variant_sketch: Sketch) -> str:
        """Decide the variant's story (joining an existing one or founding a new one) and record it."""
        story_id = self.best_story(variant_sketch) or new_story_id(variant_id)
        self.add(variant_id, story_id, variant_sketch)
        return story_id

    def remove(self, variant_id: str) -> None:
        """Forget a variant (its source was removed)."""
        entry = self.members.pop(variant_id, None)
        if entry and variant_id in self.lsh:
            self.lsh.remove(variant_id)
            self.comparable[entry[0]] -= 1
