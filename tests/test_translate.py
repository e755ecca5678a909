"""One-for-one character folding with numpy: exactly what str.translate makes of any text, long or short."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.normalise import ONE_TO_ONE_FOLDS
from indexer.script import TRADITIONAL_TO_SIMPLIFIED
from indexer.translate import NUMPY_MIN_CHARS, CharFolds

TABLES = [ONE_TO_ONE_FOLDS, TRADITIONAL_TO_SIMPLIFIED]
FOLDS = [CharFolds(table) for table in TABLES]
# Characters each table folds, their results, Chinese text, ASCII, and code points past every table's last key
# (lone surrogates included: page text may hold them).
FOLDED = sorted({chr(code) for table in TABLES for code in table})[:400]
CHARS = st.one_of(st.sampled_from(FOLDED), st.sampled_from(list("钍基熔盐，。、“”（）ＡＢ１２aB \n\t")),
                  st.characters(min_codepoint=0), st.characters(min_codepoint=0x23BF0),
                  st.characters(categories=["Cs"]))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=CHARS, max_size=3 * NUMPY_MIN_CHARS))
def test_folds_any_text_as_str_translate_does(text):
    for folds, table in zip(FOLDS, TABLES):
        assert folds(text) == text.translate(table)


def test_folds_the_seed_pages_as_str_translate_does(seed_pages):
    for text in seed_pages.values():
        assert len(text) >= NUMPY_MIN_CHARS
        for folds, table in zip(FOLDS, TABLES):
            assert folds(text) == text.translate(table)


def test_a_table_folds_only_its_own_characters():
    folds = CharFolds({ord("髮"): "发", ord("Ａ"): "a"})
    assert folds("理髮Ａ" * NUMPY_MIN_CHARS) == "理发a" * NUMPY_MIN_CHARS
    assert folds("理髮Ａ") == "理发a"
    assert folds("没有") == "没有"
