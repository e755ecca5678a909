"""Write variants, catalogue entries and literal segments in one atomic commit, under the write lock.

Versions: a changed source gets version N+1; the variants of version N stay
searchable but are re-added with latest=False, so the default search (latest
versions only) is a plain term filter. Each variant has a key that joins it to
its text in the literal index; the list of live literal segments is a whoosh
document, so it changes in the same commit. Story grouping state is a cache of
what the index stores (each variant's sketch and story id), rebuilt when
stale, so a crash between the commit and the cache write loses nothing.
"""
from __future__ import annotations

import os
import pickle
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from whoosh.index import LockError
from whoosh.searching import Searcher

from indexer.cluster import Sketch, StoryGrouper
from indexer.literal import LITERAL_DIR, Segment, SegmentBuilder
from indexer.metadata import index_terms
from indexer.prepare import PreparedPage, PreparedVariant, split_variant
from indexer.schema import MANIFEST, SOURCE, VARIANT
from indexer.store import (MANIFEST_ID, VIEW_CACHE_PREFIX, CorpusIndexError, IndexBusy, SourceRecord,
                           document_keys, open_index, open_or_create_index, read_catalogue, read_manifest)

GROUPER_CACHE = "stories.pickle"
# Bumped when StoryGrouper's state changes shape, so an older cache is rebuilt, not misread.
GROUPER_FORMAT = 4
# whoosh's writer buffer before it spills a sorted run to disk (it indexes only ids and filters).
WRITER_MEMORY_MB = 64
# A literal segment is written once this many characters are buffered: bounds indexing memory
# (building one takes about 45 bytes a character at its peak).
SEGMENT_CHARS = 4_000_000
# Merges never build a segment larger than this, for the same reason.
MERGED_SEGMENT_CHARS = 8_000_000
# More segments than this at a commit and the smallest older ones are merged into one.
MAX_SEGMENTS = 12


class IndexWriteFailed(CorpusIndexError):
    """Writing failed part-way; nothing of the session was committed."""


def variant_id(source: str, version: int, ordinal: int) -> str:
    """The id of one article variant: source, version and place on the page."""
    return f"{source}@{version}#{ordinal}"


