"""Compaction: an index built in many runs answers every query the same after `corpus compact`, drops removed
texts, survives a crash at any point of it, waits for or refuses a second writer, and checks clean."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.check import check_index
from indexer.compact import compact_index
from indexer.faults import CRASH_ENV, MERGE_POINT, POINTS
from indexer.ingest import index_paths, remove_sources
from indexer.manifest import read_manifest
from indexer.store import open_index
from search.engine import Corpus
from search.request import SearchRequest
from tests.conftest import ROOT, SEEDS, run_cli

RUNS = 7
REMOVED = "copy003"
# Every point a compaction passes (it writes no new segment of its own: "segment-written" is never reached).
COMPACTION_POINTS = (MERGE_POINT, *POINTS[1:])
HOLD_LOCK = """
import sys, time
from pathlib import Path
from indexer.write import IndexSession
with IndexSession(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def manifest_of(index_dir: Path):
    return read_manifest(index_dir, open_index(index_dir).latest_generation())


@pytest.fixture(scope="module")
def many_runs(tmp_path_factory) -> Path:
    """An index built in RUNS runs of a few pages each, one source since removed and one changed."""
    root = tmp_path_factory.mktemp("many-runs")
    texts = seed_texts()
    index_dir = root / "index"
    for run in range(RUNS):
        folder = root / f"run{run}"
        folder.mkdir()
        for page in range(2):
            number = run * 2 + page
            (folder / f"copy{number:03d}.txt").write_text(
                texts[number % len(texts)] + f"\n\n补记第{number}号：本页为第{number}次重印。\n", encoding="utf-8")
        index_paths([folder], index_dir, workers=1)
    remove_sources([REMOVED], index_dir)
    changed = root / "changed"
    changed.mkdir()
    (changed / "copy000.txt").write_text(texts[0].replace("钍基熔盐", "钍基熔盐（修订）"), encoding="utf-8")
    index_paths([changed], index_dir, workers=1)
    return index_dir


@pytest.fixture(scope="module")
def compacted(many_runs, tmp_path_factory) -> tuple[Path, object]:
    index_dir = tmp_path_factory.mktemp("compacted") / "index"
    shutil.copytree(many_runs, index_dir)
    return index_dir, compact_index(index_dir)


@pytest.fixture(scope="module")
def corpora(many_runs, compacted) -> tuple[Corpus, Corpus]:
    return Corpus(many_runs), Corpus(compacted[0])


def answer(corpus: Corpus, query: str, all_versions: bool) -> dict:
    """What a user sees of a search: every group, variant, score, snippet and total, less timing and generation."""
    response = corpus.search(SearchRequest(query=query, limit=50, all_versions=all_versions)).to_dict()
    del response["took_ms"], response["generation"]
    return response


def test_commits_merge_their_segments_and_compaction_leaves_one(many_runs, compacted):
    index_dir, report = compacted
    assert 1 < len(manifest_of(many_runs).segments) < RUNS  # merged by tier at commits, not one per run
    assert (report.segments_before, report.segments_after) == (len(manifest_of(many_runs).segments), 1)
    assert report.merges == 1 and report.generation == manifest_of(index_dir).generation
    assert check_index(index_dir, deep=True).ok


def test_removed_texts_are_dropped_and_replaced_versions_kept(many_runs, compacted):
    index_dir, report = compacted
    view = Corpus(index_dir).view()
    stored = {int(k) for s in view.literal.segments for k in s.keys}
    live = set((view.docnum_of_key >= 0).nonzero()[0].tolist())
    assert stored == live
    assert report.documents_after == len(live) < report.documents_before
    assert not any(view.header(d).source == REMOVED for d in range(len(view.segment_of)) if view.segment_of[d] >= 0)
    older = answer(Corpus(index_dir), "钍基熔盐", all_versions=True)
    assert any(v["version"] == 1 and v["source"] == "copy000" for a in older["articles"] for v in a["variants"])


def seed_terms() -> st.SearchStrategy[str]:
    texts = [" ".join(t.split()) for t in seed_texts()]
    return st.builds(lambda text, start, length: text[start % len(text):start % len(text) + length].strip(),
                     st.sampled_from(texts), st.integers(0, 10_000), st.integers(1, 5)).filter(
        lambda term: term and not any(c in term for c in '"()-:'))


@settings(max_examples=150, deadline=None)
@given(st.lists(seed_terms(), min_size=1, max_size=3), st.sampled_from(["{}", "{} OR {}", "{} -{}"]), st.booleans())
def test_every_search_answers_the_same_after_compaction(corpora, terms, form, all_versions):
    before, after = corpora
    query = form.format(*(terms * 2)) if "{} " in form else " ".join(terms)
    assert answer(after, query, all_versions) == answer(before, query, all_versions)


@pytest.mark.parametrize("point", COMPACTION_POINTS)
def test_a_crash_during_compaction_leaves_a_readable_index(point, many_runs, corpora, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(many_runs, index_dir)
    killed = run_cli("compact", "--index", str(index_dir), env={CRASH_ENV: point})
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr[-2000:])
    committed = point in ("toc-written", "committed")
    assert len(manifest_of(index_dir).segments) == (1 if committed else len(manifest_of(many_runs).segments))
    assert check_index(index_dir).ok
    for query in ("钍基熔盐", "新华社", "实验"):
        assert answer(Corpus(index_dir), query, True) == answer(corpora[0], query, True)
    again = run_cli("compact", "--index", str(index_dir))
    assert again.returncode == 0, again.stderr
    assert len(manifest_of(index_dir).segments) == 1 and check_index(index_dir, deep=True).ok


def test_the_cli_reports_what_it_did_and_that_there_is_nothing_left(many_runs, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(many_runs, index_dir)
    before = len(manifest_of(many_runs).segments)
    done = run_cli("compact", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert f"segments: {before} -> 1 (1 merges," in done.stdout and "removed texts dropped" in done.stdout
    again = run_cli("compact", "--index", str(index_dir), "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["segments_before"], report["segments_after"], report["merges"]) == (1, 1, 0)
    assert run_cli("compact", "--index", str(index_dir)).stdout.startswith("nothing to compact: 1 segments")
    deep = run_cli("check", "--deep", "--index", str(index_dir))
    assert deep.returncode == 0 and deep.stdout.startswith("ok:"), deep.stdout + deep.stderr


def test_the_cli_refuses_what_is_not_an_index_in_one_line(tmp_path):
    for target in (tmp_path / "none", tmp_path):
        failed = run_cli("compact", "--index", str(target))
        assert failed.returncode == 2
        assert failed.stderr.strip().count("\n") == 0 and "no index at" in failed.stderr
    bad = run_cli("compact", "--wait", "5", "--index", str(tmp_path))
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0


def test_a_second_writer_is_refused_in_one_line_and_wait_waits(many_runs, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(many_runs, index_dir)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index_dir), "10"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused = run_cli("compact", "--index", str(index_dir))
        assert refused.returncode == 2 and refused.stderr.strip().count("\n") == 0
        assert "locked by another corpus process" in refused.stderr and "--wait" in refused.stderr
        started = time.perf_counter()
        waited = run_cli("compact", "--index", str(index_dir), "--wait")
        assert waited.returncode == 0, waited.stderr
        assert holder.wait(timeout=10) == 0 and time.perf_counter() - started > 1.0
        assert len(manifest_of(index_dir).segments) == 1
    finally:
        holder.kill()


def test_a_merge_at_a_commit_drops_texts_removed_before_it(tmp_path, seeds_dir):
    pages = sorted(seeds_dir.glob("*.txt"))
    index_dir = tmp_path / "index"
    for page in pages[:3]:
        index_paths([page], index_dir, workers=1)
    remove_sources([pages[0].stem], index_dir)
    index_paths([pages[3]], index_dir, workers=1)  # the fourth segment of tier 0: the four merge
    view = Corpus(index_dir).view()
    assert len(view.literal.segments) == 1
    assert {int(k) for k in view.literal.segments[0].keys} == set((view.docnum_of_key >= 0).nonzero()[0].tolist())
    assert check_index(index_dir, deep=True).ok
    texts = [view.normalised_text(d) for d in range(len(view.segment_of)) if view.segment_of[d] >= 0]
    for term in ("钍基熔盐", "新华社", "的"):
        assert answer(Corpus(index_dir), term, True)["total_variants"] == sum(term in t for t in texts)


def test_segments_a_run_merged_away_leave_no_files(tmp_path, fresh_seeds, monkeypatch):
    from indexer import write
    from indexer.literal import LITERAL_DIR

    monkeypatch.setattr(write, "SEGMENT_CHARS", 1)  # a segment per variant: the run's commit merges them in tiers
    index_dir = tmp_path / "index"
    index_paths([fresh_seeds], index_dir, workers=1)
    manifest = read_manifest(index_dir, open_index(index_dir).latest_generation())
    on_disk = {path.name.split(".")[0] for path in (index_dir / LITERAL_DIR).iterdir()}
    assert len(manifest.segments) < 10 and not manifest.retired
    assert on_disk == {entry.name for entry in manifest.segments}
    assert check_index(index_dir).ok
