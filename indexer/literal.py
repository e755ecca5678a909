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

import codecs
import uuid
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import zstandard

from indexer.shingles import PARTS, Sketch
from indexer.documents import RecordHeader, RecordReader, RecordWriter, chunk_offsets
from indexer.errors import IndexCorrupt
from indexer import original
from indexer.manifest import SegmentEntry
from indexer.normalise import Normalised
from indexer.pack import FileDigest, Pack, PackError, write_pack
from indexer.sorted_sets import find, intersect, run_starts
from indexer.store import verify_file
from indexer.words import WordCounts

LITERAL_DIR = "literal"
# Normalised texts are stored in UTF-16: two bytes for each Chinese character where UTF-8 takes three,
# searched in place like UTF-8 (see Segment._holds).
TEXT_ENCODING = "utf-16-le"
PACK_SUFFIX = ".pack"
_SHIFT = np.uint64(21)  # code points fit in 21 bits: a bigram is one 42-bit code
_MASK21 = (1 << 21) - 1
_LOW = np.uint64(_MASK21)
# Verifying a long term needs only its rarest few bigrams to narrow the candidates.
MAX_GRAMS_INTERSECTED = 4
MAX_COUNT = 255  # word counts are kept in 8 bits
_ARRAYS = ("keys", "offsets", "gram_heads", "gram_head_starts", "gram_tails", "starts", "docs", "dense_at",
           "dense_skip", "dense_bits", "words",
           "word_starts", "word_docs", "word_counts", "lengths", "samples", "sample_starts", "sketch_sizes",
           "sketch_parts",
           "header_offsets", "body_offsets")


def decode_text(data: bytes | memoryview) -> str:
    """A normalised text from its stored bytes (TEXT_ENCODING), through the codec's own function:
    bytes.decode("utf-16-le") goes through a Python-level wrapper that costs about as much as decoding a
    short text, and KWIC and export decode one per printing."""
    return codecs.utf_16_le_decode(data, "strict", True)[0]


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def gram_codes(text: str) -> np.ndarray:
    """The distinct codes a text is posted under: its bigrams and its characters."""
    points = _codepoints(text)
    return np.unique(np.concatenate(((points[:-1] << _SHIFT) | points[1:], points << _SHIFT)))


def bigram_codes(first, second) -> np.ndarray:
    """Codes of character bigrams (as `gram_codes` posts them) from code points, arrays or scalars
    broadcast; a second code point of 0 gives the code of the first character alone."""
    return (np.asarray(first, dtype=np.uint64) << _SHIFT) | np.asarray(second, dtype=np.uint64)


def term_grams(term: str) -> tuple[np.ndarray, bool]:
    """Codes every text holding `term` is posted under, and whether holding them all proves it holds the term."""
    points = _codepoints(term)
    if len(points) == 1:
        return points << _SHIFT, True
    return np.unique((points[:-1] << _SHIFT) | points[1:]), len(points) == 2


def narrowest(values: np.ndarray, *dtypes) -> np.ndarray:
    """`values` (unsigned) in the first of `dtypes` that holds the largest of them (most segments' second
    characters are in the BMP: 16 bits hold them)."""
    largest = int(values.max()) if len(values) else 0
    dtype = next((d for d in dtypes if largest <= np.iinfo(d).max), dtypes[-1])
    return values.astype(dtype, copy=False)


