"""The library entry point that the CLI and the HTTP server share: search, show, sources, stats."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from whoosh import query as wq

from indexer.catalogue import SourceRecord, read_catalogue
from indexer.documents import RecordHeader
from indexer.errors import IndexCorrupt
from indexer.normalise import Normalised
from indexer.sorted_sets import find, intersect, locate
from indexer.store import open_index, resolve_index_dir, resolve_story
from search.alignment import Printing
from search.budget import Deadline
from search.compare import Comparison, compare
from search.confusions import ConfusionModel
from search.export import check_options as check_export
from search.export import rows as export_rows
from search.facets import facets
from search.fuzzy_query import QueryMatches, fuzzy_matching
from search.garbles import Garble
from search.group import StoryHits, top_stories
from search.kwic import DEFAULT_WIDTH, Concordance, concordance
from search.kwic import check_options as check_kwic
from search.query import Term, parse_query, positive_terms
from search.joins import literal_only, match_joined
from search.rank import Matched, match_node, match_request, score_matches, top_hits
from search.request import ALL_VARIANTS, LATEST_VARIANTS, Facet, SearchRequest
from search.results import (
    ArticleHit,
    ArticleView,
    GarbleFound,
    PrintedAs,
    SearchResponse,
    VariantHit,
    VariantText,
)
from search.snippet import Snippet, aligned_snippet, lead_snippet, matched_snippet
from search.spread import spread
from search.timeline import Timeline, timeline
from search.timeline import check_options as check_timeline
from search.topics import TopicTable, parse_topics, topic_table
from search.view import View

OPEN_ATTEMPTS = 3


@dataclass(frozen=True)
class Ranking:
    """A request's matches with their scores, and the ranked stories of its page (not yet built)."""

    matched: Matched
    scores: np.ndarray  # one per matched document, in the order of matched.docnums
    page: list[StoryHits]
    garbled: QueryMatches | None  # the fuzzy matches, for a fuzzy request


def _variant_order(variant: VariantHit) -> tuple:
    return (not variant.matched, variant.fuzzy, -(variant.score or 0.0), variant.source, -variant.version,
            variant.variant_id)


def _found(original: tuple[str, Normalised], garbles: list[tuple[str, Garble]]) -> list[GarbleFound]:
    """Where a fuzzy hit prints its terms garbled, in its original characters."""
    text, normalised = original
    found = []
    for term, garble in garbles:
        start, end = normalised.span_to_original(garble.start, garble.end)
        found.append(GarbleFound(term, text[start:end], start, end))
    return found


