"""Sampled shingles: a part of a text keeps the samples of that part, whatever punctuation or script it is printed in."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from indexer.normalise import normalise_text
from indexer.script import TRADITIONAL_TO_SIMPLIFIED
from indexer.shingles import SAMPLE_EVERY, shingle_hashes, sketch, union
from tests.test_cluster import story_text

CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E60), min_size=0, max_size=300)


def samples(text: str) -> set[int]:
    return set(sketch(text).array().tolist())


@settings(max_examples=200, deadline=None)
@given(CJK, st.data())
def test_a_stretch_of_a_text_holds_only_samples_of_the_text(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert samples(text[start:end]) <= samples(text)


@settings(max_examples=200, deadline=None)
@given(CJK, st.lists(st.sampled_from("，。、“”,. \n"), max_size=20), st.randoms())
def test_punctuation_and_spaces_do_not_change_the_samples(text, marks, rng):
    chars = list(text)
    for mark in marks:
        chars.insert(rng.randrange(len(chars) + 1), mark)
    assert sketch("".join(chars)) == sketch(text)


def test_samples_are_sorted_distinct_and_about_one_shingle_in_sample_every(seed_pages):
    text = story_text(seed_pages)
    kept = sketch(text).array()
    assert (kept[1:] > kept[:-1]).all()
    shingles = len(shingle_hashes(text))
    assert sketch(text).size == shingles
    assert 0.7 < len(kept) * SAMPLE_EVERY / shingles < 1.3


def test_a_traditional_printing_has_the_samples_of_the_simplified_one(seed_pages):
    text = story_text(seed_pages)
    to_traditional = {simplified: chr(code) for code, simplified in TRADITIONAL_TO_SIMPLIFIED.items()
                      if len(simplified) == 1}
    traditional = "".join(to_traditional.get(char, char) for char in text)
    assert sum(a != b for a, b in zip(traditional, text)) > len(text) // 10  # a real change of script
    assert sketch(normalise_text(traditional)) == sketch(text)


def test_lines_sketched_apart_compose_to_the_whole_but_for_shingles_across_line_ends(seed_pages):
    text = story_text(seed_pages)
    lines = text.split("\n")
    joined = union([sketch(line) for line in lines])
    assert set(joined.array().tolist()) <= samples(text)
    assert len(joined.array()) >= 0.9 * len(sketch(text).array())
    assert joined.size == sum(sketch(line).size for line in lines)
