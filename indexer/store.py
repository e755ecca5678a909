"""Open or create the on-disk index: whoosh's part (filters, ids, the commit point) and the manifest of its
generation, with every file checked against the digest the manifest recorded."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.index import TOC, FileIndex, Index
from whoosh.searching import Searcher

from indexer.errors import IndexCorrupt, IndexMissing, NotAnIndex
from indexer.manifest import Manifest, read_manifest
from indexer.pack import FileDigest, PackError, digest_file
from indexer.schema import build_schema
from indexer.storage import SegmentStorage
from indexer.unpickle_guard import install as guard_unpickling

guard_unpickling()

# Relative to the working directory: run from the project root, that is the project's index/.
DEFAULT_INDEX = Path("index")
INDEX_ENV = "CORPUS_INDEX"
# Keys of the literal index are positive and far below this; anything else is a column default.
MAX_KEY = 1 << 40
# Readers cache per-generation arrays in files with this prefix (see search/view.py); writers delete stale ones.
VIEW_CACHE_PREFIX = "view-"
WHOOSH_INDEX_NAME = "MAIN"
# Files this process has already checked against a manifest, by what identifies their contents on disk.
_verified: set[tuple[str, int, int, int, str]] = set()


def resolve_index_dir(index_dir: str | Path | None) -> Path:
    """The index directory: the argument, else $CORPUS_INDEX, else ./index."""
    if index_dir:
        return Path(index_dir)
    if os.environ.get(INDEX_ENV):
        return Path(os.environ[INDEX_ENV])
    return DEFAULT_INDEX


def toc_name(generation: int) -> str:
    """The file name of whoosh's table of contents for a generation."""
    return f"_{WHOOSH_INDEX_NAME}_{generation}.toc"


def _holds_index(index_dir: Path) -> bool:
    """Whether the directory holds a whoosh index (which may still fail to open)."""
    return index_dir.is_dir() and any(p.name.endswith(".toc") for p in index_dir.iterdir())


class _UncheckedIndex(FileIndex):
    """whoosh's FileIndex without the trial read of its latest TOC on opening: a TOC is read only once
    its digest has been checked against the manifest (see open_generation)."""

    def __init__(self, storage: SegmentStorage, schema, indexname: str) -> None:
        self.storage, self._schema, self.indexname = storage, schema, indexname


def open_index(index_dir: Path) -> Index:
    """Open an existing index; IndexMissing when there is none.

    The schema is given, not read: whoosh would otherwise unpickle it from the index.
    """
    if not _holds_index(index_dir):
        raise IndexMissing(f"no index at {index_dir}: run 'corpus index PATH' first")
    return _UncheckedIndex(SegmentStorage(str(index_dir)), build_schema(), WHOOSH_INDEX_NAME)


def open_or_create_index(index_dir: Path) -> Index:
    """Open the index, creating it (and its directory) when it does not exist yet."""
    if index_dir.exists() and not index_dir.is_dir():
        raise NotAnIndex(f"{index_dir}: exists and is not a directory")
    if _holds_index(index_dir):
        return open_index(index_dir)
    if index_dir.is_dir() and any(index_dir.iterdir()):
        raise NotAnIndex(f"{index_dir}: directory is not empty and holds no corpus index")
    index_dir.mkdir(parents=True, exist_ok=True)
    whoosh_index.create_in(str(index_dir), build_schema(), WHOOSH_INDEX_NAME)
    return open_index(index_dir)


def whoosh_files(storage, segments) -> list[str]:
    """The files of whoosh's segments (one compound `.seg` file each, as this index writes them)."""
    return sorted(name for segment in segments for name in segment.list_files(storage))


def open_searcher(ix: Index, generation: int) -> tuple[Searcher, list[str]]:
    """A searcher over one generation and the files of whoosh's segments in it, read from its TOC.

    FileNotFoundError when a commit has removed that TOC since its generation was read.
    """
    try:
        toc = TOC.read(ix.storage, WHOOSH_INDEX_NAME, gen=generation, schema=ix._schema)
        reader = ix._reader(ix.storage, toc.schema, toc.segments, toc.generation)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise IndexCorrupt(f"{ix.storage.folder}: cannot read whoosh's table of contents "
                           f"({type(exc).__name__}: {exc})") from None
    return Searcher(reader, fromindex=ix), whoosh_files(ix.storage, toc.segments)


def verify_file(path: Path, expected: FileDigest, remember: bool = True) -> None:
    """Raise IndexCorrupt unless the file has the size and digest the manifest recorded.

    A file found intact is remembered by inode, size and modification time, so a process reading
    one generation after another reads each immutable file once (`remember=False` always reads it).
    """
    try:
        stat = path.stat()
    except OSError as exc:
        raise IndexCorrupt(f"{path}: missing ({exc.strerror or exc})") from None
    identity = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns, expected.xxh3)
    if remember and identity in _verified:
        return
    if stat.st_size != expected.size:
        raise IndexCorrupt(f"{path}: {stat.st_size} bytes, the manifest says {expected.size} (truncated or replaced)")
    try:
        actual = digest_file(path)
    except (OSError, PackError) as exc:
        raise IndexCorrupt(f"{path}: cannot read ({exc})") from None
    if actual.xxh3 != expected.xxh3:
        raise IndexCorrupt(f"{path}: checksum mismatch (the file is damaged)")
    _verified.add(identity)


def open_generation(ix: Index, index_dir: Path) -> tuple[Searcher, Manifest]:
    """A searcher over the latest generation and its manifest, whoosh's files checked against it before
    whoosh reads them. FileNotFoundError when a commit removed that generation meanwhile (open again)."""
    generation = ix.latest_generation()
    manifest = read_manifest(index_dir, generation)
    for name, digest in manifest.whoosh.items():
        verify_file(index_dir / name, digest)
    searcher, files = open_searcher(ix, generation)
    listed = sorted(name for name in manifest.whoosh if name != toc_name(generation))
    if generation and listed != files:
        searcher.close()
        raise IndexCorrupt(f"{index_dir}: whoosh's segment files {files} are not the manifest's {listed}")
    return searcher, manifest


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


def resolve_story(aliases: dict[str, str], story_id: str) -> str:
    """The id a story is known by now: itself, unless it was absorbed into another story."""
    seen = set()
    while story_id in aliases and story_id not in seen:
        seen.add(story_id)
        story_id = aliases[story_id]
    return story_id
