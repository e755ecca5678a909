"""Hits across a segmentation cut (search/joins.py, search/layout.py): real seed pages and small generated ones."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.ingest import index_paths
from search.budget import Deadline
from search.engine import Corpus
from search.joins import match_joined
from search.layout import edges, weak_cut
from search.rank import Matched
from search.request import LATEST_VARIANTS, SearchRequest

# Page 000 with its second sub-head set as a first-level heading: the segmenter cuts the wire story there, with
# no byline, dateline or marker under the heading (a weak cut), as it cuts where a sub-head reads as a title.
PROMOTED = "### 打通堵点卡点"
BEFORE, AFTER = "液氦燃料", "体制机制"  # only above the promoted heading / only below it


@pytest.fixture(scope="module")
def cut_index(tmp_path_factory, seed_pages: dict[str, str]) -> Path:
    """The seed page 000 cut at a promoted sub-head, and small generated pages."""
    pages = tmp_path_factory.mktemp("cut-pages")
    page = seed_pages["000_b412ed2ff225a7db"]
    assert PROMOTED in page
    (pages / "cut.txt").write_text(page.replace(PROMOTED, "# 打通堵点卡点"), encoding="utf-8")
    (pages / "two.txt").write_text(
        "# 城市公园新添健身步道\n\n本市今年新建的健身步道全长十二公里，沿河而行，连通三座公园。步道铺设透水材料，"
        "雨后不积水，夜间有照明。附近居民说，每天傍晚都来步道散步。健身步道两旁还种了树。\n\n"
        "# 晚稻收割进入尾声\n\n全县晚稻收割已完成九成，农机手日夜作业，粮食烘干中心满负荷运转。今年晚稻亩产比去年"
        "略有增加，收购价格平稳。种粮大户表示，明年还将扩大种植面积，收割后及时翻耕。\n", encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("cut-index") / "index"
    summary = index_paths([pages], index_dir, workers=1)
    assert summary.new == 2 and not summary.failed
    return index_dir


def joined_match(corpus: Corpus, request: SearchRequest) -> Matched:
    """What a request matches with its joins across weak cuts, as a search ranks it."""
    return match_joined(corpus.view(), request, Deadline())


def test_a_query_across_a_weak_cut_finds_the_article_marked_joined(cut_index: Path) -> None:
    corpus = Corpus(cut_index)
    held = joined_match(corpus, SearchRequest(query=BEFORE + " 熔盐实验堆"))  # one variant holds both
    assert len(held.docnums) == 1 and not len(held.joined)
    matched = joined_match(corpus, SearchRequest(query=f"{BEFORE} {AFTER}"))
    assert len(matched.docnums) == 1 and matched.joined.tolist() == matched.docnums.tolist()
    view = corpus.view()
    first, second = edges(view, int(matched.joined[0])), edges(view, int(matched.joined[0]) + 1)
    assert (first.source, first.ordinal, second.ordinal) == ("cut", 0, 1)
    assert BEFORE in view.normalised_text(int(matched.joined[0])) and AFTER not in view.normalised_text(
        int(matched.joined[0]))
    assert weak_cut(first, second)
    response = corpus.search(SearchRequest(query=f"{BEFORE} {AFTER}"))
    assert (response.total_variants, response.joined_variants) == (1, 1)
    hit = [v for a in response.articles for v in a.variants if v.matched]
    assert [(v.source, v.joined) for v in hit] == [("cut", True)]


def test_counts_are_of_literal_matches_only(cut_index: Path) -> None:
    """A joined hit is shown, never counted: facets, timelines, topics and exports equal a scan of the texts."""
    corpus = Corpus(cut_index)
    request = SearchRequest(query=f"{BEFORE} {AFTER}", facets=("source",))
    assert not len(corpus.matched(request).docnums)
    response = corpus.search(request)
    assert response.joined_variants == 1 and response.facets["source"].values == []
    assert not list(corpus.export(request, "variant"))
    assert all(cell.variants == 0 for row in corpus.timeline(request, [request.query], "year").cells for cell in row)


def test_an_excluded_term_on_either_side_bars_the_join(cut_index: Path) -> None:
    corpus = Corpus(cut_index)
    assert not len(joined_match(corpus, SearchRequest(query=f"{BEFORE} {AFTER} -钍基熔盐")).docnums)  # before the cut
    assert not len(joined_match(corpus, SearchRequest(query=f"{BEFORE} {AFTER} -堵点卡点")).docnums)  # after it


def test_terms_of_two_articles_with_a_strong_start_between_are_not_a_hit(cut_index: Path) -> None:
    corpus = Corpus(cut_index)
    # The trade report and the next, each under a title with its own dateline.
    assert not len(joined_match(corpus, SearchRequest(query="货物贸易 场景导航图")).docnums)
    # The sub-head's section and the article continued from page 1 under a marker.
    assert not len(joined_match(corpus, SearchRequest(query=f"{AFTER} 党外人士")).docnums)


def test_terms_of_two_articles_on_other_subjects_are_not_a_hit(cut_index: Path) -> None:
    """Two titled articles with nothing but a heading between: the cut is weak by its head, but the two sides
    share too little vocabulary to be one article."""
    corpus = Corpus(cut_index)
    view = corpus.view()
    matched = joined_match(corpus, SearchRequest(query="健身步道 晚稻"))
    assert not len(matched.docnums)
    walk = joined_match(corpus, SearchRequest(query="健身步道")).docnums
    assert len(walk) == 1
    first, second = edges(view, int(walk[0])), edges(view, int(walk[0]) + 1)
    assert (second.source, second.ordinal) == ("two", 1) and not weak_cut(first, second)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_joins_never_change_what_one_variant_matches(cut_index: Path, data: st.DataObject) -> None:
    """Every variant holding all terms is a hit, and is never marked joined; a joined hit holds some term."""
    corpus = Corpus(cut_index)
    view = corpus.view()
    latest = view.scope(LATEST_VARIANTS).tolist()
    texts = {d: view.normalised_text(d) for d in latest}
    source = data.draw(st.sampled_from(sorted(texts)))
    text = texts[source]
    terms = []
    for _ in range(2):
        start = data.draw(st.integers(0, len(text) - 4))
        term = text[start:start + data.draw(st.integers(2, 4))]
        if not term.strip() or not all("\u4e00" <= c <= "\u9fff" for c in term):
            return
        terms.append(term)
    matched = joined_match(corpus, SearchRequest(query=" ".join(terms)))
    literal = {d for d, t in texts.items() if all(term in t for term in terms)}
    joined = set(matched.joined.tolist())
    assert set(matched.docnums.tolist()) == literal | joined
    assert not joined & literal
    assert all(any(term in texts[d] for term in terms) for d in joined)
