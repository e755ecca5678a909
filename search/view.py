"""A consistent read-only view of one index generation: the whoosh searcher, the segments (bigram and
word postings, texts, records), and the arrays that join them (document keys, story and field lengths of
each document, the word vocabulary, cached scopes). Every file is checked against the generation's
manifest before anything is read from it."""
from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Iterator

import numpy as np
from whoosh import query as wq
from whoosh.index import Index

from indexer.catalogue import catalogue_path
from indexer.documents import RecordHeader
from indexer.literal import LiteralIndex, Segment
from indexer.normalise import Normalised
from indexer.sorted_sets import find, intersect, locate
from indexer.store import (VIEW_CACHE_PREFIX, column_by_docnum, document_keys, open_generation, resolve_story,
                           verify_file)
from indexer.words import FIELDS
from search.columns import Column, build_column, facet_column
from search.postings import PostingCache, live_documents, vocabulary
from search.request import LATEST_VARIANTS, Facet

SCOPE_CACHE_SIZE = 32
# Filters are cached term by term: publications, dates and sources recur across queries in many
# combinations, and one term's documents come from its postings alone.
TERM_CACHE_SIZE = 1024


def _save_atomic(path: Path, **arrays: np.ndarray) -> None:
    """Write the cache whole or not at all; a read-only index just goes without it."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp.npz")
    try:
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


class View:
    """Everything a query needs from one generation; built once per generation and thread."""

    def __init__(self, ix: Index, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.searcher, self.manifest = open_generation(ix, index_dir)
        self.generation = self.manifest.generation
        try:
            if self.manifest.catalogue is not None:  # read only by sources and stats, but part of what is served
                verify_file(catalogue_path(index_dir, self.generation), self.manifest.catalogue)
            self.literal = LiteralIndex.open(index_dir, self.manifest.segments)
        except BaseException:
            self.searcher.close()
            raise
        self.aliases: dict[str, str] = self.manifest.aliases
        self._scopes: OrderedDict[object, np.ndarray] = OrderedDict()
        self._term_docs: OrderedDict[tuple[str, bytes], np.ndarray] = OrderedDict()
        self._by_story: np.ndarray | None = None
        self._columns: dict[str, Column] = {}
        self._facet_columns: dict[Facet, Column] = {}
        self._story_starts: np.ndarray | None = None
        # Whether the cut after a document is weak (search.joins), as worked out for earlier queries.
        self.weak_cuts: dict[int, bool] = {}
        # A cold process loads these arrays instead of passing over every document's columns.
        cache = index_dir / f"{VIEW_CACHE_PREFIX}{self.generation}.npz"
        try:
            with np.load(cache) as arrays:
                self.docnum_of_key, self.story_of = arrays["docnum_of_key"], arrays["story_of"]
                self.story_names = arrays["story_names"].tolist()
                self._scopes[LATEST_VARIANTS] = arrays["latest"]
                self.field_lengths = {field: arrays[f"length_{field}"] for field in FIELDS}
                self.word_codes, self.word_postings = arrays["word_codes"], arrays["word_postings"]
                self.segment_of, self.place_of = arrays["segment_of"], arrays["place_of"]
        except Exception:  # absent, of another shape, or damaged (a zip member failing its CRC): built again
            self._build()
            _save_atomic(cache, docnum_of_key=self.docnum_of_key, story_of=self.story_of,
                         story_names=np.array(self.story_names, dtype=str), latest=self.scope(LATEST_VARIANTS),
                         word_codes=self.word_codes, word_postings=self.word_postings,
                         segment_of=self.segment_of, place_of=self.place_of,
                         **{f"length_{field}": lengths for field, lengths in self.field_lengths.items()})
        self.postings = PostingCache(self.literal.segments, self.docnum_of_key)
        ranked = self.docnum_of_key[self.docnum_of_key >= 0]
        # BM25F's collection statistics, over the documents that have ranking words: the variants.
        self.ranked_count = max(1, len(ranked))
        self.average_length = {field: float(self.field_lengths[field][ranked].mean()) if len(ranked) else 1.0
                               for field in FIELDS}

    def _build(self) -> None:
        """Join whoosh documents to literal keys and story numbers (a pass over every document's columns)."""
        reader = self.searcher.reader()
        keys = document_keys(reader)
        self.docnum_of_key = np.full(int(keys.max(initial=0)) + 1, -1, dtype=np.int64)
        self.docnum_of_key[keys[keys > 0]] = np.nonzero(keys > 0)[0]
        story_ids: dict[str, int] = {}
        self.story_of = np.array([story_ids.setdefault(resolve_story(self.aliases, s), len(story_ids)) if s else -1
                                  for s in column_by_docnum(reader, "article_id", "")], dtype=np.int64)
        self.story_of[keys == 0] = -1
        self.story_names = list(story_ids)
        # Where each document's text and words are (segment, place in it), and its field lengths in words.
        self.segment_of = np.full(len(keys), -1, dtype=np.int32)
        self.place_of = np.zeros(len(keys), dtype=np.int32)
        self.field_lengths = {field: np.ones(len(keys)) for field in FIELDS}
        for number, segment in enumerate(self.literal.segments):
            docnums, places = live_documents(self.docnum_of_key, segment.keys)
            self.segment_of[docnums], self.place_of[docnums] = number, places
            for column, field in enumerate(FIELDS):
                self.field_lengths[field][docnums] = segment.lengths[places, column]
        self.word_codes, self.word_postings = vocabulary(self.literal.segments, self.docnum_of_key)

    def document_frequency(self, code: np.uint64) -> int:
        """Live postings of a field's word."""
        at = find(self.word_codes, code)
        return int(self.word_postings[at]) if at >= 0 else 0

    def document_frequencies(self, codes: np.ndarray) -> np.ndarray:
        """document_frequency of each of `codes` (uint64), in one search."""
        at, found = locate(self.word_codes, codes)
        return np.where(found, self.word_postings[at] if len(self.word_postings) else 0, 0)

    def close(self) -> None:
        self.searcher.close()

    def normalised_text(self, docnum: int) -> str:
        """A variant's normalised text, from the segment that holds it."""
        return self.literal.segments[self.segment_of[docnum]].text_at(int(self.place_of[docnum]))

    def header(self, docnum: int) -> RecordHeader:
        """A variant's record header: ids, title, line counts, story as indexed, metadata."""
        return self.literal.segments[self.segment_of[docnum]].records.header(int(self.place_of[docnum]))

    def original(self, docnum: int, norm: str | None = None) -> tuple[str, Normalised]:
        """A variant's original text, and the map from its normalised text to it (`norm`: its normalised
        text, when the caller has read it already)."""
        return self.literal.segments[self.segment_of[docnum]].original(int(self.place_of[docnum]), norm)

    def segment_runs(self, docnums: np.ndarray) -> Iterator[tuple[slice, Segment, np.ndarray]]:
        """The documents, in the order given, as runs of consecutive ones in one segment: where each run
        lies among `docnums`, its segment and its documents' places there."""
        segments, places = self.segment_of[docnums], self.place_of[docnums].astype(np.int64)
        bounds = np.concatenate(([0], np.flatnonzero(np.diff(segments)) + 1, [len(docnums)])).tolist()
        for low, high in zip(bounds[:-1], bounds[1:]):
            if high > low:
                yield slice(low, high), self.literal.segments[int(segments[low])], places[low:high]

    def variant_texts(self, docnums: np.ndarray) -> Iterator[tuple[RecordHeader, str, str]]:
        """Each variant's header, original text and normalised text, in the order given, read a run of
        documents of one segment at a time, whose pages are let go of once read (an export reads them all)."""
        for _, segment, at in self.segment_runs(docnums):
            for header, (text, norm) in zip(segment.records.headers_at(at), segment.original_texts(at)):
                yield header, text, norm
            segment.release_texts(at)

    def docnums(self, keys: np.ndarray) -> np.ndarray:
        """Live document numbers of literal-index keys, sorted; keys whoosh no longer holds are dropped."""
        # Distinct already: a live key is in one segment.
        return np.sort(live_documents(self.docnum_of_key, keys)[0])

    def scope(self, filter_query: wq.Query) -> np.ndarray:
        """Sorted document numbers the filter admits, cached per filter for this generation."""
        cached = self._scopes.get(filter_query)
        if cached is not None:
            self._scopes.move_to_end(filter_query)
            return cached
        docnums = np.fromiter(self.searcher.docs_for_query(filter_query), dtype=np.int64)
        docnums.sort()
        self._scopes[filter_query] = docnums
        if len(self._scopes) > SCOPE_CACHE_SIZE:
            self._scopes.popitem(last=False)
        return docnums

    def filtered(self, base: wq.Query, filters: list[wq.Query]) -> np.ndarray:
        """Sorted document numbers of the base set (cached whole) that every filter admits."""
        scope = self.scope(base)
        for clause in filters:
            scope = intersect(scope, self._clause_docs(clause))
        return scope

    def _clause_docs(self, clause: wq.Query) -> np.ndarray:
        """Document numbers holding any term the clause expands to (a term, an OR of terms, a range)."""
        reader = self.searcher.reader()
        found = [self._docs_of_term(field, text) for field, text in clause.existing_terms(reader, expand=True)]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

    def _docs_of_term(self, field: str, text: bytes) -> np.ndarray:
        key = (field, text)
        cached = self._term_docs.get(key)
        if cached is None:
            postings = self.searcher.reader().postings(field, text)
            cached = self._term_docs[key] = np.fromiter(postings.all_ids(), dtype=np.int64)
            if len(self._term_docs) > TERM_CACHE_SIZE:
                self._term_docs.popitem(last=False)
        else:
            self._term_docs.move_to_end(key)
        return cached

    def column(self, field: str) -> Column:
        """A metadata field's values for every document (built once per view)."""
        if field not in self._columns:
            self._columns[field] = build_column(self.searcher, field)
        return self._columns[field]

    def facet_column(self, facet: Facet) -> Column:
        """The column a facet counts by, dates regrouped into its periods (built once per view)."""
        if facet not in self._facet_columns:
            self._facet_columns[facet] = facet_column(self.column(facet.field), facet)
        return self._facet_columns[facet]

    def value(self, field: str, docnum: int) -> str | None:
        """One document's value of a metadata field, or None when it has none."""
        column = self.column(field)
        code = int(column.codes[docnum])
        return column.values[code] if code >= 0 else None

    def story_members(self, story: int, scope: np.ndarray) -> np.ndarray:
        """Document numbers of one story within the (sorted) scope."""
        if self._by_story is None:  # documents ordered by story, once per view
            self._by_story = np.argsort(self.story_of, kind="stable")
            self._story_starts = np.searchsorted(self.story_of[self._by_story], np.arange(len(self.story_names) + 1))
        members = self._by_story[self._story_starts[story]:self._story_starts[story + 1]]
        return intersect(members, scope)
