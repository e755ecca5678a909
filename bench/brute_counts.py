"""Brute-force topic counts from the normalised texts: stories, variants and occurrences per value of a
metadata field, per month, or per combination of fields, for the variants a scan matched. What facets,
timelines and batch topics must equal, and what their speed is compared with."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Sequence

from bench.reference import Variants
from search.facets import FacetResult
from search.query import parse_query, positive_terms
from search.timeline import Timeline

Key = Callable[[int], "str | None"]
Cells = dict[Any, tuple[int, int, int]]  # value (None: the variant has none) -> (stories, variants, occurrences)
FACETS = ("publication", "date:month", "source")
TOPIC_FACETS = ("publication", "date:month")


def key_of(variants: Variants, facet: str) -> Key:
    """A variant position's value under a facet: publication, source, or date by day, month or year."""
    if facet == "publication":
        return variants.publication.__getitem__
    if facet == "source":
        return variants.source.__getitem__
    width = {"date": 10, "date:day": 10, "date:month": 7, "date:year": 4}[facet]
    return lambda i: variants.date[i][:width] if variants.date[i] else None


def occurrences(variants: Variants, positions: Sequence[int], query: str) -> list[int]:
    """Each matched variant's non-overlapping occurrences of the query's positive terms, summed (str.count)."""
    terms = [term.text for term in positive_terms(parse_query(query))]
    texts = variants.norm
    return [sum(texts[i].count(term) for term in terms) for i in positions]


def count_cells(variants: Variants, positions: Sequence[int], found: Sequence[int], key: Key) -> Cells:
    """Stories, variants and occurrences per key value of the matched variants."""
    stories: dict[Any, set[str]] = defaultdict(set)
    counts: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for i, occurring in zip(positions, found, strict=True):
        value = key(i)
        stories[value].add(variants.article_id[i])
        counts[value][0] += 1
        counts[value][1] += occurring
    return {value: (len(stories[value]), n, occurring) for value, (n, occurring) in counts.items()}


def combined(keys: Sequence[Key]) -> Key:
    """One key made of several: a tuple of their values."""
    return lambda i: tuple(key(i) for key in keys)


def facet_cells(variants: Variants, positions: Sequence[int], query: str, facets: Sequence[str] = FACETS) -> dict[str, Cells]:
    """Every facet's cells for one query's matches."""
    found = occurrences(variants, positions, query)
    return {facet: count_cells(variants, positions, found, key_of(variants, facet)) for facet in facets}


def engine_facet_cells(result: FacetResult) -> Cells:
    """The same cells from the engine's answer for one facet."""
    cells: Cells = {v.value: (v.stories, v.variants, v.occurrences) for v in result.values}
    if result.missing.variants:
        cells[None] = (result.missing.stories, result.missing.variants, result.missing.occurrences)
    return cells


def engine_timeline_cells(chart: Timeline, column: int = 0) -> Cells:
    """One query's non-empty cells of a timeline, undated matches under None."""
    cells: Cells = {period: (c.stories, c.variants, c.occurrences)
                    for period, row in zip(chart.periods, chart.cells) if (c := row[column]).variants}
    undated = chart.undated[column]
    if undated.variants:
        cells[None] = (undated.stories, undated.variants, undated.occurrences)
    return cells


def engine_topic_cells(rows: list[dict[str, Any]], by: Sequence[str]) -> dict[str, Cells]:
    """Per topic, its cells keyed by the tuple of facet values, from the rows of a topic table."""
    cells: dict[str, Cells] = defaultdict(dict)
    for row in rows:
        cell = cells[row["topic"]]
        if row["variants"]:
            cell[tuple(row[name] for name in by)] = (row["stories"], row["variants"], row["occurrences"])
    return cells


def cells_off(expected: Cells, got: Cells) -> int:
    """Values whose counts differ, or that only one side has."""
    return sum(expected.get(value) != got.get(value) for value in set(expected) | set(got))
