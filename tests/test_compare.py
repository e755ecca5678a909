"""Comparing a story's printings through the index: `corpus show --diff/--consensus` and their endpoints."""
from __future__ import annotations

import orjson
import pytest

from search.request import SearchRequest
from search.serve import create_app
from search.server import get_once
from tests.conftest import run_cli

SOURCES = ["000_b412ed2ff225a7db", "001_5417d37bc9da2a03", "002_1193bf27c877aa1f", "003_d03bbf471f6134ca",
           "004_f23d1930071a8f29"]


@pytest.fixture(scope="module")
def story(corpus) -> str:
    return corpus.search(SearchRequest(query="钍基熔盐")).articles[0].article_id


def short(variant_id: str) -> str:
    return variant_id[:3]


def readings(diff: dict) -> list[dict[str, set[str]]]:
    """Each difference as {reading: printings reading it} (printings by their page number)."""
    return [{r["text"]: {short(v) for v in r["variants"]} for r in d["readings"]} for d in diff["differences"]]


@pytest.mark.parametrize("right, wrong, right_printings, wrong_printings", [
    ("钍", "钎", {"000", "001", "002"}, {"003"}),
    ("态", "氦", {"001", "002", "003"}, {"000"}),
    ("72TB", "7TB", {"000", "001", "003", "004"}, {"002"}),
    ("3.5", "35", {"000", "001", "003"}, {"002", "004"}),
    ("1.64", "164", {"000", "001", "002", "003"}, {"004"}),
    ("110", "10", {"000"}, {"001", "002", "003", "004"}),
])
def test_the_diff_lists_the_seed_story_s_disagreements(seed_index, story, right, wrong, right_printings,
                                                       wrong_printings):
    done = run_cli("show", story, "--diff", "--json", "--index", str(seed_index))
    assert done.returncode == 0, done.stderr
    diff = orjson.loads(done.stdout)
    assert {short(p["variant_id"]) for p in diff["printings"]} == {s[:3] for s in SOURCES}
    assert any(d.get(right) == right_printings and d.get(wrong) == wrong_printings for d in readings(diff)), \
        [d for d in readings(diff) if right in d or wrong in d]


def test_the_consensus_reads_what_most_printings_read(seed_index, story):
    done = run_cli("show", story, "--consensus", "--json", "--index", str(seed_index))
    consensus = orjson.loads(done.stdout)
    for reading in ("钍基熔盐", "液态燃料", "72TB", "1.64小时"):
        assert reading in consensus["text"], reading
    assert "钎基熔盐" not in consensus["text"] and "164小时" not in consensus["text"]
    assert len(consensus["support"]) == len(consensus["text"].replace("\n", "")) or len(consensus["support"]) == \
        len(consensus["text"])


def test_where_two_printings_tie_the_source_of_a_known_ocr_confusion_wins(tmp_path, seeds_dir):
    # 000 prints 燃料人堆 where 001 prints 燃料入堆: a tie of one printing each, which the OCR
    # confusion data (人 misread for 入, not the reverse) decides for 入 although 000 comes first.
    from indexer.ingest import index_paths
    from search.engine import Corpus

    index_dir = tmp_path / "index"
    index_paths([seeds_dir / f"{SOURCES[0]}.txt", seeds_dir / f"{SOURCES[1]}.txt"], index_dir, workers=1)
    corpus = Corpus(index_dir)
    story = corpus.search(SearchRequest(query="钍基熔盐")).articles[0].article_id
    _, comparison = corpus.compare(story)
    assert [short(p.printing.variant_id) for p in comparison.alignment.printings] == ["000", "001"]
    assert "钍燃料入堆" in comparison.consensus.text and "人堆" not in comparison.consensus.text
    assert corpus.confusion_model().weight("入", "人") > corpus.confusion_model().weight("人", "入")


def test_http_serves_what_the_cli_prints(seed_index, story):
    app = create_app(seed_index)
    for path, args in ((f"/articles/{story}/diff", ("--diff",)),
                       (f"/articles/{story}/diff?punctuation=true", ("--diff", "--punctuation")),
                       (f"/articles/{story}/consensus", ("--consensus",))):
        response = get_once(app, path)
        assert response.status_code == 200, response.text
        assert response.json() == orjson.loads(run_cli("show", story, *args, "--json", "--index",
                                                       str(seed_index)).stdout)
    assert get_once(app, "/articles/no-such-story/diff").status_code == 404


def test_punctuation_width_differences_are_folded_unless_asked_for(seed_index, story):
    folded = orjson.loads(run_cli("show", story, "--diff", "--json", "--index", str(seed_index)).stdout)
    shown = orjson.loads(run_cli("show", story, "--diff", "--punctuation", "--json", "--index",
                                 str(seed_index)).stdout)
    assert folded["folded"] > 0 and len(shown["differences"]) == len(folded["differences"]) + folded["folded"]


def test_the_terminal_views(seed_index, story):
    diff = run_cli("show", story, "--diff", "--index", str(seed_index), env={"COLUMNS": "120"})
    assert diff.returncode == 0 and "钎" in diff.stdout and "003_d03bbf471f6134ca" in diff.stdout
    consensus = run_cli("show", story, "--consensus", "--index", str(seed_index), env={"COLUMNS": "120"})
    assert consensus.returncode == 0 and "钍基熔盐" in consensus.stdout
    both = run_cli("show", story, "--diff", "--consensus", "--index", str(seed_index))
    assert both.returncode == 1 and len(both.stderr.strip().splitlines()) == 1
