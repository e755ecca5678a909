"""Segmentation against the generator's line truth: per layout family, how many printed articles the
index holds as exactly one variant with the same boundaries, and how many were merged, split or lost.

The index keeps no line numbers, so each non-blank page line is put down to the variant of its page
whose normalised text holds it (the nearest one in page order first: a variant lists its captions
last, and short fragments recur), whole or else in a few stretches (a segmenter moves a dateline
out of its paragraph into the article's head). A truth article is *exact* when all its lines went to one variant
that holds no line of another article; lines that belong to no article (a column label, a stray photo
caption) do not count against it. A line that normalises to nothing (a run of NULs) is not looked for.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from itertools import chain
from typing import Any

from bench.dataset import Dataset
from bench.reference import Variants
from indexer.normalise import normalise_text

WHITESPACE = re.compile(r"\s+")
MARKUP = re.compile(r"^\s*#{1,6}\s+|\*\*|__")  # markdown the segmenter reads and drops
MARKS = "■□▲●◆★"  # marks in front of bylines and labels that a segmenter may drop
SHOWN = 5  # examples of each kind of error kept per family
PIECES = 3  # a line is found in a variant in at most this many stretches ...
MIN_PIECE = 4  # ... of at least this many characters (but the last)
# Roles of the lines around an article's text: a merge or split that moves only these is a slip at the edge.
EDGE_ROLES = ("kicker", "byline", "marker", "dateline", "credit", "caption")


def compact(text: str) -> str:
    """Normalised text without any whitespace."""
    return WHITESPACE.sub("", normalise_text(text))


@dataclass
class FamilyScore:
    """Segmentation counts of one layout family."""

    articles: int = 0
    exact: int = 0  # recovered as exactly one variant with the same boundaries
    merged: int = 0  # share a variant with another article
    split: int = 0  # spread over more than one variant
    lines_lost: int = 0  # some of their lines are in no variant (neither merged nor split)
    missed: int = 0  # none of their lines is in any variant (a page the reader refused, for one)
    edge_slips: int = 0  # merged or split only by lines at an article's edge (bylines, credits, captions...)
    variants: int = 0  # variants whose lines are mostly this family's
    exact_variants: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.exact / self.articles if self.articles else 1.0

    @property
    def precision(self) -> float:
        return self.exact_variants / self.variants if self.variants else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "recall": self.recall, "precision": self.precision}


@dataclass
class Segmentation:
    """Scores per family and in total, and which variants each truth article's lines went to."""

    families: dict[str, FamilyScore] = field(default_factory=dict)
    total: FamilyScore = field(default_factory=FamilyScore)
    spurious_variants: int = 0  # variants holding no line of any article (a label or a caption on its own)
    page_lines_absorbed: int = 0  # label and stray-caption lines taken into some variant
    cover: dict[tuple[str, int], set[int]] = field(default_factory=dict)  # (page, ordinal) -> variant positions

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total.to_dict(), "families": {k: v.to_dict() for k, v in sorted(self.families.items())},
                "spurious_variants": self.spurious_variants, "page_lines_absorbed": self.page_lines_absorbed}


def holds_in_pieces(text: str, key: str, pieces: int = PIECES) -> bool:
    """Whether `text` holds `key` cut into at most `pieces` stretches of at least MIN_PIECE characters
    (a segmenter moves a dateline out of its paragraph, lists captions last, drops a repeated sentence)."""
    if key in text:
        return True
    if pieces == 1:
        return False
    low, high = 0, len(key)  # the longest prefix of key that text holds: holding is monotone in length
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if key[:middle] in text else (low, middle - 1)
    return low >= MIN_PIECE and holds_in_pieces(text, key[low:], pieces - 1)


def assign_lines(lines: list[str], candidates: list[int], texts: dict[int, str]) -> dict[int, int]:
    """Line number (1-based) -> the variant (of `candidates`, in page order) whose compact text holds the line."""
    assigned: dict[int, int] = {}
    pointer = 0
    for number, line in enumerate(lines, 1):
        if not line or line.isspace():
            continue
        keys = [key for key in dict.fromkeys((compact(line), compact(MARKUP.sub("", line)),
                                              compact(MARKUP.sub("", line).strip().lstrip(MARKS)))) if key]
        order = candidates[pointer:] + candidates[:pointer][::-1]
        found = next((v for key in keys for v in order if key in texts[v]), None)
        if found is None:
            found = next((v for key in keys for v in order if holds_in_pieces(texts[v], key)), None)
        if found is not None:
            assigned[number] = found
            pointer = max(pointer, candidates.index(found))
    return assigned


