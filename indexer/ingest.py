"""Index files end to end: discover, then read and prepare pages in worker processes (jieba included),
then group and write them in this one, in input order."""
from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from indexer.metadata import PathTemplate, check_settings, given_metadata
from indexer.prepare import PreparedPage, prepare_page
from indexer.read import InputFile, ReadError, discover, read_page
from indexer.words import load_jieba
from indexer.errors import IndexWriteFailed
from indexer.write import IndexSession

# Below this many characters (some thirty pages) a run is prepared in this process: forking
# workers and loading jieba before them would cost more than they save.
PARALLEL_MIN_CHARS = 200_000
# Pages prepared ahead per worker: enough to keep the workers busy while this process writes a
# segment (about a second of numpy sorting, every 4 M characters), few enough to bound the memory
# of results waiting their turn (some 20 bytes a character: 64 pages of 7,000 characters, 9 MB).
PAGES_AHEAD = 64


@dataclass
class IndexSummary:
    """What one indexing run did. `failed` holds the files refused, `warnings` the files indexed (or
    unchanged) that reading had to mend or leave something out of: (path, one-line message) each."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    variants_added: int = 0
    stories_new: int = 0
    stories_joined: int = 0
    variants_total: int = 0
    stories_total: int = 0
    seconds: float = 0.0
    id_clashes: int = 0  # files refused because an earlier file of the run has their source id

    def to_dict(self) -> dict:
        """The JSON form of the summary."""
        return {
            "sources": {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                        "failed": len(self.failed), "warnings": len(self.warnings)},
            "failures": [{"path": p, "error": e} for p, e in self.failed],
            "warnings": [{"path": p, "warning": w} for p, w in self.warnings],
            "variants_added": self.variants_added,
            "stories_new": self.stories_new,
            "stories_joined": self.stories_joined,
            "variants_total": self.variants_total,
            "stories_total": self.stories_total,
            "seconds": round(self.seconds, 3),
            "id_clashes": self.id_clashes,
        }


ProgressCallback = Callable[[str, str], None]


# status, input, the page, the error or nothing, and what reading the file warned of
Prepared = tuple[str, InputFile, object, list[str]]


def _prepare(task: tuple[InputFile, str | None]) -> Prepared:
    """Worker: read and prepare one file, or report it unchanged or failed."""
    item, known_hash = task
    try:
        page, warnings = read_page(item)
        if page.content_hash == known_hash:
            return "unchanged", item, None, warnings
        prepared = prepare_page(page)
        if not prepared.variants:  # text, but segmentation found no article in it (headings, markup)
            warnings.append("no article text found (only headings or markup): nothing from it is searchable")
        prepared.warnings = warnings  # kept in the catalogue with the version they were found in
        return "prepared", item, prepared, warnings
    except ReadError as exc:
        return "failed", item, str(exc), []
    except Exception as exc:  # a bug must not lose the other files' work
        return "failed", item, f"{item.path}: cannot index ({type(exc).__name__}: {exc})", []


def _prepared_in_order(tasks: list[tuple[InputFile, str | None]], workers: int) -> Iterator[Prepared]:
    """`_prepare` of every task, in task order, computed `workers` at a time in worker processes."""
    if workers <= 1:
        yield from map(_prepare, tasks)
        return
    # Forked workers start at once, with the modules and jieba's dictionary already in memory
    # (this process needs jieba too, for the second part of a variant it splits).
    load_jieba()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(workers, mp_context=context)
    pending: deque = deque()
    try:
        for task in tasks:
            pending.append(pool.submit(_prepare, task))
            if len(pending) >= workers * PAGES_AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool:
        raise IndexWriteFailed("a worker process preparing pages died; nothing was committed") from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _with_unique_sources(items: list[InputFile | ReadError], summary: IndexSummary) -> list[InputFile]:
    """Inputs whose source id is not taken by an earlier input of this run; the rest fail."""
    seen: dict[str, Path] = {}
    unique = []
    for item in items:
        if isinstance(item, ReadError):
            summary.failed.append((str(item.path), str(item)))
        elif item.source in seen:
            summary.id_clashes += 1
            summary.failed.append((str(item.path), f"{item.path}: source id {item.source!r} is already used by {seen[item.source]} in this run"))
        else:
            seen[item.source] = item.path
            unique.append(item)
    return unique


def index_paths(paths: list[Path], index_dir: Path, *, workers: int | None = None, wait_seconds: float = 0.0,
                id_from: str = "stem", path_template: str | None = None,
                set_metadata: dict[str, str] | None = None,
                on_start: Callable[[int], None] | None = None,
                on_file: ProgressCallback | None = None) -> IndexSummary:
    """Index files and directories into `index_dir`; one commit at the end, nothing written on failure.

    `path_template` ('{publication}/{date}/{page}', see metadata.PathTemplate)
    reads metadata from each file's path below the directory given, and
    `set_metadata` gives every file of the run a key; a sidecar's keys win over
    both, and --set's over the path's. A bad template or setting raises
    MetadataError before anything is read.
    """
    started = time.perf_counter()
    template = PathTemplate(path_template) if path_template is not None else None
    settings = check_settings(dict(set_metadata or {}))
    summary = IndexSummary()
    items = _with_unique_sources(list(discover(paths, id_from)), summary)
    for item in items:
        item.metadata, item.warnings = given_metadata(item.relative, template, settings)
    if on_start:
        on_start(len(items))
    workers = workers or os.cpu_count() or 1
    if sum(_size(item.path) for item in items) // 3 < PARALLEL_MIN_CHARS:
        workers = 1
    with IndexSession(index_dir, wait_seconds=wait_seconds) as session:
        tasks = [(item, session.catalogue[item.source].content_hash if item.source in session.catalogue else None)
                 for item in items]
        stories_before = session.grouper.stories()
        for status, item, payload, warnings in _prepared_in_order(tasks, workers):
            if status == "prepared":
                assert isinstance(payload, PreparedPage)
                is_new = item.source not in session.catalogue
                _, stories = session.add_version(payload)
                summary.new += is_new
                summary.changed += not is_new
                summary.variants_added += len(stories)
                summary.stories_joined += len(set(stories) & stories_before)
            elif status == "unchanged":
                summary.unchanged += 1
            else:
                summary.failed.append((str(item.path), str(payload)))
            if warnings:
                summary.warnings.append((str(item.path), f"{item.path}: {'; '.join(warnings)}"))
            if on_file:
                on_file(str(item.path), status)
        stats = session.stats()
        summary.stories_new = stats["stories"] - len(stories_before)
        session.commit()
    summary.variants_total = stats["variants"]
    summary.stories_total = stats["stories"]
    summary.seconds = time.perf_counter() - started
    return summary


def remove_sources(sources: list[str], index_dir: Path, wait_seconds: float = 0.0) -> list[str]:
    """Remove sources from the index in one commit; returns the ids that were not indexed."""
    with IndexSession(index_dir, wait_seconds=wait_seconds, create=False) as session:
        missing = [s for s in sources if not session.remove_source(s)]
        session.commit()
    return missing