def _table(codes: list[np.ndarray], values: list[np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Postings of documents 0, 1, ... under the codes each holds (distinct per document): the sorted
    distinct codes, where each one's documents start, the documents, and one value per posting.

    Documents are numbered within the segment, so they fit 16 bits unless a segment holds 65,536 or
    more (a segment is a few million characters: thousands of documents); values (word counts) are
    capped at MAX_COUNT so that they take one byte: BM25's saturation leaves under 1% between 255 and
    more (a word printed that often in one variant is a table or OCR debris: some 20 postings in a million).
    """
    lengths = np.array([len(c) for c in codes], dtype=np.int64)
    flat = np.concatenate(codes) if codes else np.zeros(0, np.uint64)
    docs = np.repeat(np.arange(len(codes), dtype=np.uint16 if len(codes) <= 1 << 16 else np.uint32), lengths)
    # Documents were appended in order, so a stable sort by code keeps each code's documents sorted.
    order = np.argsort(flat, kind="stable")
    flat = flat[order]
    starts = run_starts(flat)
    table = {"codes": flat[starts], "starts": np.append(starts, len(flat)).astype(np.uint32), "docs": docs[order]}
    if values is not None:
        counts = np.concatenate(values) if values else np.zeros(0, np.uint32)
        table["values"] = np.minimum(counts, MAX_COUNT).astype(np.uint8)[order]
    return table


@dataclass
class SegmentDocument:
    """One variant as a segment holds it: its key, normalised text, ranking words, record and sketch."""

    key: int
    norm: str
    words: WordCounts
    header: RecordHeader
    body: bytes  # the record body: the original text's edits (indexer.original.encode)
    sketch: Sketch
    grams: np.ndarray | None = None  # `gram_codes(norm)`, when the page's preparation worked it out


class SegmentBuilder:
    """Collects documents and writes them as one segment pack."""

    def __init__(self) -> None:
        self.documents: list[SegmentDocument] = []
        self.chars = 0

    def __len__(self) -> int:
        return len(self.documents)

    def add(self, document: SegmentDocument) -> None:
        """Add one document (its `gram_codes` are worked out here unless given)."""
        self.documents.append(document)
        self.chars += len(document.norm)

    def write(self, directory: Path) -> tuple[str, FileDigest]:
        """Write the segment's pack (complete before it gets its final name); returns its name and digest."""
        docs = self.documents
        texts = [d.norm.encode(TEXT_ENCODING) for d in docs]
        grams = _table([gram_codes(d.norm) if d.grams is None else d.grams for d in docs])
        words = _table([d.words.codes for d in docs], [d.words.counts for d in docs])
        records = RecordWriter()
        for document in docs:
            records.add(document.header, document.body)
        record_arrays, record_blobs = records.parts()
        arrays = {
            "keys": np.array([d.key for d in docs], dtype=np.int64),
            "offsets": chunk_offsets(texts),
            **split_codes(grams["codes"]),
            "starts": grams["starts"],
            **split_dense(grams["starts"], grams["docs"], len(docs)),
            "words": words["codes"],
            "word_starts": words["starts"],
            "word_docs": words["docs"],
            "word_counts": words["values"],
            "lengths": np.array([(d.words.title_length, d.words.body_length) for d in docs], dtype=np.uint32
                                ).reshape(-1, 2),
            "samples": np.frombuffer(b"".join(d.sketch.samples for d in docs), dtype=np.uint32),
            "sample_starts": np.r_[0, np.cumsum([len(d.sketch.samples) // 4 for d in docs])].astype(np.int64),
            "sketch_sizes": np.array([d.sketch.size for d in docs], dtype=np.int64),
            "sketch_parts": np.array([PARTS.index(d.sketch.part) for d in docs], dtype=np.int8),
            **record_arrays,
        }
        return write_segment(directory, arrays, {"text": b"".join(texts), **record_blobs})


def write_segment(directory: Path, arrays: dict[str, np.ndarray | list[np.ndarray]],
                  blobs: dict[str, bytes | list[memoryview]]) -> tuple[str, FileDigest]:
    """Write a segment pack of the given parts under a new name (complete before it gets it); its name and digest."""
    directory.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex[:16]
    return name, write_pack(directory / f"{name}{PACK_SUFFIX}", arrays, blobs)


def split_codes(codes: np.ndarray) -> dict[str, np.ndarray]:
    """Sorted bigram codes stored as two levels, half the size of 64-bit codes: each distinct first
    character (`gram_heads`, with where its codes start in `gram_tails`) and each code's second character."""
    heads = (codes >> _SHIFT).astype(np.uint32)
    starts = run_starts(heads)
    return {"gram_heads": heads[starts], "gram_head_starts": np.append(starts, len(codes)).astype(np.uint32),
            "gram_tails": narrowest(codes & _LOW, np.uint16, np.uint32)}


def split_dense(starts: np.ndarray, docs: np.ndarray, documents: int) -> dict[str, np.ndarray]:
    """Bigram postings with each list that a bitmap of the segment's documents holds in fewer bytes kept
    as that bitmap (a character or bigram in more than one document in sixteen: about a third of all
    postings in a third of the bytes); the others stay 16-bit documents in `docs`, and `starts` still
    counts every posting, so a list's size is known without decoding it.

    `dense_at` are the positions of the bitmap lists among the codes, `dense_skip` how many postings the
    bitmaps before each hold (what a sparse list's start in `docs` is short of its `starts`)."""
    counts = np.diff(starts.astype(np.int64))
    width = (documents + 7) // 8
    dense = np.flatnonzero(2 * counts > width)
    edges = np.zeros(len(docs) + 1, dtype=np.int8)
    np.add.at(edges, starts[dense].astype(np.int64), 1)
    np.add.at(edges, starts[dense + 1].astype(np.int64), -1)
    in_dense = np.cumsum(edges[:-1], dtype=np.int8) > 0
    # Each dense posting sets one bit: the sum of a byte's bits (distinct) is their OR.
    members = docs[in_dense].astype(np.int64)
    byte = np.repeat(np.arange(len(dense), dtype=np.int64) * width, counts[dense]) + (members >> 3)
    bits = np.zeros(len(dense) * width, dtype=np.uint8)
    if len(byte):
        first = run_starts(byte)
        bits[byte[first]] = np.add.reduceat((128 >> (members & 7)).astype(np.int64), first)
    return {"docs": docs[~in_dense], "dense_at": dense.astype(np.uint32),
            "dense_skip": np.concatenate(([0], np.cumsum(counts[dense]))).astype(np.int64),
            "dense_bits": bits.reshape(len(dense), width)}


class Segment:
    """A segment opened for search: array views of its memory-mapped pack."""

    def __init__(self, directory: Path, name: str) -> None:
        self.name = name
        self.pack = Pack(directory / f"{name}{PACK_SUFFIX}")
        arrays = {part: self.pack.array(part) for part in _ARRAYS}
        self.keys, self.offsets = arrays["keys"], arrays["offsets"]
        self.gram_heads, self.gram_head_starts = arrays["gram_heads"], arrays["gram_head_starts"]
        self.gram_tails, self.starts, self.sparse_docs = arrays["gram_tails"], arrays["starts"], arrays["docs"]
        self.dense_at, self.dense_skip, self.dense_bits = arrays["dense_at"], arrays["dense_skip"], arrays["dense_bits"]
        # As lists: a lookup bisects them, which costs less than a numpy call (a few thousand entries).
        self._dense_at, self._dense_skip = self.dense_at.tolist(), self.dense_skip.tolist()
        self.words, self.word_starts = arrays["words"], arrays["word_starts"]
        self.word_docs, self.word_counts, self.lengths = arrays["word_docs"], arrays["word_counts"], arrays["lengths"]
        self.samples, self.sample_starts = arrays["samples"], arrays["sample_starts"]
        self.sketch_sizes = arrays["sketch_sizes"]
        self.sketch_parts = arrays["sketch_parts"]
        self.records = RecordReader(arrays["header_offsets"], self.pack.blob("headers"), arrays["body_offsets"],
                                    self.pack.blob("bodies"), self.pack.blob("metadata"))
        # Substring search runs on the mapping itself: the text part starts `_text_base` bytes in.
        self._mapping, self._text_base = self.pack.mapping, self.pack.start("text")
        self._decompressor = zstandard.ZstdDecompressor()
        self.text_bytes = int(self.offsets[-1]) if len(self.offsets) else 0
        self._head_runs: dict[int, tuple[int, int]] | None = None  # first character -> its run of gram codes

    @property
    def grams(self) -> np.ndarray:
        """Every bigram code of the segment, sorted, as 64-bit codes (built on demand: for checks and tests)."""
        heads = np.repeat(self.gram_heads.astype(np.uint64), np.diff(self.gram_head_starts))
        return (heads << _SHIFT) | self.gram_tails

    def find_gram(self, code: np.uint64) -> int:
        """Where a bigram code stands among the segment's codes, or -1 when no document holds it."""
        if self._head_runs is None:  # a dict lookup per code costs less than a binary search (built once)
            bounds = self.gram_head_starts.tolist()
            self._head_runs = dict(zip(self.gram_heads.tolist(), zip(bounds[:-1], bounds[1:])))
        run = self._head_runs.get(int(code) >> 21)
        if run is None:
            return -1
        at = find(self.gram_tails[run[0]:run[1]], np.uint32(int(code) & _MASK21))
        return run[0] + at if at >= 0 else -1

    def locate_grams(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each of many bigram codes stands among the segment's codes, and which the segment holds:
        the first characters found at once, then the second ones by a binary search run on all of them
        together within each one's run of codes (runs hold at most a few thousand)."""
        codes = np.asarray(codes, dtype=np.uint64)
        heads = (codes >> _SHIFT).astype(np.uint32)
        tails = (codes & _LOW).astype(np.uint32)
        head_at = np.minimum(np.searchsorted(self.gram_heads, heads), max(0, len(self.gram_heads) - 1))
        present = self.gram_heads[head_at] == heads if len(self.gram_heads) else np.zeros(len(codes), bool)
        low = self.gram_head_starts[head_at].astype(np.int64)
        high = self.gram_head_starts[head_at + 1].astype(np.int64) if len(self.gram_heads) else low
        high = np.where(present, high, low)
        while (low < high).any():
            middle = (low + high) // 2
            below = (low < high) & (self.gram_tails[np.minimum(middle, len(self.gram_tails) - 1)] < tails)
            low = np.where(below, middle + 1, low)
            high = np.where(below | (low >= high), high, middle)
        at = np.minimum(low, max(0, len(self.gram_tails) - 1))
        present &= (low < self.gram_head_starts[head_at + 1]) & (self.gram_tails[at] == tails) \
            if len(self.gram_tails) else False
        return at, present

    def _list(self, at: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The code at position `at`'s postings as they are stored: (its bitmap, None) or (None, its documents)."""
        k = bisect_left(self._dense_at, at)
        if k < len(self._dense_at) and self._dense_at[k] == at:
            return self.dense_bits[k], None
        skip = self._dense_skip[k]
        return None, self.sparse_docs[int(self.starts[at]) - skip:int(self.starts[at + 1]) - skip]

    def docs_at(self, at: int) -> np.ndarray:
        """The documents posted under the code at position `at` among the segment's codes (sorted, distinct)."""
        bits, docs = self._list(at)
        if bits is None:
            return docs
        # As booleans, nonzero is some three times quicker than flatnonzero over the bytes (64-bit places).
        return np.unpackbits(bits, count=len(self.keys)).view(bool).nonzero()[0]

    def posted(self, places: np.ndarray, at: int) -> np.ndarray:
        """Those of `places` (sorted documents) posted under the code at position `at`: a bitmap is
        tested where they fall, which costs less than decoding it."""
        bits, docs = self._list(at)
        if bits is None:
            return intersect(places, docs)
        return places[(bits[places >> 3] & (128 >> (places & 7))) != 0]

    @cached_property
    def docs(self) -> np.ndarray:
        """Every bigram posting's document, in code order, bitmaps decoded (for checks and tests)."""
        return self.docs_between(0, len(self.starts) - 1)

    def docs_between(self, first: int, last: int) -> np.ndarray:
        """The documents posted under the codes at positions first..last-1, in code order, bitmaps decoded
        (a merge reads a segment's postings this way, a range at a time)."""
        if int(self.starts[-1]) - len(self.sparse_docs) != self._dense_skip[-1]:
            raise PackError(f"{self.pack.path}: bigram postings do not add up")
        starts = self.starts[first:last + 1].astype(np.int64)
        low, high = bisect_left(self._dense_at, first), bisect_left(self._dense_at, last)
        sparse = self.sparse_docs[int(starts[0]) - self._dense_skip[low]:int(starts[-1]) - self._dense_skip[high]]
        if low == high:
            return sparse
        in_dense = np.zeros(last - first, dtype=bool)
        in_dense[self.dense_at[low:high].astype(np.int64) - first] = True
        in_dense = np.repeat(in_dense, np.diff(starts))
        out = np.empty(len(in_dense), dtype=self.sparse_docs.dtype)
        out[~in_dense] = sparse
        out[in_dense] = np.concatenate([self.docs_at(at) for at in self._dense_at[low:high]])
        return out

    def postings(self, codes: np.ndarray) -> list[np.ndarray]:
        """The documents (places in this segment, sorted) posted under each of the codes (from
        `gram_codes`/`term_grams`/`bigram_codes`); empty for a code the segment lacks."""
        empty = np.zeros(0, dtype=self.sparse_docs.dtype)
        at, present = self.locate_grams(codes)
        return [self.docs_at(a) if hit else empty for a, hit in zip(at.tolist(), present.tolist())]

    def candidates(self, grams: np.ndarray) -> np.ndarray:
        """Places (sorted) posted under the rarest MAX_GRAMS_INTERSECTED of the codes: every place posted under
        all of them, and perhaps a few more, which is what a substring search needs to narrow its work."""
        slots = [self.find_gram(code) for code in grams]
        if min(slots) < 0:
            return self.sparse_docs[:0]
        slots.sort(key=lambda at: int(self.starts[at + 1]) - int(self.starts[at]))  # the rarest first
        candidates = self.docs_at(slots[0])
        for at in slots[1:MAX_GRAMS_INTERSECTED]:
            if not len(candidates):
                break
            candidates = self.posted(candidates, at)
        return candidates

    def term_keys(self, term: str, grams: np.ndarray, exact: bool) -> np.ndarray:
        """Keys of this segment's documents whose text contains `term` (whose `term_grams` are given)."""
        candidates = self.candidates(grams)
        if not exact:
            needle, base = term.encode(TEXT_ENCODING), self._text_base
            # Offsets fetched in bulk: indexing a memory map one element at a time costs more than the search.
            starts = (self.offsets[candidates] + base).tolist()
            ends = (self.offsets[candidates.astype(np.int64) + 1] + base).tolist()
            candidates = candidates[np.array([self._holds(needle, a, b) for a, b in zip(starts, ends)], dtype=bool)]
        return np.asarray(self.keys[candidates], dtype=np.int64)

    def _holds(self, needle: bytes, start: int, end: int) -> bool:
        """Whether the text between two byte positions holds `needle` (encoded in TEXT_ENCODING)."""
        return self.find_text(needle, start, end) != -1

    def find_text(self, needle: bytes, start: int, end: int) -> int:
        """Where `needle` (encoded in TEXT_ENCODING) first stands between two byte positions of `text_buffer`,
        at a character boundary, or -1. In UTF-16 a match at an odd byte would straddle two characters
        (documents start at even bytes)."""
        at = self._mapping.find(needle, start, end)
        while at != -1 and at & 1:
            at = self._mapping.find(needle, at + 1, end)
        return at

    def word_postings(self, code: np.uint64) -> tuple[np.ndarray, np.ndarray]:
        """(keys, counts) of the documents holding one field's word, by key within the segment."""
        at = find(self.words, code)
        if at < 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32)
        start, end = self.word_starts[at], self.word_starts[at + 1]
        return self.keys[self.word_docs[start:end]], self.word_counts[start:end]

    def text_units(self) -> np.ndarray:
        """Every normalised text of the segment as one array of UTF-16 code units, read in place; document
        `place` holds units `offsets[place] // 2` to `offsets[place + 1] // 2`."""
        return np.frombuffer(self._mapping, dtype=np.uint16, count=self.text_bytes // 2, offset=self._text_base)

    @property
    def text_buffer(self):
        """The buffer holding every normalised text of the segment (in TEXT_ENCODING), to search in place."""
        return self._mapping

    def text_ranges(self, places: np.ndarray) -> tuple[list[int], list[int]]:
        """Where the texts of the documents at `places` start and end in `text_buffer`, in bytes."""
        places = np.asarray(places, dtype=np.int64)
        return (self.offsets[places] + self._text_base).tolist(), (self.offsets[places + 1] + self._text_base).tolist()

    def text_at(self, place: int) -> str:
        """The normalised text of the segment's `place`-th document."""
        start = self._text_base + int(self.offsets[place])
        return decode_text(self._mapping[start:self._text_base + int(self.offsets[place + 1])])

    def original(self, place: int, norm: str | None = None) -> tuple[str, Normalised]:
        """The `place`-th document's original text and the map from its normalised text to it (`norm`: its
        normalised text, when the caller has read it already)."""
        norm = self.text_at(place) if norm is None else norm
        edits = original.decode(self.records.raw_body(place), self._decompressor)
        return edits.original(norm), edits.normalised(norm)


    def original_texts(self, places: np.ndarray) -> Iterator[tuple[str, str]]:
        """The original and normalised texts of the documents at `places`, in order, their offsets looked up
        for all of them at once (an export reads every text)."""
        starts, ends = self.text_ranges(places)
        for start, end, body in zip(starts, ends, self.records.raw_bodies(places)):
            norm = decode_text(self._mapping[start:end])
            yield original.restore(body, self._decompressor, norm), norm

    def release_texts(self, places: np.ndarray) -> None:
        """Let go of the mapped pages holding the texts and records of the documents at places first..last
        (Pack.release): an export has read them and will not again."""
        first, last = int(places.min()), int(places.max()) + 1
        pack = self.pack
        for part, offsets in (("text", self.offsets), ("bodies", self.records.body_offsets),
                              ("headers", self.records.header_offsets)):
            base = pack.start(part)
            pack.release(base + int(offsets[first]), base + int(offsets[last]))

    def texts(self) -> list[tuple[int, str]]:
        """Every (key, normalised text) of the segment."""
        return [(int(key), self.text_at(place)) for place, key in enumerate(self.keys.tolist())]

    def sketch_at(self, place: int) -> Sketch:
        """The grouping sketch of the `place`-th document."""
        samples = self.samples[int(self.sample_starts[place]):int(self.sample_starts[place + 1])]
        return Sketch(samples.tobytes(), int(self.sketch_sizes[place]),
                      PARTS[int(self.sketch_parts[place])])

    def word_counts_by_document(self) -> list[WordCounts]:
        """Every document's ranking words, rebuilt from the postings (for checks and tests)."""
        owner = np.repeat(np.arange(len(self.words)), np.diff(self.word_starts))
        order = np.argsort(self.word_docs, kind="stable")  # postings by document, codes sorted within each
        codes, counts = self.words[owner[order]], self.word_counts[order]
        bounds = np.searchsorted(self.word_docs[order], np.arange(len(self.keys) + 1))
        return [WordCounts(codes[bounds[i]:bounds[i + 1]], counts[bounds[i]:bounds[i + 1]], *length)
                for i, length in enumerate(self.lengths.tolist())]


def open_segment(index_dir: Path, entry: SegmentEntry) -> Segment:
    """A segment of the index, checked against the digest its manifest recorded."""
    path = index_dir / LITERAL_DIR / f"{entry.name}{PACK_SUFFIX}"
    verify_file(path, entry.digest)
    try:
        return Segment(path.parent, entry.name)
    except PackError as exc:
        raise IndexCorrupt(str(exc)) from None


@dataclass
class LiteralIndex:
    """The live segments of one index generation."""

    segments: list[Segment]

    @classmethod
    def open(cls, index_dir: Path, entries: list[SegmentEntry]) -> "LiteralIndex":
        """The segments a manifest lists, each checked against its digest."""
        return cls([open_segment(index_dir, entry) for entry in entries])

    def term_keys(self, term: str, between_segments: Callable[[], None] = lambda: None) -> np.ndarray:
        """Keys of every document whose normalised text contains `term`, over all segments;
        `between_segments` is called before each (a deadline's check)."""
        grams, exact = term_grams(term)
        parts = []
        for segment in self.segments:
            between_segments()
            parts.append(segment.term_keys(term, grams, exact))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
