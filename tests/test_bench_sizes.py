"""bench/sizes.py accounts for every byte of an index."""
from __future__ import annotations

from bench.sizes import components, table


def test_components_add_up_to_the_index_on_disk(seed_index):
    sizes, characters = components(seed_index)
    on_disk = sum(p.stat().st_size for p in seed_index.rglob("*") if p.is_file() and not p.name.startswith("view-"))
    assert sum(sizes.values()) == on_disk
    assert characters > 20_000 and sizes["bigram postings"] > 0 and sizes["originals"] > 0
    assert "other pack parts" not in sizes, "every pack part is given its component"
    assert table(seed_index).count("\n") == len(sizes) + 2
