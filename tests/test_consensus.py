"""Consensus text and differences of a story's printings: the seed story's known OCR errors, the tie
rule, punctuation-width folding, JSON, the terminal view, and invariants."""
from __future__ import annotations

import random
import re

import orjson
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.console import Console

from bench.compare import Noise, long_text, noisy_copy, story_printings, synthetic_story
from indexer.normalise import normalise_text
from search.alignment import Printing
from search.compare import compare
from search.compare_display import print_consensus, print_differences
from search.consensus import character_error_rate


def sides(comparison, *readings: str):
    """The differences whose readings (normalised) are exactly these, as {reading: variants}."""
    found = [{r.normalised: set(r.variants) for r in d.readings} for d in comparison.differences
             if sorted(r.normalised for r in d.readings) == sorted(readings)]
    assert found, readings
    return found


@pytest.mark.parametrize("right, wrong, right_side, wrong_side", [
    ("钍", "钎", {"000", "001", "002"}, {"003"}),
    ("态", "氦", {"001", "002", "003"}, {"000"}),
    ("72tb", "7tb", {"000", "001", "003", "004"}, {"002"}),
    ("3.5", "35", {"000", "001", "003"}, {"002", "004"}),
    ("1.64", "164", {"000", "001", "002", "003"}, {"004"}),
    ("110", "10", {"000"}, {"001", "002", "003", "004"}),
])
def test_the_known_ocr_errors_are_differences_with_the_right_printings_on_each_side(
        seed_comparison, right, wrong, right_side, wrong_side):
    for found in sides(seed_comparison, right, wrong):
        assert found == {right: right_side, wrong: wrong_side}


def test_thorium_is_misread_at_all_four_places_of_003(seed_comparison):
    assert len(sides(seed_comparison, "钍", "钎")) == 4


def test_differences_sit_where_the_consensus_reads_them(seed_comparison):
    text = seed_comparison.consensus.text
    for readings, context in [(("态", "氦"), "液态燃料"), (("3.5", "35"), "3.5万"), (("1.64", "164"), "1.64小时"),
                              (("72tb", "7tb"), "72TB数据")]:
        difference = next(d for d in seed_comparison.differences
                          if sorted(r.normalised for r in d.readings) == sorted(readings))
        at = text.index(context)
        assert at <= difference.start < difference.end <= at + len(context)
        assert difference.consensus == text[difference.start:difference.end]


def test_the_consensus_reads_the_majority(seed_comparison):
    text = seed_comparison.consensus.text
    for right in ("钍基熔盐", "液态燃料", "72TB", "1.64小时", "3.5万"):
        assert right in text
    for wrong in ("钎基", "液氦", "7TB数据", "164小时", "35万"):
        assert wrong not in text
    lines = text.split("\n")
    assert lines[0] == "攀高逐“新”“质”胜未来" and seed_comparison.consensus.head_lines == 4
    assert "(上接第一版)" not in text  # only the partial printing prints its continuation line
    assert len(seed_comparison.consensus.support) == len(text) == len(seed_comparison.consensus.coverage)


def test_readings_come_in_original_characters_with_their_spans(seed_comparison, seed_story):
    texts = {p.variant_id: p.text for p in seed_story}
    difference = next(d for d in seed_comparison.differences
                      if {r.normalised for r in d.readings} == {"72tb", "7tb"})
    for reading in difference.readings:
        assert reading.text in ("72TB", "7TB")
        for variant, (start, end) in zip(reading.variants, reading.spans):
            assert texts[variant][start:end] == reading.text


def test_punctuation_width_alone_is_folded_unless_asked_for(seed_comparison):
    shown = seed_comparison.shown()
    with_width = seed_comparison.shown(punctuation=True)
    width_only = [d for d in with_width if d.width_only]
    assert width_only and not [d for d in shown if d.width_only]
    assert len(with_width) == len(shown) + len(width_only)
    assert seed_comparison.diff_dict()["folded"] == len(width_only)
    comma = next(d for d in width_only if {r.text for r in d.readings} == {"，", ","})
    assert comma.kind == "punctuation" and {r.normalised for r in comma.readings} == {","}


def test_width_only_difference_between_two_printings():
    comparison = compare([Printing("a", "标题\n甲乙，丙丁", 1, 1), Printing("b", "标题\n甲乙,丙丁", 1, 1)])
    assert comparison.shown() == []
    [difference] = comparison.shown(punctuation=True)
    assert difference.width_only and [r.text for r in difference.readings] == ["，", ","]
    assert [r.spans for r in difference.readings] == [((5, 6),), ((5, 6),)]


