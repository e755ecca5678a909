"""Where the printings of a story disagree: runs of aligned places with each printing's reading.

A difference is a run of places in one slot where the covering printings do not all read the same
normalised text, held together by a printing that departs from the consensus at each next place
(errors of different printings that happen to touch stay apart); places between that everyone
reads alike as an empty gap do not part a run, and a run inside a number or Latin word is widened
to the whole of it (1.64 against 164, not "." against nothing). Places where the readings differ only in form (full- or half-width punctuation, digits or
letters, capitals) make width-only differences, which views fold unless asked for punctuation.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np

from search.alignment import Alignment, PreparedPrinting
from search.consensus import Consensus, Vote


@dataclass(frozen=True)
class Reading:
    """What some of the printings read at a difference.

    text: the reading in original characters, as the first of its printings prints it (its span's
    text). normalised: the reading in normalised characters (what agreement is judged on; for a
    width-only difference readings are told apart by their original characters instead).
    variants: the ids of the printings that read it, in input order. spans: for each of them, the
    [start, end) span of its display text holding the reading (start == end for an empty reading,
    at the place the text would go). consensus: True for the reading the consensus text takes.
    """

    text: str
    normalised: str
    variants: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    consensus: bool

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "normalised": self.normalised, "variants": list(self.variants),
                "spans": [list(span) for span in self.spans], "consensus": self.consensus}


@dataclass(frozen=True)
class Difference:
    """One place where the printings disagree.

    slot: index of the paragraph slot (Alignment.slots); section: "head" or "body". start, end: the
    span of the consensus text the difference concerns (start == end where the consensus reads
    nothing). consensus: that span's text. kind: "punctuation" when every reading is punctuation or
    empty, else "insertion" when the consensus reads nothing (some printings add text), "deletion"
    when some printing reads nothing, else "substitution". width_only: the readings differ only in
    form (full- or half-width, capitals). covering: how many printings read at this place (a partial
    printing that does not reach it is not counted). support: the share of those that read the
    consensus. readings: most read first. paragraph: True for a paragraph that some covering
    printings lack altogether; its readings are then the printings that have it (its text as the
    first of them prints it, each one's span over its own version) and those that lack it (empty,
    at the place it would go). Differences inside such a paragraph, among the printings that have
    it, are listed on their own (with `covering` counting only those).
    """

    slot: int
    section: str
    start: int
    end: int
    consensus: str
    kind: str
    width_only: bool
    covering: int
    support: float
    readings: tuple[Reading, ...]
    paragraph: bool

    def to_dict(self) -> dict[str, Any]:
        return {"slot": self.slot, "section": self.section, "start": self.start, "end": self.end,
                "consensus": self.consensus, "kind": self.kind, "width_only": self.width_only,
                "paragraph": self.paragraph, "covering": self.covering, "support": round(self.support, 4),
                "readings": [reading.to_dict() for reading in self.readings]}


_NO_VOTE = Vote({})


def find_differences(alignment: Alignment, consensus: Consensus) -> list[Difference]:
    """Every difference among the aligned printings, width-only ones included, in consensus order:
    for a paragraph some printings lack, one difference for the paragraph and the differences among
    the printings that have it."""
    real: dict[int, set[int]] = {}
    width: dict[int, set[int]] = {}
    for (index, place), vote in consensus.votes.items():
        slot = alignment.slots[index]
        if len(vote.readings) > 1:
            real.setdefault(index, set()).add(place)
        elif len({alignment.printings[row].form(int(slot.starts[row, place]), int(slot.ends[row, place]))
                  for row in vote.readings[vote.winner]}) > 1:
            width.setdefault(index, set()).add(place)
    found = []
    for index, slot in enumerate(alignment.slots):
        readers = slot.readers()
        if np.any(slot.coverers() & ~readers) and readers.any():
            found.append(_paragraph(alignment, consensus, index))
        if not consensus.kept[index]:
            continue
        marked = real.get(index, set())
        runs = [(first, last, False) for first, last in _runs(alignment, consensus, index, marked)]
        runs += [(first, last, True) for first, last in _runs(alignment, consensus, index, width.get(index, set()))
                 if not any(first <= other_last and other_first <= last for other_first, other_last, _ in runs)]
        for first, last, width_only in sorted(runs):
            difference = _difference(alignment, consensus, index, first, last, width_only)
            if difference is not None:
                found.append(difference)
    return found


def _runs(alignment: Alignment, consensus: Consensus, index: int, marked: set[int]) -> list[tuple[int, int]]:
    """Runs of marked places, widened over numbers and Latin words: a run goes on at the next marked
    place if a printing departs from the consensus at both and nothing agreed parts them."""
    runs: list[list[int]] = []
    departing: set[int] = set()
    for place in sorted(marked):
        vote = consensus.votes[(index, place)]
        here = {row for reading, rows in vote.readings.items() if reading != vote.winner for row in rows}
        if runs and _continues(runs[-1][1], place) and here & departing:
            runs[-1][1] = place
        else:
            runs.append([place, place])
        departing = here
    widened: list[list[int]] = []
    for first, last in runs:
        readings = [reading for place in range(first, last + 1)
                    for reading in consensus.votes.get((index, place), _NO_VOTE).readings]
        first, last = _widen(alignment.slots[index].reference, marked, first, last, readings)
        if widened and first <= widened[-1][1]:
            widened[-1][1] = max(widened[-1][1], last)
        else:
            widened.append([first, last])
    return [(first, last) for first, last in widened]


def _continues(last: int, place: int) -> bool:
    """True if `place` follows `last` with nothing agreed between: next to it, or past a gap after a
    character (where everyone reading nothing parts nothing)."""
    return place - last == 1 or place - last == 2 and last % 2 == 1


def _widen(reference: str, marked: set[int], first: int, last: int, readings: list[str]) -> tuple[int, int]:
    """Extend a run over the agreed characters of the number or Latin word it falls in: one whose
    readings hold letters or digits, or that stands between two of them (a decimal point)."""

    def word_char(column: int, step: int) -> bool:
        if not 0 <= column < len(reference) or 2 * column + 1 in marked:
            return False
        char = reference[column]
        if char == ".":  # a decimal point only before a digit
            return 0 <= column + step < len(reference) and reference[column + step].isdigit()
        return char.isascii() and char.isalnum()

    if not (any(c.isascii() and c.isalnum() for reading in readings for c in reading)
            or word_char(first // 2 - 1, -1) and word_char((last + 1) // 2, 1)):
        return first, last
    while word_char(first // 2 - 1, -1):
        first = 2 * (first // 2 - 1) + 1
    while word_char((last + 1) // 2, 1):
        last = 2 * ((last + 1) // 2) + 1
    return first, last


def _difference(alignment: Alignment, consensus: Consensus, index: int, first: int, last: int,
                width_only: bool) -> Difference | None:
    """The difference over places first..last of a slot, read by the printings that have the
    paragraph and cover all of those places."""
    slot = alignment.slots[index]
    rows = np.flatnonzero(np.all(slot.starts[:, first:last + 1] >= 0, axis=1) & slot.readers()).tolist()
    agreed = "".join(consensus.winner(alignment, index, place) for place in range(first, last + 1))
    groups: dict[str, list[tuple[int, str, tuple[int, int]]]] = {}
    for row, starts, ends in zip(rows, slot.starts[rows, first:last + 1].tolist(),
                                 slot.ends[rows, first:last + 1].tolist()):
        printing = alignment.printings[row]
        if first == last:  # one place, the common case, read directly
            normalised, span = printing.norm[starts[0]:ends[0]], printing.original_span(starts[0], ends[0])
            key = printing.form(starts[0], ends[0]) if width_only else normalised
        else:
            pairs = list(zip(starts, ends))
            normalised, span = "".join(printing.norm[start:end] for start, end in pairs), _span(printing, pairs)
            key = "".join(printing.form(start, end) for start, end in pairs) if width_only else normalised
        groups.setdefault(key, []).append((row, normalised, span))
    if len(groups) < 2:
        return None
    start, end = int(consensus.offsets[index][first]), int(consensus.offsets[index][last + 1])
    agreed_text = consensus.text[start:end]
    ids = [p.printing.variant_id for p in alignment.printings]
    readings = []
    for key, members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[1][0][0])):
        row, normalised, (span_start, span_end) = members[0]
        chosen = key == (agreed_text if width_only else agreed)
        readings.append(Reading(alignment.printings[row].printing.text[span_start:span_end], normalised,
                                tuple(ids[m[0]] for m in members), tuple(m[2] for m in members), chosen))
    agreeing = sum(len(r.variants) for r in readings if r.consensus)
    return Difference(index, slot.section, start, end, agreed_text,
                      _kind([r.normalised for r in readings], agreed), width_only, len(rows),
                      agreeing / max(1, len(rows)), tuple(readings), False)


def _paragraph(alignment: Alignment, consensus: Consensus, index: int) -> Difference:
    """The difference of a paragraph slot that some covering printings have and others lack."""
    slot = alignment.slots[index]
    readers, lacking = slot.readers(), slot.coverers() & ~slot.readers()
    ids = [p.printing.variant_id for p in alignment.printings]
    have = np.flatnonzero(readers).tolist()
    spans = tuple(_span(alignment.printings[row], list(zip(slot.starts[row].tolist(), slot.ends[row].tolist())))
                  for row in have)
    first_printing = alignment.printings[have[0]]
    present = Reading(first_printing.printing.text[spans[0][0]:spans[0][1]],
                      first_printing.norm[first_printing.normalised.from_original(spans[0][0]):
                                          first_printing.normalised.from_original(spans[0][1])],
                      tuple(ids[row] for row in have), spans, consensus.kept[index])
    absent_rows = np.flatnonzero(lacking).tolist()
    absent = Reading("", "", tuple(ids[row] for row in absent_rows),
                     tuple(_span(alignment.printings[row], [(int(slot.starts[row].max()),) * 2])
                           for row in absent_rows), not consensus.kept[index])
    readings = (present, absent) if len(have) >= len(absent_rows) else (absent, present)
    start, end = int(consensus.offsets[index][0]), int(consensus.offsets[index][-1])
    covering = len(have) + len(absent_rows)
    return Difference(index, slot.section, start, end, consensus.text[start:end],
                      "deletion" if consensus.kept[index] else "insertion", False, covering,
                      (len(have) if consensus.kept[index] else len(absent_rows)) / covering, readings, True)


def _span(printing: PreparedPrinting, pairs: list[tuple[int, int]]) -> tuple[int, int]:
    """The original span of a printing's reading at places whose normalised [start, end) are `pairs`
    (uncovered ones -1): from its first to its last character read there, or the empty span where
    its reading would go."""
    read = [(start, end) for start, end in pairs if end > start]
    if not read:
        start = next(start for start, _ in pairs if start >= 0)
        return printing.original_span(start, start)
    return printing.original_span(min(start for start, _ in read), max(end for _, end in read))


def _kind(readings: list[str], agreed: str) -> str:
    """What a difference is, from its normalised readings and the consensus's (see Difference.kind)."""
    if all(unicodedata.category(c)[0] in "PS" for reading in readings for c in reading):
        return "punctuation"
    if not agreed:
        return "insertion"
    return "deletion" if "" in readings else "substitution"
