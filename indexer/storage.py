"""whoosh file storage whose compound segment files are read through buffered positional reads.

whoosh reads the sub-files of a compound segment (postings, stored fields)
either through a memory map, copying each sub-file whole into a BytesIO when
it opens it (a cold search paid 0.3 s for that at 100k variants), or through
a Python `SubFile` that seeks the shared file for every read, which unpickling
a posting block calls some twenty times. Handing whoosh a sub-file that is a C
`BufferedReader` over `os.pread` avoids both: nothing is copied up front, and
unpickling reads from the buffer without a Python call per read.
"""
from __future__ import annotations

import io
import os

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class _Region(io.RawIOBase):
    """A byte range of an open file, read with pread so that sub-files share no file position."""

    def __init__(self, fd: int, offset: int, length: int) -> None:
        super().__init__()
        self._fd, self._offset, self._length = fd, offset, length
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        wanted = max(0, min(len(buffer), self._length - self._position))
        data = os.pread(self._fd, wanted, self._offset + self._position)
        buffer[:len(data)] = data
        self._position += len(data)
        return len(data)

    def seek(self, position: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._length}[whence]
        self._position = max(0, base + position)
        return self._position

    def tell(self) -> int:
        return self._position


class _SegmentFile(StructFile):
    """A whoosh file that hands out its byte ranges as buffered sub-files (whoosh's CompoundStorage asks for `subset`)."""

    def subset(self, offset: int, length: int, name: str | None = None) -> StructFile:
        return StructFile(io.BufferedReader(_Region(self.file.fileno(), offset, length)), name=name)


class SegmentStorage(FileStorage):
    """A FileStorage whose compound segments are read through buffered positional reads."""

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False)

    def open_file(self, name: str, **kwargs) -> StructFile:
        return _SegmentFile(open(self._fpath(name), "rb"), name=name, **kwargs)
