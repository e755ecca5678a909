"""Segment merging: several segment packs made into one at the array level, and the policies choosing which.

A merge never reads a text as text nor segments one again: postings are
re-numbered and interleaved, per-document arrays concatenated, records carried
over as stored, and texts copied byte for byte from the packs' mappings
straight into the new pack. Documents that are no longer live (a removed
source) are dropped on the way. Postings are merged a range of codes at a time,
each range read from every part, interleaved and split into bitmaps and
document lists before the next, so memory holds the merged segment's compact
postings and vocabulary, never its texts nor a decoded copy of its postings.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from indexer.documents import RecordWriter
from indexer.literal import Segment, split_codes, split_dense, write_segment
from indexer.manifest import SegmentEntry
from indexer.sorted_sets import run_starts

# Segments of one size tier merge once there are this many of them.
MERGE_FACTOR = 4
# Tier 0 holds segments below this many characters; each tier above holds MERGE_FACTOR times more.
TIER_BASE_CHARS = 1_000_000
# A merged segment never holds more: its postings are built in memory (some 5 bytes a character at the
# peak: 278 MB traced to merge 59M characters, 1.28 GB before merges went a range of codes at a time)
# and its documents are numbered in 16 bits.
MERGED_MAX_CHARS = 80_000_000
MERGED_MAX_DOCUMENTS = 1 << 16
# Postings merged at a time: bounds the temporary arrays of a merge (some 60 bytes a posting; 500,000
# made them a quarter of a 10M-character merge's peak, and fewer cost no time).
POSTINGS_CHUNK = 100_000


@dataclass
class MergePart:
    """One segment to merge and which of its documents to keep (by place)."""

    segment: Segment
    keep: np.ndarray  # bool, one per document

    @cached_property
    def live_bytes(self) -> int:
        """Bytes of the kept documents' texts."""
        lengths = np.diff(self.segment.offsets)
        return int(lengths[self.keep].sum()) if len(lengths) else 0


def tier(chars: int) -> int:
    """A segment's size tier: 0 below TIER_BASE_CHARS, one more for each MERGE_FACTOR times as many."""
    if chars < TIER_BASE_CHARS:
        return 0
    return 1 + int(math.log(chars / TIER_BASE_CHARS, MERGE_FACTOR))


def _fits(chars: int, documents: int) -> bool:
    return chars <= MERGED_MAX_CHARS and documents <= MERGED_MAX_DOCUMENTS


def plan_tiered(entries: Sequence[SegmentEntry]) -> list[SegmentEntry]:
    """The segments to merge next after a commit: in the lowest tier holding MERGE_FACTOR or more, the
    smallest as many as the caps allow (at least two); empty when no tier is that full."""
    tiers: dict[int, list[SegmentEntry]] = {}
    for entry in entries:
        tiers.setdefault(tier(entry.chars), []).append(entry)
    for _, members in sorted(tiers.items()):
        if len(members) < MERGE_FACTOR:
            continue
        chosen: list[SegmentEntry] = []
        for entry in sorted(members, key=lambda e: e.chars):
            if not _fits(sum(e.chars for e in chosen) + entry.chars, sum(e.documents for e in chosen) + entry.documents):
                break
            chosen.append(entry)
        if len(chosen) >= 2:
            return chosen
    return []


