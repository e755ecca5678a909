"""Counting occurrences in the stored texts equals str.count on the normalised texts, bytes one byte off a
character boundary, overlapping occurrences and stretches running from one text into the next included,
whether counted document by document or in one scan of a segment for a batch; counts per key equal a count
made one document at a time."""
from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.ingest import index_paths
from indexer.literal import TEXT_ENCODING
from search.counting import BYTE_COUNT_FROM, count_by, occurrences, occurrences_of_each
from search.engine import Corpus
from search.request import ALL_VARIANTS
from search import term_scan
from search.term_scan import character_counts, character_table, scan_counts

# 的 (U+7684) is made of the high byte of 萱 (U+8431) and the low byte of 其 (U+5176): "ㄅ的扑" holds the
# UTF-16 bytes of "萱其" one byte off, and so do texts mixing these characters at random.
ALPHABET = "ㄅ的扑萱其哈中国"
OFF_BY_ONE = "本报讯 ㄅ的扑在这里，萱其也在这里。哈哈哈哈，的的的。"


@pytest.fixture(scope="module")
def view(tmp_path_factory):
    pages = tmp_path_factory.mktemp("counting")
    rng = random.Random(15)
    (pages / "off.txt").write_text(f"# 测试\n\n{OFF_BY_ONE}\n", encoding="utf-8")
    for number in range(40):
        body = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(20, 200)))
        (pages / f"page{number:02d}.txt").write_text(f"# 第{number}页\n\n本报讯 {body}\n", encoding="utf-8")
    index_dir = pages / "index"
    index_paths([pages], index_dir, workers=1)
    return Corpus(index_dir).view()


def test_bytes_one_byte_off_a_character_are_not_counted(view) -> None:
    docnums = view.scope(ALL_VARIANTS)
    texts = [view.normalised_text(d) for d in docnums.tolist()]
    at = next(i for i, text in enumerate(texts) if "ㄅ的扑" in text)
    assert texts[at].encode(TEXT_ENCODING).count("萱其".encode(TEXT_ENCODING)) == 2  # what bytes alone would say
    assert len(docnums) >= BYTE_COUNT_FROM  # enough documents to be counted in bytes
    assert occurrences(view, docnums, ["萱其"])[at] == 1
    assert occurrences(view, docnums[at:at + 1], ["萱其"]).tolist() == [1]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(terms=st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=4), min_size=1, max_size=3))
def test_occurrences_equal_str_count(view, terms: list[str]) -> None:
    docnums = view.scope(ALL_VARIANTS)
    expected = [sum(view.normalised_text(d).count(term) for term in terms) for d in docnums.tolist()]
    assert occurrences(view, docnums, terms).tolist() == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(terms=st.lists(st.text(alphabet=ALPHABET + "𠀀", min_size=1, max_size=2), min_size=1, max_size=6),
       picks=st.lists(st.booleans(), min_size=41, max_size=41), slack=st.sampled_from([0, 4096]))
def test_characters_looked_up_count_what_str_count_counts(view, terms: list[str], picks: list[bool],
                                                          slack: int) -> None:
    """One-character terms (a repeated one counted as often as it is given) looked up unit by unit, in one
    slice of a segment's text or text by text, and the other terms by str.count, sum to str.count."""
    docnums = view.scope(ALL_VARIANTS)
    docnums = docnums[np.array(picks[:len(docnums)] + [True] * (len(docnums) - len(picks)), dtype=bool)]
    table, rest = character_table(terms)
    single = {term for term in terms if len(term) == 1 and ord(term) <= 0xFFFF}
    assert set(np.flatnonzero(table).tolist()) == set(map(ord, single)) and len(rest) == len(terms) - len(single)
    old, term_scan.SLICE_SLACK = term_scan.SLICE_SLACK, slack
    try:
        found = character_counts(view, docnums, table)
    finally:
        term_scan.SLICE_SLACK = old
    texts = [view.normalised_text(d) for d in docnums.tolist()]
    assert (found + [sum(text.count(t) for t in rest) for text in texts]).tolist() == \
        [sum(text.count(t) for t in terms) for text in texts]


def test_a_scan_counts_what_str_count_counts(view) -> None:
    segment = view.literal.segments[0]
    texts = [segment.text_at(place) for place in range(len(segment.keys))]
    across = texts[0][-1] + texts[1][0]  # the end of one text and the start of the next, stored one after the other
    terms = ["哈哈", "的的", "哈哈哈", "萱其", "的", across]
    assert "".join(texts).count("萱其") > sum(text.count("萱其") for text in texts) or \
        "".join(texts).count(across) > sum(text.count(across) for text in texts)
    assert sum(text.count("哈哈哈哈") for text in texts)  # overlapping occurrences a scan finds, str.count skips
    counts = scan_counts(segment, terms)
    assert counts.tolist() == [[text.count(term) for text in texts] for term in terms]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(terms=st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=4), min_size=1, max_size=4, unique=True),
       first=st.sampled_from(["", "哈", "的"]), scan_units=st.sampled_from([1 << 21, 150, 1]))
def test_a_scan_of_any_terms_counts_what_str_count_counts(view, terms: list[str], first: str,
                                                          scan_units: int) -> None:
    """Terms of one first character (compared with it) or several (looked up), overlapping or running on
    into the next text, each counted per text as str.count counts it, the text scanned whole or a few
    documents (or one) at a time."""
    terms = list(dict.fromkeys(first + term for term in terms))
    old, term_scan.SCAN_UNITS = term_scan.SCAN_UNITS, scan_units
    try:
        for segment in view.literal.segments:
            texts = [segment.text_at(place) for place in range(len(segment.keys))]
            assert scan_counts(segment, terms).tolist() == [[text.count(term) for text in texts] for term in terms]
    finally:
        term_scan.SCAN_UNITS = old


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(st.tuples(st.sets(st.integers(0, 40)),
                                st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=4), min_size=1, max_size=3)),
                      min_size=1, max_size=5))
def test_a_batch_counts_what_str_count_counts(view, batch: list[tuple[set[int], list[str]]]) -> None:
    every = view.scope(ALL_VARIANTS)
    lookups = [(every[sorted(i for i in chosen if i < len(every))], terms) for chosen, terms in batch]
    found = occurrences_of_each(view, lookups)
    for (docnums, terms), counted in zip(lookups, found):
        assert counted.tolist() == [sum(view.normalised_text(d).count(term) for term in terms)
                                    for d in docnums.tolist()]


@given(rows=st.lists(st.tuples(st.integers(-1, 6), st.integers(0, 4), st.integers(0, 9)), max_size=60))
def test_count_by_equals_a_count_one_document_at_a_time(rows: list[tuple[int, int, int]]) -> None:
    keys, stories, found = (np.array([row[i] for row in rows], dtype=np.int64) for i in range(3))
    cells, missing = count_by(keys, stories, found)
    expected: dict[int, list] = defaultdict(lambda: [set(), 0, 0])
    for key, story, occurring in rows:
        cell = expected[key]
        cell[0].add(story)
        cell[1] += 1
        cell[2] += occurring
    assert {key: (c.stories, c.variants, c.occurrences) for key, c in cells} == \
        {key: (len(s), v, o) for key, (s, v, o) in expected.items() if key >= 0}
    none = expected.get(-1, [set(), 0, 0])
    assert (missing.stories, missing.variants, missing.occurrences) == (len(none[0]), none[1], none[2])
    assert cells.keys.tolist() == sorted(cells.keys.tolist())
