"""The consensus text of a story's aligned printings: at each place the reading most printings agree on.

It is decided at two levels. A paragraph slot is kept when at least as many of the printings covering
it read text there as lack it (OCR and layout drop paragraphs more often than they invent them); a
slot holding a second copy of a stretch (search.align), when more than half of the printings covering
the first copy print it twice (so that one printing repeating a paragraph by mistake is outvoted even
by a single other printing, while a paragraph the story itself repeats stays twice).
Inside a kept slot, each place takes the reading most of the printings that have the paragraph agree
on, ties broken by `TIE_RULE`. Support at a place is the share of all printings covering it (see
search.align) that read what the consensus reads, so a printing lacking the paragraph counts against
it; a printing that does not reach a place (a partial printing) counts neither way.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from rapidfuzz.distance import Levenshtein

from indexer.normalise import normalise_text
from search.alignment import Alignment, Slot

# (correct, observed) -> how likely OCR reads `observed` where `correct` was printed; 0 if unknown.
ConfusionWeight = Callable[[str, str], float]

# The longest reading a tie prefers for its length; among longer ones the shorter wins (see TIE_RULE).
LONGEST_DROP = 4

TIE_RULE = (
    "A paragraph is kept when at least as many of the printings covering it have it as lack it "
    "(a second copy of a paragraph, when more than half of the printings covering the first copy "
    "print it twice). "
    "Among readings that the same number of printings read: first the reading that is the "
    "likelier OCR source of the others (confusion_weight(reading, other) summed over the other tied "
    "readings; only with a confusion_weight), then the reading of the printings that agree most with "
    "the majority elsewhere in the story (their reliabilities summed), then the longer reading (OCR "
    f"drops characters more often than it adds them) among readings of at most {LONGEST_DROP} characters, "
    "any of which goes before a longer one, and the shorter among longer ones (a stretch that as many "
    "printings lack as read, such as a run-in dateline, was more likely added), then the reading of the "
    "printing given first."
)


@dataclass
class Vote:
    """The readings of one place where not every covering printing reads the slot's reference text
    in its plain form: normalised reading -> indices of the printings reading it, the reading chosen
    and whether the tie rule chose it."""

    readings: dict[str, list[int]]
    winner: str = ""
    tied: bool = False


@dataclass
class Consensus:
    """A story's consensus text with per-character support.

    text: head lines, then body paragraphs, one a line, in original characters (each reading in the
    form most of its printings print it; whitespace as normalisation leaves it). head_lines: how
    many of its lines are head lines. support[i]: the share of the printings covering character i's
    place that read it (a line break carries the values of the character before it). coverage[i]:
    how many printings cover that place. reliability: per variant id, the share of the places it
    covers where it reads what a strict majority reads. ties: how many places the tie rule decided.
    kept, votes and offsets are for search.differences: per slot whether the consensus keeps it;
    the votes (of the printings that read text in the slot) at every place they do not all read
    plainly alike, by (slot, place); per slot the offset in `text` where each place starts (one more
    entry for the end).
    """

    text: str
    head_lines: int
    support: list[float]
    coverage: list[int]
    reliability: dict[str, float]
    ties: int
    kept: list[bool] = field(repr=False)
    votes: dict[tuple[int, int], Vote] = field(repr=False)
    offsets: list[np.ndarray] = field(repr=False)

    def winner(self, alignment: Alignment, slot: int, place: int) -> str:
        """The normalised reading the consensus takes at a place."""
        vote = self.votes.get((slot, place))
        if vote is not None:
            return vote.winner
        return alignment.slots[slot].reference[place // 2] if place % 2 else ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: text, head_lines, support (rounded to 4 places), coverage, reliability, ties
        and the tie rule in words."""
        return {"text": self.text, "head_lines": self.head_lines,
                "support": [round(s, 4) for s in self.support], "coverage": self.coverage,
                "reliability": {k: round(v, 4) for k, v in self.reliability.items()},
                "ties": self.ties, "tie_rule": TIE_RULE}


