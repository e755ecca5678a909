"""One benchmark query and its filters: what the query set, the brute-force scan and the engines all take."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from search.request import SearchRequest


@dataclass(frozen=True)
class BenchQuery:
    """One benchmark query: the query string, its kind and the filters it is run with."""

    kind: str
    q: str
    sources: tuple[str, ...] = ()
    publication: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def request(self, limit: int, offset: int = 0) -> SearchRequest:
        """The library request for one page of story groups."""
        return SearchRequest(query=self.q, limit=limit, offset=offset, sources=self.sources,
                             publication=self.publication, date_from=self.date_from, date_to=self.date_to)

    @property
    def has_filters(self) -> bool:
        return bool(self.sources or self.publication or self.date_from or self.date_to)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, ())}


@dataclass
class ScannedQueries:
    """The query set with what the brute-force scan matched for each query (variant positions) and how long
    each scan took (median seconds): the reference that lookups are checked and timed against."""

    queries: list[BenchQuery]
    expected: list[list[int]]
    scan_seconds: list[float]
