"""Script folding: traditional and simplified print match character for character, through a table
that is rebuilt from OpenCC here so it cannot drift, and that leaves simplified text and
context-dependent characters as printed."""
from __future__ import annotations

import json
import re

import opencc
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.ingest import index_paths
from indexer.normalise import fold_char, normalise, normalise_text
from indexer.script import ALSO_SPELLED, TABLE_PATH, TRADITIONAL_TO_SIMPLIFIED
from search.engine import Corpus
from search.query import MAX_SPELLINGS, Or, Term, parse_query, spellings
from search.request import SearchRequest
from tools.script_table import CHARACTERS, EXTENDED, PHRASES, PHRASE_SLIPS, generate, opencc_share_dir, read_ocd2

TABLE = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
FOLDS: dict[str, str] = TABLE["folds"]
LEFT_AS_PRINTED: dict[str, str] = TABLE["left_as_printed"]
T2S = opencc.OpenCC("t2s")
S2T = opencc.OpenCC("s2t")
THORIUM_PAGE = "001_5417d37bc9da2a03"
# Every character OpenCC's t2s can write: the candidates of its character dictionary and the converted phrases.
WRITTEN = ({c for values in read_ocd2(opencc_share_dir() / CHARACTERS).values() for c in values}
           | {c for values in read_ocd2(opencc_share_dir() / PHRASES).values() for c in values[0]})

PAIRS = st.sampled_from(sorted(FOLDS.items()))
CONTEXTUAL = st.sampled_from(sorted(LEFT_AS_PRINTED))
SEPARATORS = st.sampled_from([" ", "\n", "\u3000", "，", "。", "AB", "7", "\u200b"])


def test_the_committed_table_is_what_the_installed_opencc_builds():
    assert TABLE_PATH.read_text(encoding="utf-8") == generate()


def test_the_dictionaries_read_as_opencc_converts_with_them():
    # The .ocd2 reader is ours; OpenCC's own converter is the reference for what the files hold.
    share = opencc_share_dir()
    characters, extended, phrases = (read_ocd2(share / name) for name in (CHARACTERS, EXTENDED, PHRASES))
    assert len(characters) > 3000 and len(extended) > 500 and len(phrases) > 100
    alone = {key: values[0] for key, values in characters.items()} | {key: values[0] for key, values in extended.items()}
    assert [key for key, result in alone.items() if T2S.convert(key) != result] == []
    assert [phrase for phrase, values in phrases.items() if T2S.convert(phrase) != values[0]] == []


def test_every_fold_is_what_opencc_makes_of_the_character_alone():
    assert len(FOLDS) > 2500
    assert [t for t, s in FOLDS.items() if T2S.convert(t) != s or len(s) != 1 or s in FOLDS] == []


def test_no_character_opencc_writes_in_simplified_text_is_folded():
    # Whatever OpenCC's t2s can output (a candidate, or a character of a converted phrase) is a character of
    # simplified text; none of it may fold, save where a phrase entry is a known slip.
    assert WRITTEN & FOLDS.keys() == set(PHRASE_SLIPS.values())


def test_a_folded_character_that_s2t_converts_is_only_a_variant_of_its_traditional_form():
    # s2t changes a handful of folded characters (藴 → 蘊): variants that fold like the form s2t gives, so
    # folding them merges no two characters that simplified text keeps apart.
    variants = [t for t in FOLDS if S2T.convert(t) != t]
    assert len(variants) < 20
    assert [t for t in variants if fold_char(S2T.convert(t)) != FOLDS[t]] == []


def test_traditional_and_simplified_thorium_reactor_normalise_alike():
    assert normalise_text("釷基熔鹽") == normalise_text("钍基熔盐") == "钍基熔盐"
    assert normalise_text("釷基熔鹽實驗堆") == normalise_text("钍基熔盐实验堆")


def test_characters_whose_simplified_form_depends_on_context_stay_as_printed():
    assert T2S.convert("乾") == "干" and T2S.convert("乾隆") == "乾隆"  # OpenCC changes 乾 alone, not in 乾隆
    assert normalise_text("乾隆") == "乾隆" and normalise_text("乾燥") == "乾燥"
    assert normalise_text("著名") == "著名" and normalise_text("著") != normalise_text("着")
    assert normalise_text("於") == "於" and normalise_text("鍊") == "鍊"
    assert {"乾", "於", "鍊", "餘"} <= LEFT_AS_PRINTED.keys()
    assert fold_char("乾") == "乾" and "乾" not in TRADITIONAL_TO_SIMPLIFIED


def test_a_traditional_printing_matches_where_opencc_undoes_it_and_its_spans_map_to_its_own_characters(seed_pages):
    simplified = seed_pages[THORIUM_PAGE]
    traditional = S2T.convert(simplified)
    assert len(traditional) == len(simplified) and traditional != simplified
    printed, folded = normalise(traditional), normalise(simplified)
    assert len(printed.text) == len(folded.text)
    # Every remaining difference is a character the table leaves as printed, or one OpenCC's own
    # character-level t2s does not turn back either (想像 for 想象).
    differences = {(t, s) for t, s in zip(printed.text, folded.text) if t != s}
    assert [(t, s) for t, s in differences if t not in LEFT_AS_PRINTED and T2S.convert(t) == s] == []
    start = printed.text.index("钍基熔盐")
    begin, end = printed.span_to_original(start, start + 4)
    assert traditional[begin:end] == "釷基熔鹽"
    for position, char in enumerate(printed.text):
        assert char in fold_char(traditional[printed.to_original(position)]) or char in " \n"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(PAIRS, SEPARATORS), max_size=30))
