"""Pack files: named numpy arrays and byte strings in one checksummed, memory-mappable file.

An index is data a researcher may be handed by someone else, so nothing in it
is executable: a pack is a fixed magic, a JSON directory of its parts (name,
plain numeric dtype, shape, offset, length) and the parts' raw bytes, each
aligned for numpy. Opening one maps it and hands out array views without
copying. Every pack's size and xxh3-128 digest are recorded in the index
manifest when it is written; `verify` recomputes the digest (some 30 GB/s
from the page cache), which is how a flipped bit or a truncated file is found
before anything is read from it.
"""
from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import orjson
import xxhash

MAGIC = b"CORPUSPK"
VERSION = 1
ALIGN = 64
# Plain numbers only: a dtype from the file is never allowed to be an object dtype.
DTYPES = frozenset({"|u1", "<u2", "<u4", "<u8", "|i1", "<i2", "<i4", "<i8", "<f4", "<f8"})
_PREAMBLE = len(MAGIC) + 8  # magic, version (uint32), directory length (uint32)
DIGEST_WINDOW = 16 << 20  # bytes of a file hashed at a time (a multiple of the page size)


class PackError(Exception):
    """A pack file that is missing, truncated, damaged or not a pack; the message is one line."""


@dataclass(frozen=True)
class FileDigest:
    """What the manifest records of a file: its size in bytes and its xxh3-128 digest (hex)."""

    size: int
    xxh3: str

    def to_dict(self) -> dict[str, int | str]:
        return {"size": self.size, "xxh3": self.xxh3}

    @classmethod
    def from_dict(cls, data: Mapping) -> "FileDigest":
        return cls(int(data["size"]), str(data["xxh3"]))


def digest_bytes(data) -> str:
    """The xxh3-128 digest of a buffer, as hex."""
    return xxhash.xxh3_128(data).hexdigest()


def digest_file(path: Path) -> FileDigest:
    """Size and digest of a file on disk, read through a mapping a window at a time, each window's pages let
    go of once hashed: a reader opening an index verifies every pack, and holding them all mapped made that
    the peak of its memory (443 MB for an export at 100k variants whose streaming took 140 MB)."""
    hasher = xxhash.xxh3_128()
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if not size:
            return FileDigest(0, digest_bytes(b""))
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            with memoryview(mapped) as whole:
                for start in range(0, size, DIGEST_WINDOW):
                    with whole[start:start + DIGEST_WINDOW] as window:
                        hasher.update(window)
                    mapped.madvise(mmap.MADV_DONTNEED, start, min(DIGEST_WINDOW, size - start))
    return FileDigest(size, hasher.hexdigest())


def fsync_path(path: Path) -> None:
    """Make a file's contents, or a rename or a new file in a directory, durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> FileDigest:
    """Write a whole file through a temporary name, fsynced, so it is either complete or absent."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return FileDigest(len(data), digest_bytes(data))


