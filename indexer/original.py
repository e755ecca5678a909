"""A variant's original text, stored as what normalisation changed in it.

Normalisation leaves most characters of Chinese news text as they are; it folds
a minority (full-width punctuation and digits, capitals, traditional
characters) one for one, and drops whitespace and control characters. The
segment holds the normalised text anyway, for matching, so the original is
stored as the difference from it, in a form that is quick to undo:

- a small translation table undoing the folds a printing makes throughout (a
  paper sets its commas full-width, or prints in traditional characters), the
  fold to each character kept only where it is right more often than not;
- the stretches where the original still differs from the translated text
  (line wraps and spaces normalisation dropped, the exceptions to the table),
  each as the normalised span it replaces and the original characters;
- the offset map's breakpoints, which snippets need.

Undoing it is a str.replace per fold of an ASCII table (a lookup over the code
points for others) and a join over the stretches. The record is
about a seventh of the original compressed on its own, and gives the original
back exactly (tests/test_original.py holds the round trip for any text).
"""
from __future__ import annotations

import codecs
import struct
import threading
from dataclasses import dataclass

import numpy as np
import zstandard

from indexer.normalise import Normalised

ZSTD_LEVEL = 3
ASCII = 128
_CHAR = [chr(code) for code in range(ASCII)]
BMP = 1 << 16
_tables = threading.local()
# original length, breakpoints, table entries, stretches, bytes of the stretches' text (UTF-16)
_HEADER = struct.Struct("<5I")
_compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
# Code points fit in 21 bits: a (normalised, original) pair of them is one 42-bit code.
_PAIR_SHIFT = np.uint64(21)
_PAIR_MASK = np.uint64((1 << 21) - 1)


def codepoints(text: str) -> np.ndarray:
    """A text's characters as code points."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def origins(length: int, norm_starts: np.ndarray, orig_starts: np.ndarray) -> np.ndarray:
    """For each position of a normalised text of `length`, the original position it comes from."""
    if not length:
        return np.zeros(0, dtype=np.int64)
    runs = np.empty(len(norm_starts), dtype=np.int64)
    runs[:-1] = norm_starts[1:] - norm_starts[:-1]
    runs[-1] = length - norm_starts[-1]
    return np.repeat(orig_starts.astype(np.int64) - norm_starts, runs) + np.arange(length)


@dataclass(slots=True)
class Edits:
    """What turns a normalised text back into its original (not frozen: a frozen dataclass's __init__ sets
    each field through object.__setattr__, a measurable share of restoring a text, and an export restores all)."""

    norm_starts: tuple[int, ...]  # the offset map's breakpoints
    orig_starts: tuple[int, ...]
    folded: list[int]  # sorted code points whose fold is undone throughout ...
    printed: list[int]  # ... and the characters put back for them
    stretches: list[tuple[int, int, str]]  # (start, end) of the normalised text and the original there

    def normalised(self, norm: str) -> Normalised:
        """The offset map of the normalised text."""
        return Normalised(norm, self.norm_starts, self.orig_starts)

    def original(self, norm: str) -> str:
        """The original text."""
        translated = self._translated(norm) if self.folded else norm
        if not self.stretches:
            return translated
        pieces, done = [], 0
        for start, end, text in self.stretches:
            pieces.append(translated[done:start])
            pieces.append(text)
            done = end
        pieces.append(translated[done:])
        return "".join(pieces)

    def _translated(self, norm: str) -> str:
        """The normalised text with the table's folds undone (str.translate looks each character up in a dict:
        slow on Chinese text)."""
        if self.folded[-1] < ASCII and not set(self.folded) & set(self.printed):
            # Most printings: only punctuation, digits and letters set full-width. One str.replace per fold
            # (a one-character replace is a scan in place, twice as fast as the same replaces on UTF-8 bytes);
            # none undoes another, as no character put back is one the table replaces.
            for folded, printed in zip(self.folded, self.printed):
                norm = norm.replace(_CHAR[folded], chr(printed))
            return norm
        if self.folded[-1] < BMP and max(self.printed) < BMP:
            # A table within the Basic Multilingual Plane (a traditional printing's): one lookup per UTF-16
            # code unit in a table of every unit (a surrogate, never a key, stays itself).
            # The table is one per thread, changed for this text and set back: most printings have a table
            # of their own, and a fresh copy of 128 KB would cost more than the lookup.
            table = _unit_table()
            table[self.folded] = self.printed
            try:
                translated = table[np.frombuffer(codecs.utf_16_le_encode(norm)[0], dtype=np.uint16)]
            finally:
                table[self.folded] = self.folded
            return codecs.utf_16_le_decode(translated.tobytes(), "strict", True)[0]
        folded, printed = np.array(self.folded, dtype=np.uint32), np.array(self.printed, dtype=np.uint32)
        points = codepoints(norm)
        at = np.minimum(np.searchsorted(folded, points), len(folded) - 1)
        hits = folded[at] == points
        if not hits.any():
            return norm
        points = points.copy()
        points[hits] = printed[at[hits]]
        return points.tobytes().decode("utf-32-le")


def _unit_table() -> np.ndarray:
    """This thread's table of every UTF-16 code unit, each mapped to itself between uses."""
    table = getattr(_tables, "units", None)
    if table is None:
        table = _tables.units = np.arange(BMP, dtype=np.uint16)
    return table