class Corpus:
    """A searchable index on disk. Safe to share between threads: each thread gets its own view,
    rebuilt when the index has a new commit, so readers never see a half-written state."""

    def __init__(self, index_dir: str | Path | None = None, time_budget: float | None = None) -> None:
        self.index_dir = resolve_index_dir(index_dir)
        self.time_budget = time_budget  # seconds a search may take, None for no limit
        self._local = threading.local()
        self._model: ConfusionModel | None = None
        self._model_lock = threading.Lock()

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
            view = self._local.view = self._open_view(ix)
        return view

    def prepare(self) -> None:
        """Build the latest generation's view and leave its cache in the index (search.view), as `corpus
        index` does once it has committed: otherwise the first search after indexing pays for it
        (bench/coldstart.py measures both)."""
        self.view()

    def _open_view(self, ix) -> View:
        """A view of the latest generation. Files can vanish while it opens only when commits have moved
        on meanwhile (a generation's files are kept until two commits later): then the newer one is opened."""
        for attempt in range(OPEN_ATTEMPTS):
            generation = ix.latest_generation()
            try:
                return View(ix, self.index_dir)
            except (FileNotFoundError, IndexCorrupt):
                if attempt + 1 == OPEN_ATTEMPTS or ix.latest_generation() == generation:
                    raise
        raise AssertionError("unreachable")

    def generation(self) -> int:
        """The index's latest commit number (changes on every commit)."""
        return self.view().generation

    def rank(self, request: SearchRequest) -> Ranking:
        """What a request matches and the stories of its page, ranked: everything a search does but build
        the page (no record is read, no snippet made)."""
        return self._rank(self.view(), request, Deadline(self.time_budget))

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a query; one page of story groups, each with every in-scope variant and its snippet."""
        started = time.perf_counter()
        view = self.view()
        deadline = Deadline(self.time_budget)
        ranking = self._rank(view, request, deadline)
        result, garbled, match_scores = ranking.matched, ranking.garbled, ranking.scores
        matched, scope = result.docnums, result.scope
        members = {story.story: view.story_members(story.story, scope) for story in ranking.page}
        in_page = np.concatenate(list(members.values())) if members else np.zeros(0, dtype=np.int64)
        at, found = locate(matched, in_page)
        scores = dict(zip(in_page[found].tolist(), match_scores[at[found]].tolist()))
        terms = positive_terms(result.node)
        joined = set(result.joined.tolist())
        articles = []
        for story in ranking.page:
            deadline.check()
            articles.append(self._article_hit(view, story, members[story.story], terms, scores, garbled, joined))
        return SearchResponse(
            query=request.query,
            generation=view.generation,
            total_articles=len(np.unique(view.story_of[matched])),
            total_variants=len(matched),
            offset=request.offset,
            limit=request.limit,
            took_ms=round((time.perf_counter() - started) * 1000, 3),
            articles=articles,
            facets=facets(literal_only(result), request.facets),
            fuzzy_variants=int(garbled.fuzzy.sum()) if garbled is not None else 0,
            joined_variants=len(result.joined),
            also_printed_as=[PrintedAs(**form) for form in garbled.printed_as()] if garbled is not None else [],
        )

    def _rank(self, view: View, request: SearchRequest, deadline: Deadline) -> Ranking:
        garbled: QueryMatches | None = None
        if request.fuzzy:
            node, scope = parse_query(request.query), view.filtered(*request.scope_queries())
            garbled = fuzzy_matching(view, node, scope, self.confusion_model(), deadline)
            result = Matched(view, node, scope, garbled.docnums, deadline)
        else:
            result = match_joined(view, request, deadline)
        matched = result.docnums
        match_scores = score_matches(view, result.node, matched, deadline)
        if garbled is not None:
            match_scores = garbled.tiered_scores(match_scores)  # every exact hit above every fuzzy one
        deadline.check()
        stories = top_stories(lambda limit: top_hits(matched, match_scores, limit), len(matched),
                              request.offset + request.limit, view.story_of, view.story_names.__getitem__)
        return Ranking(result, match_scores, stories[request.offset:], garbled)

    def confusion_model(self) -> ConfusionModel:
        """The OCR confusion model fuzzy search weighs garbles with, loaded once (a few tenths of a second)."""
        with self._model_lock:
            if self._model is None:
                self._model = ConfusionModel.load()
            return self._model

    def _article_hit(self, view: View, story: StoryHits, members: np.ndarray, terms: list[Term],
                     page_scores: dict[int, float], garbled: QueryMatches | None, joined: set[int]) -> ArticleHit:
        scores = {d: page_scores[d] for d in members.tolist() if d in page_scores}
        headers = {docnum: view.header(docnum) for docnum in members.tolist()}
        originals = {docnum: view.original(docnum) for docnum in members.tolist()}
        found = {d: garbled.garbles(d) for d in scores} if garbled is not None else {}

        def lead(docnum: int) -> Snippet:
            return lead_snippet(*originals[docnum], headers[docnum].head_lines)

        snippets: dict[int, Snippet] = {}
        best = min(scores, key=lambda d: (-scores[d], d))
        for docnum in sorted(scores, key=lambda d: -scores[d]):
            # A fuzzy hit's snippet shows where it prints the term garbled.
            shown = terms + [Term(garble.form, garble.form) for _, garble in found.get(docnum, ())]
            snippets[docnum] = matched_snippet(*originals[docnum], shown) or lead(docnum)
        anchor = snippets[best].anchor
        for docnum in members.tolist():
            if docnum not in snippets:
                snippets[docnum] = aligned_snippet(*originals[docnum], anchor, terms) or lead(docnum)
        variants = sorted((self._variant_hit(headers[d], d in scores, scores.get(d), snippets[d],
                                             _found(originals[d], found.get(d, ())), d in joined)
                           for d in members.tolist()), key=_variant_order)
        title = headers[best].title or next((v.title for v in variants if v.title), "")
        printed = spread(view, members, {d: h.variant_id for d, h in headers.items()})
        return ArticleHit(view.story_names[story.story], title, story.score, variants, printed.papers,
                          printed.first_printed)

    @staticmethod
    def _variant_hit(header: RecordHeader, matched: bool, score: float | None, snippet: Snippet,
                     found: list[GarbleFound], joined: bool) -> VariantHit:
        return VariantHit(
            variant_id=header.variant_id, source=header.source, version=header.version, title=header.title,
            matched=matched, score=score, snippet=snippet.text, highlights=snippet.highlights,
            metadata=header.metadata, fuzzy=bool(found), found=found, joined=joined,
        )

    def _story(self, view: View, article_id: str, all_versions: bool) -> tuple[str, np.ndarray]:
        """A story's current id and its variants' document numbers (latest versions unless all are asked for).

        Variants keep the story id they were indexed under; a merged story answers to all of its ids.
        """
        article_id = resolve_story(view.aliases, article_id)
        known_as = [article_id] + [a for a in view.aliases if resolve_story(view.aliases, a) == article_id]
        scope = view.scope(ALL_VARIANTS if all_versions else LATEST_VARIANTS)
        docnums = np.unique(np.fromiter(view.searcher.docs_for_query(
            wq.Or([wq.Term("article_id", a) for a in known_as])), dtype=np.int64))
        return article_id, intersect(docnums, scope)

    def compare(self, article_id: str, all_versions: bool = False) -> tuple[str, Comparison] | None:
        """A story's printings aligned, with their consensus and differences; None for an unknown story."""
        view = self.view()
        article_id, docnums = self._story(view, article_id, all_versions)
        if not len(docnums):
            return None
        printings = []
        for docnum in docnums.tolist():
            header = view.header(docnum)
            printings.append(Printing(header.variant_id, view.original(docnum)[0], header.head_lines, header.body_lines))
        return article_id, compare(printings, self.confusion_model().weight)

    def article(self, article_id: str, all_versions: bool = False) -> ArticleView | None:
        """A story with the full text of every variant (latest versions unless all are asked for)."""
        view = self.view()
        article_id, docnums = self._story(view, article_id, all_versions)
        if not len(docnums):
            return None
        latest = view.scope(LATEST_VARIANTS)
        variants = []
        for docnum in docnums.tolist():
            header = view.header(docnum)
            variants.append(VariantText(header.variant_id, header.source, header.version,
                                        bool(find(latest, docnum) >= 0), header.title, view.original(docnum)[0],
                                        header.metadata))
        variants.sort(key=lambda v: (v.source, -v.version, v.variant_id))
        title = next((v.title for v in variants if v.title), "")
        printed = spread(view, docnums)
        return ArticleView(article_id, title, variants, printed.papers, printed.first_printed)

    def matched(self, request: SearchRequest) -> Matched:
        """What a request matches literally, within its filters, in the latest generation (no ranking, no page,
        no joins across weak cuts: counts are made of it)."""
        return match_request(self.view(), request, Deadline(self.time_budget))

    def timeline(self, request: SearchRequest, queries: list[str], by: str = "month",
                 count: str = "variants") -> Timeline:
        """Per period, what each query matched within the request's filters (the request's own query unused)."""
        check_timeline(by, count)
        view = self.view()
        deadline = Deadline(self.time_budget)
        results = [match_request(view, replace(request, query=query), deadline) for query in queries]
        return timeline(results, queries, by, count)

    def kwic(self, request: SearchRequest, width: int = DEFAULT_WIDTH, sort: str = "date",
             one_per_story: bool = False, limit: int | None = None, offset: int = 0) -> Concordance:
        """The concordance of a request's query: its lines from `offset`, at most `limit` of them."""
        check_kwic(width, sort)
        return concordance(self.matched(request), request.query, width, sort, one_per_story, limit, offset)

    def export(self, request: SearchRequest, level: str) -> Iterator[dict[str, Any]]:
        """Every hit of a request, one row at a time, at the level of stories, variants or occurrences.

        No time budget: an export is as long as its result set, and streams as it goes.
        """
        check_export(level, "jsonl")
        matched = match_request(self.view(), request, Deadline())
        return export_rows(matched, level)

    def topics(self, text: str, by: list[str], request: SearchRequest) -> TopicTable:
        """The counts of every topic in a topics file by the facets `by`, within the request's filters."""
        facets = [Facet.parse(name) for name in by]
        topics, problems = parse_topics(text)
        view = self.view()
        deadline = Deadline(self.time_budget)
        scope = view.filtered(*request.scope_queries())  # the same filters for every topic
        return topic_table(topics, problems, facets, lambda node: match_node(view, node, scope, deadline))

    def sources(self) -> list[SourceRecord]:
        """The catalogue: every source with its versions and metadata, by id."""
        view = self.view()
        catalogue = read_catalogue(self.index_dir, view.generation, view.manifest.catalogue)
        return sorted(catalogue.values(), key=lambda r: r.source)

    def stats(self) -> dict[str, Any]:
        """Counts of sources, variants and stories, and the index's size on disk."""
        view = self.view()
        latest = view.scope(LATEST_VARIANTS)
        every = view.scope(ALL_VARIANTS)
        return {
            "index": str(self.index_dir),
            "generation": view.generation,
            "sources": len(read_catalogue(self.index_dir, view.generation, view.manifest.catalogue)),
            "variants": len(latest),
            "variants_all_versions": len(every),
            "stories": len(np.unique(view.story_of[latest])),
            "size_bytes": sum(p.stat().st_size for p in self.index_dir.rglob("*") if p.is_file()),
        }