def write_pack(path: Path, arrays: Mapping[str, np.ndarray | Sequence[np.ndarray]],
               blobs: Mapping[str, bytes | Sequence[bytes | memoryview]]) -> FileDigest:
    """Write arrays and byte strings as one pack at `path` (complete or absent); returns its digest.

    An array may be given as a sequence of arrays of one dtype, stored as their concatenation along the
    first axis, and a byte string as a sequence of buffers written one after another: a merge passes
    its postings as the ranges it merged and slices of the packs it reads, never gathering them in memory.
    """
    parts: dict[str, dict] = {}
    payload: list[bytes | memoryview] = []
    offset = 0
    for name, value in [*arrays.items(), *blobs.items()]:
        if name in parts:
            raise ValueError(f"pack part {name!r} given twice")
        if name in arrays:
            pieces = [_plain(name, piece) for piece in ([value] if isinstance(value, np.ndarray) else value)]
            if not pieces or len({(piece.dtype.str, piece.shape[1:]) for piece in pieces}) != 1:
                raise ValueError(f"pack part {name!r} is not one dtype and shape")
            chunks: list[bytes | memoryview] = [memoryview(piece).cast("B") for piece in pieces if piece.size]
            shape = [sum(len(piece) for piece in pieces), *pieces[0].shape[1:]] if pieces[0].ndim else []
            parts[name] = {"dtype": pieces[0].dtype.str, "shape": shape, "offset": offset}
        else:
            chunks = [value] if isinstance(value, (bytes, memoryview)) else list(value)
            parts[name] = {"offset": offset}
        nbytes = sum(len(chunk) for chunk in chunks)
        parts[name]["nbytes"] = nbytes
        payload.extend(chunks)
        offset += nbytes
        padding = -offset % ALIGN
        payload.append(b"\0" * padding)
        offset += padding
    directory = orjson.dumps({"version": VERSION, "parts": parts})
    start = _PREAMBLE + len(directory)
    start += -start % ALIGN
    head = MAGIC + np.array([VERSION, len(directory)], dtype="<u4").tobytes() + directory
    head += b"\0" * (start - len(head))
    hasher = xxhash.xxh3_128()
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        for chunk in (head, *payload):
            handle.write(chunk)
            hasher.update(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return FileDigest(start + offset, hasher.hexdigest())


def _plain(name: str, array: np.ndarray) -> np.ndarray:
    """An array as a pack stores it: contiguous, little-endian, a plain number type."""
    array = np.ascontiguousarray(array)
    dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
    if dtype.str not in DTYPES:
        raise ValueError(f"pack part {name!r} has dtype {dtype.str}, not a plain number")
    return array.astype(dtype, copy=False)


class Pack:
    """A pack opened for reading: its parts as read-only array views and memoryviews of one mapping."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as handle:
                self.size = os.fstat(handle.fileno()).st_size
                if self.size < _PREAMBLE:
                    raise PackError(f"{path}: truncated pack file ({self.size} bytes)")
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError as exc:
            raise PackError(f"{path}: cannot open pack file ({exc.strerror or exc})") from None
        if self._map[:len(MAGIC)] != MAGIC:
            raise PackError(f"{path}: not a pack file")
        version, length = np.frombuffer(self._map, dtype="<u4", count=2, offset=len(MAGIC)).tolist()
        if version != VERSION or _PREAMBLE + length > self.size:
            raise PackError(f"{path}: unknown pack version {version} or truncated directory")
        try:
            directory = orjson.loads(self._map[_PREAMBLE:_PREAMBLE + length])
            self.parts: dict[str, dict] = dict(directory["parts"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise PackError(f"{path}: damaged pack directory") from None
        start = _PREAMBLE + length
        self._start = start + (-start % ALIGN)
        for name, part in self.parts.items():
            end = self._start + int(part.get("offset", -1)) + int(part.get("nbytes", -1))
            if part.get("offset", -1) < 0 or end > self.size or ("dtype" in part and part["dtype"] not in DTYPES):
                raise PackError(f"{path}: part {name!r} is damaged or lies past the end of the file")

    def __contains__(self, name: str) -> bool:
        return name in self.parts

    @property
    def mapping(self) -> mmap.mmap:
        """The whole file, mapped read-only (for searching a byte part in place)."""
        return self._map

    def release(self, start: int, end: int) -> None:
        """Drop the pages lying wholly within bytes start..end of the file from this process's memory: they
        are read again (from the page cache, mostly) when next touched. A read of every text, an export,
        keeps its memory flat so, where the mapped pages it has read would otherwise all count as its own."""
        first = -(-start // mmap.PAGESIZE) * mmap.PAGESIZE
        last = end // mmap.PAGESIZE * mmap.PAGESIZE
        if last > first:
            self._map.madvise(mmap.MADV_DONTNEED, first, last - first)

    def start(self, name: str) -> int:
        """Where a part's bytes start in the file."""
        return self._start + int(self._part(name)["offset"])

    def _part(self, name: str) -> dict:
        try:
            return self.parts[name]
        except KeyError:
            raise PackError(f"{self.path}: has no part {name!r}") from None

    def array(self, name: str) -> np.ndarray:
        """A read-only view of an array part."""
        part = self._part(name)
        dtype = np.dtype(part["dtype"])
        shape = tuple(int(n) for n in part["shape"])
        count = int(np.prod(shape)) if shape else 1
        if count * dtype.itemsize != part["nbytes"]:
            raise PackError(f"{self.path}: part {name!r} does not hold its shape")
        if not count:
            return np.zeros(shape, dtype=dtype)
        return np.frombuffer(self._map, dtype=dtype, count=count, offset=self._start + part["offset"]).reshape(shape)

    def blob(self, name: str) -> memoryview:
        """A read-only view of a byte-string part."""
        part = self._part(name)
        start = self._start + part["offset"]
        return memoryview(self._map)[start:start + part["nbytes"]]

    def verify(self, expected: FileDigest) -> None:
        """Raise PackError unless the file has the size and digest the manifest recorded."""
        if self.size != expected.size:
            raise PackError(f"{self.path}: {self.size} bytes, the manifest says {expected.size} (truncated or replaced)")
        if digest_bytes(self._map) != expected.xxh3:
            raise PackError(f"{self.path}: checksum mismatch (the file is damaged)")
