"""Export: every hit once, at every level and in every format, streamed; the same over HTTP."""
from __future__ import annotations

import csv
import io

import duckdb
import orjson
import pyarrow.parquet as pq
import pytest

from search.engine import Corpus
from search.request import ALL_VARIANTS
from search.serve import create_app
from search.server import get_once
from tests.conftest import run_cli


def cli_rows(index_dir, *args) -> list[dict]:
    done = run_cli("export", *args, "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    return [orjson.loads(line) for line in done.stdout.splitlines()]


def test_every_variant_of_the_index_is_exported_once_with_its_text(meta_index):
    view = Corpus(meta_index).view()
    every = {view.header(d).variant_id: view.original(d)[0] for d in view.scope(ALL_VARIANTS).tolist()}
    # A term every variant holds: an export of everything (the seeds all print Chinese commas or periods).
    rows = cli_rows(meta_index, "， OR 。 OR , OR .", "--all-versions")
    assert sorted(r["variant_id"] for r in rows) == sorted(every)
    assert all(r["text"] == every[r["variant_id"]] for r in rows)


def test_levels_agree_with_each_other(meta_index):
    variants = cli_rows(meta_index, "新质生产力", "--level", "variant")
    stories = cli_rows(meta_index, "新质生产力", "--level", "story")
    occurrences = cli_rows(meta_index, "新质生产力", "--level", "occurrence")
    assert sum(r["variants"] for r in stories) == len(variants)
    assert sum(r["occurrences"] for r in stories) == sum(r["occurrences"] for r in variants) == len(occurrences)
    assert {r["article_id"] for r in stories} == {r["article_id"] for r in variants}
    assert all(r["match"] == "新质生产力" for r in occurrences)


def test_csv_and_parquet_hold_the_same_rows(meta_index, tmp_path):
    jsonl = cli_rows(meta_index, "钍基熔盐 OR 发展", "--level", "variant")
    done = run_cli("export", "钍基熔盐 OR 发展", "--format", "csv", "--index", str(meta_index))
    assert done.returncode == 0
    from_csv = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["variant_id"] for r in from_csv] == [r["variant_id"] for r in jsonl]
    assert [r["text"] for r in from_csv] == [r["text"] for r in jsonl]  # line breaks survive quoting
    target = tmp_path / "hits.parquet"
    done = run_cli("export", "钍基熔盐 OR 发展", "--format", "parquet", "-o", str(target), "--index", str(meta_index))
    assert done.returncode == 0, done.stderr
    assert pq.read_table(target).to_pylist() == jsonl
    # The README's DuckDB one-liner over an export.
    counted = duckdb.sql(f"SELECT publication, count(*) AS n FROM '{target}' GROUP BY publication ORDER BY n DESC")
    assert sum(n for _, n in counted.fetchall()) == len(jsonl)


def test_parquet_needs_a_file_and_bad_options_are_one_line(meta_index):
    for args in (["--format", "parquet"], ["--format", "xml"], ["--level", "word"]):
        done = run_cli("export", "钍基熔盐", *args, "--index", str(meta_index))
        assert done.returncode != 0 and len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.parametrize("level", ["story", "variant", "occurrence"])
def test_http_export_streams_what_the_cli_writes(meta_index, level):
    response = get_once(create_app(meta_index), f"/export?q=新质生产力&level={level}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    assert [orjson.loads(line) for line in response.content.splitlines()] == \
        cli_rows(meta_index, "新质生产力", "--level", level)


@pytest.mark.parametrize("level", ["story", "variant", "occurrence"])
def test_http_parquet_export_holds_what_the_cli_writes(meta_index, tmp_path, level):
    response = get_once(create_app(meta_index), f"/export?q=新质生产力&level={level}&format=parquet")
    assert response.status_code == 200 and response.headers["content-type"] == "application/vnd.apache.parquet"
    assert response.headers["content-disposition"] == f'attachment; filename="corpus-{level}.parquet"'
    target = tmp_path / "cli.parquet"
    done = run_cli("export", "新质生产力", "--level", level, "--format", "parquet", "-o", str(target),
                   "--index", str(meta_index))
    assert done.returncode == 0, done.stderr
    served = pq.read_table(io.BytesIO(response.content))
    assert served.schema == pq.read_schema(target)
    assert served.to_pylist() == pq.read_table(target).to_pylist() == cli_rows(meta_index, "新质生产力", "--level", level)


def test_http_export_refuses_an_unknown_format_in_the_error_shape(meta_index):
    response = get_once(create_app(meta_index), "/export?q=新质生产力&format=xml")
    assert response.status_code == 422
    assert orjson.loads(response.content)["error"] == {
        "code": "bad_parameter", "message": "format is one of jsonl, csv, parquet, not 'xml'"}


def test_variants_read_in_runs_are_what_each_read_alone_gives(tmp_path, seeds_dir):
    from indexer.ingest import index_paths

    index_dir = tmp_path / "index"
    pages = sorted(seeds_dir.glob("*.txt"))
    for part in (pages[:3], pages[3:]):  # two ingests: two segments, so runs cross from one to the other
        index_paths(part, index_dir, workers=1)
    view = Corpus(index_dir).view()
    docnums = view.scope(ALL_VARIANTS)
    assert len(set(view.segment_of[docnums].tolist())) >= 2
    for order in (docnums, docnums[::-1]):
        alone = [(view.header(d), view.original(d)[0], view.normalised_text(d)) for d in order.tolist()]
        assert list(view.variant_texts(order)) == alone
