"""The stored form of an original text: it gives the original back exactly, for any text, and is small."""
from __future__ import annotations

import numpy as np
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import original
from indexer.normalise import normalise

DECOMPRESSOR = zstandard.ZstdDecompressor()
# The characters normalisation treats specially: full-width forms, capitals, traditional ones, spaces and
# line breaks beside Chinese text, zero-width and control characters, ligatures and circled numbers that
# fold to several characters, and a character outside the Basic Multilingual Plane.
TRICKY = st.sampled_from(list("钍基熔盐，。、“”（）ＡＢ１２aB \n\t\u3000\u200b\x00\x07釷鹽發髮ﬁ①㈱ＯＲ𠀋"))


def round_trip(text: str) -> None:
    normalised = normalise(text)
    stored = original.encode(text, normalised)
    edits = original.decode(stored, DECOMPRESSOR)
    assert edits.original(normalised.text) == text
    assert edits.normalised(normalised.text) == normalised
    assert original.restore(stored, DECOMPRESSOR, normalised.text) == text  # the map not read


@settings(max_examples=1500, deadline=None)
@given(st.text())
def test_any_text_comes_back_exactly(text):
    round_trip(text)


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=TRICKY))
def test_texts_of_the_characters_normalisation_changes_come_back_exactly(text):
    round_trip(text)


def test_the_seed_pages_come_back_in_a_seventh_of_their_compressed_size(seed_pages):
    compressor = zstandard.ZstdCompressor(level=3)
    stored = plain = 0
    for text in seed_pages.values():
        normalised = normalise(text)
        round_trip(text)
        stored += len(original.encode(text, normalised))
        plain += len(compressor.compress(text.encode("utf-8")))
    assert stored * 5 < plain


def test_a_traditional_printing_is_undone_by_its_table():
    text = "釷基熔鹽實驗堆，已經建成。\n\n第二段：鈾與釷。"
    normalised = normalise(text)
    edits = original.decode(original.encode(text, normalised), DECOMPRESSOR)
    assert edits.original(normalised.text) == text
    assert len(edits.folded) >= 5 and len(edits.stretches) <= 2  # the folds went into the table


def reference_undoing_table(orig: list[int], normal: list[int]) -> dict[int, int]:
    """The table as plain counting: for each normalised character its most frequent original (the smallest
    code point among equals), kept where it is printed more often than the character itself."""
    counts: dict[tuple[int, int], int] = {}
    for pair in zip(normal, orig):
        counts[pair] = counts.get(pair, 0) + 1
    best: dict[int, tuple[int, int]] = {}
    for (folded, printed), count in sorted(counts.items()):
        if folded != printed and count > best.get(folded, (0, 0))[1]:
            best[folded] = (printed, count)
    return {folded: printed for folded, (printed, count) in best.items() if count > counts.get((folded, folded), 0)}


PAIR_CHARS = st.sampled_from([ord(c) for c in "，,（(Ａa钍釷发髮發𠀋"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(PAIR_CHARS, PAIR_CHARS), max_size=60))
def test_the_undoing_table_keeps_each_fold_printed_more_often_than_not(pairs):
    normal = np.array([n for n, _ in pairs], dtype=np.uint32)
    orig = np.array([o for _, o in pairs], dtype=np.uint32)
    assert original._undoing_table(orig, normal) == reference_undoing_table(orig.tolist(), normal.tolist())
