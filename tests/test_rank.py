"""The literal-match guarantee: search returns exactly the variants a substring scan finds."""
from __future__ import annotations

import math
import random
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from indexer.normalise import normalise_text
from indexer.words import FIELDS, TITLE_BOOST, field_code, field_of
from search.engine import Corpus
from search.query import QueryError, matches, parse_query
from search.rank import BM25_B, BM25_K1, ranking_terms, score_matches, top_hits
from search.request import LATEST_VARIANTS, ParameterError, SearchRequest
from tests.conftest import recounted_words
from tests.query_strategies import HOSTILE_QUERIES, valid_queries

NAMED_TERMS = [
    "钍基熔盐", "熔盐实验", "产业创新深度", "72TB", "７２ＴＢ", "7TB", "G60", "g60", "1.64小时", "164小时",
    "InnoMatch", "innomatch", "INNOMATCH", "钎基熔盐", "液氦燃料", "HEPS", '"(HEPS)"', "光源(HEPS)", "新质生产力", "，", "。",
    "“新”", "3.5万", "35万", "新华社北京12月6日电", "腾冲科学论坛", "工业领域设备更新", "甘肃科学布局",
    "钍", "堆", "x", "不存在的词语", "新华社记者", "2025", "5G", "AI",
]
BOOLEAN_QUERIES = [
    "钍基熔盐 OR 钎基熔盐", "熔盐 -钎基", "新质生产力 NOT 72TB", '"新质 生产力" 熔盐', "(G60 OR InnoMatch) 上海",
    "世界杯 OR 马克龙 OR 人工智能", "发展 -发展", "新华社 -(北京 OR 成都)",
]


@pytest.fixture(scope="module")
def normalised_variants(seed_index):
    """variant id -> (normalised text, latest) for every variant in the index: the brute-force reference."""
    # Normalised again from the stored original: independent of the segments the engine searches.
    view = Corpus(seed_index).view()
    return {view.header(d).variant_id: normalise_text(view.original(d)[0]) for d in view.scope(LATEST_VARIANTS).tolist()}


def sampled_terms(texts: list[str], count: int, seed: int = 7) -> list[str]:
    """Random substrings of the normalised texts, 1-10 characters, many across jieba word boundaries."""
    rng = random.Random(seed)
    terms = []
    while len(terms) < count:
        text = rng.choice(texts)
        length = rng.randint(1, 10)
        start = rng.randrange(0, max(1, len(text) - length))
        term = text[start:start + length]
        if term.strip() and "\n" not in term and " " not in term and not term.startswith("-") and term not in ("OR", "NOT", "AND") and '"' not in term and "(" not in term and ")" not in term:
            terms.append(term)
    return terms


def searched_ids(corpus, query: str) -> set[str]:
    response = corpus.search(SearchRequest(query=query, limit=1000))
    assert len(response.articles) == response.total_articles
    found = {v.variant_id for a in response.articles for v in a.variants if v.matched}
    joined = {v.variant_id for a in response.articles for v in a.variants if v.matched and v.joined}
    assert len(found) == response.total_variants and len(joined) == response.joined_variants
    return found - joined  # a hit across a weak cut (search.joins) is marked, and is no literal match


def grep_ids(normalised_variants: dict[str, str], query: str) -> set[str]:
    node = parse_query(query)
    return {vid for vid, text in normalised_variants.items() if matches(node, text)}


def test_named_terms_match_exactly_what_grep_finds(corpus, normalised_variants):
    for term in NAMED_TERMS + BOOLEAN_QUERIES:
        assert searched_ids(corpus, term) == grep_ids(normalised_variants, term), term


def test_sampled_terms_have_zero_misses_and_zero_false_hits(corpus, normalised_variants):
    terms = sampled_terms(list(normalised_variants.values()), 300)
    misses = false_hits = 0
    for term in terms:
        got, expected = searched_ids(corpus, term), grep_ids(normalised_variants, term)
        misses += len(expected - got)
        false_hits += len(got - expected)
    assert (misses, false_hits) == (0, 0)


def test_sampled_pairs_of_terms_match_like_grep(corpus, normalised_variants):
    terms = sampled_terms(list(normalised_variants.values()), 120, seed=11)
    for first, second in zip(terms[::2], terms[1::2]):
        for query in (f"{first} {second}", f"{first} OR {second}", f"{first} -{second}"):
            assert searched_ids(corpus, query) == grep_ids(normalised_variants, query), query


