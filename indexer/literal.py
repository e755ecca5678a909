"""Index segments: character-bigram postings for exact matching and jieba word postings for ranking,
built and searched with numpy.

Each document is posted under every character bigram it holds and every
character (a unigram, coded as the character paired with 0, which normalised
text never holds). A term occurs in a text only if every one of its bigrams
does, and for a term of one or two characters that is also sufficient; longer terms are
confirmed by a substring search over the stored text of each candidate. So a
lookup is exactly a substring search, at the cost of a few array
intersections. Beside them, each document's ranking words (words.py) are
posted with their counts, and its title and body lengths in words are kept,
which is all BM25F needs. whoosh would write these postings one at a time in
Python, which made them most of the indexing time; here a segment of several
million characters is built with a handful of array operations.

Segments are immutable files beside the whoosh index. Which segments are live
is recorded in a whoosh document, so it changes in the same atomic commit as
the variants; a document that whoosh no longer holds is simply ignored.
"""
from __future__ import annotations

import mmap
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.sorted_sets import find, intersect, run_starts
from indexer.words import WordCounts

LITERAL_DIR = "literal"
_SHIFT = np.uint64(21)  # code points fit in 21 bits: a bigram is one 42-bit code
# Verifying a long term needs only its rarest few bigrams to narrow the candidates.
MAX_GRAMS_INTERSECTED = 4
_PARTS = ("keys", "offsets", "grams", "starts", "docs", "words", "word_starts", "word_docs", "word_counts", "lengths")


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def gram_codes(text: str) -> np.ndarray:
    """The distinct codes a text is posted under: its bigrams and its characters."""
    points = _codepoints(text)
    return np.unique(np.concatenate(((points[:-1] << _SHIFT) | points[1:], points << _SHIFT)))


def term_grams(term: str) -> tuple[np.ndarray, bool]:
    """Codes every text holding `term` is posted under, and whether holding them all proves it holds the term."""
    points = _codepoints(term)
    if len(points) == 1:
        return points << _SHIFT, True
    return np.unique((points[:-1] << _SHIFT) | points[1:]), len(points) == 2


def _table(codes: list[np.ndarray], values: list[np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Postings of documents 0, 1, ... under the codes each holds (distinct per document): the sorted
    distinct codes, where each one's documents start, the documents, and one value per posting."""
    lengths = np.array([len(c) for c in codes], dtype=np.int64)
    flat = np.concatenate(codes) if codes else np.zeros(0, np.uint64)
    docs = np.repeat(np.arange(len(codes), dtype=np.uint32), lengths)
    # Documents were appended in order, so a stable sort by code keeps each code's documents sorted.
    order = np.argsort(flat, kind="stable")
    flat = flat[order]
    starts = run_starts(flat)
    table = {"codes": flat[starts], "starts": np.append(starts, len(flat)).astype(np.int64), "docs": docs[order]}
    if values is not None:
        table["values"] = (np.concatenate(values) if values else np.zeros(0, np.uint32))[order]
    return table


class SegmentBuilder:
    """Collects normalised texts and their ranking words and writes them as one segment."""

    def __init__(self) -> None:
        self.keys: list[int] = []
        self.texts: list[bytes] = []
        self.grams: list[np.ndarray] = []
        self.words: list[WordCounts] = []
        self.chars = 0

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: int, text: str, words: WordCounts | None = None, grams: np.ndarray | None = None) -> None:
        """Add one document's normalised text and ranking words under its key (its `gram_codes`, if known)."""
        self.keys.append(key)
        self.texts.append(text.encode("utf-8"))
        self.grams.append(gram_codes(text) if grams is None else grams)
        self.words.append(words if words is not None else WordCounts.empty())
        self.chars += len(text)

    def write(self, directory: Path) -> str:
        """Write the segment's files (each complete before it gets its final name); returns the segment name."""
        directory.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex[:16]
        offsets = np.zeros(len(self.texts) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in self.texts], out=offsets[1:])
        grams = _table(self.grams)
        words = _table([w.codes for w in self.words], [w.counts for w in self.words])
        arrays = {
            "keys": np.array(self.keys, dtype=np.int64),
            "offsets": offsets,
            "grams": grams["codes"],
            "starts": grams["starts"],
            "docs": grams["docs"],
            "words": words["codes"],
            "word_starts": words["starts"],
            "word_docs": words["docs"],
            "word_counts": words["values"],
            "lengths": np.array([(w.title_length, w.body_length) for w in self.words], dtype=np.uint32
                                ).reshape(-1, 2),
        }
        for part, array in arrays.items():
            _write_atomic(directory / f"{name}.{part}.npy", lambda f, a=array: np.save(f, a))
        _write_atomic(directory / f"{name}.text", lambda f: f.write(b"".join(self.texts)))
        return name


