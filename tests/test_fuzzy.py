"""Fuzzy (OCR-tolerant) search: the seed page that garbles 钍基熔盐 is found as a fuzzy hit, with the
seed index and alone; exact matches stay exact; garbled printings are found wherever they are; and
on clean text and on common words, fuzzy search finds next to nothing."""
from __future__ import annotations

import lzma
import re
import shutil
import tempfile
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.ingest import index_paths
from indexer.literal import Segment, SegmentBuilder
from indexer.words import field_code, words
from search.budget import Deadline, QueryTimeout
from search.confusions import ConfusionModel
from search.engine import Corpus
from search.fuzzy import fuzzy_term, max_errors, segment_printings
from search.fuzzy_query import fuzzy_matching
from search.garbles import GarbleRule
from search.query import Term, parse_query
from search.rank import matching, score_matches
from search.request import LATEST_VARIANTS
from tests.conftest import ROOT, SEEDS, plain_document

NOISE = ROOT.parent / "shared" / "corpora" / "ocr-noise"
PKU = ROOT.parent / "shared" / "corpora" / "pku-199801" / "articles.jsonl.xz"
GARBLED_PAGE = "003_d03bbf471f6134ca"
KEEP_EVERYTHING = GarbleRule(rarity=float("inf"), slack=10**9, dictionary_min_frequency=None, siblings=False)


@lru_cache(maxsize=1)
def shared_model() -> ConfusionModel:
    """The model with the shared OCR data (kept out of hypothesis's reports, which print arguments)."""
    return ConfusionModel.load(NOISE)


@lru_cache(maxsize=1)
def seed_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="module")
def model() -> ConfusionModel:
    return shared_model()


@pytest.fixture(scope="module")
def only_003(tmp_path_factory, seeds_dir: Path) -> Corpus:
    """An index holding seed page 003 alone: no sibling printing to learn from."""
    pages = tmp_path_factory.mktemp("only-003")
    shutil.copy(seeds_dir / f"{GARBLED_PAGE}.txt", pages)
    index_dir = tmp_path_factory.mktemp("only-003-index") / "index"
    assert index_paths([pages], index_dir, workers=1).new == 1
    return Corpus(index_dir)


