"""Alignment of a story's printings: paragraph slots, coverage of partial printings, repeated,
reordered, dropped and merged paragraphs, captions set aside."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.normalise import normalise_text
from search.align import align
from search.alignment import Printing
from search.compare import compare
from tests.conftest import body_lines, with_body


def slot_holding(alignment, text: str) -> int:
    """Index of the body slot whose reference text holds `text` (normalised)."""
    found = [i for i, slot in enumerate(alignment.slots) if slot.section == "body" and normalise_text(text) in slot.reference]
    assert len(found) == 1, (text, found)
    return found[0]


def rows(alignment) -> dict[str, int]:
    return {p.printing.variant_id: row for row, p in enumerate(alignment.printings)}


def test_the_seed_story_is_found_on_every_page(seed_story):
    assert [p.variant_id for p in seed_story] == ["000", "001", "002", "003", "004"]
    for printing in seed_story:
        assert printing.text.startswith("攀高逐“新”")
        assert printing.body_lines > 30


def test_every_printing_reads_the_slots_it_prints_and_only_004_misses_the_first_half(seed_comparison):
    alignment = seed_comparison.alignment
    row = rows(alignment)
    first_of_004 = slot_holding(alignment, "“人造太阳”创造等离子体")
    body = [i for i, slot in enumerate(alignment.slots) if slot.section == "body"]
    for i in body:
        covering = alignment.slots[i].coverers()
        # the partial printing covers nothing before its first paragraph and everything from there on
        assert covering[row["004"]] == (i >= first_of_004), i
        for other in ("000", "001", "003"):
            assert covering[row[other]], (other, i)
    fuel = slot_holding(alignment, "位于甘肃民勤的2兆瓦液态燃料")
    assert alignment.slots[fuel].readers().tolist() == [True, True, True, True, False]


def test_the_partial_printing_counts_neither_way_where_it_has_no_text(seed_comparison):
    consensus = seed_comparison.consensus
    fuel = consensus.text.index("钍基熔盐")
    hours = consensus.text.index("1.64小时")
    assert consensus.coverage[fuel] == 4 and consensus.support[fuel] == pytest.approx(0.75)  # 003 reads 钎
    assert consensus.coverage[fuel + 1] == 4 and consensus.support[fuel + 1] == 1.0
    assert consensus.coverage[hours] == 5 and consensus.support[hours] == 1.0
    assert consensus.coverage[hours + 1] == 5 and consensus.support[hours + 1] == pytest.approx(0.8)  # 004: 164


def copies_of(alignment, text: str) -> list[int]:
    """Indices of the body slots whose reference text holds `text` (normalised)."""
    return [i for i, slot in enumerate(alignment.slots) if slot.section == "body" and normalise_text(text) in slot.reference]


def printed_twice(printing, starts: str):
    """The printing with the body paragraph starting `starts` printed again after the next one."""
    body = body_lines(printing)
    at = next(i for i, line in enumerate(body) if line.startswith(starts))
    return with_body(printing, body[:at + 2] + [body[at]] + body[at + 2:]), printing.head_lines + at + 2


def test_a_paragraph_one_printing_prints_twice_stands_apart_and_leaves_the_consensus(seed_story, seed_comparison):
    twice, line = printed_twice(seed_story[2], "12月3日")
    comparison = compare(seed_story[:2] + [twice] + seed_story[3:])
    alignment = comparison.alignment
    repeated = [f for f in alignment.flags if f.kind == "repeated" and f.variant_id == "002"]
    assert [f.line for f in repeated] == [line]
    first, second = copies_of(alignment, "12月3日，我国信息通信领域")
    assert repeated[0].slot == second and alignment.slots[second].repeats == first
    assert alignment.slots[second].readers().tolist() == [False, False, True, False, False]
    assert alignment.slots[first].readers()[2] and alignment.slots[first].repeats is None
    assert comparison.consensus.text == seed_comparison.consensus.text
    assert not [d for d in comparison.differences if d.paragraph and "002" in d.readings[0].variants
                and not d.readings[0].consensus and d.slot != second]


def test_a_paragraph_every_printing_prints_twice_stays_twice_in_the_consensus(seed_story):
    whole = seed_story[:4]  # 004 prints only the second half
    comparison = compare([printed_twice(p, "12月3日")[0] for p in whole])
    first, second = copies_of(comparison.alignment, "12月3日，我国信息通信领域")
    assert comparison.alignment.slots[second].repeats == first
    assert comparison.alignment.slots[second].readers().all()
    once = compare(whole).consensus.text
    paragraph = next(line for line in once.split("\n") if line.startswith("12月3日"))
    assert comparison.consensus.text.count(paragraph) == 2
    lines = comparison.consensus.text.split("\n")
    assert lines[lines.index(paragraph) + 2] == paragraph  # where the printings print it


def test_of_two_printings_the_one_that_repeats_a_paragraph_is_outvoted(seed_story):
    twice, _ = printed_twice(seed_story[0], "12月3日")
    assert twice.text.count("我国信息通信领域首个国家重大科技基础设施") == 2
    for printings in ([twice, seed_story[1]], [seed_story[1], twice]):
        comparison = compare(printings)
        assert any(slot.repeats is not None for slot in comparison.alignment.slots)
        assert comparison.consensus.text.count("我国信息通信领域首个国家重大科技基础设施") == 1


def test_two_swapped_paragraphs_still_align_and_one_is_flagged_moved(seed_story, seed_comparison):
    printing = seed_story[1]
    body = body_lines(printing)
    at = next(i for i, line in enumerate(body) if line.startswith("72TB"))
    swapped = body[:at] + [body[at + 1], body[at]] + body[at + 2:]
    comparison = compare([seed_story[0], with_body(printing, swapped)] + seed_story[2:])
    lines = (printing.head_lines + at, printing.head_lines + at + 1)
    moved = [f for f in comparison.alignment.flags if f.kind == "moved" and f.variant_id == "001" and f.line in lines]
    assert len(moved) == 1
    assert comparison.consensus.text == seed_comparison.consensus.text
    tb = [d for d in comparison.differences if {r.normalised for r in d.readings} == {"72tb", "7tb"}]
    assert len(tb) == 1 and "001" in next(r for r in tb[0].readings if r.normalised == "72tb").variants


def test_a_dropped_paragraph_is_a_paragraph_difference_and_stays_in_the_consensus(seed_story, seed_comparison):
    printing = seed_story[3]
    body = body_lines(printing)
    at = next(i for i, line in enumerate(body) if line.startswith("创新的根基"))
    comparison = compare(seed_story[:3] + [with_body(printing, body[:at] + body[at + 1:])] + seed_story[4:])
    slot = slot_holding(comparison.alignment, "发展的主动性才会更强")
    assert not comparison.alignment.slots[slot].readers()[3]
    assert comparison.alignment.slots[slot].coverers()[3]
    paragraph = [d for d in comparison.differences if d.slot == slot and d.paragraph]
    assert len(paragraph) == 1 and paragraph[0].kind == "deletion"
    assert [r.variants for r in paragraph[0].readings] == [("000", "001", "002"), ("003",)]
    assert not [d for d in comparison.differences if d.slot == slot and not d.paragraph and not d.width_only]
    assert "创新的地基打得更牢" in comparison.consensus.text


def test_two_paragraphs_printed_as_one_line_align_to_both_slots(seed_story, seed_comparison):
    printing = seed_story[0]
    body = body_lines(printing)
    at = next(i for i, line in enumerate(body) if line.startswith("72TB"))
    merged = body[:at] + [body[at] + body[at + 1]] + body[at + 2:]
    comparison = compare([with_body(printing, merged)] + seed_story[1:])
    alignment = comparison.alignment
    assert alignment.slots[slot_holding(alignment, "72TB数据传输")].readers()[0]
    assert alignment.slots[slot_holding(alignment, "12月3日，我国信息通信领域")].readers()[0]
    assert comparison.consensus.text == seed_comparison.consensus.text


def test_a_paragraph_only_one_printing_has_stays_between_its_neighbours_where_the_others_run_them_together(
        seed_story):
    # 000 and 002 lack the 72TB paragraph and print the paragraphs around it as one line; 001 has all
    # three: the 72TB paragraph stands between the two, not after the line the others print.
    def without(printing):
        body = body_lines(printing)
        at = next(i for i, line in enumerate(body) if "TB数据传输" in line)
        return with_body(printing, body[:at - 1] + [body[at - 1] + body[at + 1]] + body[at + 2:])

    comparison = compare([without(seed_story[0]), seed_story[1], without(seed_story[2])])
    alignment = comparison.alignment
    body = body_lines(seed_story[1])
    at = next(i for i, line in enumerate(body) if line.startswith("72TB"))
    before = slot_holding(alignment, body[at - 1])
    middle = slot_holding(alignment, "72TB数据传输")
    after = slot_holding(alignment, "12月3日，我国信息通信领域")
    assert before < middle < after
    assert alignment.slots[middle].readers().tolist() == [False, True, False]
    assert not [f for f in alignment.flags if f.kind == "moved" and f.slot in (before, middle, after)]


def test_a_paragraph_a_partial_printing_prints_before_all_it_shares_stays_before_it(seed_story):
    partial = seed_story[4]
    body = body_lines(partial)
    own = "本报编者按：以下是这篇报道的后半部分，前半部分见昨日本报第一版。"
    comparison = compare(seed_story[:4] + [with_body(partial, [own] + body)])
    alignment = comparison.alignment
    own_slot = slot_holding(alignment, own)
    placed = sorted((p for p in alignment.pieces if p.printing == 4 and alignment.slots[p.slot].section == "body"),
                    key=lambda p: p.start)
    assert placed[0].slot == own_slot and placed[1].slot == own_slot + 1
    first_body = next(i for i, slot in enumerate(alignment.slots) if slot.section == "body")
    assert not alignment.slots[first_body].coverers()[4]


def test_captions_are_set_aside(seed_comparison, seed_story):
    assert "晨光下" in seed_story[3].text
    assert all("晨光下" not in slot.reference for slot in seed_comparison.alignment.slots)
    assert "晨光下" not in seed_comparison.consensus.text
    captions = seed_comparison.alignment.to_dict()["captions"]
    caption = next(c for c in captions if c["variant_id"] == "003")
    assert "晨光下" in caption["text"] and seed_story[3].text[slice(*caption["span"])] == caption["text"]


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="no printings"):
        align([])
    with pytest.raises(ValueError, match="repeat"):
        align([Printing("a", "甲", 0, 1), Printing("a", "乙", 0, 1)])
    with pytest.raises(ValueError, match="do not fit"):
        align([Printing("a", "甲\n乙", 1, 2)])


LINE = st.text(alphabet="钍基熔盐实验堆新质生产力发展科技创新产业我国中试平台72TBab.，,。", min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=6, unique=True), st.integers(2, 4), st.integers(0, 2))
def test_identical_printings_read_every_slot_alike(lines, copies, head):
    head = min(head, len(lines))
    printings = [Printing(f"p{i}", "\n".join(lines), head, len(lines) - head) for i in range(copies)]
    alignment = align(printings)
    for slot in alignment.slots:
        assert slot.readers().all()
        assert (slot.starts == slot.starts[0]).all() and (slot.ends == slot.ends[0]).all()
