"""Where an index's bytes go: each component's size and bytes per character of normalised text.

    PYTHONPATH=. .venv/bin/python -m bench.sizes INDEX_DIR

Components: bigram and character postings (codes, run starts, documents and bitmaps), word postings (codes, run
starts, documents, counts), the normalised texts, the stored originals (their edits from the normalised
texts), record headers and metadata, grouping sketches, per-document arrays, whoosh's files (filter
terms, story and source columns, its table of contents) and the JSON files (manifest, catalogue).
"""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from indexer.literal import LITERAL_DIR, PACK_SUFFIX, TEXT_ENCODING
from indexer.pack import Pack

# Pack parts by the component they belong to.
COMPONENTS = {
    "bigram postings": ("gram_heads", "gram_head_starts", "gram_tails", "grams", "starts", "docs", "dense_at",
                        "dense_skip", "dense_bits"),
    "word postings": ("words", "word_starts", "word_docs", "word_counts", "lengths"),
    "normalised texts": ("text", "offsets"),
    "originals": ("bodies", "body_offsets"),
    "record headers and metadata": ("headers", "header_offsets", "metadata"),
    "grouping sketches": ("samples", "sample_starts", "sketch_sizes", "sketch_parts"),
    "document keys": ("keys",),
}


def components(index_dir: Path) -> tuple[dict[str, int], int]:
    """Bytes per component, and the characters of normalised text the index holds."""
    sizes: Counter[str] = Counter()
    characters = 0
    owner = {part: name for name, parts in COMPONENTS.items() for part in parts}
    for path in sorted((index_dir / LITERAL_DIR).glob(f"*{PACK_SUFFIX}")):
        pack = Pack(path)
        for part, entry in pack.parts.items():
            sizes[owner.get(part, "other pack parts")] += entry["nbytes"]
        sizes["pack directories and alignment"] += pack.size - sum(e["nbytes"] for e in pack.parts.values())
        characters += len(bytes(pack.blob("text")).decode(TEXT_ENCODING))
    for path in index_dir.iterdir():
        if path.is_file() and not path.name.startswith("view-"):
            sizes["JSON (manifest, catalogue)" if path.suffix == ".json" else "whoosh (terms, columns, TOC)"] += \
                path.stat().st_size
    return dict(sizes), characters


def table(index_dir: Path) -> str:
    """The components as a Markdown table, largest first."""
    sizes, characters = components(index_dir)
    total = sum(sizes.values())
    rows = [f"| {name} | {size / 1e6:,.1f} MB | {size / max(1, characters):.3f} |"
            for name, size in sorted(sizes.items(), key=lambda item: -item[1])]
    return "\n".join(["| component | size | bytes per character |", "| --- | --- | --- |", *rows,
                      f"| all | {total / 1e6:,.1f} MB | {total / max(1, characters):.3f} |"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path, help="the index directory")
    print(table(parser.parse_args().index_dir))