def test_phrase_of_words_matches_even_when_jieba_cuts_it_differently(corpus, normalised_variants):
    # jieba segments 熔盐实验堆 inside a longer sentence differently from the term alone.
    assert searched_ids(corpus, "熔盐实验") == grep_ids(normalised_variants, "熔盐实验") != set()


# A search of the seed index takes milliseconds; far past that is a hang, not a slow machine.
SEARCH_DEADLINE = timedelta(seconds=5)


@settings(max_examples=300, deadline=SEARCH_DEADLINE, suppress_health_check=[HealthCheck.too_slow])
@given(query=HOSTILE_QUERIES)
@example(query="0 3")  # its terms on the two sides of a weak cut on seed page 001: a joined hit
def test_any_query_answers_like_grep_or_raises_a_one_line_user_error(corpus, normalised_variants, query):
    try:
        found = searched_ids(corpus, query)
    except (QueryError, ParameterError) as exc:
        assert len(str(exc).splitlines()) == 1
        return
    assert found == grep_ids(normalised_variants, query)


def substrings_of(texts: list[str]) -> st.SearchStrategy[str]:
    """Stretches of the normalised texts, 1-8 characters with spaces, line breaks and brackets as printed,
    and words found nowhere; none holding a quote, which a query cannot hold inside a phrase."""
    stretch = st.builds(lambda text, start, length: text[start % len(text):][:length],
                        st.sampled_from([t for t in texts if t]), st.integers(0, 10**6), st.integers(1, 8))
    words = st.one_of(stretch, st.sampled_from(["不存在的词语", "x", "钍基熔盐", "72tb", "(heps)"]))
    return words.filter(lambda w: '"' not in w and "\uff02" not in w and normalise_text(w).strip() != "")


@settings(max_examples=200, deadline=SEARCH_DEADLINE, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_queries_match_exactly_what_grep_finds(corpus, normalised_variants, data):
    query = data.draw(valid_queries(substrings_of(sorted(normalised_variants.values()))))
    expected = {vid for vid, text in normalised_variants.items()
                if query.holds([normalise_text(w) for w in query.terms], text)}
    assert searched_ids(corpus, query.text) == grep_ids(normalised_variants, query.text) == expected, query.text


def test_story_about_the_term_ranks_above_a_passing_mention(corpus):
    response = corpus.search(SearchRequest(query="新质生产力", limit=20))
    assert response.articles[0].title.startswith("攀高逐")


def reference_bm25f(view, codes: list, docnums: list[int]) -> list[float]:
    """BM25F from each variant's stored title and text cut by jieba again: no postings, no segments."""
    fields_of = recounted_words(view)
    count = len(fields_of)
    average = {f: sum(sum(c[f].values()) for c in fields_of.values()) / count for f in FIELDS}
    tf_of = {code: {d: c[field_of(code)].get(w, 0) for d, c in fields_of.items()}
             for code in codes for w in {w for c in fields_of.values() for f in FIELDS for w in c[f]}
             if field_code(field_of(code), w) == code}
    scores = []
    for docnum in docnums:
        score = 0.0
        for code, tfs in tf_of.items():
            field = field_of(code)
            tf = tfs.get(docnum, 0) * (TITLE_BOOST if field == "title" else 1.0)
            if tf:
                idf = math.log(count / (sum(1 for n in tfs.values() if n) + 1)) + 1
                length = sum(fields_of[docnum][field].values())
                score += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / average[field]))
        scores.append(score)
    return scores


@pytest.mark.parametrize("query", ["钍基熔盐", "新质生产力 发展", "攀高 科学", "中国 OR 技术", "的"])
def test_scores_equal_bm25f_recomputed_from_the_stored_texts(corpus, query):
    view = corpus.view()
    node = parse_query(query)
    docnums = np.sort(view.docnum_of_key[view.docnum_of_key >= 0])
    codes = ranking_terms(view, node)
    assert codes or query == "的"  # a word in most variants is not scored
    scores = score_matches(view, node, docnums)
    assert np.allclose(scores, reference_bm25f(view, codes, docnums.tolist()))
    assert scores.any() == bool(codes)


def test_top_hits_break_ties_by_document_number_at_the_cut():
    docnums = np.array([2, 5, 7, 9, 11])
    scores = np.array([1.0, 3.0, 1.0, 1.0, 2.0])
    assert [h.docnum for h in top_hits(docnums, scores, 3)] == [5, 11, 2]
    assert [h.docnum for h in top_hits(docnums, scores, None)] == [5, 11, 2, 7, 9]