@pytest.fixture(scope="module")
def clean_news(tmp_path_factory) -> Corpus:
    """An index of 400 People's Daily articles as the PKU corpus gives them: edited text, no OCR."""
    pages = tmp_path_factory.mktemp("pku-pages")
    with lzma.open(PKU, "rt", encoding="utf-8") as lines:
        for _, line in zip(range(400), lines):
            record = orjson.loads(line)
            (pages / f"{record['article_id']}.txt").write_text("\n\n".join(record["paragraphs"]), encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("pku-index") / "index"
    index_paths([pages], index_dir, workers=1)
    return Corpus(index_dir)


def _search(corpus: Corpus, query: str, model: ConfusionModel):
    view = corpus.view()
    latest = view.scope(LATEST_VARIANTS)
    node = parse_query(query)
    return view, node, latest, fuzzy_matching(view, node, latest, model)


def _fuzzy_sources(view, matches) -> set[str]:
    return {view.header(d).source for d in matches.docnums[matches.fuzzy].tolist()}


def test_the_003_printing_is_a_fuzzy_hit_with_the_garbled_form_found(corpus: Corpus, model: ConfusionModel) -> None:
    view, node, latest, found = _search(corpus, "钍基熔盐", model)
    exact = matching(view, node, latest)
    assert len(exact) == 3 and GARBLED_PAGE not in {view.header(d).source for d in exact.tolist()}
    assert set(exact.tolist()) <= set(found.docnums.tolist())
    assert not found.fuzzy[np.isin(found.docnums, exact)].any()
    assert _fuzzy_sources(view, found) == {GARBLED_PAGE}
    (docnum,) = found.docnums[found.fuzzy].tolist()
    [(term, garble)] = found.garbles(docnum)
    assert (term, garble.form) == ("钍基熔盐", "钎基熔盐")
    assert view.normalised_text(docnum)[garble.start:garble.end] == "钎基熔盐"
    assert garble.siblings_with_term >= 1  # the other printings of the story print 钍基熔盐 there
    assert found.printed_as() == [{"term": "钍基熔盐", "form": "钎基熔盐", "variants": 1, "occurrences": 1,
                                   "weight": round(garble.weight, 4)}]


def test_fuzzy_hits_rank_below_every_exact_hit(corpus: Corpus, model: ConfusionModel) -> None:
    view, node, _, found = _search(corpus, "钍基熔盐 实验堆", model)
    scores = found.tiered_scores(score_matches(view, node, found.docnums))
    assert found.fuzzy.any() and (~found.fuzzy).any()
    assert scores[~found.fuzzy].min() > scores[found.fuzzy].max()


def test_with_003_indexed_alone_fuzzy_search_still_finds_it_and_plain_search_does_not(
        only_003: Corpus, model: ConfusionModel) -> None:
    view, node, latest, found = _search(only_003, "钍基熔盐", model)
    assert len(matching(view, node, latest)) == 0
    assert _fuzzy_sources(view, found) == {GARBLED_PAGE}
    assert [item["form"] for item in found.printed_as()] == ["钎基熔盐"]
    # The same holds with the built-in look-alike table alone: no shared data on a researcher's machine.
    assert _fuzzy_sources(view, fuzzy_matching(view, node, latest, ConfusionModel.builtin())) == {GARBLED_PAGE}


def test_query_operators_combine_exact_and_fuzzy_matches(corpus: Corpus, model: ConfusionModel) -> None:
    view, _, _, either = _search(corpus, "钍基熔盐 OR 新华社", model)
    assert not either.fuzzy.any()  # page 003 prints 新华社 as such: exact through the other branch
    view, _, _, excluded = _search(corpus, "钍基熔盐 -钎基", model)
    assert GARBLED_PAGE not in {view.header(d).source for d in excluded.docnums.tolist()}
    assert not excluded.fuzzy.any()
    view, _, _, both = _search(corpus, "钍基熔盐 实验堆", model)
    assert _fuzzy_sources(view, both) == {GARBLED_PAGE}


def test_terms_under_three_characters_are_never_fuzzy(corpus: Corpus, model: ConfusionModel) -> None:
    view = corpus.view()
    assert max_errors("钍基") == 0
    assert not fuzzy_term(view, "钍基", view.scope(LATEST_VARIANTS), model, rule=KEEP_EVERYTHING).forms


def test_a_spent_time_budget_stops_a_fuzzy_search(corpus: Corpus, model: ConfusionModel) -> None:
    view = corpus.view()
    with pytest.raises(QueryTimeout):
        fuzzy_term(view, "钍基熔盐", view.scope(LATEST_VARIANTS), model,
                   Deadline(0.001, started=time.monotonic() - 1))


def _seed_terms(seed_pages: dict[str, str]) -> list[str]:
    runs = [run for text in seed_pages.values() for run in re.findall(r"[\u4e00-\u9fff]{8,}", text)]
    return sorted({run[i:i + n] for run in runs for n in (3, 4, 6) for i in range(0, len(run) - n + 1, 5)})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_exact_matches_are_always_included_and_never_fuzzy(corpus: Corpus, data) -> None:
    model = shared_model()
    term = data.draw(st.sampled_from(_seed_terms(seed_texts())))
    view = corpus.view()
    latest = view.scope(LATEST_VARIANTS)
    node = Term(term, term)
    exact = matching(view, node, latest)
    found = fuzzy_matching(view, node, latest, model)
    at = np.searchsorted(found.docnums, exact)
    assert np.array_equal(found.docnums[at], exact) and not found.fuzzy[at].any()
    assert np.all(found.weights[at] == 1.0)
    for docnum in found.docnums[found.fuzzy].tolist():
        text = view.normalised_text(docnum)
        for _, garble in found.garbles(docnum):
            printed = text[garble.start:garble.end]
            differing = [p for p, (a, b) in enumerate(zip(printed, term)) if a != b]
            assert printed == garble.form and 1 <= len(differing) <= max_errors(term)
            assert all(model.weight(term[p], printed[p]) > 0 for p in differing)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_a_term_garbled_by_substitutions_the_model_knows_is_found(data) -> None:
    model, seed_pages = shared_model(), seed_texts()
    page = data.draw(st.sampled_from(sorted(seed_pages)))
    runs = re.findall(r"[\u4e00-\u9fff]{12,}", seed_pages[page])
    run = data.draw(st.sampled_from(runs))
    length = data.draw(st.integers(3, min(9, len(run) - 2)))
    start = data.draw(st.integers(1, len(run) - length - 1))
    term = run[start:start + length]
    substitutable = [p for p, c in enumerate(term) if model.readings(c)]
    errors = data.draw(st.integers(1, min(max_errors(term), len(substitutable))))
    positions = tuple(sorted(data.draw(st.lists(st.sampled_from(substitutable), min_size=errors, max_size=errors,
                                                unique=True))))
    garbled = list(term)
    for p in positions:
        garbled[p] = data.draw(st.sampled_from(list(model.readings(term[p]))))
    form = "".join(garbled)
    text = run[:start] + form + run[start + length:]
    others = [t for t in seed_pages.values() if term not in t][:1] or [""]
    with tempfile.TemporaryDirectory() as directory:
        builder = SegmentBuilder()
        for key, document in enumerate([text, *others], start=1):
            builder.add(plain_document(key, document))
        name, _ = builder.write(Path(directory))
        segment = Segment(Path(directory), name)
        found = {(p.key, p.start, p.form, p.positions) for p in segment_printings(segment, term, model)}
    assert (1, start, form, positions) in found


def test_fuzzy_search_does_not_take_frequent_words_for_garbles(corpus: Corpus, model: ConfusionModel) -> None:
    # The three-character words jieba finds in two or more of the seed variants.
    view = corpus.view()
    latest = view.scope(LATEST_VARIANTS)
    counts: Counter = Counter()
    for docnum in latest.tolist():
        counts.update({w for w in words(view.normalised_text(docnum)) if re.fullmatch(r"[\u4e00-\u9fff]{3}", w)})
    frequent = [w for w, n in counts.items() if n >= 2]
    assert len(frequent) > 50
    candidates = rejected = 0
    for word in frequent:
        every_form = fuzzy_term(view, word, latest, model, rule=KEEP_EVERYTHING).forms
        kept = fuzzy_term(view, word, latest, model).printed_as()
        candidates += len(every_form)
        rejected += len(every_form) - len(kept)
        for stats in kept:
            assert view.document_frequency(field_code("body", stats.form)) == 0, (word, stats.form)
            assert counts[stats.form] == 0, (word, stats.form)
    assert candidates and rejected == candidates  # forms one look-alike away exist (式运行), and are no garbles


def test_on_clean_text_fuzzy_search_finds_next_to_nothing_for_common_words(clean_news: Corpus,
                                                                         model: ConfusionModel) -> None:
    # Edited newspaper text has no OCR errors: every fuzzy printing found there is a false one.
    view = clean_news.view()
    latest = view.scope(LATEST_VARIANTS)
    counts: Counter = Counter()
    for docnum in latest.tolist():
        counts.update({w for w in words(view.normalised_text(docnum)) if re.fullmatch(r"[\u4e00-\u9fff]{3,4}", w)})
    exact = fuzzy = candidates = 0
    for word, _ in counts.most_common(200):
        found = fuzzy_term(view, word, latest, model)
        exact += found.exact_variants
        fuzzy += sum(stats.garbled_occurrences for stats in found.printed_as())
        every_form = fuzzy_term(view, word, latest, model, rule=KEEP_EVERYTHING).forms.values()
        candidates += sum(stats.occurrences for stats in every_form)
    # Measured: 9 printings taken for garbles against 1,950 exact variants, of 97 printings one or two
    # look-alikes away (68 taken without the dictionary check).
    assert candidates >= 50
    assert fuzzy <= 0.01 * exact
