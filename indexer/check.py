"""Verify an index: every file against its manifest digest, every pack's structure, and the agreement of
whoosh's documents, the segment records, the catalogue and the story aliases. Each problem is one line."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer.catalogue import read_catalogue
from indexer.shingles import PARTS
from indexer.errors import CorpusIndexError
from indexer.literal import LITERAL_DIR, PACK_SUFFIX, Segment, gram_codes
from indexer.manifest import Manifest, read_manifest
from indexer.metadata import index_terms
from indexer.normalise import normalise
from indexer.pack import PackError
from indexer.store import column_by_docnum, document_keys, open_index, open_searcher, resolve_story, verify_file


@dataclass
class CheckReport:
    """What `corpus check` found: the problems (one line each) and what it looked at."""

    index: str
    generation: int = -1
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # harmless findings, such as files a crashed run left
    files: int = 0
    variants: int = 0
    stories: int = 0
    sources: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"index": self.index, "ok": self.ok, "generation": self.generation, "problems": self.problems,
                "notes": self.notes,
                "files": self.files, "variants": self.variants, "stories": self.stories, "sources": self.sources,
                "seconds": round(self.seconds, 3)}


def _sorted_strictly(values: np.ndarray) -> bool:
    return bool(np.all(values[1:] > values[:-1])) if len(values) > 1 else True


def _monotone(offsets: np.ndarray, end: int) -> bool:
    return len(offsets) > 0 and offsets[0] == 0 and offsets[-1] == end and bool(np.all(np.diff(offsets) >= 0))


def _check_table(name: str, codes: np.ndarray, starts: np.ndarray, docs: np.ndarray, count: int) -> list[str]:
    """Problems of one postings table: sorted distinct codes, runs covering the postings, documents in range."""
    problems = []
    if not _sorted_strictly(codes):
        problems.append(f"{name}: codes are not sorted and distinct")
    if len(starts) != len(codes) + 1 or not _monotone(starts, len(docs)):
        problems.append(f"{name}: posting runs do not cover the postings")
    elif len(docs) and int(docs.max()) >= count:
        problems.append(f"{name}: a posting names a document the segment does not hold")
    return problems


def check_segment(segment: Segment, deep: bool) -> list[str]:
    """Problems inside one segment pack (its digest already checked)."""
    where = f"segment {segment.name}"
    count = len(segment.keys)
    problems = []
    shapes = {"offsets": (count + 1,), "lengths": (count, 2), "sample_starts": (count + 1,),
              "sketch_sizes": (count,), "sketch_parts": (count,)}
    for name, shape in shapes.items():
        if getattr(segment, name).shape != shape:
            problems.append(f"{where}: {name} has shape {getattr(segment, name).shape}, not {shape}")
    if problems:
        return problems
    if not _monotone(segment.offsets, segment.text_bytes):
        problems.append(f"{where}: text offsets are not increasing")
    problems += _check_table(f"{where} bigrams", segment.grams, segment.starts, segment.docs, count)
    problems += _check_table(f"{where} words", segment.words, segment.word_starts, segment.word_docs, count)
    if len(segment.word_counts) != len(segment.word_docs):
        problems.append(f"{where}: word counts do not match word postings")
    if not _monotone(segment.sample_starts, len(segment.samples)):
        problems.append(f"{where}: sample offsets are not increasing")
    if len(segment.sketch_parts) and int(segment.sketch_parts.max(initial=0)) >= len(PARTS):
        problems.append(f"{where}: a sketch names an unknown printed part")
    records = segment.records
    posted = _posted_codes(segment) if deep else []
    if len(records) != count:
        return problems + [f"{where}: {len(records)} records for {count} documents"]
    if not _monotone(records.header_offsets, len(records.headers)) or \
            not _monotone(records.body_offsets, len(records.bodies)):
        return problems + [f"{where}: record offsets are not increasing"]
    for place in range(count):
        try:
            records.header(place)
            text, mapped = segment.original(place)
            norm = mapped.text
            if mapped.norm_starts and (mapped.norm_starts[-1] > len(norm) or mapped.orig_starts[-1] > len(text)):
                raise ValueError("the offset map points past the text")
        except Exception as exc:  # any damage inside a record is reported, whatever form it takes
            problems.append(f"{where}: record {place} is damaged ({type(exc).__name__}: {exc})")
            continue
        if deep and normalise(text).text != norm:
            problems.append(f"{where}: record {place}'s normalised text is not its original text normalised")
        elif deep and not np.array_equal(gram_codes(norm), posted[place]):
            problems.append(f"{where}: record {place}'s bigram postings are not those of its text")
    return problems


def _posted_codes(segment: Segment) -> list[np.ndarray]:
    """The codes each document is posted under, read back from the postings (for deep checks)."""
    codes = np.repeat(segment.grams, np.diff(segment.starts))
    order = np.argsort(segment.docs, kind="stable")  # by document; codes stay sorted within each
    bounds = np.searchsorted(segment.docs[order], np.arange(len(segment.keys) + 1))
    codes = codes[order]
    return [codes[bounds[i]:bounds[i + 1]] for i in range(len(segment.keys))]


def check_index(index_dir: Path, deep: bool = False) -> CheckReport:
    """Check everything the latest generation of the index is made of."""
    started = time.perf_counter()
    report = CheckReport(str(index_dir))
    try:
        ix = open_index(index_dir)
        report.generation = generation = ix.latest_generation()
        manifest = read_manifest(index_dir, generation)
    except CorpusIndexError as exc:
        report.problems.append(str(exc))
        return report
    for name, digest in manifest.whoosh.items():
        report.files += 1
        try:
            verify_file(index_dir / name, digest, remember=False)
        except CorpusIndexError as exc:
            report.problems.append(str(exc))
    if report.problems:  # whoosh must not read a file that failed its check
        return report
    segments = _open_segments(index_dir, manifest, report, deep)
    try:
        searcher, _ = open_searcher(ix, generation)
    except (CorpusIndexError, OSError) as exc:
        report.problems.append(str(exc))
        return report
    with searcher:
        _check_documents(index_dir, manifest, searcher.reader(), segments, report)
    report.seconds = time.perf_counter() - started
    return report


def _open_segments(index_dir: Path, manifest: Manifest, report: CheckReport, deep: bool) -> dict[str, Segment]:
    opened = {}
    listed = {entry.name for entry in manifest.segments + manifest.retired}
    for entry in manifest.segments:
        report.files += 1
        path = index_dir / LITERAL_DIR / f"{entry.name}{PACK_SUFFIX}"
        try:
            verify_file(path, entry.digest, remember=False)
            segment = Segment(path.parent, entry.name)
        except (CorpusIndexError, PackError) as exc:
            report.problems.append(str(exc))
            continue
        if len(segment.keys) != entry.documents:
            report.problems.append(f"{path}: {len(segment.keys)} documents, the manifest says {entry.documents}")
        report.problems += check_segment(segment, deep)
        opened[entry.name] = segment
    literal = index_dir / LITERAL_DIR
    for path in sorted(literal.iterdir()) if literal.is_dir() else []:
        if path.name.split(".")[0] not in listed:
            report.notes.append(f"{path}: a file no generation lists (left by a crashed run; "
                                "the next 'corpus index' deletes it)")
    return opened


def _check_documents(index_dir: Path, manifest: Manifest, reader, segments: dict[str, Segment],
                     report: CheckReport) -> None:
    """whoosh's documents against the records their keys lead to, the catalogue and the aliases."""
    keys = document_keys(reader)
    places: dict[int, tuple[Segment, int]] = {}
    for segment in segments.values():
        for place, key in enumerate(segment.keys.tolist()):
            if key in places:
                report.problems.append(f"segment {segment.name}: key {key} is also in segment {places[key][0].name}")
            places[key] = (segment, place)
    if places and max(places) >= manifest.next_key:
        report.problems.append(f"manifest: next key {manifest.next_key} is not above the largest key {max(places)}")
    columns = {name: column_by_docnum(reader, name, "") for name in ("article_id", "source")}
    latest = set(reader.postings("latest", b"t").all_ids()) if ("latest", b"t") in reader else set()
    catalogue = _catalogue(index_dir, manifest, report)
    latest_counts: Counter[str] = Counter()
    versions: dict[str, int] = {}
    stories = set()
    live = np.flatnonzero(keys > 0)
    postings: dict[tuple[str, str], set[int]] = {}

    def filed(field_name: str, value: str) -> set[int]:
        """The documents whoosh files under a term (each term's postings read once)."""
        if (field_name, value) not in postings:
            term = (field_name, value.encode("utf-8"))
            postings[field_name, value] = set(reader.postings(*term).all_ids()) if term in reader else set()
        return postings[field_name, value]

    for docnum in live.tolist():
        key = int(keys[docnum])
        if key not in places:
            report.problems.append(f"document {docnum}: key {key} is in no live segment")
            continue
        segment, place = places[key]
        header = segment.records.header(place)
        if (columns["article_id"][docnum], columns["source"][docnum]) != (header.story, header.source):
            report.problems.append(f"document {docnum}: whoosh and the record of {header.variant_id} disagree "
                                   "on its story or source")
        stories.add(resolve_story(manifest.aliases, header.story))
        versions[header.source] = max(versions.get(header.source, 0), header.version)
        if docnum in latest:
            latest_counts[header.source] += 1
        for term in index_terms(header.metadata).items():
            if docnum not in filed(*term):
                report.problems.append(f"document {docnum}: not filed under its {term[0]} {term[1]!r}")
    _check_aliases(manifest, report)
    report.variants, report.stories, report.sources = len(live), len(stories), len(catalogue or ())
    if catalogue is None:
        return
    for source, version in versions.items():
        record = catalogue.get(source)
        if record is None:
            report.problems.append(f"catalogue: source {source!r} has variants but no catalogue entry")
        elif record.version != version or record.articles != latest_counts[source]:
            report.problems.append(f"catalogue: source {source!r} says version {record.version} with "
                                   f"{record.articles} articles; the index holds version {version} with "
                                   f"{latest_counts[source]}")
    for source in set(catalogue) - set(versions):
        if catalogue[source].articles:
            report.problems.append(f"catalogue: source {source!r} has no variants in the index")


def _catalogue(index_dir: Path, manifest: Manifest, report: CheckReport) -> dict | None:
    """The catalogue, or None (reported) when it cannot be trusted."""
    report.files += manifest.catalogue is not None
    try:
        return read_catalogue(index_dir, manifest.generation, manifest.catalogue)
    except CorpusIndexError as exc:
        report.problems.append(str(exc))
        return None


def _check_aliases(manifest: Manifest, report: CheckReport) -> None:
    for story in manifest.aliases:
        seen = {story}
        current = story
        while current in manifest.aliases:
            current = manifest.aliases[current]
            if current in seen:
                report.problems.append(f"manifest: story alias {story} leads round in a circle")
                break
            seen.add(current)