def _write_atomic(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Segment:
    """A literal segment opened for search (memory-mapped)."""

    def __init__(self, directory: Path, name: str) -> None:
        self.name = name
        # Plain array views of the maps: np.memmap's own indexing costs more than a lookup's arithmetic.
        arrays = {part: np.load(directory / f"{name}.{part}.npy", mmap_mode="r").view(np.ndarray) for part in _PARTS}
        self.keys, self.offsets = arrays["keys"], arrays["offsets"]
        self.grams, self.starts, self.docs = arrays["grams"], arrays["starts"], arrays["docs"]
        self.words, self.word_starts = arrays["words"], arrays["word_starts"]
        self.word_docs, self.word_counts, self.lengths = arrays["word_docs"], arrays["word_counts"], arrays["lengths"]
        with (directory / f"{name}.text").open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self.text = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""

    def _postings(self, code: np.uint64) -> np.ndarray:
        """The documents posted under one code (sorted, distinct)."""
        at = find(self.grams, code)
        if at < 0:
            return np.zeros(0, dtype=np.uint32)
        return self.docs[self.starts[at]:self.starts[at + 1]]

    def term_keys(self, term: str, grams: np.ndarray, exact: bool) -> np.ndarray:
        """Keys of this segment's documents whose text contains `term` (whose `term_grams` are given)."""
        postings = sorted((self._postings(code) for code in grams), key=len)
        candidates = postings[0]
        for docs in postings[1:MAX_GRAMS_INTERSECTED]:
            if not len(candidates):
                break
            candidates = intersect(candidates, docs)
        if not exact:
            needle, search = term.encode("utf-8"), self.text.find
            # Offsets fetched in bulk: indexing a memory map one element at a time costs more than the search.
            starts = self.offsets[candidates].tolist()
            ends = self.offsets[candidates.astype(np.int64) + 1].tolist()
            candidates = candidates[np.array([search(needle, a, b) != -1 for a, b in zip(starts, ends)], dtype=bool)]
        return np.asarray(self.keys[candidates], dtype=np.int64)

    def word_postings(self, code: np.uint64) -> tuple[np.ndarray, np.ndarray]:
        """(keys, counts) of the documents holding one field's word, by key within the segment."""
        at = find(self.words, code)
        if at < 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32)
        start, end = self.word_starts[at], self.word_starts[at + 1]
        return self.keys[self.word_docs[start:end]], self.word_counts[start:end]

    def text_at(self, place: int) -> str:
        """The normalised text of the segment's `place`-th document."""
        return self.text[self.offsets[place]:self.offsets[place + 1]].decode("utf-8")

    def texts(self) -> list[tuple[int, str]]:
        """Every (key, normalised text) of the segment."""
        return [(int(key), self.text_at(place)) for place, key in enumerate(self.keys.tolist())]

    def documents(self) -> list[tuple[int, str, WordCounts]]:
        """Every (key, normalised text, ranking words) of the segment, for merging."""
        owner = np.repeat(np.arange(len(self.words)), np.diff(self.word_starts))
        order = np.argsort(self.word_docs, kind="stable")  # postings by document, codes sorted within each
        codes, counts = self.words[owner[order]], self.word_counts[order]
        bounds = np.searchsorted(self.word_docs[order], np.arange(len(self.keys) + 1))
        lengths = self.lengths.tolist()
        return [(key, text, WordCounts(codes[bounds[i]:bounds[i + 1]], counts[bounds[i]:bounds[i + 1]], *lengths[i]))
                for i, (key, text) in enumerate(self.texts())]


@dataclass
class LiteralIndex:
    """The live segments of one index generation."""

    segments: list[Segment]

    @classmethod
    def open(cls, index_dir: Path, names: list[str]) -> "LiteralIndex":
        directory = index_dir / LITERAL_DIR
        return cls([Segment(directory, name) for name in names])

    def term_keys(self, term: str) -> np.ndarray:
        """Keys of every document whose normalised text contains `term`, over all segments."""
        grams, exact = term_grams(term)
        parts = [segment.term_keys(term, grams, exact) for segment in self.segments]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
