"""Garble records (bench/gen/garble.py): the edits a Garbled text reports rebuild exactly what it prints."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.gen.articles import Block
from bench.gen.garble import Garbled, OcrTable, apply_edits, drop_digit, garbled_title, text_noise
from bench.gen.script import converter

NOISE = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "ocr-noise"
SENTENCE = "11月,位于甘肃民勤的2兆瓦液态燃料钍基熔盐实验堆已成功实现国际首次钍核燃料转换,72TB数据传输时间缩短至1.64小时。"


@pytest.fixture(scope="module")
def table() -> OcrTable:
    if not NOISE.is_dir():
        pytest.skip("shared corpora not available")
    return OcrTable.load(NOISE)


printed_as = st.one_of(st.just(""), st.text(min_size=1, max_size=2), st.none())  # None: printed as it is


@given(st.lists(st.tuples(st.characters(), printed_as), max_size=40))
def test_edits_rebuild_the_printed_text_from_the_clean_one(chars) -> None:
    clean = "".join(c for c, _ in chars)
    text = Garbled(clean, [c if p is None else p for c, p in chars])
    edits = text.edits(offset=0)
    assert apply_edits(clean, edits) == text.text()
    for position, before, after in edits:
        assert clean[position:position + len(before)] == before and before != after
    # runs are maximal: two edits never touch
    assert all(a[0] + len(a[1]) < b[0] for a, b in zip(edits, edits[1:]))


@given(st.text(min_size=1, max_size=30), st.data())
def test_a_title_split_by_a_space_is_one_insertion(title, data) -> None:
    at = data.draw(st.integers(0, len(title) - 1))
    printed = title[:at] + " " + title[at:]
    garbled = garbled_title(title, printed)
    assert garbled.text() == printed and apply_edits(title, garbled.edits()) == printed


def test_noise_records_every_confusion_lost_digit_and_width_flip(table: OcrTable) -> None:
    seen = set()
    for seed in range(200):
        blocks, garbled = text_noise([Block("p", SENTENCE), Block("h", "钍基熔盐")], table, 0.05, 1.5,
                                     random.Random(seed))
        for block, text in zip(blocks, garbled):
            assert block.text == text.text() == apply_edits(text.clean, text.edits())
            for _, before, after in text.edits():
                seen.add("lost" if after == "" else "width" if before in "，,：:" else "confusion")
    assert seen == {"lost", "width", "confusion"}


def test_a_lost_decimal_point_is_recorded_where_it_was() -> None:
    for seed in range(50):
        text = Garbled.of("传输时间1.64小时")
        drop_digit(text, random.Random(seed))
        (position, before, after), = text.edits()
        assert after == "" and text.clean[position] == before and before in "1.64"


def test_traditional_table_confuses_traditional_characters(table: OcrTable) -> None:
    convert = converter("s2hk")
    traditional = table.mapped(convert)
    text = Garbled.of(convert(SENTENCE) * 20)
    traditional.substitute(text, 0.2, random.Random(0))
    changed = [(before, after) for _, before, after in text.edits()]
    assert len(changed) > 20
    # what it prints for a traditional character is what the simplified table prints, converted
    assert all(convert(after) == after for _, after in changed)