def _undoing_table(orig: np.ndarray, normal: np.ndarray) -> dict[int, int]:
    """For each normalised character, the original one to put back everywhere, where doing so puts back
    more characters than it breaks (the pairs are the characters normalisation kept one for one)."""
    # Each (normalised, original) pair as one code, sorted as the pairs are: most pairs are a character
    # kept as it was, so only the few folded ones are looked at one by one.
    pairs, counts = np.unique((normal.astype(np.uint64) << _PAIR_SHIFT) | orig, return_counts=True)
    folded_all, printed_all = pairs >> _PAIR_SHIFT, pairs & _PAIR_MASK
    differs = folded_all != printed_all
    if not differs.any():
        return {}
    kept = ~differs & np.isin(folded_all, folded_all[differs])
    same = dict(zip(folded_all[kept].tolist(), counts[kept].tolist()))
    best: dict[int, tuple[int, int]] = {}
    for folded, printed, count in zip(folded_all[differs].tolist(), printed_all[differs].tolist(),
                                      counts[differs].tolist()):
        if count > best.get(folded, (0, 0))[1]:
            best[folded] = (printed, count)
    return {folded: printed for folded, (printed, count) in best.items() if count > same.get(folded, 0)}


def encode(original: str, normalised: Normalised) -> bytes:
    """The stored form of `original`, given its normalisation."""
    orig = codepoints(original)
    normal = codepoints(normalised.text)
    norm_starts = np.array(normalised.norm_starts, dtype=np.int64)
    orig_starts = np.array(normalised.orig_starts, dtype=np.int64)
    at = origins(len(normal), norm_starts, orig_starts)
    if len(at) and (at.min() < 0 or at.max() >= len(orig) or np.any(np.diff(at) < 0)):
        # A map the codec cannot follow (no text normalises so; kept for safety): the whole original.
        stretches = [(0, len(normal), original)]
        table: dict[int, int] = {}
    else:
        # first[i]: where the normalised characters carried from original position i begin.
        first = np.searchsorted(at, np.arange(len(orig) + 1), side="left")
        single = (first[1:] - first[:-1]) == 1  # carried by exactly one normalised character
        carried = np.flatnonzero(single)
        table = _undoing_table(orig[carried], normal[first[carried]])
        undone = normal.copy()
        if table:
            keys = np.fromiter(table, dtype=np.uint32)
            at_key = np.searchsorted(np.sort(keys), undone).clip(0, len(keys) - 1)
            values = np.array([table[k] for k in np.sort(keys).tolist()], dtype=np.uint32)
            hits = np.sort(keys)[at_key] == undone
            undone[hits] = values[at_key[hits]]
        good = np.zeros(len(orig), dtype=bool)
        good[carried] = undone[first[carried]] == orig[carried]
        bad = np.flatnonzero(~good)
        runs = np.split(bad, np.flatnonzero(np.diff(bad) != 1) + 1) if len(bad) else []
        stretches = [(int(first[r[0]]), int(first[r[-1] + 1]), original[r[0]:r[-1] + 1]) for r in runs]
    text = "".join(s for _, _, s in stretches).encode("utf-16-le")
    header = _HEADER.pack(len(orig), len(norm_starts), len(table), len(stretches), len(text))
    arrays = (np.column_stack((norm_starts, orig_starts)).ravel(),
              np.array(sorted(table.items()), dtype=np.uint32).ravel(),
              np.array([(s, e, len(t)) for s, e, t in stretches], dtype=np.uint32).ravel())
    return _compressor.compress(header + b"".join(a.astype(np.uint32).tobytes() for a in arrays) + text)


def decode(frame: bytes, decompressor: zstandard.ZstdDecompressor) -> Edits:
    """The edits a stored record holds (its numbers read through one memoryview: numpy's cost per call would
    be most of the work for a few dozen numbers)."""
    return _read(frame, decompressor, with_map=True)


def restore(frame: bytes, decompressor: zstandard.ZstdDecompressor, norm: str) -> str:
    """The original text of a stored record, given its normalised text; its offset map is not read (an
    export restores every text, and the map is most of a record's numbers)."""
    return _read(frame, decompressor, with_map=False).original(norm)


def _read(frame: bytes, decompressor: zstandard.ZstdDecompressor, with_map: bool) -> Edits:
    """The edits a stored record holds, the offset map's breakpoints left empty unless `with_map`."""
    data = decompressor.decompress(frame)
    _, breakpoints, entries, count, _ = _HEADER.unpack_from(data)
    end = _HEADER.size + 4 * (2 * breakpoints + 2 * entries + 3 * count)
    skipped = 0 if with_map else 2 * breakpoints
    numbers = memoryview(data)[_HEADER.size + 4 * skipped:end].cast("I").tolist()  # native uint32, as written
    # bytes.decode would look the codec up by name each time; final=True: a cut-off code unit is an error.
    text = codecs.utf_16_le_decode(data[end:], "strict", True)[0]
    mapped = 2 * breakpoints - skipped
    table = mapped + 2 * entries
    spans = numbers[table:]
    stretches, done = [], 0
    for start, stop, length in zip(spans[0::3], spans[1::3], spans[2::3]):
        stretches.append((start, stop, text[done:done + length]))
        done += length
    return Edits(tuple(numbers[0:mapped:2]), tuple(numbers[1:mapped:2]), numbers[mapped:table:2],
                 numbers[mapped + 1:table:2], stretches)
