"""Timelines through the CLI and HTTP: one row per period, a column per query, the same data in every form."""
from __future__ import annotations

import orjson

from search.serve import create_app
from search.server import get_once
from tests.conftest import run_cli


def test_json_csv_and_http_agree(meta_index):
    args = ("timeline", "钍基熔盐", "新质生产力", "--by", "month", "--count", "occurrences", "--index", str(meta_index))
    data = orjson.loads(run_cli(*args, "--json").stdout)
    assert data["queries"] == ["钍基熔盐", "新质生产力"] and [r["period"] for r in data["rows"]] == ["2025-12",
                                                                                               "2026-01"]
    csv_lines = run_cli(*args, "--csv").stdout.strip().splitlines()
    assert csv_lines[0] == "month,钍基熔盐,新质生产力"
    assert csv_lines[1:] == [f"{r['period']},{r['counts'][0]['occurrences']},{r['counts'][1]['occurrences']}"
                             for r in data["rows"]]
    over_http = get_once(create_app(meta_index), "/timeline?q=钍基熔盐&q=新质生产力&by=month&count=occurrences")
    assert over_http.json() == data
    chart = run_cli(*args)
    assert chart.returncode == 0 and "2025-12" in chart.stdout and "█" in chart.stdout


def test_weeks_run_through_the_year_end_without_gaps(meta_index):
    data = orjson.loads(run_cli("timeline", "发展", "--by", "week", "--json", "--index", str(meta_index)).stdout)
    periods = [r["period"] for r in data["rows"]]
    assert periods[0] == "2025-W49" and periods[-1] == "2026-W01" and len(periods) == 5


def test_bad_options_are_one_line(meta_index):
    for args in (["--by", "fortnight"], ["--count", "pages"]):
        done = run_cli("timeline", "发展", *args, "--index", str(meta_index))
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
