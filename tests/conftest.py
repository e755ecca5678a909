"""Shared fixtures: the seed pages, an index built from them, and helpers to run the CLI."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from indexer.shingles import sketch
from indexer import original
from indexer.documents import RecordHeader
from indexer.literal import SegmentDocument
from indexer.normalise import normalise, normalise_text
from indexer.words import count_words, words

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The five real OCR'd pages."""
    assert SEEDS.is_dir(), f"seed pages not found at {SEEDS}"
    return SEEDS


@pytest.fixture(scope="session")
def seed_pages(seeds_dir: Path) -> dict[str, str]:
    """Seed page texts by file stem."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))}


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, seeds_dir: Path) -> Path:
    """An index of the seeds, built once per test session; tests must not write to it."""
    from indexer.ingest import index_paths

    index_dir = tmp_path_factory.mktemp("seed-index") / "index"
    summary = index_paths([seeds_dir], index_dir, workers=1)
    assert summary.new == 5 and not summary.failed
    return index_dir


# Sidecar metadata for the seed pages, as an archive would give it: two papers print two pages each.
SEED_METADATA = {
    "000_b412ed2ff225a7db": {"publication": "人民日报", "date": "2025-12-07", "page": 4, "edition": "海外版"},
    "001_5417d37bc9da2a03": {"publication": "新华每日电讯", "date": "2025-12-06", "page": 1},
    "002_1193bf27c877aa1f": {"publication": "人民日报", "date": "2025-12-08", "page": 2},
    "003_d03bbf471f6134ca": {"publication": "光明日报", "date": "2026年1月3日", "page": 1, "edition": "海外版"},
    "004_f23d1930071a8f29": {"publication": "光明日报", "date": "2026-01-04", "page": 3},
}


@pytest.fixture(scope="session")
def meta_index(tmp_path_factory, seeds_dir: Path) -> Path:
    """An index of the seed pages with a sidecar each (SEED_METADATA), built once; tests must not write to it."""
    from indexer.ingest import index_paths

    pages = tmp_path_factory.mktemp("meta-pages")
    for page in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(page, pages / page.name)
        (pages / f"{page.stem}.meta.json").write_text(json.dumps(SEED_METADATA[page.stem], ensure_ascii=False),
                                                       encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("meta-index") / "index"
    summary = index_paths([pages], index_dir, workers=1)
    assert summary.new == 5 and not summary.failed
    return index_dir


@pytest.fixture(scope="session")
def corpus(seed_index: Path):
    """The library entry point over the seed index."""
    from search.engine import Corpus

    return Corpus(seed_index)


@pytest.fixture()
def fresh_seeds(tmp_path: Path, seeds_dir: Path) -> Path:
    """A writable copy of the seed pages, for tests that change files."""
    target = tmp_path / "pages"
    shutil.copytree(seeds_dir, target)
    return target


def recounted_words(view) -> dict[int, dict[str, Counter]]:
    """Each live variant's jieba words by field, cut again from its stored title and original text:
    the reference for ranking, independent of the segments."""
    found = {}
    for docnum in sorted(view.docnum_of_key[view.docnum_of_key >= 0].tolist()):
        found[docnum] = {"title": Counter(words(normalise_text(view.header(docnum).title))),
                         "body": Counter(words(normalise_text(view.original(docnum)[0])))}
    return found


def plain_document(key: int, text: str) -> SegmentDocument:
    """A segment document holding `text` as both its original and normalised text, for tests of segments."""
    normalised = normalise(text)
    header = RecordHeader(f"page@1#{key}", "page", 1, key, f"s{key}", "", 0, text.count("\n") + 1, {})
    return SegmentDocument(key, normalised.text, count_words("", normalised.text), header,
                           original.encode(text, normalised), sketch(normalised.text))


def wire_story_paragraphs(seed_pages: dict[str, str]) -> list[str]:
    """The paragraphs of the wire story's body as page 001 prints it, without its head and closing dateline."""
    page = seed_pages["001_5417d37bc9da2a03"]
    body = page[page.index("全球最大"):page.index("(新华社北京12月6日电)")]
    return [p for p in body.split("\n") if p.strip()]


def split_story_pages(seed_pages: dict[str, str]) -> dict[str, str]:
    """The wire story printed three ways: its first half jumping to another page, the second half
    continued from one, and whole. Indexed in this order, the whole copy merges two stories."""
    paragraphs = wire_story_paragraphs(seed_pages)
    half = len(paragraphs) // 2
    return {"a-head": "# 钍基熔盐堆攀高逐新\n\n" + "\n\n".join(paragraphs[:half]) + "（下转第3版）\n",
            "b-tail": "（上接第一版）\n\n" + "\n\n".join(paragraphs[half:]) + "\n",
            "c-whole": "# 钍基熔盐堆攀高逐新\n\n" + "\n\n".join(paragraphs) + "\n"}


@pytest.fixture(scope="session")
def seed_story(seed_pages: dict[str, str]):
    """The wire story as each seed page prints it, found by the project's segmentation (the article
    sharing most character 4-grams with page 001's longest), variant ids the pages' numbers."""
    from dataclasses import replace

    from bench.compare import story_printings

    return [replace(p, variant_id=p.variant_id[:3]) for p in story_printings(seed_pages, "001_5417d37bc9da2a03")]


@pytest.fixture(scope="session")
def seed_comparison(seed_story):
    """The seed story's printings compared."""
    from search.compare import compare

    return compare(seed_story)


def body_lines(printing) -> list[str]:
    """A printing's body lines."""
    return printing.text.split("\n")[printing.head_lines:printing.head_lines + printing.body_lines]


def with_body(printing, body: list[str]):
    """The printing with its body lines replaced (head and captions kept)."""
    from search.alignment import Printing

    lines = printing.text.split("\n")
    head, captions = lines[:printing.head_lines], lines[printing.head_lines + printing.body_lines:]
    return Printing(printing.variant_id, "\n".join(head + body + captions), printing.head_lines, len(body))


def run_cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python cli.py ARGS` as a real process; returns the completed process with text output."""
    environment = dict(os.environ, **(env or {}))
    environment.setdefault("PYTHONIOENCODING", "utf-8")
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env=environment, cwd=ROOT)


SOGOUC = ROOT.parent / "shared" / "corpora" / "sogouc" / "articles.jsonl.xz"


@pytest.fixture(scope="session")
def sogouc_nul_articles() -> dict[str, str]:
    """The SogouC articles that carry NUL bytes (697 of 17,910, scraped pages padded with NULs), by a
    file-safe form of their id, read from ../shared at test time."""
    import lzma

    import orjson

    assert SOGOUC.is_file(), f"SogouC articles not found at {SOGOUC}"
    with lzma.open(SOGOUC, "rt", encoding="utf-8") as lines:
        records = (orjson.loads(line) for line in lines)
        return {r["id"].replace("/", "_"): r["text"] for r in records if "\x00" in r["text"]}
