"""Grouped search over the seed index: the story groups, their variants and snippets."""
from __future__ import annotations

import pytest

from tests.conftest import SEED_METADATA

from indexer.metadata import parse_date
from search.engine import Corpus
from search.query import QueryError
from search.request import ParameterError, SearchRequest

STORY_SOURCES = {"000_b412ed2ff225a7db", "001_5417d37bc9da2a03", "002_1193bf27c877aa1f",
                 "003_d03bbf471f6134ca", "004_f23d1930071a8f29"}


def search(corpus, query, **options):
    return corpus.search(SearchRequest(query=query, **options))


def test_thorium_query_puts_the_story_first_with_a_variant_from_every_page(corpus):
    response = search(corpus, "钍基熔盐")
    story = response.articles[0]
    assert story.title.startswith("攀高逐")
    assert {v.source for v in story.variants} == STORY_SOURCES
    matched = {v.source for v in story.variants if v.matched}
    assert matched == {"000_b412ed2ff225a7db", "001_5417d37bc9da2a03", "002_1193bf27c877aa1f"}
    garbled = next(v for v in story.variants if v.source == "003_d03bbf471f6134ca")
    assert not garbled.matched and garbled.score is None
    assert "钎基熔盐" in garbled.snippet
    start, end = garbled.highlights[0]
    assert garbled.snippet[start:end] == "钎基熔盐"
    second_half = next(v for v in story.variants if v.source == "004_f23d1930071a8f29")
    assert not second_half.matched and second_half.snippet


def test_matched_snippets_highlight_the_term_in_original_characters(corpus):
    story = search(corpus, "72TB").articles[0]
    for variant in story.variants:
        if variant.matched:
            assert variant.highlights
            for start, end in variant.highlights:
                assert variant.snippet[start:end] in ("72TB", "７２ＴＢ")
    assert any(not v.matched and "7TB" in v.snippet for v in story.variants)


def test_other_articles_of_each_page_are_separate_groups(corpus):
    response = search(corpus, "新华社", limit=100)
    assert response.total_articles > 5
    titles = [a.title for a in response.articles]
    assert len([t for t in titles if t.startswith("攀高逐")]) == 1


def test_pagination_by_group_and_totals(corpus):
    everything = search(corpus, "发展", limit=1000)
    first = search(corpus, "发展", limit=2)
    second = search(corpus, "发展", limit=2, offset=2)
    assert first.total_articles == everything.total_articles > 4
    assert [a.article_id for a in first.articles + second.articles] == [a.article_id for a in everything.articles[:4]]
    assert everything.total_variants >= everything.total_articles


def test_source_filter_restricts_groups_and_variants(corpus):
    response = search(corpus, "钍基熔盐", sources=("001_5417d37bc9da2a03",))
    assert response.total_variants == 1
    assert {v.source for a in response.articles for v in a.variants} == {"001_5417d37bc9da2a03"}


def test_json_schema_fields(corpus):
    data = search(corpus, "钍基熔盐").to_dict()
    assert set(data) == {"query", "generation", "total_articles", "total_variants", "offset", "limit", "took_ms",
                         "articles", "facets", "fuzzy_variants", "joined_variants", "also_printed_as"}
    article = data["articles"][0]
    assert set(article) == {"article_id", "title", "score", "variants", "papers", "first_printed"}
    assert set(article["variants"][0]) == {"variant_id", "source", "version", "title", "matched", "score",
                                           "snippet", "highlights", "metadata", "fuzzy", "found", "joined"}


def test_show_returns_every_variant_in_full(corpus):
    story = search(corpus, "钍基熔盐").articles[0]
    view = corpus.article(story.article_id)
    assert {v.source for v in view.variants} == STORY_SOURCES
    assert all(v.text for v in view.variants)
    assert corpus.article("nope") is None


def test_bad_requests_raise_clear_errors(corpus):
    with pytest.raises(QueryError):
        search(corpus, '"unclosed')
    with pytest.raises(ParameterError):
        SearchRequest(query="x", limit=0)
    with pytest.raises(ParameterError):
        SearchRequest(query="x", limit=1001)
    with pytest.raises(ParameterError):
        SearchRequest(query="x", date_from="yesterday").filter_query()


