"""A variant's original text, stored as what normalisation changed in it.

Normalisation leaves most characters of Chinese news text as they are; it folds
a minority (full-width punctuation and digits, capitals, traditional
characters) one for one, and drops whitespace and control characters. The
segment holds the normalised text anyway, for matching, so the original is
stored as the difference: the offset map's breakpoints (which original
character each normalised one comes from), the original characters where
they differ from the normalised ones, and the stretches normalisation dropped.
That record is a seventh of the original compressed on its own, and the
original comes back from it exactly (tests/test_original.py holds the round
trip for any text).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import zstandard

from indexer.normalise import Normalised

ZSTD_LEVEL = 3
_HEADER = struct.Struct("<6I")  # original length, breakpoints, substitutions, gaps, gap characters, flags
_VERBATIM = 1  # flag: the record holds the original as it is (a text whose map the codec cannot use)
_compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)


def codepoints(text: str) -> np.ndarray:
    """A text's characters as code points."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def from_codepoints(points: np.ndarray) -> str:
    return points.astype(np.uint32).tobytes().decode("utf-32-le")


def origins(length: int, norm_starts: np.ndarray, orig_starts: np.ndarray) -> np.ndarray:
    """For each position of a normalised text of `length`, the original position it comes from."""
    if not length:
        return np.zeros(0, dtype=np.int64)
    runs = np.diff(np.append(norm_starts, length))
    return np.repeat(orig_starts - norm_starts, runs) + np.arange(length)


def _first_of_each(positions: np.ndarray) -> np.ndarray:
    """Whether each normalised position is the first that comes from its original position."""
    first = np.ones(len(positions), dtype=bool)
    first[1:] = positions[1:] != positions[:-1]
    return first


@dataclass(frozen=True)
class Edits:
    """What turns a normalised text back into its original: the breakpoints of the offset map, the original
    characters that differ at normalised positions, and the original stretches normalisation dropped."""

    length: int
    norm_starts: np.ndarray
    orig_starts: np.ndarray
    sub_at: np.ndarray  # normalised positions whose original character differs
    sub_points: np.ndarray
    gap_at: np.ndarray  # original positions where dropped stretches start
    gap_lengths: np.ndarray
    gap_points: np.ndarray
    verbatim: np.ndarray | None = None  # the whole original, where the map could not carry it

    def normalised(self, norm: str) -> Normalised:
        """The offset map of the normalised text."""
        return Normalised(norm, tuple(self.norm_starts.tolist()), tuple(self.orig_starts.tolist()))

    def original(self, norm: str) -> str:
        """The original text."""
        if self.verbatim is not None:
            return from_codepoints(self.verbatim)
        points = np.zeros(self.length, dtype=np.uint32)
        normal = codepoints(norm)
        at = origins(len(normal), self.norm_starts, self.orig_starts)
        first = _first_of_each(at)
        points[at[first]] = normal[first]
        points[at[self.sub_at]] = self.sub_points
        if len(self.gap_at):
            runs = np.repeat(self.gap_at - np.append(0, np.cumsum(self.gap_lengths)[:-1]), self.gap_lengths)
            points[runs + np.arange(len(self.gap_points))] = self.gap_points
        return from_codepoints(points)


def encode(original: str, normalised: Normalised) -> bytes:
    """The stored form of `original`, given its normalisation."""
    points = codepoints(original)
    norm_starts = np.array(normalised.norm_starts, dtype=np.int64)
    orig_starts = np.array(normalised.orig_starts, dtype=np.int64)
    normal = codepoints(normalised.text)
    at = origins(len(normal), norm_starts, orig_starts)
    pairs = np.column_stack((norm_starts, orig_starts)).ravel()
    if len(at) and (at.min() < 0 or at.max() >= len(points) or np.any(np.diff(at) < 0)):
        header = _HEADER.pack(len(points), len(norm_starts), 0, 0, len(points), _VERBATIM)
        return _compressor.compress(header + np.asarray(pairs, dtype=np.uint32).tobytes() + points.tobytes())
    first = np.flatnonzero(_first_of_each(at))
    differs = points[at[first]] != normal[first]
    covered = np.zeros(len(points), dtype=bool)
    covered[at] = True
    gaps = np.flatnonzero(~covered)
    if len(gaps):
        breaks = np.flatnonzero(np.diff(gaps) != 1) + 1
        gap_at = gaps[np.append(0, breaks)]
        gap_lengths = np.diff(np.append(np.append(0, breaks), len(gaps)))
    else:
        gap_at = gap_lengths = np.zeros(0, dtype=np.int64)
    sub_at = first[differs]
    parts = (pairs, sub_at, points[at[sub_at]], gap_at, gap_lengths, points[gaps])
    header = _HEADER.pack(len(points), len(norm_starts), len(sub_at), len(gap_at), len(gaps), 0)
    return _compressor.compress(header + b"".join(np.asarray(p, dtype=np.uint32).tobytes() for p in parts))


def decode(frame: bytes, decompressor: zstandard.ZstdDecompressor) -> Edits:
    """The edits a stored record holds."""
    data = decompressor.decompress(frame)
    length, breakpoints, subs, gaps, gap_points, flags = _HEADER.unpack_from(data)
    values = np.frombuffer(data, dtype=np.uint32, offset=_HEADER.size).astype(np.int64)
    pairs = values[:2 * breakpoints].reshape(-1, 2)
    rest = values[2 * breakpoints:]
    if flags & _VERBATIM:
        empty = np.zeros(0, np.int64)
        return Edits(length, pairs[:, 0], pairs[:, 1], empty, empty.astype(np.uint32), empty, empty,
                     empty.astype(np.uint32), rest[:gap_points].astype(np.uint32))
    sub_at, rest = rest[:subs], rest[subs:]
    sub_points, rest = rest[:subs].astype(np.uint32), rest[subs:]
    gap_at, rest = rest[:gaps], rest[gaps:]
    gap_lengths, rest = rest[:gaps], rest[gaps:]
    return Edits(length, pairs[:, 0], pairs[:, 1], sub_at, sub_points, gap_at, gap_lengths,
                 rest[:gap_points].astype(np.uint32))
