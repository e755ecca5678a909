"""The catalogue of sources: every indexed file's latest version, its history and its metadata.

One JSON file per index generation, named in the manifest with its checksum,
so the catalogue changes in the same commit as the variants it describes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from indexer.errors import IndexCorrupt
from indexer.pack import FileDigest, digest_bytes, write_durably


@dataclass
class SourceRecord:
    """A source in the catalogue: its latest version and what every version was."""

    source: str
    version: int
    content_hash: str
    path: str
    metadata: dict[str, Any]
    articles: int
    indexed_at: str
    history: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form shared by the CLI and the HTTP endpoint."""
        return {
            "source": self.source,
            "version": self.version,
            "versions": self.history,
            "content_hash": self.content_hash,
            "path": self.path,
            "articles": self.articles,
            "indexed_at": self.indexed_at,
            "metadata": self.metadata,
            "warnings": self.warnings,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SourceRecord":
        return cls(data["source"], int(data["version"]), data["content_hash"], data.get("path", ""),
                   dict(data.get("metadata") or {}), int(data.get("articles", 0)), data.get("indexed_at", ""),
                   list(data.get("versions") or []), list(data.get("warnings") or []))


def catalogue_path(index_dir: Path, generation: int) -> Path:
    """The catalogue file of one generation."""
    return index_dir / f"catalogue-{generation}.json"


def write_catalogue(index_dir: Path, generation: int, records: dict[str, SourceRecord]) -> FileDigest:
    """Write a generation's catalogue durably; returns its digest for the manifest."""
    data = orjson.dumps({"sources": [records[s].to_dict() for s in sorted(records)]},
                        option=orjson.OPT_NON_STR_KEYS)
    return write_durably(catalogue_path(index_dir, generation), data)


def read_catalogue(index_dir: Path, generation: int, expected: FileDigest | None) -> dict[str, SourceRecord]:
    """Every source of a generation, by id, checked against the digest the manifest recorded."""
    if expected is None:
        return {}
    path = catalogue_path(index_dir, generation)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IndexCorrupt(f"{path}: cannot read the catalogue ({exc.strerror or exc})") from None
    if len(data) != expected.size or digest_bytes(data) != expected.xxh3:
        raise IndexCorrupt(f"{path}: the catalogue does not match its checksum (the file is damaged)")
    try:
        return {entry["source"]: SourceRecord.from_dict(entry) for entry in orjson.loads(data)["sources"]}
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise IndexCorrupt(f"{path}: the catalogue is not readable") from None
