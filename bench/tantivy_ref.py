"""The reference engine: tantivy over the same normalised texts pre-segmented by jieba, terms as word phrases.

A term becomes the phrase of its own jieba words, so a substring that jieba cuts
differently in the query than in the text is missed: that is the recall the
comparison reports.
"""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import tantivy
from tantivy import FieldType, Occur, Query

from bench.benchquery import BenchQuery
from bench.reference import Variants
from bench.words import joined_words, words
from indexer.metadata import filter_value
from search.query import Node, Not, Or, Term, parse_query

HEAP_BYTES = 256_000_000
SEGMENT_CHUNK = 64  # texts per task sent to a segmenting worker
NO_DATE = (0, 99_991_231)  # the open ends of a date range, as yyyymmdd integers


def _day(iso: str) -> int:
    return int(iso.replace("-", ""))


class TantivyReference:
    """A tantivy index of the variants; document `vid` is the variant's position in Variants."""

    def __init__(self, variants: Variants, path: Path, workers: int) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", tokenizer_name="whitespace")
        builder.add_text_field("source", tokenizer_name="raw")
        builder.add_text_field("publication", tokenizer_name="raw")
        builder.add_integer_field("date", indexed=True, fast=True)
        builder.add_integer_field("vid", fast=True)
        self.schema = builder.build()
        path.mkdir(parents=True)
        self.index = tantivy.Index(self.schema, path=str(path))
        writer = self.index.writer(heap_size=HEAP_BYTES)
        # jieba is the slow part: segment in worker processes, as the indexer does.
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            segmented = pool.imap(joined_words, variants.norm, chunksize=SEGMENT_CHUNK)
            for vid, body in enumerate(segmented):
                doc = tantivy.Document(body=body, source=variants.source[vid], vid=vid)
                if variants.publication[vid] is not None:
                    doc.add_text("publication", variants.publication[vid])
                if variants.date[vid] is not None:
                    doc.add_integer("date", _day(variants.date[vid]))
                writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def _term(self, term: Term) -> Query:
        parts = words(term.text)
        if len(parts) == 1:
            return Query.term_query(self.schema, "body", parts[0])
        return Query.phrase_query(self.schema, "body", parts)

    def _node(self, node: Node) -> Query:
        """The tantivy query of a parsed query tree."""
        if isinstance(node, Term):
            return self._term(node)
        if isinstance(node, Or):
            return Query.boolean_query([(Occur.Should, self._node(c)) for c in node.children])
        if isinstance(node, Not):
            return Query.boolean_query([(Occur.Must, Query.all_query()), (Occur.MustNot, self._node(node.child))])
        clauses = [(Occur.MustNot, self._node(c.child)) if isinstance(c, Not) else (Occur.Must, self._node(c))
                   for c in node.children]
        if all(occur == Occur.MustNot for occur, _ in clauses):
            clauses.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(clauses)

    def query(self, bench: BenchQuery) -> Query:
        """The query with its filters, as the engine applies them."""
        clauses = [(Occur.Must, self._node(parse_query(bench.q)))]
        if bench.sources:
            clauses.append((Occur.Must, Query.boolean_query(
                [(Occur.Should, Query.term_query(self.schema, "source", s)) for s in bench.sources])))
        if bench.publication:
            clauses.append((Occur.Must, Query.term_query(self.schema, "publication", filter_value(bench.publication))))
        if bench.date_from or bench.date_to:
            low = _day(bench.date_from) if bench.date_from else NO_DATE[0]
            high = _day(bench.date_to) if bench.date_to else NO_DATE[1]
            clauses.append((Occur.Must, Query.range_query(self.schema, "date", FieldType.Integer, low, high)))
        return clauses[0][1] if len(clauses) == 1 else Query.boolean_query(clauses)

    def top(self, bench: BenchQuery, limit: int = 10) -> list[int]:
        """The best `limit` variants (the timed operation: parse, segment with jieba, search, count, fetch ids)."""
        return self.top_of(self.query(bench), limit)

    def top_of(self, query: Query, limit: int = 10) -> list[int]:
        """The best `limit` variants of a query built beforehand: tantivy alone (search, count, fetch ids)."""
        result = self.searcher.search(query, limit, count=True)
        return self.searcher.fast_field_values("vid", [address for _, address in result.hits])

    def all_matches(self, bench: BenchQuery) -> set[int]:
        """Every variant tantivy matches."""
        result = self.searcher.search(self.query(bench), max(1, self.searcher.num_docs), count=False)
        return set(self.searcher.fast_field_values("vid", [address for _, address in result.hits]))
