"""Batch topics from a file, through the CLI: the table equals a brute-force count; bad lines are named."""
from __future__ import annotations

import csv
import io

import orjson

from search.request import SearchRequest
from search.topics import parse_topics
from tests.conftest import run_cli
from tests.counts_reference import counts_by, load_rows, matched

TOPICS = "钍\t钍基熔盐\n新质生产力\n# a comment\n\n双碳\t碳达峰 OR 碳中和\n"


def test_the_cli_table_equals_a_brute_force_count(meta_index, tmp_path):
    topics = tmp_path / "topics.tsv"
    topics.write_text(TOPICS, encoding="utf-8")
    done = run_cli("topics", str(topics), "--by", "publication", "--by", "date:month", "--format", "csv",
                   "--index", str(meta_index))
    assert done.returncode == 0, done.stderr
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    rows = load_rows(meta_index)
    for name, query in (("钍", "钍基熔盐"), ("新质生产力", "新质生产力"), ("双碳", "碳达峰 OR 碳中和")):
        expected = counts_by(matched(rows, SearchRequest(query=query)), ["publication", "date:month"])
        got = {(r["publication"] or None, r["date:month"] or None): {k: int(r[k]) for k in ("stories", "variants",
                                                                                           "occurrences")}
               for r in table if r["topic"] == name}
        assert got == (expected or {(None, None): {"stories": 0, "variants": 0, "occurrences": 0}}), name


def test_bad_lines_are_reported_with_their_number_and_the_rest_run(meta_index, tmp_path):
    topics = tmp_path / "topics.tsv"
    topics.write_text("好\t钍基熔盐\n坏\t(钍基\n\t没有名字\n好\t重名\n坏二\t-只有排除\n也好\t发展\n", encoding="utf-8")
    done = run_cli("topics", str(topics), "--format", "json", "--index", str(meta_index))
    assert done.returncode == 1
    table = orjson.loads(done.stdout)
    assert [p["line"] for p in table["problems"]] == [2, 3, 4, 5]
    assert [line for line in done.stderr.splitlines() if line.startswith("skipped:")] and "Traceback" not in done.stderr
    assert {r["topic"] for r in table["rows"]} == {"好", "也好"}


def test_parse_topics_reads_names_bare_queries_and_skips_comments():
    topics, problems = parse_topics(TOPICS)
    assert [(t.line, t.name, t.query) for t in topics] == [(1, "钍", "钍基熔盐"), (2, "新质生产力", "新质生产力"),
                                                           (5, "双碳", "碳达峰 OR 碳中和")]
    assert problems == []


def test_an_unreadable_topics_file_is_one_line(meta_index, tmp_path):
    bad = tmp_path / "topics.tsv"
    bad.write_bytes(b"\xff\xfe\x00bad")
    for path in (bad, tmp_path / "missing.tsv"):
        done = run_cli("topics", str(path), "--index", str(meta_index))
        assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
