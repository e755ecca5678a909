"""Batch topics: a file of topics (`name<TAB>query`, or a bare query, one a line) counted by metadata
(publication, date by period, any sidecar key): one row per topic and combination of values, with stories,
variants and occurrences, the table a researcher puts in a paper."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from search.counting import count_by, occurrences_of_each
from search.query import Node, QueryError, parse_query
from search.rank import Matched
from search.request import Facet


@dataclass(frozen=True)
class Topic:
    """One line of a topics file."""

    line: int
    name: str
    query: str
    node: Node  # the query parsed (once: checking the line parses it)


@dataclass
class TopicTable:
    """The counts of every topic by the facets asked for, and the lines that could not be run."""

    by: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # {"line", "message"}

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "rows": self.rows, "problems": self.problems}

    def columns(self) -> list[str]:
        return ["topic", "query", *self.by, "stories", "variants", "occurrences"]


def parse_topics(text: str) -> tuple[list[Topic], list[dict[str, Any]]]:
    """The topics of a file, and a problem for each line that is not one (blank lines and # comments skipped)."""
    topics, problems = [], []
    names: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, tab, query = line.partition("\t")
        name, query = (name.strip(), query.strip()) if tab else (line.strip(), line.strip())
        try:
            if not name:
                raise QueryError("the topic has no name before the tab")
            node = parse_query(query)
        except QueryError as exc:
            problems.append({"line": number, "message": f"line {number}: {exc}"})
            continue
        if name in names:
            problems.append({"line": number, "message": f"line {number}: topic {name!r} is named twice"})
            continue
        names.add(name)
        topics.append(Topic(number, name, query, node))
    return topics, problems


def topic_rows(topics: list[Topic], matches: list[Matched], found: list[np.ndarray],
               facets: list[Facet]) -> list[dict[str, Any]]:
    """Every topic's rows, in file order: one per combination of facet values it matched (null where a
    variant has none), given each matched document's occurrences; a topic no variant matched has one row of
    zeros, so the table lists every topic."""
    view = matches[0].view
    columns = [view.facet_column(f) for f in facets]
    docnums = np.concatenate([m.docnums for m in matches])
    # One key per topic and combination of values (the topic its leading digit), a variant without a value
    # counting under its own (null) value: the whole batch is counted in one sort.
    keys = np.repeat(np.arange(len(matches), dtype=np.int64), [len(m.docnums) for m in matches])
    sizes = [len(c.values) + 1 for c in columns]
    for column, size in zip(columns, sizes):
        keys = keys * size + (column.codes[docnums] + 1)
    cells, _ = count_by(keys, view.story_of[docnums], np.concatenate(found))
    # The keys' digits back to values, column by column in bulk (most of the rows' time when done per row).
    values, rest = [], cells.keys
    for column, size in reversed(list(zip(columns, sizes))):
        labels = [None, *column.values]
        values.insert(0, [labels[code] for code in (rest % size).tolist()])
        rest = rest // size
    rows: list[list[dict[str, Any]]] = [[] for _ in topics]
    names = [f.name for f in facets]
    for owner, *combination, stories, variants, occurrences in zip(
            rest.tolist(), *values, cells.stories.tolist(), cells.variants.tolist(), cells.occurrences.tolist()):
        rows[owner].append({"topic": topics[owner].name, "query": topics[owner].query,
                            **dict(zip(names, combination)),
                            "stories": stories, "variants": variants, "occurrences": occurrences})
    for topic, found_rows in zip(topics, rows):
        if not found_rows:
            found_rows.append({"topic": topic.name, "query": topic.query, **{f.name: None for f in facets},
                               "stories": 0, "variants": 0, "occurrences": 0})
    return [row for found_rows in rows for row in found_rows]


def topic_table(topics: list[Topic], problems: list[dict[str, Any]], facets: list[Facet],
                match: Callable[[Node], Matched]) -> TopicTable:
    """Every topic's rows, topics in file order; `match` runs a parsed query within the run's filters."""
    table = TopicTable([f.name for f in facets], problems=list(problems))
    matches = [match(topic.node) for topic in topics]
    if matches:
        # Counted together, so a segment is scanned once for the terms many topics count in it.
        found = occurrences_of_each(matches[0].view, [(m.docnums, m.terms()) for m in matches],
                                    matches[0].deadline.check)
        table.rows = topic_rows(topics, matches, found, facets)
    return table
