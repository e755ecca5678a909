"""Timelines: how many stories, variants and occurrences each query matched per day, week, month or year,
every period between the first and the last included, and how many matches had no date."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from search.columns import periods_between
from search.counting import LEVELS, Counts, count_by, occurrences
from search.rank import Matched
from search.request import PERIODS, Facet, ParameterError


@dataclass
class Timeline:
    """One row per period, one column per query; `count` is the level a chart or CSV shows."""

    by: str
    count: str
    queries: list[str]
    periods: list[str] = field(default_factory=list)
    cells: list[list[Counts]] = field(default_factory=list)  # [period][query]
    undated: list[Counts] = field(default_factory=list)  # per query: matches left out for want of a date
    totals: list[Counts] = field(default_factory=list)  # per query, dated or not

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "count": self.count, "queries": self.queries,
                "rows": [{"period": period, "counts": [c.to_dict() for c in row]}
                         for period, row in zip(self.periods, self.cells)],
                "undated": [c.to_dict() for c in self.undated], "totals": [c.to_dict() for c in self.totals]}

    def series(self, column: int) -> list[int]:
        """One query's counts at the chosen level, period by period."""
        return [row[column].level(self.count) for row in self.cells]


def check_options(by: str, count: str) -> None:
    """ParameterError unless `by` is a period and `count` a level."""
    if by not in PERIODS:
        raise ParameterError(f"a timeline goes by {', '.join(PERIODS)}, not {by!r}")
    if count not in LEVELS:
        raise ParameterError(f"a timeline counts {', '.join(LEVELS)}, not {count!r}")


def timeline(results: list[Matched], queries: list[str], by: str, count: str) -> Timeline:
    """The timeline of several queries' matches (each a `Matched` of the same view)."""
    check_options(by, count)
    chart = Timeline(by, count, queries)
    if not results:
        return chart
    column = results[0].view.facet_column(Facet("date", by))
    per_query: list[dict[str, Counts]] = []
    for matched in results:
        found = occurrences(matched.view, matched.docnums, matched.terms(), matched.deadline.check)
        cells, undated = count_by(column.codes[matched.docnums], matched.stories(), found)
        per_query.append({column.values[key]: counts for key, counts in cells})
        chart.undated.append(undated)
        chart.totals.append(Counts(len(np.unique(matched.stories())), len(matched.docnums), int(found.sum())))
    used = sorted(set().union(*per_query))  # ISO dates and periods sort as text in time order
    if not used:
        return chart
    chart.periods = periods_between(used[0], used[-1], by)
    empty = Counts(0, 0, 0)
    chart.cells = [[cells.get(p, empty) for cells in per_query] for p in chart.periods]
    return chart
