"""Facets, timelines and batch topics count exactly what a brute-force scan of the normalised texts counts,
for generated queries, with filters and across versions."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.ingest import index_paths
from search.engine import Corpus
from search.request import Facet, ParameterError, SearchRequest
from tests.conftest import SEED_METADATA
from tests.counts_reference import counts_by, load_rows, matched

FACETS = ["publication", "source", "date", "date:week", "date:month", "date:year", "edition", "page"]


@pytest.fixture(scope="module")
def versioned_index(tmp_path_factory, meta_index: Path, seeds_dir: Path) -> Path:
    """The seed index with sidecars, then two pages changed (new versions, new dates) and one page with no date."""
    index_dir = tmp_path_factory.mktemp("versioned") / "index"
    shutil.copytree(meta_index, index_dir)
    pages = tmp_path_factory.mktemp("changed")
    for stem, day in (("000_b412ed2ff225a7db", "2026-02-01"), ("003_d03bbf471f6134ca", "2026-03-15")):
        (pages / f"{stem}.txt").write_text((seeds_dir / f"{stem}.txt").read_text(encoding="utf-8")
                                           .replace("钍基熔盐", "钍基熔盐（修订）"), encoding="utf-8")
        (pages / f"{stem}.meta.json").write_text(
            f'{{"publication": "{SEED_METADATA[stem]["publication"]}", "date": "{day}", "edition": "修订版"}}',
            encoding="utf-8")
    (pages / "undated.txt").write_text("# 钍基熔盐堆的新闻\n\n本报讯 钍基熔盐实验堆的消息传来，新质生产力又添新例。\n",
                                       encoding="utf-8")
    (pages / "undated.meta.json").write_text('{"publication": "贵阳日报"}', encoding="utf-8")
    summary = index_paths([pages], index_dir, workers=1)
    assert summary.changed == 2 and summary.new == 1
    return index_dir


@pytest.fixture(scope="module")
def rows(versioned_index):
    return load_rows(versioned_index)


@pytest.fixture(scope="module")
def vocabulary(rows) -> list[str]:
    """Terms drawn from the texts (1-6 characters), and some that occur nowhere."""
    rng = random.Random(15)
    terms = {"钍基熔盐", "新质生产力", "修订", "发展", "记者", "不存在的词"}
    while len(terms) < 120:
        text = rng.choice(rows).norm
        start = rng.randrange(max(1, len(text) - 6))
        term = text[start:start + rng.randint(1, 6)].strip()
        if term and not any(c in term for c in '"()\n -'):
            terms.add(term)
    return sorted(terms)


def queries(vocabulary: list[str]) -> st.SearchStrategy[str]:
    term = st.sampled_from(vocabulary)
    return st.one_of(term, st.builds(lambda a, b: f"{a} {b}", term, term),
                     st.builds(lambda a, b: f"{a} OR {b}", term, term),
                     st.builds(lambda a, b: f"{a} -{b}", term, term))


FILTERS = st.sampled_from([{}, {"all_versions": True}, {"publication": "人民日报"},
                           {"date_from": "2025-12-07", "date_to": "2026-01-31"}, {"meta": (("edition", "海外版"),)},
                           {"sources": ("001_5417d37bc9da2a03", "003_d03bbf471f6134ca"), "all_versions": True},
                           {"publication": "光明日报", "all_versions": True}])


def facet_table(result) -> dict[tuple, dict[str, int]]:
    table = {(v.value,): {"stories": v.stories, "variants": v.variants, "occurrences": v.occurrences}
             for v in result.values}
    if result.missing.variants:
        table[(None,)] = result.missing.to_dict()
    return table


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_facet_counts_equal_a_brute_force_count(versioned_index, rows, vocabulary, data):
    query = data.draw(queries(vocabulary))
    filters = data.draw(FILTERS)
    names = data.draw(st.lists(st.sampled_from(FACETS), min_size=1, max_size=3, unique=True))
    request = SearchRequest(query=query, facets=tuple(names), **filters)
    response = Corpus(versioned_index).search(request)
    found = matched(rows, request)
    # The total also holds the variants matched only together with the next across a weak cut (search.joins);
    # facets, like every count, are of literal matches alone.
    assert response.total_variants - response.joined_variants == len(found)
    for name in names:
        assert facet_table(response.facets[name]) == counts_by(found, [name]), name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_timeline_cells_equal_a_brute_force_count(versioned_index, rows, vocabulary, data):
    chosen = data.draw(st.lists(queries(vocabulary), min_size=1, max_size=3))
    by = data.draw(st.sampled_from(["day", "week", "month", "year"]))
    filters = data.draw(FILTERS)
    chart = Corpus(versioned_index).timeline(SearchRequest(query=chosen[0], **filters), chosen, by, "occurrences")
    for column, query in enumerate(chosen):
        expected = counts_by(matched(rows, SearchRequest(query=query, **filters)), [f"date:{by}"])
        got = {(period,): row[column].to_dict() for period, row in zip(chart.periods, chart.cells)
               if row[column].variants}
        assert got == {k: v for k, v in expected.items() if k != (None,)}
        assert chart.undated[column].to_dict() == expected.get((None,), {"stories": 0, "variants": 0,
                                                                         "occurrences": 0})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_topic_cells_equal_a_brute_force_count(versioned_index, rows, vocabulary, data):
    chosen = data.draw(st.lists(queries(vocabulary), min_size=1, max_size=4, unique=True))
    by = data.draw(st.lists(st.sampled_from(["publication", "date:month", "source", "edition"]), max_size=2,
                            unique=True))
    filters = data.draw(FILTERS)
    text = "".join(f"t{i}\t{q}\n" for i, q in enumerate(chosen))
    table = Corpus(versioned_index).topics(text, by, SearchRequest(query="x", **filters))
    assert not table.problems
    for i, query in enumerate(chosen):
        expected = counts_by(matched(rows, SearchRequest(query=query, **filters)), by) or \
            {tuple(None for _ in by): {"stories": 0, "variants": 0, "occurrences": 0}}
        got = {tuple(row[name] for name in by): {k: row[k] for k in ("stories", "variants", "occurrences")}
               for row in table.rows if row["topic"] == f"t{i}"}
        assert got == expected


def test_the_seed_story_by_source(meta_index):
    """The done-when example: 钍基熔盐 by source is 3 variants of 1 story (003 is garbled, 004 lacks it)."""
    response = Corpus(meta_index).search(SearchRequest(query="钍基熔盐", facets=("source",)))
    values = response.facets["source"].values
    assert {v.value for v in values} == {"000_b412ed2ff225a7db", "001_5417d37bc9da2a03", "002_1193bf27c877aa1f"}
    assert sum(v.variants for v in values) == 3 and {v.stories for v in values} == {1}


def test_a_timeline_keeps_empty_periods_and_counts_the_undated(versioned_index):
    chart = Corpus(versioned_index).timeline(SearchRequest(query="x", all_versions=True), ["钍基熔盐"], "month",
                                             "variants")
    # December's three printings, no January printing of it (003 garbled the term, 004 lacks the passage),
    # and 000's changed version in February.
    assert chart.periods == ["2025-12", "2026-01", "2026-02"]
    assert [row[0].variants for row in chart.cells] == [3, 0, 1]
    assert chart.undated[0].variants == 1  # the page with no date


@pytest.mark.parametrize("name", ["date:fortnight", "publication:month", "版面", ""])
def test_bad_facets_are_one_line_errors(name):
    with pytest.raises(ParameterError):
        Facet.parse(name)
