"""The fuzzy-search benchmark (bench/fuzzy.py) runs end to end on a small corpus it prints itself, and every
garbled occurrence it measures is one its own truth knows of."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

DEFAULT_RULE = "siblings + rarity + words (default)"


def test_the_fuzzy_bench_measures_quality_and_speed(tmp_path) -> None:
    out = tmp_path / "fuzzy.json"
    done = subprocess.run([sys.executable, "-m", "bench.fuzzy", "--size", "300", "--terms", "10", "--repeat", "1",
                           "--work", str(tmp_path / "work"), "--out", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["variants"] == 300
    shared = figures["quality"]["built-in + shared OCR tables"]
    default = shared[DEFAULT_RULE]["all"]
    assert default["expected"] > 0 and 0 < default["right"] <= min(default["expected"], default["found"])
    assert default["recall"] == round(default["right"] / default["expected"], 4)
    # the rule only removes forms that matching found: never more found than without it
    assert default["found"] <= shared["no rule"]["all"]["found"]
    speed = figures["speed"]
    assert speed["terms"] > 0 and speed["exact_p50_ms"] > 0 and speed["fuzzy_p50_ms"] > 0