def plan_compaction(parts: Sequence[MergePart]) -> list[list[MergePart]]:
    """Groups that leave as few segments as the caps allow (first fit, largest first, by live size);
    a segment left alone is in a group only when it holds documents to drop."""
    bins: list[list[MergePart]] = []
    for part in sorted(parts, key=lambda p: -p.live_bytes):
        chars, documents = part.live_bytes // 2, int(part.keep.sum())
        for group in bins:
            if _fits(sum(p.live_bytes // 2 for p in group) + chars, sum(int(p.keep.sum()) for p in group) + documents):
                group.append(part)
                break
        else:
            bins.append([part])
    return [group for group in bins if len(group) > 1 or not group[0].keep.all()]


def merge_parts(parts: Sequence[MergePart], directory: Path) -> SegmentEntry | None:
    """Write one segment holding the kept documents of the parts, in order; None when none is kept.

    Every lookup, ranking list and record of the merged segment is what the parts gave for the documents kept.
    """
    new_places = []
    count = 0
    for part in parts:
        places = np.full(len(part.keep), -1, dtype=np.int64)
        places[part.keep] = np.arange(count, count + int(part.keep.sum()))
        count += int(part.keep.sum())
        new_places.append(places)
    if not count:
        return None
    doc_dtype = np.uint16 if count <= 1 << 16 else np.uint32
    grams = _merge_grams([PostingsTable(p.segment.grams, p.segment.starts, p.segment.docs_between)
                          for p in parts], new_places, doc_dtype, count)
    words = _merge_words([PostingsTable.of_words(p.segment) for p in parts], new_places, doc_dtype)
    text_chunks, text_lengths, chars = [], [], 0
    samples, sample_counts = [], []
    records = RecordWriter()
    for part in parts:
        segment, keep = part.segment, part.keep
        blob = segment.pack.blob("text")
        text_chunks += [blob[segment.offsets[a]:segment.offsets[b]] for a, b in _runs(keep)]
        text_lengths.append(np.diff(segment.offsets)[keep])
        chars += _chars(blob, segment.offsets, keep)
        samples += [segment.samples[segment.sample_starts[a]:segment.sample_starts[b]] for a, b in _runs(keep)]
        sample_counts.append(np.diff(segment.sample_starts)[keep])
        for place in np.flatnonzero(keep).tolist():
            records.add(segment.records.header(place), segment.records.raw_body(place))
    record_arrays, record_blobs = records.parts()
    lengths = np.concatenate(text_lengths)
    arrays = {
        "keys": _kept(parts, "keys"),
        "offsets": np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
        **grams,
        **words,
        "lengths": _kept(parts, "lengths"),
        "samples": samples,
        "sample_starts": np.concatenate(([0], np.cumsum(np.concatenate(sample_counts)))).astype(np.int64),
        "sketch_sizes": _kept(parts, "sketch_sizes"),
        "sketch_parts": _kept(parts, "sketch_parts"),
        **record_arrays,
    }
    name, digest = write_segment(directory, arrays, {"text": text_chunks, **record_blobs})
    return SegmentEntry(name, count, chars, digest)


def _kept(parts: Sequence[MergePart], name: str) -> np.ndarray:
    """A per-document array of the merged segment: the parts' kept rows, in order."""
    return np.concatenate([getattr(p.segment, name)[p.keep] for p in parts])


def _runs(keep: np.ndarray) -> list[tuple[int, int]]:
    """The runs of consecutive kept places, as (first, past the last)."""
    edges = np.flatnonzero(np.diff(np.concatenate(([False], keep, [False])).astype(np.int8)))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


def _chars(blob: memoryview, offsets: np.ndarray, keep: np.ndarray) -> int:
    """Characters of the kept texts (TEXT_ENCODING is UTF-16): units, less one for each surrogate pair."""
    units = np.frombuffer(blob, dtype="<u2")
    highs = np.flatnonzero((units >= 0xD800) & (units < 0xDC00))
    owners = np.searchsorted(offsets // 2, highs, side="right") - 1
    return int(np.diff(offsets)[keep].sum()) // 2 - int(keep[owners].sum())


def _code_chunks(starts: np.ndarray) -> list[tuple[int, int]]:
    """Ranges of codes whose postings number about POSTINGS_CHUNK (a code's postings are never split)."""
    codes = len(starts) - 1
    cuts = np.searchsorted(starts[:-1], np.arange(0, int(starts[-1]), POSTINGS_CHUNK), side="right") - 1
    bounds = np.unique(np.concatenate((cuts[cuts >= 0], [0, codes])))
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))


@dataclass
class PostingsTable:
    """One part's postings: sorted codes, where each code's postings start, its documents for a range of
    codes (decoded as needed: bitmaps stay bitmaps until their range is merged), and per-posting values."""

    codes: np.ndarray
    starts: np.ndarray
    docs_between: Callable[[int, int], np.ndarray]
    values: np.ndarray | None = None

    @classmethod
    def of_words(cls, segment: Segment) -> PostingsTable:
        """A segment's word postings, with their counts."""
        starts, docs = segment.word_starts, segment.word_docs
        return cls(segment.words, starts, lambda first, last: docs[int(starts[first]):int(starts[last])],
                   segment.word_counts)


def _merge_grams(tables: list[PostingsTable], new_places: list[np.ndarray], doc_dtype,
                 documents: int) -> dict[str, np.ndarray | list[np.ndarray]]:
    """The merged segment's bigram arrays (literal.split_codes and literal.split_dense), each range of
    codes split into bitmaps and document lists as it is merged; the larger ones as their ranges'
    pieces (write_pack joins them)."""
    width, offset = (documents + 7) // 8, 0
    codes, counts, sparse = [np.zeros(0, np.uint64)], [np.zeros(0, np.int64)], [np.zeros(0, doc_dtype)]
    dense_at, dense_counts, bits = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros((0, width), np.uint8)]
    for range_codes, range_counts, docs, _ in _merge_postings(tables, new_places, doc_dtype):
        split = split_dense(_starts([range_counts]), docs, documents)
        sparse.append(split["docs"])
        dense_at.append(split["dense_at"].astype(np.int64) + offset)
        dense_counts.append(range_counts[split["dense_at"]])
        bits.append(split["dense_bits"])
        codes.append(range_codes)
        counts.append(range_counts)
        offset += len(range_codes)
    return {**split_codes(np.concatenate(codes)), "starts": _starts(counts), "docs": sparse,
            "dense_at": np.concatenate(dense_at).astype(np.uint32),
            "dense_skip": _starts(dense_counts).astype(np.int64), "dense_bits": bits}