def two(first: str, second: str, **options):
    return compare([Printing("a", first, 0, 1), Printing("b", second, 0, 1)], **options)


def test_tie_rule_prefers_the_longer_reading_then_the_first_printing():
    assert "1.64小时" in two("数据传输时间缩短至1.64小时", "数据传输时间缩短至164小时").consensus.text
    assert "1.64小时" in two("数据传输时间缩短至164小时", "数据传输时间缩短至1.64小时").consensus.text
    assert "钎基熔盐" in two("液态燃料钎基熔盐实验堆", "液态燃料钍基熔盐实验堆").consensus.text
    assert "钍基熔盐" in two("液态燃料钍基熔盐实验堆", "液态燃料钎基熔盐实验堆").consensus.text


def test_tie_rule_prefers_nothing_to_a_stretch_of_more_than_a_few_characters_one_printing_adds():
    # b runs a byline into the first paragraph; a, which also has a second paragraph, is the frame
    # the byline is aligned to as extra text at one place
    first = "位于甘肃民勤的液态燃料钍基熔盐实验堆已成功实现国际首次钍核燃料转换。这是我国在先进核能领域的又一突破。"
    second = "全球最大综合孔径射电望远镜巡天逐日，江门中微子实验大幕开启。"
    a = Printing("a", first + "\n" + second, 0, 2)
    b = Printing("b", first.replace("这是", "（记者张三、李四）这是"), 0, 1)
    for printings in ([a, b], [b, a]):
        consensus = compare(printings).consensus
        assert consensus.text.split("\n")[0] == first and consensus.ties == 1


def test_tie_rule_lets_a_known_ocr_confusions_source_win():
    def thorium(correct: str, observed: str) -> float:
        return 1.0 if (correct, observed) == ("钍", "钎") else 0.0

    for first, second in [("液态燃料钎基熔盐实验堆", "液态燃料钍基熔盐实验堆"),
                          ("液态燃料钍基熔盐实验堆", "液态燃料钎基熔盐实验堆")]:
        comparison = two(first, second, confusion_weight=thorium)
        assert "钍基熔盐" in comparison.consensus.text and comparison.consensus.ties == 1


def test_tie_rule_prefers_the_printings_that_agree_more_elsewhere():
    # c prints only the first paragraph, where it agrees with b against a; in the second paragraph
    # a and b tie, and b, the more reliable, wins although a is given first.
    first = "全球最大综合孔径射电望远镜巡天逐日，江门中微子实验大幕开启"
    second = "位于甘肃民勤的液态燃料钍基熔盐实验堆已成功实现国际首次钍核燃料转换"
    a = Printing("a", first.replace("综合", "综会").replace("江门", "江闩") + "\n" + second.replace("液态", "液氦"), 0, 2)
    b = Printing("b", first + "\n" + second, 0, 2)
    c = Printing("c", first, 0, 1)
    consensus = compare([a, b, c]).consensus
    assert consensus.reliability["b"] > consensus.reliability["a"]
    assert "液态燃料" in consensus.text and consensus.ties == 1


def test_json_is_plain_and_documents_each_difference(seed_comparison):
    diff = orjson.loads(orjson.dumps(seed_comparison.diff_dict()))
    consensus = orjson.loads(orjson.dumps(seed_comparison.consensus.to_dict()))
    assert consensus["text"] == diff["consensus"] and len(consensus["support"]) == len(consensus["text"])
    assert "longer reading" in consensus["tie_rule"]
    difference = next(d for d in diff["differences"] if {r["normalised"] for r in d["readings"]} == {"1.64", "164"})
    assert set(difference) == {"slot", "section", "start", "end", "consensus", "kind", "width_only", "paragraph",
                               "covering", "support", "readings"}
    assert diff["consensus"][difference["start"]:difference["end"]] == difference["consensus"] == "1.64"
    assert difference["covering"] == 5 and difference["support"] == 0.8
    wrong = next(r for r in difference["readings"] if not r["consensus"])
    assert wrong == {"text": "164", "normalised": "164", "variants": ["004"], "spans": wrong["spans"],
                     "consensus": False}
    assert [p["variant_id"] for p in diff["printings"]] == ["000", "001", "002", "003", "004"]


