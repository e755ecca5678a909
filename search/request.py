"""A validated search request and the whoosh filter its scope options make."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from whoosh import query as wq

from indexer.metadata import MetadataError, filter_value, meta_field, parse_date

PERIODS = ("day", "week", "month", "year")
# Fields whoosh files values under directly; any other key is a sidecar key under META_PREFIX.
_DIRECT = {"source", "publication", "date"}
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
MAX_OFFSET = 100_000
LATEST_VARIANTS = wq.Term("latest", True)
ALL_VARIANTS = wq.Every()


class ParameterError(ValueError):
    """A request option out of range or malformed; the message is one line for the user."""


@dataclass(frozen=True)
class Facet:
    """What to count by: a metadata key, and for dates the period (`date:month`)."""

    key: str
    period: str | None = None

    @property
    def name(self) -> str:
        return f"{self.key}:{self.period}" if self.period else self.key

    @property
    def field(self) -> str:
        """The index field the values are read from."""
        return self.key if self.key in _DIRECT else str(meta_field(self.key))

    @classmethod
    def parse(cls, text: str) -> "Facet":
        """`publication`, `source`, `date`, `date:day|week|month|year` or any sidecar key."""
        key, _, period = text.strip().partition(":")
        if key == "date":
            period = period or "day"
            if period not in PERIODS:
                raise ParameterError(f"facet {text!r}: dates go by {', '.join(PERIODS)}, not {period!r}")
            return cls(key, period)
        if period:
            raise ParameterError(f"facet {text!r}: only date takes a period (date:month)")
        if key not in _DIRECT and meta_field(key) is None:
            raise ParameterError(f"facet {text!r}: not a metadata key (letters, digits and _)")
        return cls(key)


@dataclass(frozen=True)
class SearchRequest:
    """What a researcher asks: the query, one page of story groups, and the scope to search in."""

    query: str
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    sources: tuple[str, ...] = ()
    publication: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    meta: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    all_versions: bool = False
    facets: tuple[str, ...] = ()  # counts by these over the whole result set (Facet.parse reads each)
    fuzzy: bool = False  # also match OCR-garbled printings of the terms (search/fuzzy.py)

    def __post_init__(self) -> None:
        for name in self.facets:
            Facet.parse(name)
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ParameterError(f"limit must be between 1 and {MAX_LIMIT}, not {self.limit}")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise ParameterError(f"offset must be between 0 and {MAX_OFFSET}, not {self.offset}")
        for key, _ in self.meta:
            if meta_field(key) is None:
                raise ParameterError(f"{key!r} is not a metadata key that can be filtered on")
        if self.date_range()[0] and self.date_range()[1] and self.date_range()[0] > self.date_range()[1]:
            raise ParameterError("date_from is after date_to")

    def date_range(self) -> tuple[str | None, str | None]:
        """The date bounds as ISO dates; ParameterError for a date that cannot be read."""
        try:
            return (parse_date(self.date_from) if self.date_from else None,
                    parse_date(self.date_to) if self.date_to else None)
        except MetadataError as exc:
            raise ParameterError(str(exc)) from None

    def filter_query(self) -> wq.Query:
        """Variants in scope: latest versions unless all are asked for, within every filter given."""
        base, filters = self.scope_queries()
        return wq.And([base, *filters])

    def scope_queries(self) -> tuple[wq.Query, list[wq.Query]]:
        """The variants in scope as a base set (latest versions, or all) and the filters that narrow it."""
        base = LATEST_VARIANTS if not self.all_versions else ALL_VARIANTS
        clauses: list[wq.Query] = []
        if self.sources:
            clauses.append(wq.Or([wq.Term("source", s) for s in self.sources]))
        if self.publication:
            clauses.append(wq.Term("publication", filter_value(self.publication)))
        start, end = self.date_range()
        if start or end:
            clauses.append(wq.TermRange("date", start, end))
        for key, value in self.meta:
            clauses.append(wq.Term(meta_field(key), filter_value(value)))
        return base, clauses


def parse_meta(pairs: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Metadata filters given as KEY=VALUE strings, as SearchRequest.meta pairs."""
    parsed = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"meta takes KEY=VALUE, not {pair!r}")
        parsed.append((key.strip(), value))
    return tuple(parsed)
