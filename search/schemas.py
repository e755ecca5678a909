"""The documented shapes of the HTTP answers that are not result dataclasses, for the OpenAPI schema.

Each model forbids undeclared keys, so the documented shape cannot drift from the one served (the schema
test checks every answer against it).
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    # Undeclared keys fail the schema check, so the documented shape cannot drift from the real one.
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Strict):
    code: str
    message: str


class ErrorBody(Strict):
    """Every error response: a machine-readable code and a one-line message."""

    error: ErrorDetail


class SourceEntry(Strict):
    """SourceRecord.to_dict(): a source with its latest version and every version's record."""

    source: str
    version: int
    versions: list[dict[str, Any]]
    content_hash: str
    path: str
    articles: int
    indexed_at: str
    metadata: dict[str, Any]
    warnings: list[str]


class SourceList(Strict):
    sources: list[SourceEntry]


class Stats(Strict):
    """Corpus.stats()."""

    index: str
    generation: int
    sources: int
    variants: int
    variants_all_versions: int
    stories: int
    size_bytes: int


class Health(Strict):
    status: str


class Ready(Strict):
    status: str
    generation: int


class CountsBody(Strict):
    stories: int
    variants: int
    occurrences: int


class TimelineRow(Strict):
    period: str
    counts: list[CountsBody]


class TimelineBody(Strict):
    """Timeline.to_dict(): one row per period (empty ones included), one count per query in query order."""

    by: str
    count: str
    queries: list[str]
    rows: list[TimelineRow]
    undated: list[CountsBody]
    totals: list[CountsBody]


class DiffBody(Strict):
    """Comparison.diff_dict(): the printings, the consensus text differences point into, and the differences
    (each with its place, kind and every reading with the printings reading it); see search/compare.py."""

    printings: list[dict[str, Any]]
    consensus: str
    differences: list[dict[str, Any]]
    folded: int
    slots: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    captions: list[dict[str, Any]]


class ConsensusBody(Strict):
    """Consensus.to_dict(): the consensus text, per-character support and coverage, and the tie rule."""

    text: str
    head_lines: int
    support: list[float]
    coverage: list[int]
    reliability: dict[str, float]
    ties: int
    tie_rule: str
