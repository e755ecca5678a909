"""Normalisation: folding rules, the offset map back to the original, and its invariants."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.normalise import (ONE_TO_ONE_FOLDS, STABLE_CHARS, Normalised, fold_char, join_lines, normalise,
                               normalise_text)
from indexer.script import TRADITIONAL_TO_SIMPLIFIED

TEXT = st.text(alphabet=st.one_of(
    st.sampled_from("钍基熔盐实验堆新质生产力釷鹽實驗乾隆著於計劃，。、“”（）！：；ＡＢＣ１２３ａｂｃABC xyz 72TB.\n\u3000\u200b\t½ﬁİ豈⼾"),
    st.characters(blacklist_categories=("Cs",)),
), max_size=80)


def test_full_width_digits_letters_and_punctuation_fold_to_one_form():
    assert normalise_text("２０２５ＡＧＶ，ＩｎｎｏＭａｔｃｈ（ＨＥＰＳ）！") == "2025agv,innomatch(heps)!"
    assert normalise_text("72TB") == normalise_text("７２ＴＢ") == "72tb"


def test_whitespace_next_to_cjk_is_dropped_and_other_runs_collapse():
    assert normalise_text("打通堵点卡点 推动 科技") == "打通堵点卡点推动科技"
    assert normalise_text("AGV 小车") == "agv小车"
    assert normalise_text("machine   learning") == "machine learning"
    assert normalise_text("第一段\n\n第二段") == "第一段\n第二段"
    assert normalise_text("  lead and trail  ") == "lead and trail"


def test_zero_width_and_control_characters_are_dropped():
    assert normalise_text("钍\u200b基\ufeff熔\x07盐") == "钍基熔盐"


def test_offsets_point_at_the_original_characters():
    original = "全球，ＡＧＶ 小车½穿梭"
    result = normalise(original)
    assert result.text == "全球,agv小车1⁄2穿梭"
    start = result.text.index("agv")
    assert result.span_to_original(start, start + 3) == (3, 6)
    half = result.text.index("1⁄2")
    assert result.span_to_original(half, half + 3) == (original.index("½"), original.index("½") + 1)


def test_join_lines_drops_wraps_inside_cjk_but_keeps_word_spaces():
    assert join_lines(["2025腾冲科学论  ", "坛12月6日在云南"]) == "2025腾冲科学论坛12月6日在云南"
    assert join_lines(["technology", "transfer"]) == "technology transfer"


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_normalising_twice_changes_nothing(text):
    once = normalise_text(text)
    assert normalise_text(once) == once


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_every_normalised_character_maps_back_to_its_source(text):
    result = normalise(text)
    for position, char in enumerate(result.text):
        origin = result.to_original(position)
        assert 0 <= origin < len(text)
        source = text[origin]
        assert char in fold_char(source) or (char in " \n" and source.isspace())


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_offset_map_is_monotonic_and_survives_packing(text):
    result = normalise(text)
    mapped = [result.to_original(i) for i in range(len(result.text))]
    assert mapped == sorted(mapped)
    again = Normalised.unpack(result.text, result.pack_offsets())
    assert [again.to_original(i) for i in range(len(result.text))] == mapped


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, TEXT)
def test_a_term_is_found_wherever_it_was_printed_between_cjk_characters(before, core, after):
    # Query terms and page text go through one function, so a printed term is always found.
    term = "".join(c for c in core if not c.isspace())
    folded = normalise_text(term)
    if folded:
        assert folded in normalise_text(before + "钍" + term + "钍" + after)


def test_the_one_to_one_table_folds_like_fold_char_and_its_results_are_final():
    assert ONE_TO_ONE_FOLDS[ord("，")] == "," and ONE_TO_ONE_FOLDS[ord("Ａ")] == "a" and ONE_TO_ONE_FOLDS[ord("Q")] == "q"
    assert ONE_TO_ONE_FOLDS[ord("釷")] == "钍" and ONE_TO_ONE_FOLDS[ord("鹽")] == "盐" and ord("乾") not in ONE_TO_ONE_FOLDS
    assert TRADITIONAL_TO_SIMPLIFIED.items() <= ONE_TO_ONE_FOLDS.items()
    for code, folded in ONE_TO_ONE_FOLDS.items():
        assert fold_char(chr(code)) == folded and len(folded) == 1 and fold_char(folded) == folded


def test_the_fast_path_characters_are_really_left_alone_by_folding():
    # normalise() translates first (the test above holds the translated characters final), so a fast-path
    # character that folding changes must be one the translation takes away.
    fast = re.compile(f"[{STABLE_CHARS}]")
    assert [hex(c) for c in range(0xA000) if fast.match(chr(c))
            and fold_char(chr(c)) != chr(c).translate(ONE_TO_ONE_FOLDS)] == []


@given(st.lists(TEXT.map(lambda t: t.replace("\n", " ")), min_size=1, max_size=6), st.data())
@settings(max_examples=300)
def test_a_run_of_whole_lines_normalises_as_its_stretch_of_the_normalised_text(lines, data):
    start = data.draw(st.integers(0, len(lines) - 1))
    end = data.draw(st.integers(start + 1, len(lines)))
    text = "\n".join(lines)
    span_start = len("\n".join(lines[:start])) + (1 if start else 0)
    span = "\n".join(lines[start:end])
    normalised = normalise(text)
    cut = normalised.text[normalised.from_original(span_start):normalised.from_original(span_start + len(span))]
    assert "".join(cut.split()) == "".join(normalise_text(span).split())