def source_doc_id(source: str) -> str:
    """The unique key of a source's catalogue document."""
    return f"{SOURCE}:{source}"


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
            raise IndexBusy(f"{index_dir}: another corpus process is writing to this index; "
                            "try again when it has finished") from None
        self.searcher: Searcher = self.ix.searcher()
        self.catalogue: dict[str, SourceRecord] = read_catalogue(self.searcher)
        manifest = read_manifest(self.searcher)
        self.segments: list[str] = manifest["segments"]
        self.committed_segments = set(self.segments)
        self.removed_keys: set[int] = set()
        self.retired: list[str] = []
        self.next_key: int = manifest["next_key"]
        self.builder = SegmentBuilder()
        self._committed_keys: np.ndarray | None = None
        self._collect_garbage(set(manifest["segments"]) | set(manifest["retired"]))
        self.grouper = self._load_grouper(manifest["aliases"])
        self.changed = False

    def __enter__(self) -> "IndexSession":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.cancel()

    def _collect_garbage(self, keep: set[str]) -> None:
        """Delete literal files of no live or just-retired segment (left by merges or crashed runs).

        Segments retired by the previous commit are kept one more generation for
        readers that still use it.
        """
        if not self.literal_dir.is_dir():
            return
        for path in self.literal_dir.iterdir():
            if path.name.split(".")[0] not in keep:
                path.unlink(missing_ok=True)

    def committed_keys(self) -> np.ndarray:
        """The literal key of every committed document number (one pass over the column, then kept)."""
        if self._committed_keys is None:
            self._committed_keys = document_keys(self.searcher.reader())
        return self._committed_keys

    def _load_grouper(self, aliases: dict[str, str]) -> StoryGrouper:
        """The grouping state from its cache when it matches this index generation, else rebuilt."""
        cache = self.index_dir / GROUPER_CACHE
        generation = self.ix.latest_generation()
        try:
            with cache.open("rb") as handle:
                saved = pickle.load(handle)
            if saved.get("generation") == generation and saved.get("format") == GROUPER_FORMAT:
                return saved["grouper"]
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError, TypeError):
            pass
        grouper = StoryGrouper()
        grouper.aliases.update(aliases)
        for docnum in self.searcher.document_numbers(kind=VARIANT):
            stored = self.searcher.stored_fields(docnum)
            size, signature, part = stored["sketch"]
            grouper.add(stored["variant_id"], stored["article_id"], Sketch(signature, size, part))
        return grouper

    def _save_grouper(self) -> None:
        cache = self.index_dir / GROUPER_CACHE
        tmp = cache.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump({"generation": self.ix.latest_generation(), "format": GROUPER_FORMAT,
                         "grouper": self.grouper}, handle,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)

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
            stories.append(story)
            self._add_variant(vid, story, page, version, variant, terms)
        history = list(previous.history) if previous else []
        history.append({"version": version, "content_hash": page.content_hash, "indexed_at": _now(),
                        "articles": len(stories), "path": page.path})
        record = SourceRecord(page.source, version, page.content_hash, page.path, page.metadata,
                              len(stories), history[-1]["indexed_at"], history)
        self._write_source(record)
        self.catalogue[page.source] = record
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
        self.builder.add(key, variant.norm, variant.words, variant.grams)
        if self.builder.chars >= SEGMENT_CHARS:
            self._flush_segment()
        self.writer.add_document(
            kind=VARIANT, variant_id=vid, article_id=story, source=page.source, version=version,
            latest=True, ordinal=variant.ordinal, key=key, title=variant.title, text=variant.text,
            head_lines=variant.head_lines, offsets=variant.offsets,
            sketch=(variant.sketch.size, variant.sketch.signature, variant.sketch.part), metadata=page.metadata,
            **terms,
        )

    def _flush_segment(self) -> None:
        if len(self.builder):
            self.segments.append(self.builder.write(self.literal_dir))
            self.builder = SegmentBuilder()

    def _demote(self, source: str) -> None:
        """Re-add the source's current latest variants with latest=False (same keys: same literal text)."""
        keys = self.committed_keys()
        for docnum in list(self.searcher.document_numbers(kind=VARIANT, source=source, latest=True)):
            stored = dict(self.searcher.stored_fields(docnum))
            self.writer.delete_by_term("variant_id", stored["variant_id"])
            stored.update(latest=False, key=int(keys[docnum]), **index_terms(stored.get("metadata") or {}))
            self.writer.add_document(**stored)

    def _write_source(self, record: SourceRecord) -> None:
        self.writer.update_document(
            kind=SOURCE, variant_id=source_doc_id(record.source), source=record.source,
            version=record.version, content_hash=record.content_hash, path=record.path,
            metadata=record.metadata, articles=record.articles, indexed_at=record.indexed_at,
            history=record.history,
        )

    def remove_source(self, source: str) -> bool:
        """Delete every version of a source and its catalogue entry; False when it is not indexed.

        Its texts stay in the literal segments until a merge drops them: whoosh
        no longer holds their keys, so searches ignore them.
        """
        if source not in self.catalogue:
            return False
        keys = self.committed_keys()
        for docnum in self.searcher.document_numbers(kind=VARIANT, source=source):
            self.grouper.remove(self.searcher.stored_fields(docnum)["variant_id"])
            self.removed_keys.add(int(keys[docnum]))
        self.writer.delete_by_term("source", source)
        del self.catalogue[source]
        self.changed = True
        return True

    def _merge_segments(self) -> None:
        """Merge the smallest committed literal segments into one when there are too many, keeping live texts.

        This session's own segments hold only live texts and are left alone.
        """
        if len(self.segments) <= MAX_SEGMENTS:
            return
        older = [name for name in self.segments if name in self.committed_segments]
        opened = sorted((Segment(self.literal_dir, name) for name in older), key=lambda s: len(s.text))
        merging: list[Segment] = []
        size = 0
        for segment in opened:  # the smallest first, while the merged one stays small enough to build
            size += len(segment.text) // 3  # UTF-8 bytes to characters, near enough for Chinese
            if len(merging) >= 2 and size > MERGED_SEGMENT_CHARS:
                break
            merging.append(segment)
        if len(merging) < 2:
            return
        live_keys = set(self.committed_keys().tolist()) - self.removed_keys
        merged = SegmentBuilder()
        for segment in merging:
            for key, text, words in segment.documents():
                if key in live_keys:
                    merged.add(key, text, words)
        names = {s.name for s in merging}
        self.segments = [name for name in self.segments if name not in names]
        if len(merged):
            self.segments.append(merged.write(self.literal_dir))
        self.retired += sorted(names)

    def commit(self) -> None:
        """Make everything added visible at once, then refresh the grouping cache; a no-op if nothing changed."""
        if not self.changed:
            self.searcher.close()
            self.writer.cancel()
            return
        self._flush_segment()
        self._merge_segments()
        self.searcher.close()
        self.writer.update_document(kind=MANIFEST, variant_id=MANIFEST_ID, next_key=self.next_key,
                                    segments={"live": self.segments, "retired": self.retired},
                                    aliases=self.grouper.aliases)
        self.writer.commit()
        self._save_grouper()
        generation = self.ix.latest_generation()
        for cache in self.index_dir.glob(f"{VIEW_CACHE_PREFIX}*.npz"):  # readers' caches of older generations
            if not cache.name.startswith(f"{VIEW_CACHE_PREFIX}{generation}."):
                cache.unlink(missing_ok=True)

    def cancel(self) -> None:
        """Drop everything added in this session and release the lock (the next session deletes its segments)."""
        if not self.searcher.is_closed:
            self.searcher.close()
        self.writer.cancel()

    def stats(self) -> dict[str, Any]:
        """Counts of the grouping state: variants and stories (including this session's)."""
        return {"variants": len(self.grouper), "stories": len(self.grouper.stories())}

