"""Cells of the bench's Markdown table: a row, milliseconds, counts by cause."""
from __future__ import annotations

MB = 1e6  # the table's megabytes


def row(*cells: str) -> str:
    """One table row."""
    return "| " + " | ".join(cells) + " |"


def ms(value: float) -> str:
    """Milliseconds to three significant digits, whole ones from 100 ms."""
    return f"{value:.3g} ms" if value < 100 else f"{value:,.0f} ms"


def causes(counts: dict[str, int]) -> str:
    """Counts by cause, the largest first."""
    return ", ".join(f"{cause} {count:,}" for cause, count in sorted(counts.items(), key=lambda item: -item[1]))
