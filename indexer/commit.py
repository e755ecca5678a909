"""The commit protocol: make a writing session's files durable, describe them in the generation's manifest,
then publish whoosh's table of contents, the one rename that makes the generation exist.

whoosh's own `commit()` renames its TOC into place without fsyncing anything
and leaves no room for files of ours in between. Here its steps run one by
one: merge and finish whoosh's segments, fsync every new file, write the
manifest (which lists the TOC's digest: its bytes are rendered in memory
first), then write the TOC durably. A process killed at any point before
that last rename leaves the previous generation as it was; a disk that fills
up fails a write before it, with the same result.
"""
from __future__ import annotations

from pathlib import Path

from whoosh.filedb.filestore import RamStorage
from whoosh.index import TOC, clean_files
from whoosh.writing import SegmentWriter

from indexer.faults import crash_point
from indexer.manifest import Manifest, write_manifest
from indexer.pack import FileDigest, digest_bytes, digest_file, fsync_path, write_durably
from indexer.store import WHOOSH_INDEX_NAME, toc_name, whoosh_files


def finish_whoosh(writer: SegmentWriter) -> list:
    """Merge and write whoosh's segments as `writer.commit()` would, without publishing them; the segment list."""
    segments = writer._merge_segments(None, None, None)
    if writer._added:
        segments.append(writer._finalize_segment())
    else:
        writer._close_segment()
    return segments


def publish(writer: SegmentWriter, index_dir: Path, manifest: Manifest, known: dict[str, FileDigest]) -> None:
    """Commit generation `manifest.generation`: whoosh's finished segments, the manifest, then the TOC.

    `known` holds digests of whoosh files already recorded by an earlier manifest (segment files never
    change once written), so only new files are read.
    """
    segments = finish_whoosh(writer)
    crash_point("whoosh-segments-written")
    ram = RamStorage()
    TOC(writer.schema, segments, writer.generation).write(ram, WHOOSH_INDEX_NAME)
    toc = ram.files[toc_name(writer.generation)]
    digests = {}
    for name in whoosh_files(writer.storage, segments):
        if name not in known:
            fsync_path(index_dir / name)
        digests[name] = known.get(name) or digest_file(index_dir / name)
    digests[toc_name(writer.generation)] = FileDigest(len(toc), digest_bytes(toc))
    manifest.whoosh = digests
    write_manifest(index_dir, manifest)
    fsync_path(index_dir)
    crash_point("manifest-written")
    write_durably(index_dir / toc_name(writer.generation), bytes(toc))
    fsync_path(index_dir)
    crash_point("toc-written")
    clean_files(writer.storage, WHOOSH_INDEX_NAME, writer.generation, segments)
    writer._finish()
