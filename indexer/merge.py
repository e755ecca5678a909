"""Segment merging: several segment packs made into one at the array level, and the policies choosing which.

A merge never reads a text as text nor segments one again: postings are
re-numbered and interleaved, per-document arrays concatenated, records carried
over as stored, and texts copied byte for byte from the packs' mappings
straight into the new pack. Documents that are no longer live (a removed
source) are dropped on the way. Memory is bounded by the merged segment's
postings and vocabulary, not by its texts: postings are remapped a few million
at a time, and the caps below bound a merged segment.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Sequence

import numpy as np

from indexer.documents import RecordWriter
from indexer.literal import Segment, split_codes, split_dense, write_segment
from indexer.manifest import SegmentEntry
from indexer.sorted_sets import run_starts

# Segments of one size tier merge once there are this many of them.
MERGE_FACTOR = 4
# Tier 0 holds segments below this many characters; each tier above holds MERGE_FACTOR times more.
TIER_BASE_CHARS = 1_000_000
# A merged segment never holds more: its postings and the temporaries remapping them are built in memory,
# some 7 bytes a character (a 49M-character merge of 54,830 documents peaked at 407 MB RSS, the process
# included), and its documents are numbered in 16 bits.
MERGED_MAX_CHARS = 80_000_000
MERGED_MAX_DOCUMENTS = 1 << 16
# Postings remapped at a time: bounds the temporary arrays of a merge (some 40 bytes a posting).
POSTINGS_CHUNK = 500_000


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
    grams = _merge_tables([(p.segment.grams, p.segment.starts, p.segment.docs, None) for p in parts],
                          new_places, doc_dtype)
    words = _merge_tables([(p.segment.words, p.segment.word_starts, p.segment.word_docs, p.segment.word_counts)
                           for p in parts], new_places, doc_dtype)
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
        **split_codes(grams[0]),
        "starts": grams[1],
        **split_dense(grams[1], grams[2], count),
        "words": words[0],
        "word_starts": words[1],
        "word_docs": words[2],
        "word_counts": words[3],
        "lengths": _kept(parts, "lengths"),
        "samples": np.concatenate(samples),
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


def _merge_tables(tables: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]],
                  new_places: list[np.ndarray], doc_dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One postings table (codes, starts, documents, values) from the parts' tables, each part's
    documents renumbered by `new_places` (-1: dropped).

    Two passes over each part: count the kept postings of every code of the union, then place each
    posting at its code's start plus what earlier parts put there. Parts come in document order, so each
    code's documents stay sorted.
    """
    union = np.concatenate([codes for codes, _, _, _ in tables])
    union.sort()  # a sort and a pass: numpy's unique hashes 64-bit codes, many times slower
    union = union[run_starts(union)]
    where = [np.searchsorted(union, codes) for codes, _, _, _ in tables]
    totals = np.zeros(len(union), dtype=np.int64)
    for (codes, starts, docs, _), at, places in zip(tables, where, new_places):
        for first, last in _code_chunks(starts):
            local, _, _ = _kept_postings(starts, docs, places, first, last)
            totals[at[first:last]] += np.bincount(local, minlength=last - first)
    fill = np.concatenate(([0], np.cumsum(totals)))
    out_docs = np.zeros(int(fill[-1]), dtype=doc_dtype)
    out_values = np.zeros(int(fill[-1]) if tables[0][3] is not None else 0, dtype=np.uint8)
    for (codes, starts, docs, values), at, places in zip(tables, where, new_places):
        for first, last in _code_chunks(starts):
            local, kept, renumbered = _kept_postings(starts, docs, places, first, last)
            counts = np.bincount(local, minlength=last - first)
            rank = np.arange(len(local)) - (np.cumsum(counts) - counts)[local]
            destination = fill[at[first:last]][local] + rank
            out_docs[destination] = renumbered
            if values is not None:
                out_values[destination] = values[int(starts[first]):int(starts[last])][kept]
            fill[at[first:last]] += counts
    present = totals > 0
    starts_out = np.concatenate(([0], np.cumsum(totals[present]))).astype(np.uint32)
    return union[present], starts_out, out_docs, out_values


def _kept_postings(starts: np.ndarray, docs: np.ndarray, places: np.ndarray, first: int,
                   last: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For codes first..last-1 of a part: the code (counted from `first`) of each kept posting, which of
    the range's postings are kept, and the kept postings' documents renumbered."""
    renumbered = places[docs[int(starts[first]):int(starts[last])]]
    kept = renumbered >= 0
    owner = np.repeat(np.arange(last - first), np.diff(starts[first:last + 1].astype(np.int64)))
    if kept.all():  # the usual case, and masking costs more than the rest
        return owner, kept, renumbered
    return owner[kept], kept, renumbered[kept]
