"""The bench's brute-force topic counts (bench/brute_counts.py) against the engine's facets, timelines and batch
topics on the seed pages with sidecars, the export's covering query, and the fresh-index cold start."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.benchquery import BenchQuery
from bench.brute_counts import (
    FACETS,
    TOPIC_FACETS,
    cells_off,
    combined,
    count_cells,
    engine_facet_cells,
    engine_timeline_cells,
    engine_topic_cells,
    facet_cells,
    key_of,
    occurrences,
)
from bench.coldstart import drop_view_cache
from bench.exporting import MAX_COVER, covering_query
from bench.reference import Variants, brute_force, load_variants
from search.engine import Corpus
from search.facets import facets
from search.request import SearchRequest

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["钍基熔盐", "新质生产力", "熔盐 -钎基", "钍基熔盐 OR 钎基熔盐", "实验堆 液态", "中国 OR 创新"]


@pytest.fixture(scope="module")
def seeds(meta_index: Path) -> tuple[Corpus, Variants]:
    return Corpus(meta_index), load_variants(meta_index)


@pytest.mark.parametrize("query", QUERIES)
def test_brute_force_facet_and_timeline_cells_equal_the_engines(seeds, query: str) -> None:
    corpus, variants = seeds
    positions = brute_force(variants, BenchQuery("t", query))
    assert positions  # every query matches some seed printing
    brute = facet_cells(variants, positions, query)
    answer = facets(corpus.matched(SearchRequest(query=query)), FACETS)
    assert {name: cells_off(brute[name], engine_facet_cells(answer[name])) for name in FACETS} == dict.fromkeys(FACETS, 0)
    month = count_cells(variants, positions, occurrences(variants, positions, query), key_of(variants, "date:month"))
    assert cells_off(month, engine_timeline_cells(corpus.timeline(SearchRequest(query=query), [query], "month"))) == 0
    assert sum(v for _, v, _ in brute["source"].values()) == len(positions)


def test_brute_force_topic_cells_equal_the_engines_and_a_changed_cell_is_counted(seeds) -> None:
    corpus, variants = seeds
    text = "\n".join(f"t{k}\t{q}" for k, q in enumerate(QUERIES))
    table = corpus.topics(text, list(TOPIC_FACETS), SearchRequest(query="topics"))
    got = engine_topic_cells(table.rows, list(TOPIC_FACETS))
    key = combined([key_of(variants, name) for name in TOPIC_FACETS])
    for k, query in enumerate(QUERIES):
        positions = brute_force(variants, BenchQuery("t", query))
        expected = count_cells(variants, positions, occurrences(variants, positions, query), key)
        assert cells_off(expected, got[f"t{k}"]) == 0
        value, (stories, n, found) = next(iter(expected.items()))
        assert cells_off({**expected, value: (stories, n, found + 1)}, got[f"t{k}"]) == 1
        assert cells_off({**expected, ("elsewhere", None): (1, 1, 1)}, got[f"t{k}"]) == 1


def test_occurrences_count_every_positive_term_as_str_count_does(seeds) -> None:
    _, variants = seeds
    positions = brute_force(variants, BenchQuery("t", "熔盐 -钎基"))
    assert occurrences(variants, positions, "熔盐 -钎基") == [variants.norm[i].count("熔盐") for i in positions]


texts = st.lists(st.text(alphabet="的中国，, \n\"()-ab", min_size=1, max_size=12), min_size=1, max_size=30)


@given(texts)
def test_the_covering_query_matches_every_text_that_holds_a_searchable_character(norms: list[str]) -> None:
    query = covering_query(Variants(norm=norms))
    chosen = query.split(" OR ") if query else []
    assert len(chosen) <= MAX_COVER and len(set(chosen)) == len(chosen)
    searchable = [t for t in norms if any(not c.isspace() and c not in "\"()-" for c in t)]
    assert all(any(c in t for c in chosen) for t in searchable)


def test_a_dropped_view_cache_is_written_again_by_the_first_search(tmp_path: Path, meta_index: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(meta_index, index)
    drop_view_cache(index)
    command = [sys.executable, str(ROOT / "cli.py"), "search", "钍基熔盐", "--index", str(index)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    assert drop_view_cache(index) == 1 and drop_view_cache(index) == 0
