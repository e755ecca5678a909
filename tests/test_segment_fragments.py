"""Fragments given back to the article before them (indexer/fragments.py), through segment_page: seed pages,
small made-up pages, and a property."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.cohesion import echoes
from indexer.context import HEAD_CUT, HEADING_CUT
from indexer.fragments import MAX_FRAGMENT_LETTERS, reattach_fragments
from indexer.normalise import normalise_text
from indexer.records import Article, Block
from indexer.segment import segment_page

LEAD = ("# 城市公园新添健身步道\n\n新华社北京1月1日电 本市今年新建的健身步道全长十二公里，沿河而行，连通三座公园。"
        "步道铺设透水材料，雨后不积水，夜间有照明。附近居民说，每天傍晚都来步道散步。\n\n")


def test_a_line_a_column_break_left_alone_goes_back_to_its_article() -> None:
    # "共找到7" over "个相关网页.", bold under the article's closing editor line (a seed of the 10k bench's
    # pages): one sentence that a break cut, read as the next article's title and sub-head.
    articles = segment_page(LEAD + "**编辑:杨琳**\n\n**共找到7**\n\n**个相关网页.**\n")
    assert len(articles) == 1 and articles[0].credit == "编辑:杨琳"
    assert articles[0].display_text().split("\n")[-2:] == ["共找到7", "个相关网页."]


def test_a_short_article_with_a_dateline_stays_an_article() -> None:
    articles = segment_page(LEAD + "# 晚稻收割\n\n本报讯 全县晚稻收割已完成。\n")
    assert [a.title for a in articles] == ["城市公园新添健身步道", "晚稻收割"]


def test_nothing_joins_what_follows_a_jump_line() -> None:
    articles = segment_page(LEAD + "步道两旁还种了树（下转第3版）\n\n# 驾驶证岂可买卖\n\n驾驶证岂可买卖。\n")
    assert len(articles) == 2 and articles[1].title == "驾驶证岂可买卖"


def test_seed_pages_keep_their_articles(seed_pages: dict[str, str]) -> None:
    """No seed article is that short: the pass changes none of them."""
    from indexer.segment import _PageSegmenter
    from indexer.blocks import read_pieces

    for text in seed_pages.values():
        before = [a.display_text() for a in _PageSegmenter(read_pieces(text)).run()]
        assert [a.display_text() for a in segment_page(text)] == before


letters = st.text(alphabet="的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经", min_size=1, max_size=30)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(letters, st.lists(letters, min_size=1, max_size=3), st.booleans()), min_size=1, max_size=6))
def test_every_line_is_kept_in_order_and_only_fragments_fold(drawn: list[tuple[str, list[str], bool]]) -> None:
    articles = [Article(k, title=title, dateline="本报讯" if dated else "", blocks=[Block("body", t) for t in body],
                        cut=HEAD_CUT if dated else HEADING_CUT)
                for k, (title, body, dated) in enumerate(drawn)]
    texts = [normalise_text(a.display_text()) for a in articles]
    kept = reattach_fragments([Article(a.ordinal, a.title, dateline=a.dateline, blocks=list(a.blocks), cut=a.cut)
                               for a in articles])
    assert "".join(normalise_text(a.display_text()).replace("\n", "") for a in kept) == "".join(
        t.replace("\n", "") for t in texts)
    assert [a.ordinal for a in kept] == list(range(len(kept)))
    folded = len(articles) - len(kept)
    short = sum(1 for a in articles[1:] if not a.dateline and not echoes(a.title, a.blocks[0].text)
                and len(a.title) + sum(len(b.text) for b in a.blocks) <= MAX_FRAGMENT_LETTERS)
    assert folded == short
