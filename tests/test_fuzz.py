"""The atheris fuzz targets (bench/fuzz.py): each runs a few seconds in its own process without a crash, over
instrumented project modules; inputs the fuzzer found are replayed here through the same checks."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bench.fuzz_targets import TARGETS
from tests.conftest import ROOT

# Inputs each target runs: a count, not a time, so a loaded machine makes the test slower, not weaker. A
# page is segmented and prepared (jieba included) on every run, a query or a sidecar only parsed.
FUZZ_RUNS = {"page": 150, "sidecar": 1000, "query": 2000}
FUZZ_SECONDS_AT_MOST = 240  # far beyond what FUZZ_RUNS take even under load: reaching it fails the test


def run_fuzzer(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench.fuzz", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_each_target_runs_its_seconds_without_a_crash(tmp_path, target):
    done = run_fuzzer("--target", target, "--runs", str(FUZZ_RUNS[target]), "--seconds", str(FUZZ_SECONDS_AT_MOST),
                      "--workdir", str(tmp_path), timeout=FUZZ_SECONDS_AT_MOST + 60)
    assert done.returncode == 0, done.stderr[-3000:]
    executions = int(re.search(r"stat::number_of_executed_units: (\d+)", done.stderr).group(1))
    assert executions >= FUZZ_RUNS[target], done.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "scratch", "tokens.dict"], "the fuzzer wrote a crashing input"


def test_the_project_modules_are_instrumented_for_coverage():
    done = run_fuzzer("--target", "page", "--check-instrumentation")
    assert done.returncode == 0, done.stdout + done.stderr
    instrumented = {line.split(":")[0] for line in done.stdout.splitlines() if line.endswith(": instrumented")}
    assert {"indexer.read", "indexer.normalise", "indexer.segment", "indexer.blocks", "indexer.prepare",
            "indexer.metadata", "search.query"} <= instrumented


def test_a_saved_input_is_replayed_once(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes("# 钍基熔盐\n\n新华社北京12月6日电 液态燃料钍基熔盐实验堆。\n".encode())
    done = run_fuzzer("--target", "page", "--workdir", str(tmp_path / "work"), str(page))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Executed" in done.stderr and str(page) in done.stderr
