"""Open or create the on-disk index and read its catalogue of sources."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.searching import Searcher

from indexer.schema import MANIFEST, SOURCE, build_schema
from indexer.storage import SegmentStorage

# Relative to the working directory: run from the project root, that is the project's index/.
# Keys of the literal index are positive and far below this; anything else is a column default.
MAX_KEY = 1 << 40
MANIFEST_ID = f"{MANIFEST}:literal"
# Readers cache per-generation arrays in files with this prefix (see search/view.py); writers delete stale ones.
VIEW_CACHE_PREFIX = "view-"
DEFAULT_INDEX = Path("index")
INDEX_ENV = "CORPUS_INDEX"


class CorpusIndexError(Exception):
    """Base of index errors whose message is one line for the user."""


class IndexMissing(CorpusIndexError):
    """No index exists at the given path yet."""


class IndexBusy(CorpusIndexError):
    """Another process holds the index's write lock."""


class NotAnIndex(CorpusIndexError):
    """The path exists but holds something other than a corpus index."""


@dataclass
class SourceRecord:
    """A source in the catalogue: its latest version and what every version was."""

    source: str
    version: int
    content_hash: str
    path: str
    metadata: dict[str, Any]
    articles: int
    indexed_at: str
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form shared by the CLI and the HTTP endpoint."""
        return {
            "source": self.source,
            "version": self.version,
            "versions": self.history,
            "content_hash": self.content_hash,
            "path": self.path,
            "articles": self.articles,
            "indexed_at": self.indexed_at,
            "metadata": self.metadata,
        }


def resolve_index_dir(index_dir: str | Path | None) -> Path:
    """The index directory: the argument, else $CORPUS_INDEX, else ./index."""
    if index_dir:
        return Path(index_dir)
    if os.environ.get(INDEX_ENV):
        return Path(os.environ[INDEX_ENV])
    return DEFAULT_INDEX


def _holds_index(index_dir: Path) -> bool:
    """Whether the directory holds a whoosh index (which may still fail to open)."""
    return index_dir.is_dir() and any(p.name.endswith(".toc") for p in index_dir.iterdir())


def open_index(index_dir: Path) -> Index:
    """Open an existing index for reading; IndexMissing when there is none, NotAnIndex when it is unreadable."""
    if not _holds_index(index_dir):
        raise IndexMissing(f"no index at {index_dir}: run 'corpus index PATH' first")
    try:
        return SegmentStorage(str(index_dir)).open_index()
    except Exception as exc:  # a damaged directory, or one written by an incompatible version
        raise NotAnIndex(f"{index_dir}: cannot open index ({type(exc).__name__}: {exc}); "
                         "rebuild it with 'corpus index' into an empty directory") from None


def open_or_create_index(index_dir: Path) -> Index:
    """Open the index, creating it (and its directory) when it does not exist yet."""
    if index_dir.exists() and not index_dir.is_dir():
        raise NotAnIndex(f"{index_dir}: exists and is not a directory")
    if _holds_index(index_dir):
        return open_index(index_dir)
    if index_dir.is_dir() and any(index_dir.iterdir()):
        raise NotAnIndex(f"{index_dir}: directory is not empty and holds no corpus index")
    index_dir.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(index_dir), build_schema())


def source_record(stored: dict[str, Any]) -> SourceRecord:
    """A catalogue record from a source document's stored fields."""
    return SourceRecord(
        source=stored["source"],
        version=stored["version"],
        content_hash=stored["content_hash"],
        path=stored.get("path", ""),
        metadata=stored.get("metadata") or {},
        articles=stored.get("articles", 0),
        indexed_at=stored.get("indexed_at", ""),
        history=stored.get("history") or [],
    )


def read_catalogue(searcher: Searcher) -> dict[str, SourceRecord]:
    """Every source in the index, by id."""
    records = {}
    for docnum in searcher.document_numbers(kind=SOURCE):
        record = source_record(searcher.stored_fields(docnum))
        records[record.source] = record
    return records


def column_by_docnum(reader, field: str, default, dtype=object) -> np.ndarray:
    """A column's value for every document number, `default` where a segment has no such column."""
    values = np.full(reader.doc_count_all(), default, dtype=dtype)
    for leaf, offset in reader.leaf_readers():
        if leaf.has_column(field):
            count = leaf.doc_count_all()
            values[offset:offset + count] = np.fromiter(leaf.column_reader(field), dtype=dtype, count=count)
    return values


def document_keys(reader) -> np.ndarray:
    """The literal-index key of every document number; 0 for deleted documents and those without a key."""
    keys = column_by_docnum(reader, "key", 0, np.int64)
    live = np.zeros(len(keys), dtype=bool)
    live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
    keys[~live | (keys < 1) | (keys >= MAX_KEY)] = 0
    return keys


def read_manifest(searcher: Searcher) -> dict[str, Any]:
    """The index manifest of the searcher's generation: live and retired literal segments, the next literal
    key, and the story aliases (absorbed story id -> the id it was merged into)."""
    stored = searcher.document(variant_id=MANIFEST_ID)
    if not stored:
        return {"segments": [], "retired": [], "next_key": 1, "aliases": {}}
    segments = stored.get("segments") or {}
    return {"segments": list(segments.get("live", [])), "retired": list(segments.get("retired", [])),
            "next_key": stored.get("next_key", 1), "aliases": dict(stored.get("aliases") or {})}


def resolve_story(aliases: dict[str, str], story_id: str) -> str:
    """The id a story is known by now: itself, unless it was absorbed into another story."""
    while story_id in aliases:
        story_id = aliases[story_id]
    return story_id
