"""Every SogouC article that carries NUL bytes (697 of 17,910), written out as a page file as scraped and
indexed by a real `corpus index` process: how many are refused (the issue: one in ten were), how many
warned of, and whether each is found by a query on its own text.

    PYTHONPATH=. .venv/bin/python -m bench.nul_pages
"""
from __future__ import annotations

import lzma
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench.dataset import ROOT
from search.engine import Corpus
from search.request import SearchRequest

SOGOUC = ROOT.parent / "shared" / "corpora" / "sogouc" / "articles.jsonl.xz"
# A query is the first run of this many ideographs from the middle of an article on.
QUERY = re.compile("[\u4e00-\u9fff]{8}")


def articles_with_nuls() -> dict[str, str]:
    """SogouC texts holding a NUL, by a file-safe form of their id."""
    with lzma.open(SOGOUC, "rt", encoding="utf-8") as lines:
        records = (orjson.loads(line) for line in lines)
        return {r["id"].replace("/", "_"): r["text"] for r in records if "\x00" in r["text"]}


def probe(text: str) -> str | None:
    """A stretch of the article's text to search for: eight ideographs from its middle on, if any."""
    text = text.replace("\x00", "")
    found = QUERY.search(text, len(text) // 2) or QUERY.search(text)
    return found.group() if found else None


def main() -> None:
    texts = articles_with_nuls()
    with tempfile.TemporaryDirectory() as work:
        pages = Path(work) / "pages"
        pages.mkdir()
        for name, text in texts.items():
            (pages / f"{name}.txt").write_bytes(text.encode("utf-8"))
        index_dir = Path(work) / "index"
        started = time.perf_counter()
        process = subprocess.run([sys.executable, str(ROOT / "cli.py"), "index", str(pages), "--index",
                                  str(index_dir), "--json"], cwd=ROOT, capture_output=True)
        seconds = time.perf_counter() - started
        summary = orjson.loads(process.stdout)
        corpus = Corpus(index_dir)
        probes = {name: probe(text) for name, text in texts.items()}
        found = sum(1 for name, term in probes.items() if term and any(
            v.source == name for a in corpus.search(SearchRequest(query=term, limit=1000)).articles
            for v in a.variants if v.matched))
    report = {"articles with NULs": len(texts), "exit": process.returncode, "seconds": round(seconds, 1),
              "sources": summary["sources"], "refused": [f["error"] for f in summary["failures"]],
              "warnings, first three": [w["warning"] for w in summary["warnings"][:3]],
              "queried": sum(1 for t in probes.values() if t), "found by a query on their text": found}
    sys.stdout.buffer.write(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")


if __name__ == "__main__":
    main()