def test_traditional_text_normalises_like_its_simplified_fold_with_the_same_offsets(pieces):
    traditional = "".join(t + sep for (t, _), sep in pieces)
    simplified = "".join(s + sep for (_, s), sep in pieces)
    printed, folded = normalise(traditional), normalise(simplified)
    assert printed == folded  # text and offset map alike
    assert not set(printed.text) & FOLDS.keys()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(PAIRS.map(lambda pair: pair[0]), PAIRS.map(lambda pair: pair[1]), CONTEXTUAL), max_size=40))
def test_chinese_text_keeps_its_length_and_every_offset(chars):
    text = "".join(chars)
    result = normalise(text)
    assert len(result.text) == len(text)
    assert all(result.to_original(i) == i and result.text[i] == fold_char(text[i]) for i in range(len(text)))
    assert normalise_text(result.text) == result.text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=8)
                          .map(T2S.convert),
                          st.sampled_from(sorted(WRITTEN))), max_size=12))
def test_simplified_text_is_left_as_printed(pieces):
    # Simplified text: OpenCC's phrase-level t2s of any text, and any candidate OpenCC's dictionary can write.
    simplified = "".join(pieces)
    if not set(PHRASE_SLIPS.values()) & set(simplified):
        assert normalise_text(simplified) == simplified


def test_a_traditional_printing_is_found_by_the_simplified_query_and_the_reverse(tmp_path, seed_pages):
    pages = tmp_path / "pages"
    pages.mkdir()
    traditional = S2T.convert(seed_pages[THORIUM_PAGE])
    (pages / "trad.txt").write_text(traditional, encoding="utf-8")
    (pages / "simp.txt").write_text(seed_pages["002_1193bf27c877aa1f"], encoding="utf-8")
    index_paths([pages], tmp_path / "index", workers=1)
    corpus = Corpus(tmp_path / "index")
    for query in ("钍基熔盐实验堆", "釷基熔鹽實驗堆"):
        response = corpus.search(SearchRequest(query=query))
        matched = {v.source: v for a in response.articles for v in a.variants if v.matched}
        assert set(matched) == {"trad", "simp"}
        assert response.total_variants == 2
        assert response.total_articles == 1  # grouping runs on normalised text too: one story in two scripts
        shown = {source: {hit.snippet[a:b] for a, b in hit.highlights} for source, hit in matched.items()}
        assert shown == {"trad": {"釷基熔鹽實驗堆"}, "simp": {"钍基熔盐实验堆"}}, query
        assert re.search("[實驗釷]", matched["trad"].snippet) and not re.search("[實驗釷]", matched["simp"].snippet)


def test_a_term_is_spelled_out_with_the_traditional_characters_left_as_printed():
    assert spellings("关于") == ["关于", "关於"]
    assert spellings("线上") == ["线上", "線上"]
    assert spellings("于") == ["于"]  # alone it is as likely the surname 於 of simplified print
    assert spellings("钍基熔盐") == ["钍基熔盐"]
    assert isinstance(parse_query("关于"), Or) and isinstance(parse_query("于"), Term)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(sorted(ALSO_SPELLED) + list("钍基熔盐，7A")), min_size=2, max_size=12))
def test_spellings_differ_from_the_term_only_where_the_table_allows(term):
    forms = spellings(term)
    assert forms[0] == term and len(forms) == len(set(forms)) <= MAX_SPELLINGS
    for form in forms:
        assert len(form) == len(term)
        # Only where the table allows, and only with characters normalisation leaves as printed (else no text holds them).
        assert all(a == b or (b in ALSO_SPELLED[a] and fold_char(b) == b) for a, b in zip(term, form))


def test_a_simplified_term_finds_the_traditional_printing_that_spells_it_with_a_character_left_as_printed(
        tmp_path, seed_pages):
    simplified = seed_pages[THORIUM_PAGE]
    traditional = S2T.convert(simplified)
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "trad.txt").write_text(traditional, encoding="utf-8")
    (pages / "simp.txt").write_text(simplified, encoding="utf-8")
    index_paths([pages], tmp_path / "index", workers=1)
    corpus = Corpus(tmp_path / "index")
    # Terms around each character that s2t spelled with one the table leaves as printed (于 → 於, 线 → 線).
    terms = {simplified[i - 1:i + 2]: traditional[i - 1:i + 2] for i, (s, t) in enumerate(zip(simplified, traditional))
             if 0 < i and s in ALSO_SPELLED and t in ALSO_SPELLED[s] and re.fullmatch(r"\w{3}", simplified[i - 1:i + 2])}
    assert len(terms) >= 5
    for term, printed in terms.items():
        response = corpus.search(SearchRequest(query=term, limit=100))
        matched = {v.source: v for a in response.articles for v in a.variants if v.matched}
        assert set(matched) == {"trad", "simp"}, term
        assert printed in {matched["trad"].snippet[a:b] for a, b in matched["trad"].highlights}, term
    lone = corpus.search(SearchRequest(query="于", limit=100))
    holding = {name for name, text in (("trad", traditional), ("simp", simplified)) if "于" in normalise_text(text)}
    assert {v.source for a in lone.articles for v in a.variants if v.matched} == holding
