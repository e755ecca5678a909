"""Character shingles of a variant's text and the fixed sample of them that story grouping compares.

A shingle is kept when its hash falls in one residue class (1 in SAMPLE_EVERY),
decided by the shingle alone, so every printing of a paragraph keeps the same
samples: a printing of half a story holds the samples of that half, and the
share of a printing's samples found in another estimates containment directly,
with as many samples as the shorter text has, not a fixed number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

SHINGLE_CHARS = 3
SAMPLE_EVERY = 4
PARTS = ("whole", "head", "tail")
_NON_WORD = re.compile(r"[\W_]+")
_PRIME = np.uint64(1000003)


@dataclass(frozen=True)
class Sketch:
    """What grouping knows of a variant: its sampled shingles (sorted distinct uint32 bytes), its number of
    distinct shingles, and which part of a story it prints ("head" jumps to another page, "tail" continues
    from one)."""

    samples: bytes
    size: int
    part: str = "whole"

    def array(self) -> np.ndarray:
        """The samples as a sorted uint32 array."""
        return np.frombuffer(self.samples, dtype=np.uint32)


def _mix(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: every output bit depends on every input bit, so residues of the result
    are evenly spread whatever the code points (a polynomial hash's low bits depend on theirs alone)."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def shingle_hashes(text: str) -> np.ndarray:
    """Distinct 64-bit hashes of the overlapping character 3-grams of `text`'s letters, digits and ideographs.

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
    return np.unique(_mix(hashes))


def sample(hashes: np.ndarray) -> np.ndarray:
    """The sampled shingles among distinct shingle hashes, as sorted distinct 32-bit values."""
    kept = hashes[hashes % np.uint64(SAMPLE_EVERY) == 0]
    return np.unique((kept >> np.uint64(32)).astype(np.uint32))


def sketch(text: str, part: str = "whole") -> Sketch:
    """The grouping sketch of a variant's normalised body text."""
    hashes = shingle_hashes(text)
    return Sketch(sample(hashes).tobytes(), int(len(hashes)), part)


def union(sketches: list[Sketch]) -> Sketch:
    """The sketch of texts joined (up to the shingles spanning a join): samples compose by union."""
    samples = np.unique(np.concatenate([s.array() for s in sketches])) if sketches else np.zeros(0, np.uint32)
    return Sketch(samples.astype(np.uint32).tobytes(), sum(s.size for s in sketches))
