"""Find input files and read them into pages with their metadata, refusing only what cannot be read as
text and warning, one line each, about what reading had to mend or leave out.

Bounds: a file over MAX_FILE_BYTES is refused before it is read, a page over
MAX_PAGE_CHARS after it is decoded, a sidecar over MAX_SIDECAR_BYTES is
ignored. Directories are walked without recursion, following symbolic links
to files and directories; a directory or file reached twice (a link to a
parent, two links to one file, overlapping arguments) is read once, under the
first path it was reached by.
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import orjson

from indexer.decode import NotText, decode
from indexer.metadata import metadata_problems
from indexer.records import Page

INPUT_SUFFIXES = (".txt", ".md")
SIDECAR_SUFFIX = ".meta.json"
# A newspaper page holds some 5,000 to 20,000 characters (the seed pages 3,000 to 7,000; the longest
# SogouC article 124,000). Preparing a page costs memory in proportion to its longest article, whose
# MinHash sketch for story grouping takes about 1.1 KB per distinct 4-gram: a one-article page of
# 500,000 characters peaks at 310 MB in 6 s (bench/bigline.py), one of a million at 620 MB, and the
# body of a 50 MB line (16 million characters) needed some 10 GB before this bound.
MAX_PAGE_CHARS = 500_000
# Files are read whole: 16 MiB leaves room for a page at MAX_PAGE_CHARS in any encoding with padding
# and whitespace, and bounds reading and decoding one at about 0.3 s and 160 MB (bench/bigline.py).
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_SIDECAR_BYTES = 1024 * 1024


class ReadError(Exception):
    """A file that cannot be read as a page: its path and why, one line for the user."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(path, reason)
        self.path, self.reason = path, reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class InputFile:
    """A file to index, the source id it will be indexed under, and the metadata it is given before its
    sidecar (from its path and --set) with any warning that took."""

    path: Path
    source: str
    relative: str  # its path below the directory given; its name when given by itself
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def discover(paths: list[Path], id_from: str = "stem") -> Iterator[InputFile | ReadError]:
    """Yield the input files under `paths` (files as given, directories walked), each directory's in
    sorted order; a path that cannot be read is yielded as a ReadError so the caller can report it and
    go on with the others."""
    seen: set[tuple[int, int]] = set()
    for root in paths:
        try:
            status = root.stat()
        except OSError as exc:
            yield ReadError(root, _reason(exc, "no such file or directory"))
            continue
        if stat.S_ISDIR(status.st_mode):
            if _first_visit(status, seen):
                yield from _walk(root, seen, id_from)
        elif _first_visit(status, seen):
            yield InputFile(root, source_id(root, root.parent, id_from), root.name)


def _first_visit(status: os.stat_result, seen: set[tuple[int, int]]) -> bool:
    identity = (status.st_dev, status.st_ino)
    if identity in seen:
        return False
    seen.add(identity)
    return True