def test_sources_and_stats(corpus):
    records = corpus.sources()
    assert {r.source for r in records} == STORY_SOURCES
    assert all(r.version == 1 and r.articles >= 1 for r in records)
    stats = corpus.stats()
    assert stats["sources"] == 5 and stats["variants"] >= 20 and stats["stories"] < stats["variants"]


FILTERS = [
    {"sources": ("001_5417d37bc9da2a03", "004_f23d1930071a8f29")},
    {"sources": ("no-such-source",)},
    {"publication": "人民日报"},
    {"publication": "光明日报", "date_from": "2026-01-01"},
    {"date_from": "2025-12-07", "date_to": "2025-12-31"},
    {"date_to": "1990-01-01"},
    {"meta": (("edition", "海外版"),)},
    {"meta": (("page", "1"),), "publication": "光明日报"},
    {"all_versions": True, "sources": ("003_d03bbf471f6134ca",)},
    {},
]


@pytest.mark.parametrize("options", FILTERS)
def test_filters_narrow_the_cached_base_set_exactly_as_whoosh_evaluates_them(meta_index, options):
    view = Corpus(meta_index).view()
    request = SearchRequest(query="x", **options)
    expected = sorted(view.searcher.docs_for_query(request.filter_query()))
    assert view.filtered(*request.scope_queries()).tolist() == expected
    sources = {view.header(d).source for d in expected}
    wanted = {s for s, meta in SEED_METADATA.items() if admits(options, s, meta)}
    assert sources == wanted


def admits(options: dict, source: str, metadata: dict) -> bool:
    """Whether a seed page is in scope of the filter options, worked out from its sidecar by hand."""
    date = parse_date(metadata["date"])
    return ((not options.get("sources") or source in options["sources"])
            and options.get("publication") in (None, metadata["publication"])
            and (options.get("date_from") is None or date >= options["date_from"])
            and (options.get("date_to") is None or date <= options["date_to"])
            and all(str(metadata.get(key)) == value for key, value in options.get("meta", ())))


def test_the_filter_cases_are_not_all_empty():
    kept = [sum(admits(options, s, m) for s, m in SEED_METADATA.items()) for options in FILTERS]
    assert sum(1 for k in kept if 0 < k < 5) >= 6


def test_a_fuzzy_search_marks_the_garbled_printing_below_the_exact_ones(corpus):
    exact = search(corpus, "钍基熔盐")
    fuzzy = search(corpus, "钍基熔盐", fuzzy=True)
    assert not exact.also_printed_as and exact.fuzzy_variants == 0
    assert not any(v.fuzzy for a in exact.articles for v in a.variants)
    assert fuzzy.total_variants == exact.total_variants + 1 and fuzzy.fuzzy_variants == 1
    story = fuzzy.articles[0].variants
    garbled = [v for v in story if v.fuzzy]
    assert [v.source for v in garbled] == ["003_d03bbf471f6134ca"] and garbled[0].matched
    assert [(f.term, f.text) for f in garbled[0].found] == [("钍基熔盐", "钎基熔盐")]
    start, end = garbled[0].highlights[0]
    assert garbled[0].snippet[start:end] == "钎基熔盐"
    # Ranked below every exact printing of the story.
    assert [v.fuzzy for v in story if v.matched] == sorted(v.fuzzy for v in story if v.matched)
    assert [(f.form, f.variants) for f in fuzzy.also_printed_as] == [("钎基熔盐", 1)]


def test_with_the_garbled_page_alone_only_the_fuzzy_search_finds_it(tmp_path, seeds_dir):
    from indexer.ingest import index_paths

    index_dir = tmp_path / "index"
    index_paths([seeds_dir / "003_d03bbf471f6134ca.txt"], index_dir, workers=1)
    corpus = Corpus(index_dir)
    assert search(corpus, "钍基熔盐").total_variants == 0
    found = search(corpus, "钍基熔盐", fuzzy=True)
    assert found.total_variants == 1 and found.articles[0].variants[0].fuzzy
