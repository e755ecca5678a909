"""Facets: the stories, variants and occurrences a query matched, per value of a metadata field, over the
whole result set (not the page)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from search.counting import Counts, count_by, occurrences
from search.rank import Matched
from search.request import Facet


@dataclass
class FacetValue:
    """One value of a facet and what the query matched under it."""

    value: str
    stories: int
    variants: int
    occurrences: int


@dataclass
class FacetResult:
    """A facet's values (dates in order, other values by variants, then name) and the matched variants that
    have no value for it."""

    values: list[FacetValue] = field(default_factory=list)
    missing: Counts = Counts(0, 0, 0)

    def to_dict(self) -> dict[str, Any]:
        return {"values": [v.__dict__ for v in self.values], "missing": self.missing.to_dict()}


def facet_counts(matched: Matched, facet: Facet, found: np.ndarray) -> FacetResult:
    """The counts of one facet, given each matched document's occurrences."""
    column = matched.view.facet_column(facet)
    cells, missing = count_by(column.codes[matched.docnums], matched.stories(), found)
    values = [FacetValue(column.values[key], c.stories, c.variants, c.occurrences) for key, c in cells]
    if facet.key != "date":
        values.sort(key=lambda v: (-v.variants, v.value))
    return FacetResult(values, missing)


def facets(matched: Matched, names: tuple[str, ...]) -> dict[str, FacetResult]:
    """Every facet asked for, by name as asked."""
    if not names:
        return {}
    found = occurrences(matched.view, matched.docnums, matched.terms(), matched.deadline.check)
    return {name: facet_counts(matched, Facet.parse(name), found) for name in names}