def _merge_words(tables: list[PostingsTable], new_places: list[np.ndarray], doc_dtype
                 ) -> dict[str, np.ndarray | list[np.ndarray]]:
    """The merged segment's word arrays (the postings as their ranges' pieces)."""
    merged = list(zip(*_merge_postings(tables, new_places, doc_dtype)))
    if not merged:
        return {"words": tables[0].codes[:0], "word_starts": np.zeros(1, np.uint32),
                "word_docs": np.zeros(0, doc_dtype), "word_counts": np.zeros(0, np.uint8)}
    codes, counts, docs, values = merged
    return {"words": np.concatenate(codes), "word_starts": _starts(counts), "word_docs": list(docs),
            "word_counts": list(values)}


def _starts(counts: Sequence[np.ndarray]) -> np.ndarray:
    """Where each code's postings start (and past the last), from the ranges' counts."""
    return np.concatenate(([0], np.cumsum(np.concatenate(counts)))).astype(np.uint32)


def _merge_postings(tables: list[PostingsTable], new_places: list[np.ndarray], doc_dtype
                    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]]:
    """The merged postings a range of the union's codes at a time, as (codes, counts, documents,
    values), each part's documents renumbered by `new_places` (-1: dropped); codes left with no
    posting are left out.

    Parts come in document order and a stable sort by code keeps that order within each code, so
    each code's documents stay sorted.
    """
    union = np.concatenate([table.codes for table in tables])
    union.sort()  # a sort and a pass: numpy's unique hashes 64-bit codes, many times slower
    union = union[run_starts(union)]
    where = [np.searchsorted(union, table.codes) for table in tables]
    sizes = np.zeros(len(union), dtype=np.int64)
    for table, at in zip(tables, where):
        sizes[at] += np.diff(table.starts.astype(np.int64))  # a table's codes are distinct
    for first, last in _code_chunks(np.concatenate(([0], np.cumsum(sizes)))):
        owners, docs, values = [], [], []
        for table, at, places in zip(tables, where, new_places):
            low, high = np.searchsorted(at, [first, last]).tolist()
            starts = table.starts[low:high + 1].astype(np.int64)
            renumbered = places[table.docs_between(low, high)]
            kept = renumbered >= 0
            owners.append(np.repeat(at[low:high] - first, np.diff(starts))[kept])
            docs.append(renumbered[kept])
            if table.values is not None:
                values.append(table.values[int(starts[0]):int(starts[-1])][kept])
        owner = np.concatenate(owners)
        order = np.argsort(owner, kind="stable")
        counts = np.bincount(owner, minlength=last - first)
        present = counts > 0
        yield (union[first:last][present], counts[present], np.concatenate(docs)[order].astype(doc_dtype),
               np.concatenate(values)[order] if values else None)
