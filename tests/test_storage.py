"""The storage that reads compound segment sub-files by positional reads returns what whoosh's own readers do."""
from __future__ import annotations

import io
from pathlib import Path

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage

from indexer.schema import build_schema
from indexer.storage import SegmentStorage
from indexer.store import WHOOSH_INDEX_NAME


def _compound_names(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("*.seg"))


def test_sub_files_read_the_same_bytes_as_whoosh_mapped_ones(seed_index: Path) -> None:
    names = _compound_names(seed_index)
    assert names
    for name in names:
        ours = CompoundStorage(SegmentStorage(str(seed_index)).open_file(name), use_mmap=False)
        mapped = CompoundStorage(FileStorage(str(seed_index)).open_file(name), use_mmap=True)
        for sub in mapped.list():
            expected = mapped.open_file(sub).read()
            handle = ours.open_file(sub)
            assert handle.read() == expected
            # Out-of-order reads, across buffer refills, and from the end.
            middle = len(expected) // 2
            assert handle.get(middle, 20_000) == expected[middle:middle + 20_000]
            assert handle.get(0, 3) == expected[:3]
            handle.seek(-5, io.SEEK_END)
            assert handle.read() == expected[-5:]
            assert handle.get(len(expected), 10) == b""
        ours.close()
        mapped.close()


def test_documents_and_postings_match_a_mapped_index(seed_index: Path) -> None:
    ours = SegmentStorage(str(seed_index)).open_index(WHOOSH_INDEX_NAME, schema=build_schema()).searcher()
    mapped = FileStorage(str(seed_index)).open_index(WHOOSH_INDEX_NAME, schema=build_schema()).searcher()
    try:
        documents = sorted(ours.reader().all_doc_ids())
        assert documents and documents == sorted(mapped.reader().all_doc_ids())
        assert list(ours.reader().column_reader("key")) == list(mapped.reader().column_reader("key"))
        for field, word in list(ours.reader().all_terms())[:500]:
            assert list(ours.postings(field, word).items_as("weight")) == \
                list(mapped.postings(field, word).items_as("weight"))
    finally:
        ours.close()
        mapped.close()
