"""Write variants, catalogue entries and segment packs in one atomic commit, under the write lock.

Versions: a changed source gets version N+1; the variants of version N stay
searchable but their whoosh documents are re-added with latest=False, so the
default search (latest versions only) is a plain term filter. Each variant has
a key that joins its whoosh document to its record, text and postings in a
segment pack. The grouping state is rebuilt from the packs at the start of a
session (in bulk, about a second for 100,000 variants), so there is no cache
to go stale or to trust.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from whoosh.index import LockError
from whoosh.writing import NO_MERGE

from indexer.catalogue import SourceRecord, read_catalogue, write_catalogue
from indexer.cluster import StoryGrouper
from indexer.commit import publish
from indexer.documents import RecordHeader
from indexer.errors import IndexBusy, IndexCorrupt, IndexWriteFailed
from indexer.faults import MERGE_POINT, crash_point
from indexer.jumps import JumpBook
from indexer.literal import LITERAL_DIR, Segment, SegmentBuilder, SegmentDocument, open_segment
from indexer.merge import MergePart, merge_parts, plan_compaction, plan_tiered
from indexer.manifest import MANIFEST_PREFIX, Manifest, SegmentEntry, read_manifest
from indexer.metadata import index_terms
from indexer.prepare import PreparedPage, PreparedVariant, split_variant
from indexer.store import VIEW_CACHE_PREFIX, document_keys, open_index, open_or_create_index, verify_file

__all__ = ["IndexSession", "IndexWriteFailed", "variant_id"]

# whoosh's writer buffer before it spills a sorted run to disk (it indexes only ids and filters).
WRITER_MEMORY_MB = 64
# A segment is written once this many characters are buffered: bounds indexing memory
# (building one takes about 45 bytes a character at its peak).
SEGMENT_CHARS = 4_000_000


def variant_id(source: str, version: int, ordinal: int) -> str:
    """The id of one article variant: source, version and place on the page."""
    return f"{source}@{version}#{ordinal}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class IndexSession:
    """One writing session: holds the write lock from open to commit or cancel."""

    def __init__(self, index_dir: Path, wait_seconds: float = 0.0, create: bool = True) -> None:
        self.index_dir = index_dir
        self.literal_dir = index_dir / LITERAL_DIR
        self.ix = open_or_create_index(index_dir) if create else open_index(index_dir)
        try:
            self.writer = self.ix.writer(timeout=wait_seconds, limitmb=WRITER_MEMORY_MB)
        except LockError:
            waited = f", still after waiting {wait_seconds:g} s" if wait_seconds else ""
            raise IndexBusy(f"{index_dir}: locked by another corpus process that is writing to it{waited}; "
                            "try again when it has finished, or pass --wait SECONDS") from None
        except Exception as exc:  # whoosh could not read its table of contents
            raise IndexCorrupt(f"{index_dir}: cannot read whoosh's table of contents "
                               f"({type(exc).__name__}: {exc}); run 'corpus check'") from None
        try:
            self.base = read_manifest(index_dir, self.writer.generation - 1)
            for name, digest in self.base.whoosh.items():
                verify_file(index_dir / name, digest)
            self.catalogue: dict[str, SourceRecord] = read_catalogue(index_dir, self.base.generation,
                                                                     self.base.catalogue)
            self.searcher = self.ix.searcher()
            self.keys = document_keys(self.searcher.reader())  # docnum -> key, 0 for deleted documents
            self.committed = {entry.name: open_segment(index_dir, entry) for entry in self.base.segments}
            self.segments: list[SegmentEntry] = list(self.base.segments)
            self.retired: list[SegmentEntry] = []
            self.removed_keys: set[int] = set()
            self.next_key = self.base.next_key
            self.builder = SegmentBuilder()
            self._place_of_key: dict[int, tuple[Segment, int]] | None = None
            self._collect_garbage()
            self.grouper = self._load_grouper()
            self.jumps = JumpBook()
            self.changed = False
        except BaseException:
            self.cancel()
            raise

    def __enter__(self) -> "IndexSession":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.cancel()  # a no-op after a commit; otherwise nothing of the session is kept

    def _collect_garbage(self) -> None:
        """Delete what no live or just-retired generation uses: packs merged away, files of crashed runs.

        The previous generation's files are kept one more commit for readers still using it.
        """
        keep_segments = {e.name for e in self.base.segments} | {e.name for e in self.base.retired}
        if self.literal_dir.is_dir():
            for path in self.literal_dir.iterdir():
                if path.name.split(".")[0] not in keep_segments:
                    path.unlink(missing_ok=True)
        keep = {self.base.generation, self.base.generation - 1}
        for path in self.index_dir.iterdir():
            name = path.name
            if path.is_dir():
                continue  # literal/, and whoosh's scratch space (which this session's writer is using)
            if name.endswith(".tmp"):
                path.unlink(missing_ok=True)
            elif name.startswith((MANIFEST_PREFIX, "catalogue-")) and name.endswith(".json"):
                number = name.rsplit("-", 1)[1][:-len(".json")]
                if number.isdigit() and int(number) not in keep:
                    path.unlink(missing_ok=True)

    def _committed_documents(self) -> Iterator[tuple[int, Segment, int]]:
        """(key, segment, place) of every document whoosh holds, in key order (the order they were added)."""
        live = set(self.keys[self.keys > 0].tolist())
        found = [(key, segment, place) for segment in self.committed.values()
                 for place, key in enumerate(segment.keys.tolist()) if key in live]
        return iter(sorted(found, key=lambda item: item[0]))

    def _load_grouper(self) -> StoryGrouper:
        """The grouping state of every committed variant, built in bulk from the packs."""
        documents = list(self._committed_documents())
        headers = [segment.records.header(place) for _, segment, place in documents]
        sketches = [segment.sketch_at(place) for _, segment, place in documents]
        return StoryGrouper.load([h.variant_id for h in headers], [h.story for h in headers], sketches,
                                 self.base.aliases)

    def _place(self, key: int) -> tuple[Segment, int]:
        """The segment and place holding a committed key."""
        if self._place_of_key is None:
            self._place_of_key = {k: (segment, place) for k, segment, place in self._committed_documents()}
        return self._place_of_key[key]

    def _header(self, docnum: int) -> RecordHeader:
        segment, place = self._place(int(self.keys[docnum]))
        return segment.records.header(place)

    def add_version(self, page: PreparedPage) -> tuple[int, list[str]]:
        """Index a new version of a source; returns its version number and the story id of each variant."""
        previous = self.catalogue.get(page.source)
        version = previous.version + 1 if previous else 1
        if previous:
            self._demote(page.source)
        terms = index_terms(page.metadata)
        stories = []
        for variant in self._split_merged(page.variants):
            vid = variant_id(page.source, version, variant.ordinal)
            story = self.grouper.assign(vid, variant.sketch)
            self.jumps.record(page.metadata, variant.sketch.part, variant.jump, variant.title, story,
                              variant.sketch.size)
            stories.append(story)
            self._add_variant(vid, story, page, version, variant, terms)
        history = list(previous.history) if previous else []
        history.append({"version": version, "content_hash": page.content_hash, "indexed_at": _now(),
                        "articles": len(stories), "path": page.path})
        self.catalogue[page.source] = SourceRecord(page.source, version, page.content_hash, page.path, page.metadata,
                                                   len(stories), history[-1]["indexed_at"], history,
                                                   list(page.warnings))
        self.changed = True
        return version, stories

    def _split_merged(self, variants: list[PreparedVariant]) -> Iterator[PreparedVariant]:
        """The page's variants with each one that holds two indexed stories split in two, renumbered.

        A generator: each variant is grouped before the next is looked at, so the
        grouper's matches for a variant serve both the split and the grouping.
        """
        pending = list(reversed(variants))
        ordinal = 0
        while pending:
            variant = pending.pop()
            variant.ordinal = ordinal
            at = self.grouper.split_point(variant.sketch, variant.line_sketches)
            if at is not None:  # the second part may hold a third article
                variant, second = split_variant(variant, at)
                pending.append(second)
            ordinal += 1
            yield variant

    def _add_variant(self, vid: str, story: str, page: PreparedPage, version: int,
                     variant: PreparedVariant, terms: dict[str, str]) -> None:
        key = self.next_key
        self.next_key += 1
        header = RecordHeader(vid, page.source, version, variant.ordinal, story, variant.title, variant.head_lines,
                              variant.body_lines, page.metadata)
        self.builder.add(SegmentDocument(key, variant.norm, variant.words, header, variant.stored_body, variant.sketch,
                                         variant.grams))
        if self.builder.chars >= SEGMENT_CHARS:
            with self._writing():
                self._flush_segment()
        self.writer.add_document(variant_id=vid, article_id=story, source=page.source, latest=True, key=key,
                                 **terms)

    def _flush_segment(self) -> None:
        if len(self.builder):
            name, digest = self.builder.write(self.literal_dir)
            self.segments.append(SegmentEntry(name, len(self.builder), self.builder.chars, digest))
            self.builder = SegmentBuilder()
            crash_point("segment-written")

    def _demote(self, source: str) -> None:
        """Re-add the source's latest variants with latest=False (same keys: same record and text)."""
        for docnum in list(self.searcher.document_numbers(source=source, latest=True)):
            header = self._header(docnum)
            self.writer.delete_by_term("variant_id", header.variant_id)
            self.writer.add_document(variant_id=header.variant_id, article_id=header.story, source=source,
                                     latest=False, key=int(self.keys[docnum]), **index_terms(header.metadata))

    def remove_source(self, source: str) -> bool:
        """Delete every version of a source and its catalogue entry; False when it is not indexed.

        Its records stay in their segments until a merge drops them: whoosh no
        longer holds their keys, so searches ignore them.
        """
        if source not in self.catalogue:
            return False
        for docnum in self.searcher.document_numbers(source=source):
            self.grouper.remove(self._header(docnum).variant_id)
            self.removed_keys.add(int(self.keys[docnum]))
        self.writer.delete_by_term("source", source)
        del self.catalogue[source]
        self.changed = True
        return True

    def _live(self, segment: Segment) -> np.ndarray:
        """Which of a segment's documents are live: added in this session, or held by whoosh and not removed."""
        live = np.setdiff1d(self.keys[self.keys > 0], np.array(sorted(self.removed_keys), dtype=np.int64))
        return (segment.keys >= self.base.next_key) | np.isin(segment.keys, live)

    def _parts(self, entries: list[SegmentEntry]) -> list[MergePart]:
        """Segments to merge, with their live documents (this session's own segments opened here)."""
        segments = [self.committed.get(e.name) or Segment(self.literal_dir, e.name) for e in entries]
        return [MergePart(segment, self._live(segment)) for segment in segments]

    def _merge(self, parts: list[MergePart]) -> None:
        """Replace segments with one holding their live documents (the committed ones retire a generation later).

        Parts go in key order, so the merged segment holds its documents in the order they were added.
        """
        merged = merge_parts(sorted(parts, key=lambda part: int(part.segment.keys.min(initial=0))), self.literal_dir)
        crash_point(MERGE_POINT)
        names = {part.segment.name for part in parts}
        self.retired += [e for e in self.segments if e.name in names and e.name in self.committed]
        # This session's own segments merged away were never in a generation: no reader can hold them, and
        # left to the next session's garbage collection they doubled the index on disk after one large run.
        for name in names - self.committed.keys():
            for path in self.literal_dir.glob(f"{name}.*"):
                path.unlink(missing_ok=True)
        self.segments = [e for e in self.segments if e.name not in names] + ([merged] if merged else [])

    def _merge_tiers(self) -> None:
        """Merge segments of a size tier while one holds MERGE_FACTOR or more (merge.plan_tiered)."""
        while chosen := plan_tiered(self.segments):
            self._merge(self._parts(chosen))

    def compact(self) -> int:
        """Merge the segments as far as the caps allow, dropping removed texts; how many merges that took.

        whoosh's segments are left as they are, so its document numbers (which order tied results) stay.
        """
        groups = plan_compaction(self._parts(self.segments))
        with self._writing():
            for group in groups:
                self._merge(group)
        self.writer.mergetype = NO_MERGE
        self.changed = bool(groups)
        return len(groups)

    def commit(self) -> None:
        """Make everything added visible at once; a no-op (the lock released) if nothing changed.

        A write that fails (a full disk, a read-only file system) leaves the previous generation as it was.
        """
        if not self.changed:
            self.cancel()
            return
        generation = self.writer.generation
        for head, tail in self.jumps.pairs():
            self.grouper.join_continued(head.story, head.size, tail.story, tail.size)
        self.grouper.close_lookups()
        with self._writing():
            self._flush_segment()
            self._merge_tiers()
            manifest = Manifest(generation, self.segments, self.retired, self.next_key, dict(self.grouper.aliases),
                                write_catalogue(self.index_dir, generation, self.catalogue))
            crash_point("catalogue-written")
            self.searcher.close()
            publish(self.writer, self.index_dir, manifest, self.base.whoosh)
        crash_point("committed")
        for cache in self.index_dir.glob(f"{VIEW_CACHE_PREFIX}*.npz"):  # readers' caches of older generations
            if not cache.name.startswith(f"{VIEW_CACHE_PREFIX}{generation}."):
                cache.unlink(missing_ok=True)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Turn a failed write into one line saying that nothing was committed."""
        try:
            yield
        except OSError as exc:
            self.cancel()
            what = exc.strerror or type(exc).__name__
            raise IndexWriteFailed(f"{self.index_dir}: cannot write the index ({what}"
                                   f"{': ' + str(exc.filename) if exc.filename else ''}); nothing of this run was "
                                   "committed and the index is as it was") from None

    def cancel(self) -> None:
        """Drop everything added in this session and release the lock (the next session deletes its files)."""
        searcher = getattr(self, "searcher", None)
        if searcher is not None and not searcher.is_closed:
            searcher.close()
        writer = getattr(self, "writer", None)
        if writer is not None and not writer.is_closed:
            try:
                writer.cancel()
            except OSError:  # whoosh flushes on cancel too; on a full disk it fails, and the lock must still go
                writer._finish()

    def stats(self) -> dict[str, Any]:
        """Counts of the grouping state: variants and stories (including this session's)."""
        return {"variants": len(self.grouper), "stories": len(self.grouper.stories())}
