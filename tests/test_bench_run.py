"""Smoke test of bench/run: a tiny generated corpus end to end, the table printed and the JSON complete."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.grouping import CAUSES, pairs_by_cause, pairwise
from bench.reference import load_variants
from indexer.ingest import index_paths
from tests.conftest import split_story_pages

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"


def test_pairwise_counts_pairs() -> None:
    # predicted {a: x1 x2 y1}, {b: y2}; true {x: x1 x2}, {y: y1 y2}: 1 of 3 predicted pairs right, 1 of 2 true found
    assert pairwise([("a", "x"), ("a", "x"), ("a", "y"), ("b", "y")]) == (1 / 3, 1 / 2)
    assert pairwise([("a", "x")]) == (1.0, 1.0)


def test_variants_carry_the_story_id_search_groups_them_under(tmp_path, seed_pages) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for name, text in split_story_pages(seed_pages).items():
        (pages / f"{name}.txt").write_text(text, encoding="utf-8")
    index_paths([pages], tmp_path / "index", workers=1)
    variants = load_variants(tmp_path / "index")
    # The head and the tail founded two stories before the whole copy merged them.
    assert len(set(variants.article_id)) == 1 and len(variants) == 3


members = st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, len(CAUSES) - 1)), max_size=12)


@given(st.lists(members, max_size=5))
def test_pairs_by_cause_counts_each_differing_pair_once_under_its_higher_cause(groups) -> None:
    expected = dict.fromkeys(CAUSES, 0)
    for group in groups:
        for i, (label, cause) in enumerate(group):
            for other_label, other_cause in group[i + 1:]:
                if label != other_label:
                    expected[CAUSES[max(cause, other_cause)]] += 1
    assert pairs_by_cause(groups) == expected


@pytest.mark.skipif(not (CORPORA / "pku-199801").is_dir(), reason="shared corpora not available")
def test_bench_run_on_a_tiny_corpus(tmp_path: Path) -> None:
    pytest.importorskip("tantivy", reason="the bench extra is not installed")
    out = tmp_path / "results.json"
    command = [str(ROOT / "bench" / "run"), "--size", "40", "--work", str(tmp_path), "--out", str(out),
               "--repeat", "1", "--query-repeat", "1", "--brute-repeat", "1", "--queries", "30", "--cold-runs", "1",
               "--compaction-runs", "3"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "| query p50 |" in run.stdout and "| cold start |" in run.stdout
    assert "| compaction: rank p50 / search p50 |" in run.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["indexing"]["variants"] > 0 and results["indexing"]["chars_per_s"] > 0
    assert results["query"]["count"] >= 20
    assert {t["name"] for t in results["targets"]} >= {"literal recall", "query p50 / tantivy p50"}
    literal = results["literal"]
    assert literal["recall"] == literal["precision"] == 1.0, literal["failures"]
    assert literal["total_mismatches"] == 0, literal["failures"]
    assert results["grouping"]["unmapped"] < results["grouping"]["articles"]
    segments = results["segmentation"]
    assert segments["total"]["articles"] == results["grouping"]["articles"] == 40
    assert sum(f["articles"] for f in segments["families"].values()) == 40
    assert set(results["grouping"]["families"]) == set(segments["families"])
    assert "| layout all: segmentation R / P |" in run.stdout
    assert set(results["grouping"]["wrong_pairs"]) == set(results["grouping"]["missed_pairs"]) == set(CAUSES)
    # the rows of the topic lookups, issue 16 and issue 17, each with its target
    names = {t["name"] for t in results["targets"]}
    assert {"facets added to a search's p50", "batch topic cells off", "export variants/s", "KWIC 1,000 lines p50 (ms)",
            "literal recall vs raw page text", "AND recall across cuts (page)", "false joins",
            "consensus CER, mean story", "script: extra hits",
            "first search after a fresh index / jieba floor"} <= names
    lookups = results["lookups"]
    assert lookups["facets"]["cells_off"] == lookups["timeline"]["cells_off"] == lookups["topics"]["cells_off"] == 0
    assert lookups["export"]["rows"] == lookups["export"]["matching"] == lookups["export"]["variants"]
    assert results["raw_reference"]["reference_pairs"] > 0 and results["cuts"]["pairs"] > 0
    assert results["cold_start"]["first_s"] > 0 and results["indexing"]["spread"]["seconds"]["min"] > 0
    assert "| export of every variant, JSON Lines |" in run.stdout and "| false joins |" in run.stdout


@pytest.mark.skipif(not (CORPORA / "pku-199801").is_dir(), reason="shared corpora not available")
def test_bench_run_can_measure_indexing_alone(tmp_path: Path) -> None:
    """--indexing-only: every run's time against the jieba run after it, the spread of them, and nothing else."""
    out = tmp_path / "indexing.json"
    command = [str(ROOT / "bench" / "run"), "--size", "40", "--work", str(tmp_path), "--out", str(out),
               "--repeat", "2", "--indexing-only"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "| indexing, 2 runs: min / median / max |" in run.stdout and "| peak RSS, indexing |" in run.stdout
    assert "| query p50 |" not in run.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    indexing = results["indexing"]
    assert len(indexing["runs"]) == 2 and indexing["variants"] > 0 and indexing["jieba_seconds"] > 0
    spread = indexing["spread"]["seconds"]
    assert spread["min"] <= spread["median"] <= spread["max"] == max(r["seconds"] for r in indexing["runs"])
    assert "query" not in results and results["settings"]["indexing_only"] and results["machine"]["load_end"] >= 0
