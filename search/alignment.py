"""What an alignment of a story's printings is made of: the printings prepared for comparison,
paragraph slots with every printing's reading at each place, the pieces placed in them, and flags."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from indexer.normalise import STABLE_CHARS, Normalised, fold_char, normalise
from indexer.records import Article

SECTIONS = ("head", "body")
# Characters that normalisation may change: where a printing's original differs from its normalised text.
_FOLDED = re.compile(rf"[^{STABLE_CHARS}\s]")


@dataclass(frozen=True)
class Printing:
    """One printing of the story.

    variant_id: its id. text: its display text in original characters, one part a line (as
    `Article.display_text()` gives it): `head_lines` header lines (title, kicker, byline, dateline,
    continuation), then `body_lines` body lines, then captions.
    """

    variant_id: str
    text: str
    head_lines: int
    body_lines: int

    @classmethod
    def from_article(cls, variant_id: str, article: Article) -> "Printing":
        """The printing of a segmented article."""
        return cls(variant_id, article.display_text(), len(article.head()), len(article.body))


@dataclass
class Line:
    """One non-empty line of a printing: its section, line number and normalised span."""

    section: str
    number: int
    start: int
    end: int


@dataclass
class PreparedPrinting:
    """A printing with its normalised text, code points, lines by section and folded characters.

    folded maps a normalised position to the original characters it came from where those differ
    from it (full-width punctuation, digits and letters, capitals, expansions; the later positions
    of an expansion map to ""); everywhere else the original character is the normalised one.
    folded_mask[k] is True where folded has k (one entry more, False, so that -1 indexes False).
    origins[k] is where normalised character k starts in the original text (Normalised.to_original
    for every position at once: spans are asked for by the thousand).
    """

    printing: Printing
    normalised: Normalised
    codes: np.ndarray
    lines: list[Line]
    captions: list[tuple[int, int]]
    folded: dict[int, str]
    folded_mask: np.ndarray
    origins: list[int]

    @property
    def norm(self) -> str:
        return self.normalised.text

    def form(self, start: int, end: int) -> str:
        """The normalised stretch [start, end) in the printing's own original characters, without
        layout whitespace."""
        if not self.folded:
            return self.norm[start:end]
        if end - start == 1:
            return self.folded.get(start, self.norm[start])
        return "".join(self.folded.get(k, self.norm[k]) for k in range(start, end))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that holds the normalised stretch [start, end), as
        Normalised.span_to_original gives it."""
        if end > start:
            return self.origins[start], self.origins[end - 1] + 1
        origin = self.origins[start] if start < len(self.origins) else self.origins[-1] + 1 if self.origins else 0
        return origin, origin


def prepare(printing: Printing) -> PreparedPrinting:
    """Normalise a printing and find its lines and folded characters."""
    lines_text = printing.text.split("\n")
    if printing.head_lines < 0 or printing.body_lines < 0 or \
            printing.head_lines + printing.body_lines > len(lines_text):
        raise ValueError(f"printing {printing.variant_id}: {printing.head_lines} head and {printing.body_lines} "
                         f"body lines do not fit its {len(lines_text)} lines")
    normalised = normalise(printing.text)
    norm = normalised.text
    lines, captions, origin = [], [], 0
    for number, line in enumerate(lines_text):
        start, end = normalised.from_original(origin), normalised.from_original(origin + len(line))
        origin += len(line) + 1
        while start < end and norm[start] in "\n ":
            start += 1
        while end > start and norm[end - 1] in "\n ":
            end -= 1
        if start == end:
            continue
        if number >= printing.head_lines + printing.body_lines:
            captions.append(normalised.span_to_original(start, end))
        else:
            lines.append(Line("head" if number < printing.head_lines else "body", number, start, end))
    folded: dict[int, str] = {}
    for match in _FOLDED.finditer(printing.text):
        char = match.group()
        target = fold_char(char)
        if target and target != char:
            position = normalised.from_original(match.start())
            folded[position] = char
            folded.update((position + k, "") for k in range(1, len(target)))
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32)
    folded_mask = np.zeros(len(norm) + 1, bool)
    folded_mask[list(folded)] = True
    positions = np.arange(len(norm))
    breaks, origins = np.array(normalised.norm_starts), np.array(normalised.orig_starts)
    at = np.searchsorted(breaks, positions, side="right") - 1
    return PreparedPrinting(printing, normalised, codes, lines, captions, folded, folded_mask,
                            (origins[at] + positions - breaks[at]).tolist())


@dataclass
class Slot:
    """A paragraph's place in the story and every printing's reading at each of its places.

    section: "head" or "body". reference: the slot's normalised text as printing `origin` (an index
    into Alignment.printings) reads it. A slot of n reference characters has 2n+1 places: place
    2i+1 is reference character i, place 2i the gap before it (place 2n the gap after the last).
    starts, ends: arrays of shape (printings, 2n+1); printing r reads its normalised text
    [starts[r, k], ends[r, k]) at place k (an empty reading where they are equal), and does not
    cover place k where starts[r, k] is -1. repeats: for a slot holding a stretch that its origin
    prints a second time, the index of the slot holding the first copy (the consensus keeps a second
    copy only where most printings print it twice); else None.
    """

    section: str
    reference: str
    origin: int
    starts: np.ndarray
    ends: np.ndarray
    repeats: int | None = None

    def readers(self) -> np.ndarray:
        """Per printing, True if it reads any text in this slot."""
        return np.any(self.ends > self.starts, axis=1)

    def coverers(self) -> np.ndarray:
        """Per printing, True if it covers any place of this slot."""
        return np.any(self.starts >= 0, axis=1)


@dataclass(frozen=True)
class Piece:
    """A stretch [start, end) of a printing's normalised text (from its line `line`) placed in a slot,
    at places first..last."""

    printing: int
    line: int
    slot: int
    start: int
    end: int
    first: int
    last: int


@dataclass(frozen=True)
class Flag:
    """Something a printing does that alignment worked around.

    kind: "repeated" (the printing prints this stretch twice; the copy on `line` stands in a slot of its
    own, see Slot.repeats, or was left out where it is under half the stretch) or
    "moved" (the stretch on `line` stands elsewhere in the printing's order than in the story's).
    slot: index of the slot it belongs to.
    """

    variant_id: str
    kind: str
    line: int
    slot: int

    def to_dict(self) -> dict[str, Any]:
        return {"variant_id": self.variant_id, "kind": self.kind, "line": self.line, "slot": self.slot}


@dataclass
class Alignment:
    """The printings of a story aligned: slots in story order (head slots first), the pieces placed
    in them, and the flags raised on the way."""

    printings: list[PreparedPrinting]
    slots: list[Slot]
    pieces: list[Piece]
    flags: list[Flag] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: for each slot its section, the printing it was taken from, which printings read
        text in it and which cover it; the flags; each printing's captions (set aside) as text and
        original span."""
        ids = [p.printing.variant_id for p in self.printings]
        return {
            "slots": [{"section": slot.section, "origin": ids[slot.origin], "repeats": slot.repeats,
                       "readers": [ids[r] for r in np.flatnonzero(slot.readers()).tolist()],
                       "covering": [ids[r] for r in np.flatnonzero(slot.coverers()).tolist()]}
                      for slot in self.slots],
            "flags": [flag.to_dict() for flag in self.flags],
            "captions": [{"variant_id": ids[i], "text": p.printing.text[s:e], "span": [s, e]}
                         for i, p in enumerate(self.printings) for s, e in p.captions],
        }
