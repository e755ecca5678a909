"""The literal index: lookups equal a substring scan; segments merge without losing live texts."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.ingest import index_paths, remove_sources
import numpy as np

from indexer.literal import LiteralIndex, Segment, SegmentBuilder, gram_codes
from indexer.normalise import normalise_text
from indexer.words import count_words
from search.engine import Corpus
from search.request import SearchRequest
from tests.conftest import plain_document

ALPHABET = st.sampled_from(list("钍钎基熔盐堆实验ab1.,\n 新质"))
TEXTS = st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=30), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(TEXTS, st.text(alphabet=ALPHABET, min_size=1, max_size=5))
def test_term_lookup_equals_substring_scan(tmp_path_factory, texts, term):
    builder = SegmentBuilder()
    for key, text in enumerate(texts, 1):
        builder.add(plain_document(key, text))
    directory = tmp_path_factory.mktemp("literal")
    index = LiteralIndex([Segment(directory, builder.write(directory)[0])])
    texts = [normalise_text(t) for t in texts]
    assert sorted(index.term_keys(term).tolist()) == [k for k, t in enumerate(texts, 1) if term in t]


def test_segment_texts_round_trip(tmp_path):
    builder = SegmentBuilder()
    for key, text in ((7, "钍基熔盐"), (9, ""), (11, "72TB数据")):
        builder.add(plain_document(key, text))
    segment = Segment(tmp_path, builder.write(tmp_path)[0])
    assert segment.texts() == [(7, "钍基熔盐"), (9, ""), (11, "72tb数据")]
    assert [segment.original(place)[0] for place in range(3)] == ["钍基熔盐", "", "72TB数据"]
    assert [segment.records.header(place).variant_id for place in range(3)] == ["page@1#7", "page@1#9", "page@1#11"]


def test_bitmap_and_array_postings_list_the_documents_holding_each_code(tmp_path):
    """Codes in most documents are kept as bitmaps, rare ones as document arrays: both read back exactly."""
    texts = ["钍基熔盐堆"] * 20 + [f"实验{i}" for i in range(20)]
    builder = SegmentBuilder()
    for key, text in enumerate(texts, 1):
        builder.add(plain_document(key, text))
    segment = Segment(tmp_path, builder.write(tmp_path)[0])
    assert len(segment.dense_at) and len(segment.sparse_docs), "both kinds of list are exercised"
    posted = [set(gram_codes(normalise_text(t)).tolist()) for t in texts]
    lists = [segment.docs_at(at) for at in range(len(segment.grams))]
    for code, docs in zip(segment.grams.tolist(), lists):
        assert docs.tolist() == [place for place, codes in enumerate(posted) if code in codes]
    assert np.array_equal(segment.docs, np.concatenate(lists))


def test_many_small_runs_merge_and_removed_texts_are_dropped(tmp_path, seeds_dir):
    index_dir = tmp_path / "index"
    pages = sorted(seeds_dir.glob("*.txt"))
    for page in pages:
        index_paths([page], index_dir, workers=1)
    remove_sources([pages[0].stem], index_dir)
    index_paths([pages[0]], index_dir, workers=1)
    segments = Corpus(index_dir).view().literal.segments
    assert len(segments) <= 3
    response = Corpus(index_dir).search(SearchRequest(query="钍基熔盐", limit=100))
    assert response.total_variants == 3
    stored_keys = [k for s in segments for k, _ in s.texts()]
    assert len(stored_keys) == len(set(stored_keys)), "a merge keeps each live text once"
    # Merged segments carry each text's ranking words over unchanged (no jieba at merge time).
    view = Corpus(index_dir).view()
    words_of = {key: words for s in segments for key, words in zip(s.keys.tolist(), s.word_counts_by_document())}
    key_of = {int(docnum): key for key, docnum in enumerate(view.docnum_of_key.tolist()) if docnum >= 0}
    assert key_of
    for docnum, key in key_of.items():
        expected = count_words(normalise_text(view.header(docnum).title), normalise_text(view.original(docnum)[0]))
        got = words_of[key]
        assert (got.codes.tolist(), got.counts.tolist(), got.title_length, got.body_length) == \
            (expected.codes.tolist(), expected.counts.tolist(), expected.title_length, expected.body_length)
    names = {p.name.split(".")[0] for p in (index_dir / "literal").iterdir()}
    assert names <= {s.name for s in segments} | {e.name for e in Corpus(index_dir).view().manifest.retired}
