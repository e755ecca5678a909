"""Result records and their one JSON schema, shared by the CLI's --json and the HTTP endpoint."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from search.facets import FacetResult
from search.spread import FirstPrinted, Paper


@dataclass
class GarbleFound:
    """A garbled printing of a query term in a variant: the term, the text as printed, and its place in the
    variant's original text."""

    term: str
    text: str
    start: int
    end: int


@dataclass
class PrintedAs:
    """A garbled form of a query term found in the latest variants, with its counts and confusion weight."""

    term: str
    form: str
    variants: int
    occurrences: int
    weight: float


@dataclass
class VariantHit:
    """One printing of a story in a result group, with a snippet from that printing."""

    variant_id: str
    source: str
    version: int
    title: str
    matched: bool
    score: float | None
    snippet: str
    highlights: list[list[int]]
    metadata: dict[str, Any]
    fuzzy: bool = False  # matched only through an OCR-garbled printing of a term (a fuzzy search)
    found: list[GarbleFound] = field(default_factory=list)  # those printings, where fuzzy
    joined: bool = False  # holds the terms only with the variant after it, across a weak cut (search.joins)


@dataclass
class ArticleHit:
    """A story that matched: every variant of it in scope, matched or not, and who printed it."""

    article_id: str
    title: str
    score: float
    variants: list[VariantHit]
    papers: list[Paper] = field(default_factory=list)
    first_printed: FirstPrinted | None = None


@dataclass
class SearchResponse:
    """One page of story groups and the totals over all of them."""

    query: str
    generation: int  # the index commit the answer comes from
    total_articles: int
    total_variants: int
    offset: int
    limit: int
    took_ms: float
    articles: list[ArticleHit] = field(default_factory=list)
    facets: dict[str, FacetResult] = field(default_factory=dict)  # by facet name, as asked
    fuzzy_variants: int = 0  # of total_variants, those matched only through garbled printings
    joined_variants: int = 0  # of total_variants, those matched only across a weak cut (VariantHit.joined)
    also_printed_as: list[PrintedAs] = field(default_factory=list)  # garbled forms found (a fuzzy search)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object that `corpus search --json` prints and GET /search returns."""
        return asdict(self)


@dataclass
class VariantText:
    """A variant's full text, for showing a whole story."""

    variant_id: str
    source: str
    version: int
    latest: bool
    title: str
    text: str
    metadata: dict[str, Any]


@dataclass
class ArticleView:
    """A story with the full text of each of its variants, and who printed it."""

    article_id: str
    title: str
    variants: list[VariantText]
    papers: list[Paper] = field(default_factory=list)
    first_printed: FirstPrinted | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of `corpus show --json` and GET /articles/{id}."""
        return asdict(self)