def build_consensus(alignment: Alignment, confusion_weight: ConfusionWeight | None = None) -> Consensus:
    """The consensus of aligned printings; `confusion_weight` lets a known OCR confusion's source win ties."""
    votes: dict[tuple[int, int], Vote] = {}
    covered_columns = np.zeros(len(alignment.printings), np.int64)
    for index, slot in enumerate(alignment.slots):
        covered_columns += np.count_nonzero(slot.starts[:, 1::2] >= 0, axis=1)
        for place, vote in _tally(alignment, slot).items():
            votes[(index, place)] = vote
    reliability = _reliability(votes, covered_columns)
    ties = 0
    for vote in votes.values():
        vote.winner, vote.tied = _choose(vote.readings, reliability, confusion_weight)
        ties += vote.tied
    kept = [_kept(alignment.slots, slot) for slot in alignment.slots]
    text, head_lines, support, coverage, offsets = _assemble(alignment, votes, kept)
    ids = [p.printing.variant_id for p in alignment.printings]
    return Consensus(text, head_lines, support, coverage, dict(zip(ids, reliability.tolist())), ties,
                     kept, votes, offsets)


def _kept(slots: list[Slot], slot: Slot) -> bool:
    """Whether the consensus keeps a slot: at least as many of the printings covering it read text in it
    as lack it; for a second copy of a stretch, more than half the printings covering the first copy."""
    readers = int(np.count_nonzero(slot.readers()))
    if slot.repeats is not None:
        return readers * 2 > int(np.count_nonzero(slots[slot.repeats].coverers()))
    return readers * 2 >= int(np.count_nonzero(slot.coverers()))


def _tally(alignment: Alignment, slot: Slot) -> dict[int, Vote]:
    """Votes of the printings reading text in a slot, at the places where one of them reads other
    than the reference's character (or empty gap), or reads it in a folded form (full-width,
    capital) that may differ."""
    reference = np.frombuffer(slot.reference.encode("utf-32-le"), dtype=np.uint32)
    explicit = np.zeros(slot.starts.shape[1], bool)
    readers = slot.readers()
    for row in np.flatnonzero(readers).tolist():
        printing = alignment.printings[row]
        starts, ends = slot.starts[row], slot.ends[row]
        covered = starts >= 0
        column_starts, column_ends = starts[1::2], ends[1::2]
        single = covered[1::2] & (column_ends - column_starts == 1)
        same = single.copy()
        same[single] = printing.codes[column_starts[single]] == reference[single]
        explicit[1::2] |= covered[1::2] & ~same
        explicit[0::2] |= covered[0::2] & (ends[0::2] > starts[0::2])
        if printing.folded:
            explicit[1::2] |= printing.folded_mask[column_starts]
    places = np.flatnonzero(explicit)
    rows = np.flatnonzero(readers)
    texts = [alignment.printings[row].norm for row in rows.tolist()]
    votes = {}
    for place, starts, ends in zip(places.tolist(), slot.starts[np.ix_(rows, places)].T.tolist(),
                                   slot.ends[np.ix_(rows, places)].T.tolist()):
        readings: dict[str, list[int]] = {}
        for row, text, start, end in zip(rows.tolist(), texts, starts, ends):
            if start >= 0:
                readings.setdefault(text[start:end], []).append(row)
        votes[place] = Vote(readings)
    return votes


def _reliability(votes: dict[tuple[int, int], Vote], covered_columns: np.ndarray) -> np.ndarray:
    """Per printing, the share of the places it covers where it reads what a strict majority reads."""
    disagreements = np.zeros(len(covered_columns), np.int64)
    for vote in votes.values():
        counts = sorted((len(rows) for rows in vote.readings.values()), reverse=True)
        if len(counts) < 2 or counts[0] == counts[1]:
            continue
        for rows in vote.readings.values():
            if len(rows) < counts[0]:
                disagreements[rows] += 1
    return np.clip(1.0 - disagreements / np.maximum(covered_columns, 1), 0.0, 1.0)


def _choose(readings: dict[str, list[int]], reliability: np.ndarray,
            confusion_weight: ConfusionWeight | None) -> tuple[str, bool]:
    """The reading most printings read, by TIE_RULE among equals; and whether the rule was needed."""
    most = max(len(rows) for rows in readings.values())
    tied = [reading for reading, rows in readings.items() if len(rows) == most]
    if len(tied) == 1:
        return tied[0], False

    def rank(reading: str) -> tuple[float, float, int, int]:
        confusion = sum(confusion_weight(reading, other) for other in tied if other != reading) \
            if confusion_weight else 0.0
        rows = readings[reading]
        # OCR drops a character or a few; a longer stretch that only some printings read (a run-in
        # dateline, a byline, a caption's words) was more likely added
        length = len(reading) if len(reading) <= LONGEST_DROP else -len(reading)
        return confusion, float(reliability[rows].sum()), length, -min(rows)

    return max(tied, key=rank), True


