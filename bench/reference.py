"""The indexed variants held in memory, and the brute-force scan that defines what a query must match."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.benchquery import BenchQuery
from indexer.metadata import filter_value, index_terms
from indexer.store import resolve_story
from search.engine import Corpus
from search.query import matches, parse_query
from search.request import LATEST_VARIANTS


@dataclass
class Variants:
    """Column lists over the latest variants of an index, sorted by variant id."""

    variant_id: list[str] = field(default_factory=list)
    article_id: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    ordinal: list[int] = field(default_factory=list)
    publication: list[str | None] = field(default_factory=list)
    date: list[str | None] = field(default_factory=list)
    norm: list[str] = field(default_factory=list)
    docnum: list[int] = field(default_factory=list)  # in the index generation the columns were read from

    def __len__(self) -> int:
        return len(self.variant_id)


def load_variants(index_dir: Path) -> Variants:
    """Read every latest variant's normalised text and filter fields from the index."""
    rows = []
    view = Corpus(index_dir).view()
    for docnum in view.scope(LATEST_VARIANTS).tolist():
        header = view.header(docnum)
        terms = index_terms(header.metadata)
        # Only the columns below are kept: the original text would hold the corpus in memory twice.
        # A story absorbed into another is known by the other's id, as search groups it.
        rows.append((header.variant_id, resolve_story(view.aliases, header.story), header.source, header.ordinal,
                     terms.get("publication"), terms.get("date"), view.normalised_text(docnum), docnum))
    view.close()
    rows.sort(key=lambda row: row[0])
    columns = Variants()
    for row in rows:
        for column, value in zip(columns.__dict__.values(), row, strict=True):
            column.append(value)
    return columns


def in_scope(variants: Variants, query: BenchQuery) -> range | list[int]:
    """Positions of the variants the query's filters admit, as SearchRequest.filter_query defines them."""
    if not (query.sources or query.publication or query.date_from or query.date_to):
        return range(len(variants))
    sources = set(query.sources)
    publication = filter_value(query.publication) if query.publication else None
    return [
        i for i in range(len(variants))
        if (not sources or variants.source[i] in sources)
        and (publication is None or variants.publication[i] == publication)
        and (query.date_from is None or (variants.date[i] or "") >= query.date_from)
        and (query.date_to is None or (variants.date[i] is not None and variants.date[i] <= query.date_to))
    ]


def brute_force(variants: Variants, query: BenchQuery) -> list[int]:
    """Positions of the variants in scope whose normalised text satisfies the query: a plain scan."""
    node = parse_query(query.q)
    texts = variants.norm
    return [i for i in in_scope(variants, query) if matches(node, texts[i])]
