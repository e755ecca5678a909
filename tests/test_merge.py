"""Segment merging: a merged pack is the pack the kept documents would have been built into; the policies."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import merge
from indexer.literal import LiteralIndex, Segment, SegmentBuilder
from indexer.manifest import SegmentEntry
from indexer.merge import MERGE_FACTOR, MergePart, merge_parts, plan_compaction, plan_tiered, tier
from indexer.pack import FileDigest
from tests.conftest import plain_document

ALPHABET = st.sampled_from(list("钍钎基熔盐堆实验ab1.,\n 新质𠀀"))  # 𠀀: a character beyond 16 bits
TEXTS = st.lists(st.text(alphabet=ALPHABET, max_size=30), min_size=1, max_size=8)
PACK_PARTS = ("keys", "offsets", "gram_heads", "gram_head_starts", "gram_tails", "starts", "docs", "dense_at",
              "dense_skip", "dense_bits", "words",
              "word_starts", "word_docs", "word_counts", "lengths", "samples", "sample_starts", "sketch_sizes",
              "sketch_parts", "header_offsets", "body_offsets", "text", "headers", "bodies", "metadata")


def build(directory, documents) -> Segment:
    builder = SegmentBuilder()
    for document in documents:
        builder.add(document)
    return Segment(directory, builder.write(directory)[0])


def pack_contents(segment: Segment) -> dict[str, bytes]:
    pack = segment.pack
    return {name: (pack.array(name).tobytes() if "dtype" in pack.parts[name] else bytes(pack.blob(name)))
            for name in PACK_PARTS}


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=4), st.data())
def test_a_merged_pack_is_the_pack_of_the_kept_documents(tmp_path_factory, parts_texts, data):
    directory = tmp_path_factory.mktemp("merge")
    parts, kept_documents, key = [], [], 1
    for texts in parts_texts:
        documents = [plain_document(key + i, text) for i, text in enumerate(texts)]
        key += len(texts)
        keep = np.array(data.draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts))), dtype=bool)
        parts.append(MergePart(build(directory, documents), keep))
        kept_documents += [d for d, kept in zip(documents, keep.tolist()) if kept]
    entry = merge_parts(parts, directory)
    if not kept_documents:
        assert entry is None
        return
    merged = Segment(directory, entry.name)
    assert pack_contents(merged) == pack_contents(build(directory, kept_documents))
    assert (entry.documents, entry.chars) == (len(kept_documents), sum(len(d.norm) for d in kept_documents))


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS, min_size=2, max_size=4), st.text(alphabet=ALPHABET, min_size=1, max_size=4))
def test_a_merged_segment_answers_lookups_as_its_parts(tmp_path_factory, parts_texts, term):
    directory = tmp_path_factory.mktemp("lookup")
    segments, key = [], 1
    for texts in parts_texts:
        segments.append(build(directory, [plain_document(key + i, t) for i, t in enumerate(texts)]))
        key += len(texts)
    entry = merge_parts([MergePart(s, np.ones(len(s.keys), dtype=bool)) for s in segments], directory)
    merged = Segment(directory, entry.name)
    assert sorted(LiteralIndex([merged]).term_keys(term).tolist()) == \
        sorted(LiteralIndex(segments).term_keys(term).tolist())
    for code in np.unique(np.concatenate([s.words for s in segments])):
        keys = np.concatenate([s.word_postings(code)[0] for s in segments])
        counts = np.concatenate([s.word_postings(code)[1] for s in segments])
        got_keys, got_counts = merged.word_postings(code)
        assert (got_keys.tolist(), got_counts.tolist()) == (keys.tolist(), counts.tolist())


def test_postings_are_merged_a_range_of_codes_at_a_time(tmp_path, seed_pages, monkeypatch):
    """Ranges smaller than one code's postings, and than a part's, give the pack the kept documents make,
    bitmap lists and document lists alike."""
    paragraphs = [p for page in seed_pages.values() for p in page.split("\n\n") if p.strip()]
    documents = [plain_document(key, text) for key, text in enumerate(paragraphs, 1)]
    third = len(documents) // 3
    keep = np.arange(third) % 5 != 2
    parts = [MergePart(build(tmp_path, documents[:third]), keep),
             MergePart(build(tmp_path, documents[third:]), np.ones(len(documents) - third, dtype=bool))]
    monkeypatch.setattr(merge, "POSTINGS_CHUNK", 7)
    merged = Segment(tmp_path, merge_parts(parts, tmp_path).name)
    kept = [d for d, k in zip(documents[:third], keep.tolist()) if k] + documents[third:]
    assert pack_contents(merged) == pack_contents(build(tmp_path, kept))
    assert len(merged.docs) > 7 * 100 and len(merged.dense_at) and len(merged.sparse_docs)


def entry(name: str, chars: int, documents: int = 10) -> SegmentEntry:
    return SegmentEntry(name, documents, chars, FileDigest(0, ""))


def test_tiers_grow_by_the_merge_factor():
    base = merge.TIER_BASE_CHARS
    assert [tier(n) for n in (0, base - 1, base, base * MERGE_FACTOR - 1, base * MERGE_FACTOR)] == [0, 0, 1, 1, 2]


def test_a_tier_merges_when_it_holds_merge_factor_segments():
    small = [entry(f"s{i}", 1000 * (i + 1)) for i in range(MERGE_FACTOR - 1)]
    large = [entry(f"l{i}", merge.TIER_BASE_CHARS * 2) for i in range(MERGE_FACTOR - 1)]
    assert plan_tiered(small + large) == []
    fourth = entry("s9", 500)
    assert [e.name for e in plan_tiered(small + large + [fourth])] == ["s9", "s0", "s1", "s2"]


def test_a_merge_stays_within_the_caps():
    near_cap = [entry(f"b{i}", merge.MERGED_MAX_CHARS // 2 + 1) for i in range(MERGE_FACTOR)]
    assert plan_tiered(near_cap) == []  # no two fit in one segment
    many_documents = [entry(f"d{i}", 1000, merge.MERGED_MAX_DOCUMENTS // 3) for i in range(MERGE_FACTOR)]
    assert len(plan_tiered(many_documents)) == 3


@pytest.mark.parametrize("keeps", [[[True, True], [True]], [[True, False], [True]], [[True, True]]])
def test_compaction_groups_all_that_fit_and_rewrites_a_segment_only_to_drop_texts(tmp_path, seed_pages, keeps):
    texts = list(seed_pages.values())
    parts = [MergePart(build(tmp_path, [plain_document(i + 1, texts[i]) for i in range(len(keep))]),
                       np.array(keep, dtype=bool)) for keep in keeps]
    groups = plan_compaction(parts)
    if len(parts) > 1:
        assert [len(g) for g in groups] == [len(parts)]
    else:
        assert groups == ([] if all(keeps[0]) else [parts])
