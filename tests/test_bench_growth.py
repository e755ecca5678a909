"""bench/growth.py: log-log slopes and the growth table and chart from results files; the script-tolerance
term draw (bench/script_recall.py)."""
from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.growth import SERIES, main, slope, table
from bench.script_recall import draw_terms, needs_folding, simplified


@given(st.floats(-2, 2), st.floats(0.01, 100), st.lists(st.floats(10, 1e6), min_size=2, max_size=6, unique=True))
def test_slope_of_a_power_law_is_its_exponent(exponent: float, scale: float, sizes: list[float]) -> None:
    if max(sizes) / min(sizes) < 1.5:
        return  # too close together for a stable fit
    assert slope(sizes, [scale * s ** exponent for s in sizes]) == pytest.approx(exponent, abs=1e-6)


def test_slope_needs_two_positive_points() -> None:
    assert math.isnan(slope([1000.0], [3.0])) and math.isnan(slope([1000.0, 10000.0], [3.0, 0.0]))


def result(variants: int, seconds: float) -> dict:
    return {"indexing": {"variants": variants, "seconds": seconds, "size_bytes": variants * 2e3,
                         "peak_rss_bytes": 5e8, "jieba_seconds": seconds / 2, "raw_bytes": variants * 1e3},
            "query": {"engine": {"p50_ms": 1.0, "p95_ms": 2.0}}}


def test_growth_reads_the_sizes_there_are_and_draws_them(tmp_path: Path, capsys) -> None:
    for name, n in (("1k", 1000), ("10k", 10_000), ("100k", 100_000)):
        (tmp_path / f"{name}.json").write_text(json.dumps(result(n, n / 100)), encoding="utf-8")
    assert main(["--results", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    rows = {line.split(" | ")[0].removeprefix("| "): line.split(" | ")[-2] for line in printed.splitlines()}
    assert rows["index time"] == "1.00" and rows["index size"] == "1.00" and rows["peak memory, indexing"] == "0.00"
    assert rows["jieba x2, same corpus"] == "1.00" and rows["raw UTF-8 text"] == "1.00"
    last_step = {line.split(" | ")[0].removeprefix("| "): line.split(" | ")[-1].rstrip(" |") for line in printed.splitlines()}
    assert last_step["index time"] == "1.00" and float(last_step["peak memory, indexing"]) == 0
    assert "300k" not in printed and (tmp_path / "growth.png").stat().st_size > 10_000
    assert len(table({"a": result(10, 1), "b": result(100, 10)}).splitlines()) == 2 + len(SERIES)


def test_growth_refuses_fewer_than_two_sizes(tmp_path: Path) -> None:
    (tmp_path / "1k.json").write_text(json.dumps(result(1000, 10)), encoding="utf-8")
    assert main(["--results", str(tmp_path)]) == 2


@given(st.integers(0, 10_000))
def test_script_terms_are_ideographs_a_traditional_paper_prints_otherwise(seed: int) -> None:
    clean = "在社会主义新农村建设过程中，国家财政支农力度不断加大，金融机构对农村信贷总规模逐年减少。"
    for term in draw_terms(clean, random.Random(seed)):
        assert term in clean and 2 <= len(term) <= 4 and needs_folding(term)


def test_simplified_reads_both_standards_and_drops_whitespace() -> None:
    assert simplified("國家財政 支農\n力度") == simplified("國家財政支農力度") == "国家财政支农力度"
    assert not needs_folding("中心") and needs_folding("国家")
