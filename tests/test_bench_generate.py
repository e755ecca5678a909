"""The benchmark-corpus generator: determinism and a consistent ground truth."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "generate.py"
CORPORA = ROOT.parent / "shared" / "corpora"

pytestmark = pytest.mark.skipif(not (CORPORA / "pku-199801").is_dir(), reason="shared corpora not available")


def generate(out: Path, size: str = "50", seed: int = 0) -> Path:
    """Run the generator as its command line does, on the small PKU corpus for speed."""
    command = [sys.executable, str(SCRIPT), "--size", size, "--out", str(out), "--seed", str(seed)]
    subprocess.run([*command, "--articles", "pku"], check=True, capture_output=True)
    return out


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_truth(root: Path) -> list[dict]:
    """The lines of truth.jsonl."""
    return [json.loads(line) for line in (root / "truth.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny corpus shared by the checks below."""
    return generate(tmp_path_factory.mktemp("bench") / "out")


def test_same_seed_gives_identical_bytes(corpus: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again")
    assert snapshot(corpus) == snapshot(again)


def test_other_seed_gives_other_corpus(corpus: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", seed=1)
    assert snapshot(corpus) != snapshot(other)


def test_truth_covers_every_page(corpus: Path) -> None:
    truth = read_truth(corpus)
    pages = {p.relative_to(corpus).as_posix() for p in (corpus / "pages").rglob("*.txt")}
    by_page: dict[str, list[int]] = {}
    for record in truth:
        by_page.setdefault(record["page"], []).append(record["ordinal"])
    assert set(by_page) == pages
    for ordinals in by_page.values():
        assert ordinals == list(range(len(ordinals)))
    assert len(truth) == 50


def test_truth_text_is_on_its_page(corpus: Path) -> None:
    for record in read_truth(corpus):
        text = (corpus / record["page"]).read_text(encoding="utf-8")
        flat = "".join(text.replace("**", "").replace("#", "").split())
        assert record["text_sample"] and record["text_sample"] in flat
        if record["title"] is not None:
            assert record["title"] in text.replace("  \n", "")


def test_stories_have_variants_and_partials(corpus: Path) -> None:
    truth = read_truth(corpus)
    per_story = Counter(record["story"] for record in truth)
    assert min(per_story.values()) >= 1
    assert any(count >= 2 for count in per_story.values())
    assert any(record["partial"] for record in truth)
    assert all(record["partial"] == (record["part"] != "whole") for record in truth)


def test_sidecars_and_manifest(corpus: Path) -> None:
    pages = sorted((corpus / "pages").rglob("*.txt"))
    sidecars = [p.with_suffix(".meta.json") for p in pages if p.with_suffix(".meta.json").exists()]
    assert sidecars
    for sidecar in sidecars:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        assert set(meta) == {"publication", "date", "page"}
        assert sidecar.name.startswith(meta["date"].replace("-", ""))
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["size"] == 50 and manifest["seed"] == 0
    assert manifest["counts"]["pages"] == len(pages)
    assert manifest["counts"]["variants"] == len(read_truth(corpus))
    assert manifest["counts"]["characters"] == sum(len(p.read_text(encoding="utf-8")) for p in pages)


def test_refuses_to_overwrite_without_force(corpus: Path) -> None:
    command = [sys.executable, str(SCRIPT), "--size", "50", "--out", str(corpus), "--articles", "pku"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode != 0 and "--force" in result.stderr
