"""Per-variant records: what a result page, `corpus show` and an export need of each printing.

A record is split in two for reading speed. Its header (ids, title, line
counts, story, the index of its page's metadata) is one JSON line, read
whole for a page of results. Its body is the original text as printed, stored
as its edits from the normalised text the segment holds (indexer/original.py),
read only when a snippet or the full text is wanted. Metadata is per page
version, so a segment keeps each distinct metadata object once and headers
point at it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

_METADATA_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


@dataclass(frozen=True)
class RecordHeader:
    """A printing without its text: enough to label a result, filter it and group it again."""

    variant_id: str
    source: str
    version: int
    ordinal: int  # its place on the page
    story: str  # the story id it was given when indexed (resolve it through the manifest's aliases)
    title: str
    head_lines: int  # lines of its text that are the head (title, kicker, byline, dateline, marker)
    body_lines: int  # lines of body after the head; caption lines follow them
    metadata: dict[str, Any]


class RecordWriter:
    """Collects the records of one segment and lays them out as pack parts."""

    def __init__(self) -> None:
        # Joined as they come: orjson's output keeps a 4 KB buffer, and a merge writes tens of thousands.
        self.headers, self.bodies = bytearray(), bytearray()
        self.header_lengths: list[int] = []
        self.body_lengths: list[int] = []
        self.metadata: list[bytes] = []
        self._metadata_index: dict[bytes, int] = {}

    def add(self, header: RecordHeader, body: bytes) -> None:
        """Add a record: its header and its body (indexer.original.encode, or carried over from a segment)."""
        meta = orjson.dumps(header.metadata, option=_METADATA_OPTIONS)
        index = self._metadata_index.setdefault(meta, len(self.metadata))
        if index == len(self.metadata):
            self.metadata.append(meta)
        encoded = orjson.dumps({
            "id": header.variant_id, "source": header.source, "version": header.version,
            "ordinal": header.ordinal, "story": header.story, "title": header.title,
            "head": header.head_lines, "body": header.body_lines, "meta": index})
        self.headers += encoded
        self.header_lengths.append(len(encoded))
        self.bodies += body
        self.body_lengths.append(len(body))

    def parts(self) -> tuple[dict[str, np.ndarray], dict[str, bytes | memoryview]]:
        """The pack arrays and blobs holding every record added."""
        return ({"header_offsets": length_offsets(self.header_lengths),
                 "body_offsets": length_offsets(self.body_lengths)},
                {"headers": memoryview(self.headers), "bodies": memoryview(self.bodies),
                 "metadata": b"[" + b",".join(self.metadata) + b"]"})


def chunk_offsets(chunks: list[bytes]) -> np.ndarray:
    """Where each of the chunks starts once they are joined, and where the last ends."""
    return length_offsets([len(c) for c in chunks])


def length_offsets(lengths: list[int]) -> np.ndarray:
    """Where each of chunks of these lengths starts once they are joined, and where the last ends."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


class RecordReader:
    """The records of one segment, read lazily from its pack parts."""

    def __init__(self, header_offsets: np.ndarray, headers: memoryview, body_offsets: np.ndarray,
                 bodies: memoryview, metadata: memoryview) -> None:
        self.header_offsets, self.headers = header_offsets, headers
        self.body_offsets, self.bodies = body_offsets, bodies
        self._metadata_blob = metadata
        self._metadata: list[dict[str, Any]] | None = None

    def __len__(self) -> int:
        return len(self.header_offsets) - 1

    def metadata_table(self) -> list[dict[str, Any]]:
        """Every distinct metadata object of the segment (parsed once)."""
        if self._metadata is None:
            self._metadata = orjson.loads(self._metadata_blob)
        return self._metadata

    def header(self, place: int) -> RecordHeader:
        """The header of the segment's `place`-th record."""
        return self._header(orjson.loads(self.headers[self.header_offsets[place]:self.header_offsets[place + 1]]))

    def headers_at(self, places: np.ndarray) -> list[RecordHeader]:
        """The headers of many records, parsed as one JSON array (orjson's cost per call is most of a header's)."""
        starts, ends = self.header_offsets[places].tolist(), self.header_offsets[places + 1].tolist()
        joined = b",".join([self.headers[start:end] for start, end in zip(starts, ends)])
        return [self._header(raw) for raw in orjson.loads(b"[" + joined + b"]")]

    def _header(self, raw: dict[str, Any]) -> RecordHeader:
        return RecordHeader(raw["id"], raw["source"], raw["version"], raw["ordinal"], raw["story"], raw["title"],
                            raw["head"], raw["body"], self.metadata_table()[raw["meta"]])

    def raw_body(self, place: int) -> bytes:
        """The body as stored (the original text's edits from the normalised one: indexer.original)."""
        return bytes(self.bodies[self.body_offsets[place]:self.body_offsets[place + 1]])

    def raw_bodies(self, places: np.ndarray) -> list[memoryview]:
        """The bodies of many records as stored, as views of the pack (valid while the segment is open)."""
        starts, ends = self.body_offsets[places].tolist(), self.body_offsets[places + 1].tolist()
        return [self.bodies[start:end] for start, end in zip(starts, ends)]
