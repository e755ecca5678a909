"""Page assembly (bench/gen/printed.py): which article owns each line of a page, in which role."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bench.gen.printed import PageText, Piece, insert_at, joined, paragraphs


def test_runs_span_blank_lines_and_break_at_another_role() -> None:
    page = PageText()
    page.add([Piece("\n\n")])
    page.add(paragraphs([[Piece("# 标题", "title")], [Piece("第一段  \n续行", "body")], [Piece("第二段", "body")],
                         [Piece("图为现场。", "caption")], [Piece("第三段", "body")]]), owner=0)
    page.add([Piece("\n\n \n")])
    page.add([Piece("■国内简讯", "label")])
    page.add([Piece("\n\n")])
    page.add([Piece("本报讯 某地某事。\x00\x00", "body")], owner=1)
    lines = page.text().split("\n")
    assert lines[2] == "# 标题" and lines[16] == "本报讯 某地某事。\x00\x00"
    assert page.runs() == {0: [[3, 3, "title"], [5, 8, "body"], [10, 10, "caption"], [12, 12, "body"]],
                           None: [[15, 15, "label"]], 1: [[17, 17, "body"]]}


@given(st.lists(st.text(alphabet="ab\n ", max_size=6), min_size=1, max_size=5), st.data())
def test_insertion_lands_at_its_offset_of_the_joined_text(texts, data) -> None:
    pieces = [Piece(text, "body") for text in texts]
    before = joined(pieces)
    at = data.draw(st.integers(0, len(before)))
    insert_at(pieces, at, "  \n")
    assert joined(pieces) == before[:at] + "  \n" + before[at:]
