"""The library entry point that the CLI and the HTTP server share: search, show, sources, stats."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq

from indexer.normalise import Normalised
from indexer.schema import VARIANT
from indexer.sorted_sets import locate
from indexer.store import SourceRecord, open_index, read_catalogue, resolve_index_dir, resolve_story
from search.group import StoryHits, top_stories
from search.query import Term, parse_query, positive_terms
from search.rank import matching, score_matches, top_hits
from search.request import LATEST_VARIANTS, SearchRequest
from search.results import ArticleHit, ArticleView, SearchResponse, VariantHit, VariantText
from search.snippet import Snippet, aligned_snippet, lead_snippet, matched_snippet
from search.view import View


def _variant_order(variant: VariantHit) -> tuple:
    return (not variant.matched, -(variant.score or 0.0), variant.source, -variant.version, variant.variant_id)


class Corpus:
    """A searchable index on disk. Safe to share between threads: each thread gets its own view,
    rebuilt when the index has a new commit, so readers never see a half-written state."""

    def __init__(self, index_dir: str | Path | None = None) -> None:
        self.index_dir = resolve_index_dir(index_dir)
        self._local = threading.local()

    def view(self) -> View:
        """This thread's view of the latest commit."""
        ix = getattr(self._local, "ix", None)
        if ix is None:
            ix = self._local.ix = open_index(self.index_dir)
        view = getattr(self._local, "view", None)
        if view is None or view.generation != ix.latest_generation():
            if view is not None:
                view.close()
            # A new searcher, never refresh(): whoosh's refresh miscounts after deletions.
            try:
                view = View(ix, self.index_dir)
            except FileNotFoundError:
                # Two commits since the generation was read: its retired literal segments are gone,
                # and the newest generation has its own.
                view = View(ix, self.index_dir)
            self._local.view = view
        return view

    def generation(self) -> int:
        """The index's latest commit number (changes on every commit)."""
        return self.view().generation

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a query; one page of story groups, each with every in-scope variant and its snippet."""
        started = time.perf_counter()
        node = parse_query(request.query)
        view = self.view()
        scope = view.filtered(*request.scope_queries())
        matched = matching(view, node, scope)
        match_scores = score_matches(view, node, matched)
        stories = top_stories(lambda limit: top_hits(matched, match_scores, limit), len(matched),
                              request.offset + request.limit, view.story_of, view.story_names.__getitem__)
        page = stories[request.offset:]
        members = {story.story: view.story_members(story.story, scope) for story in page}
        in_page = np.concatenate(list(members.values())) if members else np.zeros(0, dtype=np.int64)
        at, found = locate(matched, in_page)
        scores = dict(zip(in_page[found].tolist(), match_scores[at[found]].tolist()))
        terms = positive_terms(node)
        articles = [self._article_hit(view, story, members[story.story], terms, scores) for story in page]
        return SearchResponse(
            query=request.query,
            total_articles=len(np.unique(view.story_of[matched])),
            total_variants=len(matched),
            offset=request.offset,
            limit=request.limit,
            took_ms=round((time.perf_counter() - started) * 1000, 3),
            articles=articles,
        )

    def _article_hit(self, view: View, story: StoryHits, members: np.ndarray, terms: list[Term],
                     page_scores: dict[int, float]) -> ArticleHit:
        scores = {d: page_scores[d] for d in members.tolist() if d in page_scores}
        stored = {docnum: view.searcher.stored_fields(docnum) for docnum in members.tolist()}
        texts = {docnum: Normalised.unpack(view.normalised_text(docnum), fields["offsets"])
                 for docnum, fields in stored.items()}

        def lead(docnum: int) -> Snippet:
            return lead_snippet(stored[docnum]["text"], texts[docnum], stored[docnum].get("head_lines", 1))

        snippets: dict[int, Snippet] = {}
        best = min(scores, key=lambda d: (-scores[d], d))
        for docnum in sorted(scores, key=lambda d: -scores[d]):
            snippets[docnum] = matched_snippet(stored[docnum]["text"], texts[docnum], terms) or lead(docnum)
        anchor = snippets[best].anchor
        for docnum in members.tolist():
            if docnum not in snippets:
                snippets[docnum] = aligned_snippet(stored[docnum]["text"], texts[docnum], anchor, terms) or lead(docnum)
        variants = sorted((self._variant_hit(stored[d], d in scores, scores.get(d), snippets[d])
                           for d in members.tolist()), key=_variant_order)
        title = stored[best].get("title") or next((v.title for v in variants if v.title), "")
        return ArticleHit(view.story_names[story.story], title, story.score, variants)

    @staticmethod
    def _variant_hit(fields: dict[str, Any], matched: bool, score: float | None, snippet: Snippet) -> VariantHit:
        return VariantHit(
            variant_id=fields["variant_id"], source=fields["source"], version=fields["version"],
            title=fields.get("title", ""), matched=matched, score=score, snippet=snippet.text,
            highlights=snippet.highlights, metadata=fields.get("metadata") or {},
        )

    def article(self, article_id: str, all_versions: bool = False) -> ArticleView | None:
        """A story with the full text of every variant (latest versions unless all are asked for)."""
        view = self.view()
        searcher = view.searcher
        # Variants keep the story id they were indexed under; a merged story answers to all of its ids.
        article_id = resolve_story(view.aliases, article_id)
        known_as = [article_id] + [a for a in view.aliases if resolve_story(view.aliases, a) == article_id]
        clauses = [wq.Term("kind", VARIANT), wq.Or([wq.Term("article_id", a) for a in known_as])]
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
        return sorted(read_catalogue(self.view().searcher).values(), key=lambda r: r.source)

    def stats(self) -> dict[str, Any]:
        """Counts of sources, variants and stories, and the index's size on disk."""
        view = self.view()
        latest = view.scope(LATEST_VARIANTS)
        every = view.scope(wq.Term("kind", VARIANT))
        return {
            "index": str(self.index_dir),
            "generation": view.generation,
            "sources": len(read_catalogue(view.searcher)),
            "variants": len(latest),
            "variants_all_versions": len(every),
            "stories": len(np.unique(view.story_of[latest])),
            "size_bytes": sum(p.stat().st_size for p in self.index_dir.rglob("*") if p.is_file()),
        }
