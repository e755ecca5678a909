"""The manifest of one index generation: every file that makes it up, with its size and checksum.

whoosh's table of contents (`_MAIN_<G>.toc`) is the commit point: a
generation exists once its TOC has its final name. The manifest of generation
G (`corpus-<G>.json`) is written, complete and fsynced, just before that TOC,
and lists the segment packs, whoosh's segment files and TOC, and the
catalogue, each with its xxh3 digest, plus the index-wide state (the next
literal key, story aliases). So a reader that opens generation G finds its
manifest, and every byte it will read can be checked against it. A manifest
left by a writer that died before its TOC names a generation that does not
exist; the next commit overwrites it. The manifest checks itself too: its
body is stored beside its own digest.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from indexer.errors import IndexCorrupt, IndexIncompatible
from indexer.normalise import normalisation_id
from indexer.pack import FileDigest, digest_bytes, write_durably

FORMAT = 5
MANIFEST_PREFIX = "corpus-"


@dataclass(frozen=True)
class SegmentEntry:
    """A segment pack of the generation: its name, how many documents and characters it holds, its digest."""

    name: str
    documents: int
    chars: int
    digest: FileDigest

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "documents": self.documents, "chars": self.chars, **self.digest.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SegmentEntry":
        return cls(str(data["name"]), int(data["documents"]), int(data["chars"]), FileDigest.from_dict(data))


@dataclass
class Manifest:
    """What one generation is made of, and the index-wide state it carries."""

    generation: int
    segments: list[SegmentEntry] = field(default_factory=list)
    # Segments the previous commit dropped (merged away), kept one more generation for readers still on it.
    retired: list[SegmentEntry] = field(default_factory=list)
    next_key: int = 1
    aliases: dict[str, str] = field(default_factory=dict)  # absorbed story id -> the id it was merged into
    catalogue: FileDigest | None = None
    whoosh: dict[str, FileDigest] = field(default_factory=dict)  # whoosh's segment files and TOC, by name
    created: str = ""
    normalisation: str = field(default_factory=normalisation_id)  # how the texts were normalised

    def to_bytes(self) -> bytes:
        """The manifest file: its body and the body's digest."""
        body = orjson.dumps({
            "format": FORMAT, "generation": self.generation, "created": self.created,
            "segments": [s.to_dict() for s in self.segments], "retired": [s.to_dict() for s in self.retired],
            "next_key": self.next_key, "aliases": self.aliases,
            "catalogue": self.catalogue.to_dict() if self.catalogue else None,
            "whoosh": {name: digest.to_dict() for name, digest in sorted(self.whoosh.items())},
            "normalisation": self.normalisation,
        }, option=orjson.OPT_SORT_KEYS)
        return orjson.dumps({"body": orjson.Fragment(body), "xxh3": digest_bytes(body)})

    @classmethod
    def from_bytes(cls, data: bytes, path: Path) -> "Manifest":
        """Parse and check a manifest file; IndexCorrupt when it is damaged or of another format."""
        try:
            outer = orjson.loads(data)
            body = orjson.dumps(outer["body"], option=orjson.OPT_SORT_KEYS)
            if digest_bytes(body) != outer["xxh3"]:
                raise IndexCorrupt(f"{path}: the manifest does not match its checksum (the file is damaged)")
            raw = outer["body"]
            if raw.get("format") != FORMAT:
                raise IndexIncompatible(f"{path}: index format {raw.get('format')!r}, this corpus reads format "
                                        f"{FORMAT}; rebuild the index with 'corpus index' into a new directory")
            if raw.get("normalisation") != normalisation_id():
                raise IndexIncompatible(f"{path}: the index normalised its texts as {raw.get('normalisation')!r}, "
                                        f"this corpus normalises as {normalisation_id()!r} (queries would match "
                                        "differently); rebuild the index with 'corpus index' into a new directory")
            return cls(
                generation=int(raw["generation"]),
                segments=[SegmentEntry.from_dict(s) for s in raw["segments"]],
                retired=[SegmentEntry.from_dict(s) for s in raw["retired"]],
                next_key=int(raw["next_key"]), aliases={str(k): str(v) for k, v in raw["aliases"].items()},
                catalogue=FileDigest.from_dict(raw["catalogue"]) if raw["catalogue"] else None,
                whoosh={name: FileDigest.from_dict(d) for name, d in raw["whoosh"].items()},
                created=str(raw.get("created", "")),
                normalisation=str(raw["normalisation"]),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            raise IndexCorrupt(f"{path}: the manifest is not readable (damaged or truncated)") from None


def manifest_path(index_dir: Path, generation: int) -> Path:
    """The manifest file of one generation."""
    return index_dir / f"{MANIFEST_PREFIX}{generation}.json"


def read_manifest(index_dir: Path, generation: int) -> Manifest:
    """The manifest of a committed generation. Generation 0 is the empty index whoosh creates."""
    path = manifest_path(index_dir, generation)
    if generation == 0 and not path.exists():
        return Manifest(0)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IndexCorrupt(f"{path}: the manifest of generation {generation} is missing "
                           "(an index of an older format, or damaged)") from None
    except OSError as exc:
        raise IndexCorrupt(f"{path}: cannot read the manifest ({exc.strerror or exc})") from None
    manifest = Manifest.from_bytes(data, path)
    if manifest.generation != generation:
        raise IndexCorrupt(f"{path}: holds generation {manifest.generation}, not {generation}")
    return manifest


def write_manifest(index_dir: Path, manifest: Manifest) -> None:
    """Write a generation's manifest durably, stamped with the time of the commit."""
    manifest.created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    write_durably(manifest_path(index_dir, manifest.generation), manifest.to_bytes())
