"""The bench's independent reference (bench/rawtext.py, bench/rawref.py, bench/cuts.py, bench/consensus_cer.py)
on pages and truth written the way the generator writes them, indexed by the real indexer."""
from __future__ import annotations

import json
import random
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import segmentation
from bench.consensus_cer import qualifying_stories, score_story, summary
from bench.cuts import apart_queries, cut_check, draw_term, together_queries
from bench.dataset import Dataset
from bench.rawref import ReferenceTerm, reference_check
from bench.rawtext import article_parts, load_raw_articles, plain_form, reference_text
from bench.reference import load_variants
from bench.truthmap import TruthMap
from indexer.ingest import index_paths
from search.consensus import character_error_rate
from search.engine import Corpus

STORY = ("新华社兰州1月1日电 位于甘肃民勤的2兆瓦液态燃料钍基熔盐实验堆已成功实现国际首次钍铀核燃料转换，"
         "为发展第四代先进核能系统提供了重要技术支撑。")
MORE = "这一成果标志着我国在先进核能领域取得重大进展。科研人员表示，下一步将加快推进工业示范堆建设。"
PAGES = {
    # the story with a column break inside 推进工业, then an article on another subject
    "p1": ["# 钍基熔盐实验堆取得突破", "", STORY, "", MORE.replace("推进工", "推进工\n\n"), "",
           "# 城市公园迎来赏梅高峰", "", "本报讯 连日来，市植物园梅花竞相开放，吸引大批市民前来观赏。", "",
           "游客王女士说，每年这个时候都会带家人来看梅花。"],
    # the story reprinted with one OCR error (钍 read as 钎), then a third subject
    "p2": ["# 钍基熔盐实验堆取得突破", "", STORY.replace("钍基", "钎基"), "", MORE, "",
           "# 地铁新线开通运营", "", "本报讯 今天上午，地铁五号线正式开通运营，沿线居民出行更加便捷。"],
}
TRUTH = [
    ("p1", 0, "s1", [[1, 1, "title"], [3, 7, "body"]]),
    ("p1", 1, "s2", [[9, 9, "title"], [11, 13, "body"]]),
    ("p2", 0, "s1", [[1, 1, "title"], [3, 5, "body"]]),
    ("p2", 1, "s3", [[7, 7, "title"], [9, 9, "body"]]),
]


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> tuple[Dataset, TruthMap, Corpus]:
    root = tmp_path_factory.mktemp("mini")
    (root / "pages").mkdir()
    for name, lines in PAGES.items():
        (root / "pages" / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(root / "truth.jsonl", "w", encoding="utf-8") as truth:
        for page, ordinal, story, runs in TRUTH:
            record = {"page": f"pages/{page}.txt", "ordinal": ordinal, "story": story, "part": "whole",
                      "script": "simplified", "origin": f"o{story}", "layout": "classic", "lines": runs}
            truth.write(json.dumps(record, ensure_ascii=False) + "\n")
    index_paths([root / "pages"], root / "index", workers=1, id_from="path")
    dataset = Dataset(root, {})
    variants = load_variants(root / "index")
    cover = segmentation.evaluate(dataset, variants).cover
    return dataset, TruthMap.build(load_raw_articles(dataset), cover, variants), Corpus(root / "index")


def test_plain_form_folds_width_case_script_and_drops_layout() -> None:
    assert plain_form("釷基熔鹽 ＡＢＣ\u200b\n工\n\n业\x00 72ＴＢ\ue000") == "钍基熔盐abc工业72tb"


@given(st.text(max_size=60))
def test_plain_form_is_idempotent_and_holds_no_space_or_control(text: str) -> None:
    plain = plain_form(text)
    assert plain_form(plain) == plain
    assert not any(c.isspace() or unicodedata.category(c)[0] == "C" for c in plain)


def test_parts_cut_at_roles_and_paragraph_ends_but_not_inside_a_sentence() -> None:
    lines = ["# 标题一", "", "正文**第一**段落。", "", "写到一半准", "", "备250套住房。", "### 小标题", "是指"]
    record = {"lines": [[1, 1, "title"], [3, 7, "body"], [8, 8, "subhead"], [9, 9, "body"]]}
    assert article_parts(record, lines) == ["标题一", "正文第一段落。", "写到一半准备250套住房。", "小标题", "是指"]
    assert reference_text(record, lines) == "标题一\n正文第一段落。\n写到一半准备250套住房。\n小标题\n是指"


def test_every_article_is_alone_on_one_variant(mini) -> None:
    _, truth, _ = mini
    assert [truth.alone(a) is not None for a in range(len(truth.articles))] == [True] * 4
    assert len({truth.alone(a) for a in range(4)}) == 4


def test_reference_agrees_with_the_engine_and_names_what_it_misses(mini) -> None:
    _, truth, corpus = mini
    terms = [ReferenceTerm("t", "梅花", "梅花"), ReferenceTerm("t", "推进工业", "推进工业"),
             ReferenceTerm("t", '"2兆瓦"', "2兆瓦"), ReferenceTerm("t", "钍基", "钍基"),
             ReferenceTerm("t", "日电位于", "日电位于")]  # across the dateline the segmenter moves to the head
    result = reference_check(corpus, truth, list(load_variants(corpus.index_dir).docnum), terms)
    # 梅花 1, 推进工业 2 (once across a column break), 2兆瓦 2, 钍基 2 (p2 in its title), 日电位于 2 in the
    # reference; the engine misses the last, whose dateline its segmenter moves into the head
    assert result["reference_pairs"] == 9 and result["returned_pairs"] == 7
    assert result["precision"] == 1.0 and result["recall"] == 7 / 9
    assert result["causes"] == {"missed: whitespace inside term": 2}


def test_pairs_from_one_article_are_found_and_pairs_from_two_never_join(mini) -> None:
    _, truth, corpus = mini
    variants = load_variants(corpus.index_dir)
    result = cut_check(corpus, truth, variants, seed=0, queries=20)
    assert result["together_queries"] > 0 and result["apart_queries"] > 0
    assert result["page_recall"] == result["article_recall"] == 1.0, result["lost"]
    assert result["false_joins"] == 0, result["joins"]


@given(st.integers(0, 1000))
def test_drawn_pairs_hold_what_they_claim(mini, seed: int) -> None:
    _, truth, _ = mini
    rng = random.Random(seed)
    for pair in together_queries(truth, 3, rng):
        text = truth.articles[pair.article].text
        assert text.find(pair.first) < len(text) // 3 + 4 and pair.second in text[2 * (len(text) // 3):]
    for pair in apart_queries(truth, 3, rng):
        page = [a.text for a in truth.articles if a.page == truth.articles[pair.article].page]
        assert not any(pair.first in text and pair.second in text for text in page)


@given(st.text(alphabet="钍基熔盐，。ab1", max_size=30), st.integers(0, 30), st.integers(0, 30), st.integers(0, 99))
def test_a_drawn_term_is_two_to_four_ideographs_starting_in_range(text: str, low: int, high: int, seed: int) -> None:
    term = draw_term(text, low, high, random.Random(seed))
    if term is not None:
        assert 2 <= len(term) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in term)
        assert any(text.startswith(term, k) for k in range(low, max(low + 1, high - len(term) + 1)))


def test_consensus_of_the_reprinted_story_is_scored_against_the_clean_text(mini) -> None:
    _, truth, corpus = mini
    variants = load_variants(corpus.index_dir)
    stories = qualifying_stories(truth, variants)
    assert list(stories) == ["s1"] and len(stories["s1"]) == 2
    clean = STORY.removeprefix("新华社兰州1月1日电 ") + "\n" + MORE  # the segmenter puts the dateline in the head
    scored = score_story(corpus, variants.article_id[stories["s1"][0]], clean)
    assert scored["printings"] == 2 and scored["best"] == 0.0
    misread = character_error_rate(clean, clean.replace("钍基", "钎基"))
    assert scored["mean"] == pytest.approx(misread / 2) and scored["consensus"] in (0.0, pytest.approx(misread))
    totals = summary([scored, {**scored, "consensus": 1.0}])
    assert totals["stories"] == 2 and totals["not_worse"] == (scored["consensus"] == 0.0)
    assert totals["median_best"] == 0.0 and totals["mean_consensus"] == (scored["consensus"] + 1.0) / 2
