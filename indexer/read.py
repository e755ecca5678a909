"""Find input files and decode them robustly into pages with their sidecar metadata."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import orjson

from indexer.records import Page

INPUT_SUFFIXES = (".txt", ".md")
SIDECAR_SUFFIX = ".meta.json"
MAX_FILE_BYTES = 64 * 1024 * 1024
# A text file may hold a stray control character or two; more than this share is not text.
MAX_CONTROL_SHARE = 0.01
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


class ReadError(Exception):
    """A file that cannot be read as a page; the message is one line for the user."""


@dataclass
class InputFile:
    """A file to index and the source id it will be indexed under."""

    path: Path
    source: str


def discover(paths: list[Path], id_from: str = "stem") -> Iterator[InputFile | ReadError]:
    """Yield the input files under `paths` (files as given, directories recursively), sorted.

    A path that does not exist is yielded as a ReadError so the caller can
    report it and go on with the others.
    """
    for root in paths:
        if root.is_dir():
            found = sorted(
                p for p in root.rglob("*")
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.endswith(SIDECAR_SUFFIX)
            )
            for path in found:
                yield InputFile(path, source_id(path, root, id_from))
        elif root.is_file():
            yield InputFile(root, source_id(root, root.parent, id_from))
        else:
            yield ReadError(f"{root}: no such file or directory")


def source_id(path: Path, root: Path, id_from: str = "stem") -> str:
    """A file's source id: its name without the suffix, or ("path") its path below `root` without it.

    Ids from paths keep files apart that share a name in different folders
    (pages/paper-a/p01.txt and pages/paper-b/p01.txt).
    """
    if id_from == "path":
        return path.relative_to(root).with_suffix("").as_posix()
    return path.stem


def decode(raw: bytes, name: str) -> str:
    """Decode page bytes: UTF-8 with or without BOM, else GB18030; anything else is a ReadError."""
    if not raw.strip():
        raise ReadError(f"{name}: empty file")
    if b"\x00" in raw:
        raise ReadError(f"{name}: binary file (contains NUL bytes)")
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise ReadError(f"{name}: not valid UTF-8 or GB18030 text")
    if len(_CONTROL.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise ReadError(f"{name}: binary file (too many control characters)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReadError(f"{name}: empty file")
    return text


def read_sidecar(path: Path) -> dict[str, Any]:
    """Metadata from `NAME.meta.json` beside `path`, or {} when there is none."""
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        data = orjson.loads(sidecar.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ReadError(f"{sidecar}: invalid metadata JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ReadError(f"{sidecar}: metadata must be a JSON object")
    return {str(k): v for k, v in data.items()}


def read_page(item: InputFile) -> Page:
    """Read one input file into a Page; raises ReadError with a one-line message."""
    try:
        size = item.path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReadError(f"{item.path}: file too large ({size} bytes, limit {MAX_FILE_BYTES})")
        raw = item.path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{item.path}: cannot read ({exc.strerror or exc})") from None
    text = decode(raw, str(item.path))
    metadata = read_sidecar(item.path)
    digest = hashlib.sha256(raw)
    if metadata:
        digest.update(orjson.dumps(metadata, option=orjson.OPT_SORT_KEYS))
    return Page(
        source=item.source,
        path=os.fspath(item.path),
        text=text,
        content_hash=digest.hexdigest(),
        metadata=metadata,
    )
