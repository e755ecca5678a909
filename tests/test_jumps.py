"""Pairing the head and tail of an article continued on another page (indexer/jumps.py)."""
import json

from hypothesis import given
from hypothesis import strategies as st

from bench.gen.layout import cn_number
from bench.reference import load_variants
from indexer.ingest import index_paths
from indexer.jumps import JumpBook, page_number
from tests.conftest import split_story_pages

PAPER = {"publication": "测试日报", "date": "2025-12-07"}


@given(st.integers(1, 99), st.sampled_from(["(下转第{}版)", "（上接第{}版）", "(转{}版)", "（接第{}页）", "(上接{}版)"]),
       st.booleans())
def test_page_number_reads_digits_and_chinese_numerals(number, form, in_chinese):
    written = cn_number(number) if in_chinese else str(number)
    assert page_number(form.format(written)) == number


def test_page_number_reads_full_width_digits_and_section_letters():
    assert page_number("（上接第１２版）") == 12
    assert page_number("(下转第A3版)") == 3
    assert page_number("本报讯") is None


def book(*parts):
    jumps = JumpBook()
    for page, kind, jump, title, story in parts:
        jumps.record({**PAPER, "page": page}, kind, jump, title, story, 100)
    return [(head.story, tail.story) for head, tail in jumps.pairs()]


def test_a_head_and_the_tail_its_jump_line_names_are_paired():
    assert book((1, "head", 4, "标题甲", "h"), (1, "whole", None, "标题乙", "w"), (4, "tail", 1, "", "t")) == [("h", "t")]


def test_parts_of_other_papers_dates_or_pages_are_not_paired():
    jumps = JumpBook()
    jumps.record({**PAPER, "page": 1}, "head", 4, "", "h", 100)
    jumps.record({"publication": "别的报", "date": "2025-12-07", "page": 4}, "tail", 1, "", "t1", 100)
    jumps.record({**PAPER, "date": "2025-12-08", "page": 4}, "tail", 1, "", "t2", 100)
    jumps.record({**PAPER, "page": 5}, "tail", 1, "", "t3", 100)
    assert jumps.pairs() == []


def test_two_tails_naming_one_head_pair_only_by_headline():
    assert book((1, "head", 4, "钍基熔盐", "h"), (4, "tail", 1, "", "t1"), (4, "tail", 1, "", "t2")) == []
    assert book((1, "head", 4, "钍基熔盐", "h"), (4, "tail", 1, "", "t1"), (4, "tail", 1, "钍基熔盐", "t2")) \
        == [("h", "t2")]


def test_a_head_without_its_jump_line_pairs_by_a_headline_printed_once():
    assert book((1, "whole", None, "钍基熔盐", "h"), (1, "whole", None, "别的", "w"), (4, "tail", 1, "钍基熔盐", "t")) \
        == [("h", "t")]
    assert book((1, "whole", None, "钍基熔盐", "h"), (1, "whole", None, "钍基熔盐", "w"),
                (4, "tail", 1, "钍基熔盐", "t")) == []


def test_parts_without_paper_date_or_page_are_not_recorded():
    jumps = JumpBook()
    for metadata in ({}, {"publication": "测试日报", "page": 1}, {**PAPER, "page": "A"}):
        jumps.record(metadata, "head", 4, "", "h", 100)
    assert jumps.parts == []


def write_pages(folder, pages, sidecars):
    folder.mkdir()
    for name, text in pages.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        if name in sidecars:
            (folder / f"{name}.meta.json").write_text(json.dumps(sidecars[name], ensure_ascii=False), encoding="utf-8")
    return folder


def stories_of(index_dir):
    variants = load_variants(index_dir)
    return {variant_id.split("@")[0]: story for variant_id, story in zip(variants.variant_id, variants.article_id)}


def test_an_article_continued_on_another_page_is_one_story_given_its_pages(tmp_path, seed_pages):
    pages = {name: text for name, text in split_story_pages(seed_pages).items() if name != "c-whole"}
    pages["a-head"] = pages["a-head"].replace("第3版", "第4版")
    placed = {"a-head": {**PAPER, "page": 1}, "b-tail": {**PAPER, "page": 4}}
    index_paths([write_pages(tmp_path / "placed", pages, placed)], tmp_path / "placed-index", workers=1)
    index_paths([write_pages(tmp_path / "unplaced", pages, {})], tmp_path / "unplaced-index", workers=1)
    placed_stories, unplaced_stories = stories_of(tmp_path / "placed-index"), stories_of(tmp_path / "unplaced-index")
    # The parts share no text: without knowing where they were printed they are two stories.
    assert unplaced_stories["a-head"] != unplaced_stories["b-tail"]
    assert placed_stories["a-head"] == placed_stories["b-tail"]


def test_a_jump_line_on_its_own_line_or_ending_the_last_paragraph_marks_a_head(seed_pages):
    from indexer.prepare import prepare_page
    from indexer.records import Page

    paragraphs = split_story_pages(seed_pages)["a-head"].replace("（下转第3版）", "").rstrip()
    for ending in ("\n\n（下转第三版）\n", "（下转第三版）\n", "\n\n(轉3版)\n"):
        page = Page("p", "p.txt", paragraphs + ending, "0")
        (variant,) = prepare_page(page).variants
        assert (variant.sketch.part, variant.jump) == ("head", 3), ending
    tail = Page("t", "t.txt", split_story_pages(seed_pages)["b-tail"], "0")
    assert [(v.sketch.part, v.jump) for v in prepare_page(tail).variants] == [("tail", 1)]
