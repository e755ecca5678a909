"""What merging segments costs: every live segment of an index merged into one scratch segment, its time, the
peak of memory traced over the merge (numpy's arrays included) and the bytes per character merged.

    PYTHONPATH=. .venv/bin/python -m bench.merge_memory INDEX_DIR [--times N]

`--times N` merges the segments N times over (their documents repeated), to see how the peak grows with the
size of a merge beyond what the index holds; the pack written is checked to hold every document.
"""
from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from indexer.merge import MergePart, merge_parts
from search.engine import Corpus

MB = 1 << 20


def measure(index_dir: Path, times: int = 1) -> dict[str, float]:
    """Merge the index's live segments (`times` over) into a scratch directory; time, peak and size."""
    segments = sorted(Corpus(index_dir).view().literal.segments,
                      key=lambda segment: int(segment.keys.min(initial=0)))
    parts = [MergePart(segment, np.ones(len(segment.keys), dtype=bool)) for segment in segments] * times
    characters = sum(segment.text_bytes // 2 for segment in segments) * times
    with tempfile.TemporaryDirectory() as scratch:
        tracemalloc.start()
        started = time.perf_counter()
        entry = merge_parts(parts, Path(scratch))
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert entry is not None and entry.documents == sum(len(part.keep) for part in parts)
        size = sum(path.stat().st_size for path in Path(scratch).iterdir())
    return {"segments": len(parts), "documents": entry.documents, "characters": characters, "seconds": seconds,
            "peak_traced_bytes": peak, "bytes_per_character": peak / max(1, characters), "pack_bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--times", type=int, default=1, help="merge the segments this many times over")
    args = parser.parse_args()
    m = measure(args.index, args.times)
    print(f"{m['segments']} segments, {m['documents']:,} documents, {m['characters'] / 1e6:.1f} M characters: "
          f"{m['seconds']:.2f} s, peak traced {m['peak_traced_bytes'] / MB:,.0f} MB "
          f"({m['bytes_per_character']:.2f} bytes a character), pack {m['pack_bytes'] / MB:,.0f} MB")


if __name__ == "__main__":
    main()