def test_the_terminal_view_marks_each_reading_and_who_reads_it(seed_comparison):
    console = Console(record=True, width=160)
    print_differences(console, seed_comparison)
    shown = console.export_text()
    folded = len(seed_comparison.differences) - len(seed_comparison.shown())
    assert f"{len(seed_comparison.shown())} differences among 5 printings, {folded} of punctuation width" in shown
    assert "    钎  003" in shown and "    164  004" in shown and "    72TB  000, 001, 003, 004" in shown
    headings = re.findall(r"^  (?:paragraph )?(?:substitution|insertion|deletion|punctuation) \(", shown, re.M)
    assert len(headings) == len(seed_comparison.shown())
    console = Console(record=True, width=160)
    print_differences(console, seed_comparison, punctuation=True)
    assert f"{len(seed_comparison.shown(True))} differences" in console.export_text()
    console = Console(record=True, width=160)
    print_consensus(console, seed_comparison)
    assert "钍基熔盐" in console.export_text()


def test_consensus_of_many_noisy_printings_beats_the_best_printing(seed_pages, seed_story):
    clean = long_text(seed_pages, seed_story, 3000)
    printings = synthetic_story(clean, 7, seed=3)
    consensus = compare(printings).consensus.text
    best = min(character_error_rate(clean.text, p.text) for p in printings)
    assert best > 0.02
    assert character_error_rate(clean.text, consensus) < best / 4


def test_character_error_rate_ignores_width_and_layout():
    assert character_error_rate("钍基熔盐，72TB\n实验堆", "钍基熔盐,７２ＴＢ 实验堆") == 0.0
    assert character_error_rate("钍基熔盐实验堆", "钎基熔盐实验堆") == pytest.approx(1 / 7)
    assert character_error_rate("", "") == 0.0


LINE = st.text(alphabet="钍基熔盐实验堆新质生产力发展科技创新产业我国中试平台万小时ＴＢ72TBab.，,。“”", min_size=1, max_size=40)
LINES = st.lists(LINE, min_size=1, max_size=6, unique=True)


def distinct(lines: list[str]) -> bool:
    """No line shares most of its trigrams with another (that would be a paragraph printed twice)."""
    grams = [{normalise_text(line)[i:i + 3] for i in range(len(line) - 2)} for line in lines]
    return all(len(a & b) <= 0.3 * min(len(a), len(b)) for i, a in enumerate(grams) for b in grams[i + 1:] if a and b)


@settings(max_examples=100, deadline=None)
@given(LINES, st.integers(1, 4), st.integers(0, 2))
def test_identical_printings_have_no_differences_and_their_text_is_the_consensus(lines, copies, head):
    assume(distinct(lines))
    head = min(head, len(lines))
    text = "\n".join(lines)
    comparison = compare([Printing(f"p{i}", text + "\n图片说明", head, len(lines) - head) for i in range(copies)])
    assert comparison.differences == []
    assert comparison.consensus.text == text
    assert comparison.consensus.head_lines == head
    assert set(comparison.consensus.support) <= {1.0}


@settings(max_examples=100, deadline=None)
@given(LINES, st.integers(2, 5), st.randoms(use_true_random=False))
def test_every_span_holds_its_reading(lines, copies, rng):
    assume(distinct(lines))
    clean = Printing("clean", "\n".join(lines), 0, len(lines))
    noise = Noise(substitution=0.08, deletion=0.05, insertion=0.03, width_flip=0.5, paragraph_drop=0.2)
    printings = [noisy_copy(clean, f"p{i}", noise, rng, "钍钎态氦1.") for i in range(copies)]
    comparison = compare(printings)
    texts = {p.variant_id: p.text for p in printings}
    for difference in comparison.shown(punctuation=True):
        assert comparison.consensus.text[difference.start:difference.end] == difference.consensus
        for reading in difference.readings:
            for variant, (start, end) in zip(reading.variants, reading.spans):
                assert 0 <= start <= end <= len(texts[variant])
                if not difference.paragraph:
                    assert normalise_text(texts[variant][start:end]).replace("\n", "") == \
                        reading.normalised.replace("\n", "")
            assert texts[reading.variants[0]][slice(*reading.spans[0])] == reading.text


def test_story_printings_pick_one_article_per_page(seed_pages):
    printings = story_printings(seed_pages)
    assert len(printings) == 5 and all("新质生产力" in p.text for p in printings)
    rng = random.Random(0)
    copy = noisy_copy(printings[0], "x", Noise(paragraph_drop=1.0), rng, "甲")
    assert copy.body_lines == 1  # never every paragraph dropped
