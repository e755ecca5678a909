"""`corpus compact`: merge an index's segments as far as the caps allow, in one atomic commit."""
from __future__ import annotations

import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from indexer.errors import IndexBusy
from indexer.write import IndexSession


@dataclass
class CompactionReport:
    """What a compaction did: segments, documents and characters before and after, and what it cost."""

    index: str
    generation: int  # the generation it committed; the one it read when there was nothing to do
    segments_before: int
    segments_after: int
    documents_before: int  # stored in segments, removed texts included
    documents_after: int
    chars_before: int
    chars_after: int
    merges: int
    seconds: float
    cpu_seconds: float  # of this process during the compaction (the machine may be shared)
    peak_rss_mb: float  # of this process, since it started

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def compact_index(index_dir: Path, wait: bool = False) -> CompactionReport:
    """Merge the index's segments into as few as the caps allow, dropping removed texts.

    `wait`: wait for another writer's lock instead of failing at once (IndexBusy).
    Searches give the same results before and after.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        session = IndexSession(index_dir, wait_seconds=float("inf") if wait else 0.0, create=False)
    except IndexBusy:
        raise IndexBusy(f"{index_dir}: locked by another corpus process that is writing to it; try again when "
                        "it has finished, or pass --wait to wait for it") from None
    with session:
        before = list(session.segments)
        merges = session.compact()
        after = list(session.segments)
        generation = session.writer.generation if merges else session.base.generation
        session.commit()
    return CompactionReport(
        str(index_dir), generation, len(before), len(after), sum(e.documents for e in before),
        sum(e.documents for e in after), sum(e.chars for e in before), sum(e.chars for e in after), merges,
        time.perf_counter() - started, time.process_time() - cpu_started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