def _assemble(alignment: Alignment, votes: dict[tuple[int, int], Vote],
              kept: list[bool]) -> tuple[str, int, list[float], list[int], list[np.ndarray]]:
    """The consensus text from the winners in the kept slots; paragraphs joined where most printings
    that read text in both run them together in one line."""
    by_slot: dict[int, list[int]] = {}
    for index, place in sorted(votes):
        by_slot.setdefault(index, []).append(place)
    joined = _joins(alignment)
    text: list[str] = []
    support: list[float] = []
    coverage: list[int] = []
    offsets, head_lines, previous, length = [], 0, None, 0
    for index, slot in enumerate(alignment.slots):
        cover = np.count_nonzero(slot.starts >= 0, axis=0)
        agree = np.count_nonzero(slot.starts[slot.readers()] >= 0, axis=0)
        lengths = np.zeros(len(cover), np.int64)
        lengths[1::2] = kept[index]
        parts, done = [], 0
        for place in by_slot.get(index, ()) if kept[index] else ():
            vote = votes[(index, place)]
            form = _form(alignment, slot, place, vote)
            parts += [slot.reference[done // 2:place // 2], form]
            lengths[place] = len(form)
            agree[place] = len(vote.readings.get(vote.winner, ()))
            done = place + 1
        parts.append(slot.reference[done // 2:] if kept[index] else "")
        slot_text = "".join(parts)
        if slot_text:
            if previous is not None and not (alignment.slots[previous].section == slot.section
                                              and joined.get((previous, index), False)):
                text.append("\n")
                support.append(support[-1])
                coverage.append(coverage[-1])
                length += 1
                head_lines += alignment.slots[previous].section == "head"
            previous = index
        offsets.append(length + np.concatenate([[0], np.cumsum(lengths)]))
        text.append(slot_text)
        share = agree / np.maximum(cover, 1)
        support += np.repeat(share, lengths).tolist()
        coverage += np.repeat(cover, lengths).tolist()
        length += len(slot_text)
    if previous is not None and alignment.slots[previous].section == "head":
        head_lines += 1
    return "".join(text), head_lines, support, coverage, offsets


def _form(alignment: Alignment, slot: Slot, place: int, vote: Vote) -> str:
    """The winning reading in the form most of the printings that read it print it (the first
    printing's form among equals)."""
    forms = [alignment.printings[row].form(int(slot.starts[row, place]), int(slot.ends[row, place]))
             for row in vote.readings.get(vote.winner, ())]
    if not forms or all(form == forms[0] for form in forms):
        return forms[0] if forms else vote.winner
    return Counter(forms).most_common(1)[0][0]


def _joins(alignment: Alignment) -> dict[tuple[int, int], bool]:
    """For each pair of slots, whether the printings that read text in both mostly read the end of
    the first and the start of the second on one line."""
    ends: dict[tuple[int, int], tuple[int, int]] = {}  # (row, slot) -> line at its first place, at its last
    for piece in alignment.pieces:
        key = (piece.printing, piece.slot)
        first, last = ends.get(key, ((piece.first, piece.line), (piece.last, piece.line)))
        ends[key] = (min(first, (piece.first, piece.line)), max(last, (piece.last, piece.line)))
    slots_of: dict[int, list[int]] = {}
    for row, slot in sorted(ends):
        slots_of.setdefault(row, []).append(slot)
    votes: Counter = Counter()
    for row, slots in slots_of.items():
        for before, after in zip(slots, slots[1:]):
            same_line = ends[(row, before)][1][1] == ends[(row, after)][0][1]
            votes[(before, after, same_line)] += 1
    pairs = {(before, after) for before, after, _ in votes}
    return {(before, after): votes[(before, after, True)] > votes[(before, after, False)] for before, after in pairs}


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance between the two texts over the reference's length, both normalised
    (indexer.normalise) and without line breaks, so that layout and character width do not count."""
    reference_norm = normalise_text(reference).replace("\n", "")
    hypothesis_norm = normalise_text(hypothesis).replace("\n", "")
    return Levenshtein.distance(reference_norm, hypothesis_norm) / max(1, len(reference_norm))
