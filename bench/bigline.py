"""Oversized pages are bounded: wall time and peak memory of `corpus index` on single-line files of real
Chinese text (SogouC, whitespace removed) at 50 MB, just under MAX_FILE_BYTES, and at MAX_PAGE_CHARS.

    bench/run is not needed: PYTHONPATH=. .venv/bin/python -m bench.bigline [--json]
"""
from __future__ import annotations

import argparse
import lzma
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench.dataset import ROOT
from bench.measure import TreeMemory
from indexer.read import MAX_FILE_BYTES, MAX_PAGE_CHARS

SOGOUC = ROOT.parent / "shared" / "corpora" / "sogouc" / "articles.jsonl.xz"


def one_line(size: int) -> str:
    """At least `size` bytes (as UTF-8) of SogouC text with every space, line break and NUL taken out."""
    parts, total = [], 0
    while total < size:
        with lzma.open(SOGOUC, "rt", encoding="utf-8") as lines:
            for line in lines:
                text = "".join(orjson.loads(line)["text"].replace("\x00", "").split())
                parts.append(text)
                total += len(text.encode("utf-8"))
                if total >= size:
                    break
    return "".join(parts)


def index_once(page: Path, work: Path) -> dict:
    """One `corpus index` process over `page`: exit code, wall seconds, peak memory and its one-line verdict."""
    command = [sys.executable, str(ROOT / "cli.py"), "index", str(page), "--index", str(work / "index"),
               "--workers", "1", "--json"]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with TreeMemory(process.pid) as memory:
        stdout, stderr = process.communicate()
    summary = orjson.loads(stdout) if stdout.strip() else {}
    return {"bytes": page.stat().st_size, "exit": process.returncode,
            "seconds": round(time.perf_counter() - started, 2), "peak_rss_mb": round(memory.peak_bytes / 2**20),
            "variants_added": summary.get("variants_added"),
            "stderr": stderr.decode("utf-8", "replace").strip().splitlines()[:1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    text = one_line(50_000_000)
    cases = {
        "50 MB, one line": text.encode("utf-8")[:50_000_000],
        "just under MAX_FILE_BYTES, one line": text.encode("utf-8")[:MAX_FILE_BYTES - 16],
        "MAX_PAGE_CHARS, a title and one line": ("标题\n\n" + text[:MAX_PAGE_CHARS - 4]).encode("utf-8"),
        "a fifth of MAX_PAGE_CHARS, a title and one line": ("标题\n\n" + text[:MAX_PAGE_CHARS // 5]).encode("utf-8"),
    }
    results = {}
    for name, data in cases.items():
        with tempfile.TemporaryDirectory() as work:
            page = Path(work) / "page.txt"
            # Cut at a character boundary: the file is whole UTF-8, only long.
            page.write_bytes(data.decode("utf-8", "ignore").encode("utf-8"))
            results[name] = index_once(page, Path(work))
    sys.stdout.buffer.write(orjson.dumps({"MAX_FILE_BYTES": MAX_FILE_BYTES, "MAX_PAGE_CHARS": MAX_PAGE_CHARS,
                                          "cases": results}, option=orjson.OPT_INDENT_2) + b"\n")


if __name__ == "__main__":
    main()
