"""Write variants and catalogue entries to the index in one atomic commit, under the write lock.

Versions: a changed source gets version N+1; the variants of version N stay
searchable but are re-added with latest=False, so the default search (latest
versions only) is a plain term filter. Story grouping state is a cache of what
the index stores (each variant's sketch and story id), rebuilt when stale, so
a crash between the commit and the cache write loses nothing.
"""
from __future__ import annotations

import os
import pickle
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh.index import LockError
from whoosh.searching import Searcher

from indexer.analysis import words
from indexer.cluster import Sketch, StoryGrouper
from indexer.metadata import index_terms
from indexer.normalise import normalise_text
from indexer.prepare import PreparedPage, PreparedVariant
from indexer.schema import SOURCE, VARIANT
from indexer.store import IndexBusy, SourceRecord, open_index, open_or_create_index, read_catalogue

GROUPER_CACHE = "stories.pickle"
WRITER_MEMORY_MB = 256


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
        self.ix = open_or_create_index(index_dir) if create else open_index(index_dir)
        try:
            self.writer = self.ix.writer(timeout=wait_seconds, limitmb=WRITER_MEMORY_MB)
        except LockError:
            raise IndexBusy(f"{index_dir}: another corpus process is writing to this index; try again when it has finished") from None
        self.searcher: Searcher = self.ix.searcher()
        self.catalogue: dict[str, SourceRecord] = read_catalogue(self.searcher)
        self.grouper = self._load_grouper()
        self.changed = False

    def __enter__(self) -> "IndexSession":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.cancel()

    def _load_grouper(self) -> StoryGrouper:
        """The grouping state from its cache when it matches this index generation, else rebuilt."""
        cache = self.index_dir / GROUPER_CACHE
        generation = self.ix.latest_generation()
        try:
            with cache.open("rb") as handle:
                saved = pickle.load(handle)
            if saved.get("generation") == generation:
                return saved["grouper"]
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError, TypeError):
            pass
        grouper = StoryGrouper()
        for docnum in self.searcher.document_numbers(kind=VARIANT):
            stored = self.searcher.stored_fields(docnum)
            size, signature = stored["sketch"]
            grouper.add(stored["variant_id"], stored["article_id"], Sketch(signature, size))
        return grouper

    def _save_grouper(self) -> None:
        cache = self.index_dir / GROUPER_CACHE
        tmp = cache.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump({"generation": self.ix.latest_generation(), "grouper": self.grouper}, handle,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)

    def is_unchanged(self, source: str, content_hash: str) -> bool:
        """True when the source's latest indexed version has this content hash."""
        record = self.catalogue.get(source)
        return record is not None and record.content_hash == content_hash

    def add_version(self, page: PreparedPage) -> tuple[int, list[str]]:
        """Index a new version of a source; returns its version number and the story id of each variant."""
        previous = self.catalogue.get(page.source)
        version = previous.version + 1 if previous else 1
        if previous:
            self._demote(page.source)
        terms = index_terms(page.metadata)
        stories = []
        for variant in page.variants:
            vid = variant_id(page.source, version, variant.ordinal)
            story = self.grouper.assign(vid, variant.sketch)
            stories.append(story)
            self._add_variant(vid, story, page, version, variant, terms)
        history = list(previous.history) if previous else []
        history.append({"version": version, "content_hash": page.content_hash, "indexed_at": _now(),
                        "articles": len(page.variants), "path": page.path})
        record = SourceRecord(page.source, version, page.content_hash, page.path, page.metadata,
                              len(page.variants), history[-1]["indexed_at"], history)
        self._write_source(record)
        self.catalogue[page.source] = record
        self.changed = True
        return version, stories

    def _add_variant(self, vid: str, story: str, page: PreparedPage, version: int,
                     variant: PreparedVariant, terms: dict[str, str]) -> None:
        self.writer.add_document(
            kind=VARIANT, variant_id=vid, article_id=story, source=page.source, version=version,
            latest=True, ordinal=variant.ordinal, title=variant.title_words, _stored_title=variant.title,
            body=variant.body_words,
            chars=variant.norm, text=variant.text, head_lines=variant.head_lines, norm=variant.norm, offsets=variant.offsets,
            sketch=(variant.sketch.size, variant.sketch.signature), metadata=page.metadata, **terms,
        )

    def _demote(self, source: str) -> None:
        """Re-add the source's current latest variants with latest=False."""
        for docnum in list(self.searcher.document_numbers(kind=VARIANT, source=source, latest=True)):
            stored = dict(self.searcher.stored_fields(docnum))
            self.writer.delete_by_term("variant_id", stored["variant_id"])
            terms = index_terms(stored.get("metadata") or {})
            stored.update(latest=False, title=words(normalise_text(stored["title"])), _stored_title=stored["title"],
                          body=words(stored["norm"]), chars=stored["norm"], **terms)
            self.writer.add_document(**stored)

    def _write_source(self, record: SourceRecord) -> None:
        self.writer.update_document(
            kind=SOURCE, variant_id=source_doc_id(record.source), source=record.source,
            version=record.version, content_hash=record.content_hash, path=record.path,
            metadata=record.metadata, articles=record.articles, indexed_at=record.indexed_at,
            history=record.history,
        )

    def remove_source(self, source: str) -> bool:
        """Delete every version of a source and its catalogue entry; False when it is not indexed."""
        if source not in self.catalogue:
            return False
        for docnum in self.searcher.document_numbers(kind=VARIANT, source=source):
            self.grouper.remove(self.searcher.stored_fields(docnum)["variant_id"])
        self.writer.delete_by_term("source", source)
        del self.catalogue[source]
        self.changed = True
        return True

    def commit(self) -> None:
        """Make everything added visible at once, then refresh the grouping cache; a no-op if nothing changed."""
        self.searcher.close()
        if not self.changed:
            self.writer.cancel()
            return
        self.writer.commit()
        self._save_grouper()

    def cancel(self) -> None:
        """Drop everything added in this session and release the lock."""
        self.searcher.close()
        self.writer.cancel()

    def stats(self) -> dict[str, Any]:
        """Counts of the grouping state: variants and stories (including this session's)."""
        stories = {story for story, _ in self.grouper.members.values()}
        return {"variants": len(self.grouper), "stories": len(stories)}
