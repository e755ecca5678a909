"""The generated corpus a benchmark runs on: reuse one that fits, else generate it into the work dir."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from bench.gen.write import VERSION
from bench.generate import parse_size

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "bench" / "generate.py"
# Where corpora of the named sizes were generated before; reused when their manifest fits.
KNOWN = {"1k": Path("/tmp/bench1k"), "10k": Path("/tmp/bench10k"), "100k": Path("/tmp/bench100k"),
         "300k": Path("/tmp/bench300k")}


@dataclass(frozen=True)
class Dataset:
    """A generated corpus: its pages, ground truth and manifest."""

    root: Path
    manifest: dict[str, Any]

    @property
    def pages_dir(self) -> Path:
        return self.root / "pages"

    def page_files(self) -> list[Path]:
        """The page texts, sorted (sidecars excluded)."""
        return sorted(self.pages_dir.rglob("*.txt"))

    def truth(self) -> Iterator[dict[str, Any]]:
        """The lines of truth.jsonl, in page order."""
        with open(self.root / "truth.jsonl", encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)


def _fits(root: Path, size: int, seed: int) -> dict[str, Any] | None:
    """The manifest of a complete corpus of this size and seed from this generator version at `root`, else None."""
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    wanted = {"size": size, "seed": seed, "version": VERSION}
    if all(manifest.get(k) == v for k, v in wanted.items()) and (root / "truth.jsonl").is_file():
        return manifest
    return None


def locate(size: str, seed: int, work: Path) -> Dataset:
    """A corpus of `size` and `seed`: a known or cached one, else freshly generated into `work`."""
    count = parse_size(size)
    cached = work / f"corpus-{count}-s{seed}"
    for root in (KNOWN.get(size), cached):
        if root is not None and (manifest := _fits(root, count, seed)) is not None:
            return Dataset(root, manifest)
    command = [sys.executable, str(GENERATE), "--size", size, "--out", str(cached), "--seed", str(seed), "--force"]
    subprocess.run(command, check=True)
    manifest = _fits(cached, count, seed)
    if manifest is None:
        raise RuntimeError(f"generate.py did not leave a corpus of size {count} in {cached}")
    return Dataset(cached, manifest)
