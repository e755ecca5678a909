"""Export every hit of a query, with no page limit, as JSON Lines, CSV or Parquet, at the level of stories,
variants (with their full text) or occurrences. Rows are made and written one at a time, so memory stays
flat however many hits there are (Parquet holds one batch of rows at a time)."""
from __future__ import annotations

import csv
import io
from typing import IO, Any, Iterator

import numpy as np
import orjson

from search.counting import occurrences
from search.kwic import iter_lines
from search.rank import Matched
from search.request import ParameterError
from search.spread import spread
from search.term_scan import character_counts, character_table

FORMATS = ("jsonl", "csv", "parquet")
EXPORT_LEVELS = ("story", "variant", "occurrence")
# Rows per Parquet row group: some 10-40 MB of variant texts at a time.
PARQUET_BATCH = 4096
# Variant rows are looked up, and JSON Lines written, this many at a time (some 100-300 KB of text).
ROW_BATCH = 64
# Occurrence rows carry this much context on each side.
CONTEXT_CHARS = 30

# The columns of each level, in order, with their Parquet types (CSV and JSON Lines write the same names).
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "story": [("article_id", "string"), ("title", "string"), ("variants", "int64"), ("occurrences", "int64"),
              ("papers", "string"), ("first_printed", "string"), ("first_publication", "string")],
    "variant": [("variant_id", "string"), ("article_id", "string"), ("source", "string"), ("version", "int64"),
                ("publication", "string"), ("date", "string"), ("title", "string"), ("occurrences", "int64"),
                ("metadata", "string"), ("text", "string")],
    "occurrence": [("variant_id", "string"), ("article_id", "string"), ("source", "string"),
                   ("publication", "string"), ("date", "string"), ("left", "string"), ("match", "string"),
                   ("right", "string"), ("start", "int64"), ("end", "int64")],
}


def check_options(level: str, fmt: str) -> None:
    """ParameterError for a level or format that export does not write."""
    if level not in EXPORT_LEVELS:
        raise ParameterError(f"export level is one of {', '.join(EXPORT_LEVELS)}, not {level!r}")
    if fmt not in FORMATS:
        raise ParameterError(f"export format is one of {', '.join(FORMATS)}, not {fmt!r}")


def variant_rows(matched: Matched) -> Iterator[dict[str, Any]]:
    """One row per matched variant, in index order, with its full original text."""
    view = matched.view
    table, terms = character_table(matched.terms())
    publication, date = view.column("publication"), view.column("date")
    story_names, metadata_json = view.story_names, MetadataJson()
    for start in range(0, len(matched.docnums), ROW_BATCH):
        docnums = matched.docnums[start:start + ROW_BATCH]
        # Looked up a batch at a time: numpy's cost per call would be much of a row's work.
        stories = view.story_of[docnums].tolist()
        publications, dates = publication.codes[docnums].tolist(), date.codes[docnums].tolist()
        counted = character_counts(view, docnums, table).tolist()
        for (header, text, norm), story, published, dated, found in zip(view.variant_texts(docnums), stories,
                                                                        publications, dates, counted):
            yield {"variant_id": header.variant_id, "article_id": story_names[story],
                   "source": header.source, "version": header.version,
                   "publication": publication.values[published] if published >= 0 else None,
                   "date": date.values[dated] if dated >= 0 else None,
                   "title": header.title, "occurrences": found + sum(map(norm.count, terms)),
                   "metadata": metadata_json(header.metadata), "text": text}


class MetadataJson:
    """The JSON text of metadata objects, made once per object: a segment's headers share one object per
    page version, and it stays in the segment's table while the export runs (so its id is not reused)."""

    def __init__(self) -> None:
        self._made: dict[int, str] = {}

    def __call__(self, metadata: dict[str, Any]) -> str:
        made = self._made.get(id(metadata))
        if made is None:
            made = self._made[id(metadata)] = orjson.dumps(metadata, option=orjson.OPT_NON_STR_KEYS).decode()
        return made


def story_rows(matched: Matched) -> Iterator[dict[str, Any]]:
    """One row per matched story (first matched first): its title, matched variants, occurrences, papers."""
    view = matched.view
    stories = matched.stories()
    found = occurrences(view, matched.docnums, matched.terms())
    order = np.argsort(stories, kind="stable")
    bounds = np.flatnonzero(np.diff(stories[order])) + 1
    groups = np.split(order, bounds) if len(order) else []
    for group in sorted(groups, key=lambda g: int(g[0])):
        members = matched.docnums[group]
        printed = spread(view, members)
        title = next((t for t in (view.header(d).title for d in members.tolist()) if t), "")
        first = printed.first_printed
        yield {"article_id": view.story_names[int(stories[group[0]])], "title": title, "variants": len(members),
               "occurrences": int(found[group].sum()),
               "papers": "; ".join(p.publication or "(none)" for p in printed.papers),
               "first_printed": first.date if first else None,
               "first_publication": first.publication if first else None}


def occurrence_rows(matched: Matched) -> Iterator[dict[str, Any]]:
    """One row per occurrence, in date order, with its context."""
    for line in iter_lines(matched, CONTEXT_CHARS):
        yield line.__dict__.copy()


def rows(matched: Matched, level: str) -> Iterator[dict[str, Any]]:
    """The rows of one export level."""
    return {"story": story_rows, "variant": variant_rows, "occurrence": occurrence_rows}[level](matched)


def jsonl_chunks(records: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """JSON Lines, one row a line, UTF-8, in chunks of up to ROW_BATCH rows (one write each)."""
    lines: list[bytes] = []
    for record in records:
        lines.append(orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS))
        if len(lines) == ROW_BATCH:
            yield b"\n".join(lines) + b"\n"
            lines = []
    if lines:
        yield b"\n".join(lines) + b"\n"


def csv_chunks(records: Iterator[dict[str, Any]], level: str) -> Iterator[bytes]:
    """CSV with a header row, UTF-8 (quoted where a field holds commas, quotes or line breaks)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, [name for name, _ in COLUMNS[level]], lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(record)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_parquet(records: Iterator[dict[str, Any]], level: str, sink: IO[bytes] | str) -> int:
    """Write rows as a Parquet file in batches; returns how many rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in COLUMNS[level]])
    written = 0
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(record)
            if len(batch) >= PARQUET_BATCH:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                written += len(batch)
                batch = []
        if batch or not written:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            written += len(batch)
    return written