def article_lines(record: dict[str, Any], lines: list[str]) -> list[int]:
    """The truth article's lines that can be looked for: non-blank and not nothing once normalised."""
    return [n for first, last, _ in record["lines"] for n in range(first, last + 1)
            if lines[n - 1] and not lines[n - 1].isspace() and compact(lines[n - 1])]


def score_page(records: list[dict[str, Any]], lines: list[str], assigned: dict[int, int], result: Segmentation,
               candidates: list[int], variants: Variants) -> None:
    """Add one page's articles and variants to the scores."""
    owner_of: dict[int, int] = {}  # line -> truth ordinal
    role_of = {n: role for record in records for first, last, role in record["lines"] for n in range(first, last + 1)}
    mine: dict[int, list[int]] = {}
    for record in records:
        mine[record["ordinal"]] = article_lines(record, lines)
        for n in mine[record["ordinal"]]:
            owner_of[n] = record["ordinal"]
    owners: dict[int, Counter] = defaultdict(Counter)  # variant -> truth ordinal -> lines
    for n, v in assigned.items():
        if n in owner_of:
            owners[v][owner_of[n]] += 1
        else:
            result.page_lines_absorbed += 1
    layout = {record["ordinal"]: record.get("layout", "classic") for record in records}
    exact: set[int] = set()
    for record in records:
        ordinal, family = record["ordinal"], layout[record["ordinal"]]
        cover = {assigned[n] for n in mine[ordinal] if n in assigned}
        result.cover[record["page"], ordinal] = cover
        kind = ("missed" if not cover else "split" if len(cover) > 1
                else "merged" if len(owners[next(iter(cover))]) > 1
                else "lines_lost" if any(n not in assigned for n in mine[ordinal]) else "exact")
        for score in (result.families.setdefault(family, FamilyScore()), result.total):
            score.articles += 1
            setattr(score, kind, getattr(score, kind) + 1)
            if kind == "split" and any(len(owners[v]) > 1 for v in cover):  # split and merged: both
                score.merged += 1
            if kind in ("split", "merged"):
                score.edge_slips += _at_edge(mine[ordinal], ordinal, assigned, owner_of, role_of)
        if kind == "exact":
            exact.add(ordinal)
        elif len(result.families[family].examples) < SHOWN:
            result.families[family].examples.append(
                {"page": record["page"], "ordinal": ordinal, "kind": kind, "title": record.get("title"),
                 "lines": [record["first_line"], record["last_line"]],
                 "variants": sorted(variants.ordinal[v] for v in cover)})
    for v in candidates:
        if not owners[v]:
            result.spurious_variants += 1
            continue
        main = owners[v].most_common(1)[0][0]
        right = len(owners[v]) == 1 and main in exact
        for score in (result.families[layout[main]], result.total):
            score.variants += 1
            score.exact_variants += right


def _at_edge(own: list[int], ordinal: int, assigned: dict[int, int], owner_of: dict[int, int],
             role_of: dict[int, str]) -> bool:
    """Whether the lines that make an article merged or split are all at article edges: its own lines
    outside its main variant and other articles' lines inside it."""
    main = Counter(assigned[n] for n in own if n in assigned).most_common(1)[0][0]
    foreign = [n for n in own if n in assigned and assigned[n] != main]
    foreign += [n for n, v in assigned.items() if v == main and owner_of.get(n, ordinal) != ordinal]
    return all(role_of[n] in EDGE_ROLES for n in foreign)


def evaluate(dataset: Dataset, variants: Variants) -> Segmentation:
    """Score the index's segmentation of every page against the truth's line ranges."""
    on_page: dict[str, list[int]] = defaultdict(list)
    for i, source in enumerate(variants.source):
        on_page[source].append(i)
    result = Segmentation()
    page, records = None, []
    for record in chain(dataset.truth(), [None]):  # the truth is in page order; None flushes the last page
        if record is not None and record["page"] == page:
            records.append(record)
            continue
        if page is not None:
            _score(dataset, page, records, on_page, variants, result)
        if record is not None:
            page, records = record["page"], [record]
    return result


def _score(dataset: Dataset, page: str, records: list[dict[str, Any]], on_page: dict[str, list[int]],
           variants: Variants, result: Segmentation) -> None:
    lines = (dataset.root / page).read_text(encoding="utf-8").split("\n")
    candidates = sorted(on_page.get(page.removeprefix("pages/").removesuffix(".txt"), []),
                        key=lambda v: variants.ordinal[v])
    texts = {v: WHITESPACE.sub("", variants.norm[v]) for v in candidates}
    score_page(records, lines, assign_lines(lines, candidates, texts), result, candidates, variants)
