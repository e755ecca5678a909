"""Ranking words: codes are stable and field-tagged, counts add up over lines, and subtracting a part is exact."""
from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.words import (FIELDS, TITLE_FLAG, WordCounts, count_words, field_code, field_of, word_code,
                           word_codes, words)

LINES = st.lists(st.text(alphabet=st.sampled_from(list("钍基熔盐实验堆新华社记者报道科学发展ab12 ，。")),
                         min_size=1, max_size=25), min_size=1, max_size=6)


def as_dict(counts: WordCounts) -> dict[int, int]:
    return dict(zip(counts.codes.tolist(), counts.counts.tolist()))


def test_codes_are_the_same_in_every_process():
    script = "from indexer.words import word_code; print(word_code('钍基熔盐'))"
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert int(other.stdout) == word_code("钍基熔盐") < 1 << 63


def test_each_field_has_its_own_code():
    assert field_of(field_code("title", "熔盐")) == "title" and field_of(field_code("body", "熔盐")) == "body"
    assert field_code("title", "熔盐") == field_code("body", "熔盐") | TITLE_FLAG
    assert set(FIELDS) == {"title", "body"}


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=10), LINES)
def test_counts_are_sorted_distinct_and_sum_to_the_field_lengths(title, lines):
    counts = count_words(title, "\n".join(lines))
    codes = counts.codes.tolist()
    assert codes == sorted(set(codes))
    assert counts.title_length == len(words(title)) if title else counts.title_length == 0
    assert counts.body_length == len(words("\n".join(lines)))
    assert int(counts.counts.sum()) == counts.title_length + counts.body_length


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=10), LINES, st.data())
def test_removing_the_words_of_trailing_lines_leaves_the_words_of_the_rest(title, lines, data):
    at = data.draw(st.integers(min_value=0, max_value=len(lines)))
    whole = count_words(title, "\n".join(lines))
    tail = count_words("", "\n".join(lines[at:]))
    rest = whole.without_body_of(tail)
    expected = count_words(title, "\n".join(lines[:at]))
    assert as_dict(rest) == as_dict(expected)
    assert (rest.title_length, rest.body_length) == (expected.title_length, expected.body_length)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("钍基熔盐实验堆新华社记者报道ab12+#&._%-ア é\n\r\t，。、（）")), max_size=40))
def test_remembered_runs_give_exactly_the_codes_of_jiebas_own_cut(text):
    expected = [word_code(w) for w in words(text)]
    assert word_codes(text).tolist() == expected
    assert word_codes(text).tolist() == expected  # the second time from the remembered runs
