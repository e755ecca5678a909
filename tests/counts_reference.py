"""A brute-force reference for counting: every variant of an index read back from its records, filters
applied by hand from the sidecar metadata, matches and occurrences found by scanning the normalised texts."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from indexer.metadata import filter_value, index_terms
from search.columns import period_of
from search.engine import Corpus
from search.query import matches, parse_query, positive_terms
from search.request import ALL_VARIANTS, LATEST_VARIANTS, SearchRequest


@dataclass(frozen=True)
class Row:
    """One variant as the reference sees it."""

    source: str
    story: str
    latest: bool
    terms: dict  # its filter terms: publication, date, meta_*
    norm: str


def load_rows(index_dir: Path) -> list[Row]:
    view = Corpus(index_dir).view()
    latest = set(view.scope(LATEST_VARIANTS).tolist())
    return [Row(view.header(d).source, view.story_names[view.story_of[d]], d in latest,
                index_terms(view.header(d).metadata), view.normalised_text(d))
            for d in view.scope(ALL_VARIANTS).tolist()]


def in_scope(row: Row, request: SearchRequest) -> bool:
    start, end = request.date_range()
    date = row.terms.get("date")
    return ((request.all_versions or row.latest)
            and (not request.sources or row.source in request.sources)
            and (request.publication is None or row.terms.get("publication") == filter_value(request.publication))
            and (start is None or (date is not None and date >= start))
            and (end is None or (date is not None and date <= end))
            and all(row.terms.get("meta_" + key) == filter_value(value) for key, value in request.meta))


def matched(rows: list[Row], request: SearchRequest) -> list[tuple[Row, int]]:
    """The rows the request matches, each with its occurrences of the query's positive terms."""
    node = parse_query(request.query)
    terms = [t.text for t in positive_terms(node)]
    return [(row, sum(row.norm.count(t) for t in terms)) for row in rows
            if in_scope(row, request) and matches(node, row.norm)]


def value_of(row: Row, name: str) -> str | None:
    """A facet's value for a row: source, publication, a sidecar key, or a date's period."""
    key, _, period = name.partition(":")
    if key == "source":
        return row.source
    if key == "date":
        date = row.terms.get("date")
        return period_of(date, period or "day") if date else None
    return row.terms.get(key if key == "publication" else "meta_" + key)


def counts_by(found: list[tuple[Row, int]], names: list[str]) -> dict[tuple, dict[str, int]]:
    """Stories, variants and occurrences per combination of facet values (None where a row has no value)."""
    cells: dict[tuple, dict] = defaultdict(lambda: {"stories": set(), "variants": 0, "occurrences": 0})
    for row, count in found:
        cell = cells[tuple(value_of(row, n) for n in names)]
        cell["stories"].add(row.story)
        cell["variants"] += 1
        cell["occurrences"] += count
    return {key: {"stories": len(c["stories"]), "variants": c["variants"], "occurrences": c["occurrences"]}
            for key, c in cells.items()}
