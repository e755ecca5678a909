"""The metadata every variant is filed under, as columns: for a field, one value number per document.

Facets, timelines, batch topics and the spread of a story all count or read
the same few fields (source, publication, date, a sidecar key) for many
documents at once; whoosh files them as terms, so a column is built once per
index generation from each term's postings and kept by the view.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from indexer.store import column_by_docnum
from search.request import Facet


@dataclass(frozen=True)
class Column:
    """One field for every document: a value number (-1 where the document has none) and the values."""

    codes: np.ndarray  # int32, one per document number
    values: list[str]


def build_column(searcher, field: str) -> Column:
    """A field's column over every document of the searcher's generation."""
    reader = searcher.reader()
    if field == "source":  # a sortable column already: read in one pass
        raw = column_by_docnum(reader, "source", "")
        values = sorted(set(raw.tolist()) - {""})
        number = {value: i for i, value in enumerate(values)}
        return Column(np.array([number.get(v, -1) for v in raw.tolist()], dtype=np.int32), values)
    codes = np.full(reader.doc_count_all(), -1, dtype=np.int32)
    values = []
    if field in reader.schema:
        for term in reader.lexicon(field):
            docs = np.fromiter(reader.postings(field, term).all_ids(), dtype=np.int64)
            codes[docs] = len(values)
            values.append(term.decode("utf-8"))
    return Column(codes, values)


def period_of(day: str, period: str) -> str:
    """The period an ISO date falls in: the day itself, its ISO week (2025-W49), month (2025-12) or year."""
    if period == "day":
        return day
    if period == "month":
        return day[:7]
    if period == "year":
        return day[:4]
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def _start_of(label: str, period: str) -> date:
    if period == "day":
        return date.fromisoformat(label)
    if period == "month":
        return date.fromisoformat(label + "-01")
    if period == "year":
        return date(int(label), 1, 1)
    year, week = label.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def periods_between(first: str, last: str, period: str) -> list[str]:
    """Every period from `first` to `last` (labels as period_of gives them), empty ones included."""
    labels, current, end = [], _start_of(first, period), _start_of(last, period)
    while current <= end:
        labels.append(period_of(current.isoformat(), period))
        if period == "day":
            current += timedelta(days=1)
        elif period == "week":
            current += timedelta(weeks=1)
        elif period == "month":
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        else:
            current = date(current.year + 1, 1, 1)
    return labels


def facet_column(column: Column, facet: Facet) -> Column:
    """The column a facet counts by: a date column regrouped into its periods, any other as it is."""
    if facet.period in (None, "day"):
        return column
    periods = sorted({period_of(day, facet.period) for day in column.values})
    number = {label: i for i, label in enumerate(periods)}
    remap = np.array([number[period_of(day, facet.period)] for day in column.values] + [-1], dtype=np.int32)
    return Column(remap[column.codes], periods)