def _walk(root: Path, seen: set[tuple[int, int]], id_from: str) -> Iterator[InputFile | ReadError]:
    """Input files below `root`, depth first in name order, with an explicit stack: a tree thousands of
    levels deep does not exhaust Python's recursion limit, and a directory reached again is skipped."""
    stack = [_entries(root)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if isinstance(entry, ReadError):
            yield entry
            continue
        path = Path(entry.path)
        try:
            status = entry.stat()  # follows a symbolic link
        except OSError as exc:
            if path.suffix.lower() in INPUT_SUFFIXES:
                yield ReadError(path, _reason(exc, "broken symbolic link"))
            continue
        if stat.S_ISDIR(status.st_mode):
            if _first_visit(status, seen):
                stack.append(_entries(path))
        elif path.suffix.lower() in INPUT_SUFFIXES and not path.name.endswith(SIDECAR_SUFFIX):
            if not stat.S_ISREG(status.st_mode):
                yield ReadError(path, "not a regular file")
            elif _first_visit(status, seen):
                yield InputFile(path, source_id(path, root, id_from), path.relative_to(root).as_posix())


def _entries(directory: Path) -> Iterator[os.DirEntry | ReadError]:
    """A directory's entries by name, or the error listing it."""
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        yield ReadError(directory, f"cannot list directory ({exc.strerror or exc})")
        return
    yield from entries


def _reason(exc: OSError, missing: str) -> str:
    if isinstance(exc, FileNotFoundError):
        return missing
    return f"cannot read ({exc.strerror or exc})"


def source_id(path: Path, root: Path, id_from: str = "stem") -> str:
    """A file's source id: its name without the suffix, or ("path") its path below `root` without it.

    Ids from paths keep files apart that share a name in different folders
    (pages/paper-a/p01.txt and pages/paper-b/p01.txt).
    """
    if id_from == "path":
        return path.relative_to(root).with_suffix("").as_posix()
    return path.stem


def read_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; raises ReadError.

    A file that changes while it is read (its size or modification time differ
    before and after, or it holds more or fewer bytes than its size says) is
    read again once, then refused.
    """
    for _ in range(2):
        try:
            # Non-blocking, so that a FIFO put in a file's place since discovery cannot hang the open.
            descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            raise ReadError(path, _reason(exc, "vanished (deleted after it was found)")) from None
        with open(descriptor, "rb", closefd=True) as handle:
            try:
                before = os.fstat(descriptor)
                if not stat.S_ISREG(before.st_mode):
                    raise ReadError(path, "not a regular file")
                if before.st_size > limit:
                    raise ReadError(path, f"file too large ({before.st_size:,} bytes, limit {limit:,})")
                raw = handle.read(limit + 1)
                after = os.fstat(descriptor)
            except OSError as exc:
                raise ReadError(path, f"cannot read ({exc.strerror or exc})") from None
        if len(raw) > limit:
            raise ReadError(path, f"file too large (grew past {limit:,} bytes while being read)")
        if before.st_size == after.st_size == len(raw) and before.st_mtime_ns == after.st_mtime_ns:
            return raw
    raise ReadError(path, "changed while being read, twice; index it again once it is written")


def read_sidecar(path: Path) -> tuple[dict[str, Any], list[str]]:
    """Metadata from `NAME.meta.json` beside `path` ({} when there is none) and one line for each problem.

    A sidecar that cannot be used whole (unreadable, over MAX_SIDECAR_BYTES,
    not UTF-8, not JSON, not a JSON object) is ignored and the page indexed
    without it; a value a filter cannot use is kept but left out of filters
    (see indexer.metadata).
    """
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not os.path.lexists(sidecar):
        return {}, []
    try:
        raw = read_file(sidecar, MAX_SIDECAR_BYTES)
    except ReadError as exc:
        return {}, [f"sidecar {sidecar.name}: {exc.reason}; ignored"]
    try:
        data = orjson.loads(raw.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        reason = " ".join(str(exc).split())
        return {}, [f"sidecar {sidecar.name} is not valid JSON ({reason}): ignored"]
    if not isinstance(data, dict):
        return {}, [f"sidecar {sidecar.name} holds a JSON {type(data).__name__}, not an object: ignored"]
    return data, [f"sidecar {sidecar.name}: {problem}" for problem in metadata_problems(data)]


def read_page(item: InputFile) -> tuple[Page, list[str]]:
    """Read one input file into a Page, with one line for each thing reading mended or left out; raises
    ReadError (one line) when it is not a page's text.

    The page's metadata is its sidecar's over what `item` was given (path and
    --set); its content hash covers the bytes and that metadata, so a change to
    either makes a new version.
    """
    raw = read_file(item.path)
    try:
        decoded = decode(raw)
    except NotText as exc:
        raise ReadError(item.path, str(exc)) from None
    if len(decoded.text) > MAX_PAGE_CHARS:
        raise ReadError(item.path, f"page too long ({len(decoded.text):,} characters, limit {MAX_PAGE_CHARS:,}); "
                        "split it into pages")
    sidecar, sidecar_warnings = read_sidecar(item.path)
    metadata = {**item.metadata, **sidecar}
    digest = hashlib.sha256(raw)
    if metadata:
        digest.update(orjson.dumps(metadata, option=orjson.OPT_SORT_KEYS))
    page = Page(source=item.source, path=os.fspath(item.path), text=decoded.text,
                content_hash=digest.hexdigest(), metadata=metadata)
    return page, [*decoded.warnings, *item.warnings, *sidecar_warnings]
