"""The library entry point that the CLI and the HTTP server share: search, show, sources, stats."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.normalise import Normalised
from indexer.schema import VARIANT
from indexer.store import SourceRecord, open_index, read_catalogue, resolve_index_dir
from search.group import StoryHits, group_hits
from search.query import Term, parse_query, positive_terms
from search.rank import RANKING, run
from search.request import SearchRequest
from search.results import ArticleHit, ArticleView, SearchResponse, VariantHit, VariantText
from search.snippet import Snippet, aligned_snippet, lead_snippet, matched_snippet


def _variant_order(variant: VariantHit) -> tuple:
    return (not variant.matched, -(variant.score or 0.0), variant.source, -variant.version, variant.variant_id)


class Corpus:
    """A searchable index on disk. Safe to share between threads: each thread gets its own searcher,
    reopened when the index has a new commit, so readers never see a half-written state."""

    def __init__(self, index_dir: str | Path | None = None) -> None:
        self.index_dir = resolve_index_dir(index_dir)
        self._local = threading.local()

    def _searcher(self) -> Searcher:
        """This thread's searcher over the latest commit."""
        ix = getattr(self._local, "ix", None)
        if ix is None:
            ix = self._local.ix = open_index(self.index_dir)
        generation = ix.latest_generation()
        if getattr(self._local, "generation", None) != generation:
            old = getattr(self._local, "searcher", None)
            if old is not None:
                old.close()
            # A new searcher, never refresh(): whoosh's refresh miscounts after deletions.
            self._local.searcher = ix.searcher(weighting=RANKING)
            self._local.generation = generation
        return self._local.searcher

    def generation(self) -> int:
        """The index's latest commit number (changes on every commit)."""
        self._searcher()
        return self._local.generation

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a query; one page of story groups, each with every in-scope variant and its snippet."""
        started = time.perf_counter()
        node = parse_query(request.query)
        searcher = self._searcher()
        scope = request.filter_query()
        hits = run(searcher, node, scope)
        story_column = searcher.reader().column_reader("article_id")
        stories = group_hits(hits, lambda docnum: story_column[docnum])
        terms = positive_terms(node)
        page = stories[request.offset:request.offset + request.limit]
        articles = [self._article_hit(searcher, story, terms, scope) for story in page]
        return SearchResponse(
            query=request.query,
            total_articles=len(stories),
            total_variants=len(hits),
            offset=request.offset,
            limit=request.limit,
            took_ms=round((time.perf_counter() - started) * 1000, 3),
            articles=articles,
        )

    def _article_hit(self, searcher: Searcher, story: StoryHits, terms: list[Term], scope: wq.Query) -> ArticleHit:
        scores = {hit.docnum: hit.score for hit in story.hits}
        docnums = sorted(searcher.docs_for_query(wq.And([wq.Term("article_id", story.article_id), scope])))
        stored = {docnum: searcher.stored_fields(docnum) for docnum in docnums}
        texts = {docnum: Normalised.unpack(fields["norm"], fields["offsets"]) for docnum, fields in stored.items()}
        snippets: dict[int, Snippet] = {}
        best = max(scores, key=lambda d: (scores[d], -d))
        for docnum in sorted(scores, key=lambda d: -scores[d]):
            snippet = matched_snippet(stored[docnum]["text"], texts[docnum], terms)
            snippets[docnum] = snippet or lead_snippet(stored[docnum]["text"], texts[docnum],
                                                       stored[docnum].get("head_lines", 1))
        anchor = snippets[best].anchor
        for docnum in docnums:
            if docnum not in snippets:
                text = stored[docnum]["text"]
                snippets[docnum] = (aligned_snippet(text, texts[docnum], anchor, terms)
                                    or lead_snippet(text, texts[docnum], stored[docnum].get("head_lines", 1)))
        variants = sorted((self._variant_hit(stored[d], d in scores, scores.get(d), snippets[d]) for d in docnums),
                          key=_variant_order)
        title = stored[best].get("title") or next((v.title for v in variants if v.title), "")
        return ArticleHit(story.article_id, title, story.score, variants)

    @staticmethod
    def _variant_hit(fields: dict[str, Any], matched: bool, score: float | None, snippet: Snippet) -> VariantHit:
        return VariantHit(
            variant_id=fields["variant_id"], source=fields["source"], version=fields["version"],
            title=fields.get("title", ""), matched=matched, score=score, snippet=snippet.text,
            highlights=snippet.highlights, metadata=fields.get("metadata") or {},
        )

    def article(self, article_id: str, all_versions: bool = False) -> ArticleView | None:
        """A story with the full text of every variant (latest versions unless all are asked for)."""
        searcher = self._searcher()
        clauses = [wq.Term("kind", VARIANT), wq.Term("article_id", article_id)]
        if not all_versions:
            clauses.append(wq.Term("latest", True))
        docnums = sorted(searcher.docs_for_query(wq.And(clauses)))
        if not docnums:
            return None
        variants = []
        for docnum in docnums:
            fields = searcher.stored_fields(docnum)
            variants.append(VariantText(fields["variant_id"], fields["source"], fields["version"], fields["latest"],
                                        fields.get("title", ""), fields["text"], fields.get("metadata") or {}))
        variants.sort(key=lambda v: (v.source, -v.version, v.variant_id))
        title = next((v.title for v in variants if v.title), "")
        return ArticleView(article_id, title, variants)

    def sources(self) -> list[SourceRecord]:
        """The catalogue: every source with its versions and metadata, by id."""
        return sorted(read_catalogue(self._searcher()).values(), key=lambda r: r.source)

    def stats(self) -> dict[str, Any]:
        """Counts of sources, variants and stories, and the index's size on disk."""
        searcher = self._searcher()
        latest = set(searcher.docs_for_query(wq.And([wq.Term("kind", VARIANT), wq.Term("latest", True)])))
        every = set(searcher.docs_for_query(wq.Term("kind", VARIANT)))
        story_column = searcher.reader().column_reader("article_id")
        return {
            "index": str(self.index_dir),
            "generation": self._local.generation,
            "sources": len(read_catalogue(searcher)),
            "variants": len(latest),
            "variants_all_versions": len(every),
            "stories": len({story_column[d] for d in latest}),
            "size_bytes": sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file()),
        }
