"""Align the printings of one story: their paragraphs into slots, their characters into places.

Comparison runs on normalised text (indexer.normalise). The printings are taken in order of
completeness (see _completeness); each line of a printing is located among the slots the printings
before it brought, by votes of shared character trigrams on the diagonals of a slot, then aligned to
the slot's text with rapidfuzz's Levenshtein opcodes. A line that matches no slot becomes a new slot
right after the slot its printing placed last, so paragraphs only some printings have keep their
place. A stretch of a line that matches elsewhere (two paragraphs printed as one) is placed on its
own; a stretch a printing prints twice is aligned once and flagged, and so is a paragraph placed out
of its printing's order. Head lines and body lines are aligned separately; captions are set aside.

Inside a slot every printing is aligned to the slot's reference text (a star alignment), which gives
each slot of n characters 2n+1 places: each reference character and each gap before, between and
after them, where a printing may read extra text. A printing covers the places from the first to
the last it has text at, section by section: there a missing paragraph or character is an empty
reading, while places outside (a printing of only the second half) are not covered and count neither
way.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import replace
from typing import Iterator, Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein

from search.alignment import SECTIONS, Alignment, Flag, Line, Piece, PreparedPrinting, Printing, Slot, prepare

GRAM = 3
# A gram found more often than this among the slots tells nothing about where a line belongs.
COMMON_GRAM = 24
# A stretch of a line at least this long outside the part that matched a slot is placed on its own.
MIN_PIECE = 12
# Trigram votes a slot needs (and their share of the stretch's trigrams) to be the stretch's place.
MIN_VOTES = 3
MIN_VOTE_SHARE = 0.2
# Where only part of a stretch matched, that part must be this long or half the stretch (a shared
# phrase is not a shared paragraph) and hold votes for this share of its trigrams.
MIN_MATCH = 24
MIN_MATCH_DENSITY = 0.4
# Share of a stretch's characters that must align to equal ones, at the place it was voted to ...
MIN_SIMILARITY = 0.5
# ... and at the place right after the printing's last one, which is tried first (in the slot it
# placed text in last, and at the start of this many slots after it).
EXPECTED_SIMILARITY = 0.8
EXPECTED_SLOTS = 2
# Characters of the slot taken in beyond the voted stretch, so that its ends can align.
SLACK = 4
# A stretch whose places were this much taken already by the same printing is a repeat.
REPEAT_SHARE = 0.5
# Characters a stretch must have to tell a repeated paragraph from a phrase the story uses twice.
REPEAT_GRAM = 8


def align(printings: Sequence[Printing]) -> Alignment:
    """Align the printings of one story (at least one; variant ids unique)."""
    if not printings:
        raise ValueError("no printings to align")
    ids = [p.variant_id for p in printings]
    if len(set(ids)) != len(ids):
        raise ValueError(f"variant ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
    prepared = [prepare(p) for p in printings]
    builder = _Builder(prepared)
    completeness = _completeness(prepared)
    for row in sorted(range(len(prepared)), key=lambda r: (-completeness[r], r)):
        builder.place_printing(row)
    return builder.finish()


def _completeness(printings: list[PreparedPrinting]) -> list[int]:
    """How much of the story each printing holds: the distinct body trigrams it shares with another
    printing, and half of those it has alone (each misread character makes up to three of these and
    loses as many shared ones, so noise does not pay, while a paragraph only it has does: two
    printings share only what both have), less the characters it prints again (a paragraph printed
    twice, or run into another, would make a poor frame for the others)."""
    grams = []
    for printing in printings:
        codes = [_gram_codes(printing.codes[line.start:line.end]) for line in printing.lines if line.section == "body"]
        grams.append(np.unique(np.concatenate(codes) if codes else np.zeros(0, np.int64)))
    everywhere, printed_by = np.unique(np.concatenate(grams), return_counts=True)
    shared = everywhere[printed_by > 1] if len(printings) > 1 else everywhere
    completeness = []
    for own, printing in zip(grams, printings):
        common = int(np.count_nonzero(np.isin(own, shared)))
        completeness.append(common + (len(own) - common) // 2 - _printed_again(printing))
    return completeness


def _printed_again(printing: PreparedPrinting) -> int:
    """Body characters that start a stretch of REPEAT_GRAM characters the printing printed before
    (natural text seldom repeats so long a stretch; a repeated paragraph repeats all of its own)."""
    seen: set[str] = set()
    again = 0
    for line in printing.lines:
        if line.section == "body":
            for k in range(line.start, line.end - REPEAT_GRAM + 1):
                stretch = printing.norm[k:k + REPEAT_GRAM]
                again += stretch in seen
                seen.add(stretch)
    return again


def _gram_codes(codes: np.ndarray) -> np.ndarray:
    """One integer per character trigram (code points are under 2**21)."""
    if len(codes) < GRAM:
        return np.zeros(0, np.int64)
    wide = codes.astype(np.int64)
    return (wide[:-2] << 42) | (wide[1:-1] << 21) | wide[2:]


class _SlotIndex:
    """The slots of one section in story order, with the trigram positions of their references."""

    def __init__(self) -> None:
        self.order: list[int] = []  # slot ids
        self.grams: dict[str, list[tuple[int, int]]] = {}
        self.base: dict[int, int] = {}  # slot id -> position of its start in the section's references laid end to end

    def insert(self, slot_id: int, after: int | None, reference: str, slot_lengths: dict[int, int]) -> None:
        at = self.order.index(after) + 1 if after is not None else 0
        self.order.insert(at, slot_id)
        for j in range(len(reference) - GRAM + 1):
            self.grams.setdefault(reference[j:j + GRAM], []).append((slot_id, j))
        total = 0
        for sid in self.order:
            self.base[sid] = total
            total += slot_lengths[sid] + 1

    def remove(self, slot_id: int, reference: str) -> None:
        """Take a slot out (to be inserted again cut in two)."""
        self.order.remove(slot_id)
        for j in range(len(reference) - GRAM + 1):
            self.grams[reference[j:j + GRAM]].remove((slot_id, j))

    def before(self, slot_id: int) -> int | None:
        """The slot that precedes a slot, if any."""
        at = self.order.index(slot_id)
        return self.order[at - 1] if at else None

    def coordinate(self, slot_id: int, offset: int) -> int:
        return self.base[slot_id] + offset

    def after(self, slot_id: int) -> int | None:
        """The slot that follows a slot, if any."""
        at = self.order.index(slot_id) + 1
        return self.order[at] if at < len(self.order) else None


class _Builder:
    """Places the printings' lines into slots one printing at a time."""

    def __init__(self, printings: list[PreparedPrinting]) -> None:
        self.printings = printings
        self.slots: list[Slot] = []
        self.pieces: list[Piece] = []
        self.flags: list[Flag] = []
        self.sections = {section: _SlotIndex() for section in SECTIONS}
        self.lengths: dict[int, int] = {}

    def place_printing(self, row: int) -> None:
        printing = self.printings[row]
        for section in SECTIONS:
            anchor: tuple[int, int] | None = None  # (slot, offset) just after the last placed stretch
            for line in printing.lines:
                if line.section == section:
                    anchor = self._place(row, line, line.start, line.end, anchor)

    def _place(self, row: int, line: Line, start: int, end: int, anchor: tuple[int, int] | None) -> tuple[int, int]:
        """Place the stretch [start, end) of a line; returns the anchor after it."""
        text = self.printings[row].norm[start:end]
        found = self._expected(text, line.section, anchor) or self._vote(row, text, line.section, anchor)
        if found is None:
            return self._new_slot(row, line, start, end, anchor)
        slot_id, window_start, window_end, cut_start, cut_end = found
        if cut_start:
            anchor = self._place(row, line, start, start + cut_start, anchor)
        opcodes = self._opcodes(text, found)
        if opcodes is None:
            anchor = self._new_slot(row, line, start + cut_start, start + cut_end, anchor)
        elif self._read_already(row, slot_id, window_start + opcodes[0][1], window_start + opcodes[-1][2]):
            # a second copy stands where the printing prints it; the consensus decides whether it is noise
            first_copy = self.slots[slot_id].repeats
            anchor = self._new_slot(row, line, start + cut_start, start + cut_end, anchor,
                                    repeats=slot_id if first_copy is None else first_copy)
            self.flags.append(Flag(self.printings[row].printing.variant_id, "repeated", line.number, anchor[0]))
        else:
            anchor = self._fill(row, line, slot_id, window_start, start + cut_start, opcodes) or anchor
        if cut_end < len(text):
            anchor = self._place(row, line, start + cut_end, end, anchor)
        return anchor

    def _opcodes(self, text: str, found: tuple[int, int, int, int, int]) -> list[tuple] | None:
        """The edits from the window of a slot to the part of a stretch found there (without deletions
        at either end), or None if too few of the part's characters align to equal ones."""
        slot_id, window_start, window_end, cut_start, cut_end = found
        reference = self.slots[slot_id].reference
        opcodes = [tuple(op) for op in Levenshtein.opcodes(reference[window_start:window_end], text[cut_start:cut_end])]
        while opcodes and opcodes[0][0] == "delete":
            opcodes.pop(0)
        while opcodes and opcodes[-1][0] == "delete":
            opcodes.pop()
        equal = sum(op[2] - op[1] for op in opcodes if op[0] == "equal")
        return opcodes if equal >= MIN_SIMILARITY * (cut_end - cut_start) else None

    def _expected(self, text: str, section: str, anchor: tuple[int, int] | None) -> tuple[int, int, int, int, int] | None:
        """The stretch's place if it is where the printing's order says: right after its last one, in
        the rest of that slot or at the start of one of the next (another printing may have put a
        paragraph of its own in between)."""
        index = self.sections[section]
        if not index.order:
            return None
        if anchor is None:
            candidates = [(index.order[0], 0)]
        else:
            candidates = [anchor] if anchor[1] < self.lengths[anchor[0]] - SLACK else []
            following = anchor[0]
            while len(candidates) < EXPECTED_SLOTS and (following := index.after(following)) is not None:
                candidates.append((following, 0))
        for slot_id, offset in candidates:
            window_end = min(self.lengths[slot_id], offset + len(text) + SLACK)
            reference = self.slots[slot_id].reference[offset:window_end]
            # the window's extra characters past the stretch's end cost one edit each
            budget = int((1 - EXPECTED_SIMILARITY) * len(text)) + 1 + max(0, len(reference) - len(text))
            if Levenshtein.distance(reference, text, score_cutoff=budget) <= budget:
                return slot_id, offset, window_end, 0, len(text)
        return None

    def _vote(self, row: int, text: str, section: str, anchor: tuple[int, int] | None) -> tuple[int, int, int, int, int] | None:
        """The slot and window a stretch's trigrams vote for, with the part of the stretch that matched
        there: the best-voted place this printing has not read yet (nearest the anchor among equals),
        else, for a stretch long enough to tell, the best-voted place it has read (it is a repeat)."""
        repeat = None
        for votes, cluster in self._clusters(text, section, anchor):
            if votes < max(MIN_VOTES, MIN_VOTE_SHARE * (len(text) - GRAM + 1)):
                break
            slot_id = cluster[0][0]
            first_j, last_j = min(h[2] for h in cluster), max(h[2] for h in cluster) + GRAM
            first_offset, last_offset = min(h[3] for h in cluster), max(h[3] for h in cluster) + GRAM
            cut_start = first_j if _apart(first_j, first_offset) else 0
            cut_end = last_j if _apart(len(text) - last_j, self.lengths[slot_id] - last_offset) else len(text)
            matched = last_j - first_j
            if (cut_start or cut_end < len(text)) and (matched < min(MIN_MATCH, len(text) / 2)
                                                       or votes < MIN_MATCH_DENSITY * (matched - GRAM + 1)):
                continue
            window_start = max(0, first_offset - (first_j - cut_start) - SLACK)
            window_end = min(self.lengths[slot_id], last_offset + (cut_end - last_j) + SLACK)
            found = slot_id, window_start, window_end, cut_start, cut_end
            taken = self.slots[slot_id].starts[row, 2 * first_offset + 1:2 * last_offset:2] >= 0
            if np.count_nonzero(taken) < REPEAT_SHARE * taken.size:
                return found
            if repeat is None and len(text) >= MIN_MATCH:
                repeat = found
        return repeat

    def _clusters(self, text: str, section: str,
                  anchor: tuple[int, int] | None) -> Iterator[tuple[int, list[tuple[int, int, int, int]]]]:
        """(votes, hits) for every diagonal of every slot the stretch's trigrams hit, best first: the
        votes of a diagonal are the hits on the diagonals near it (indels shift them); among equal
        votes the diagonal with more hits of its own, then the one nearest the anchor, comes first."""
        index = self.sections[section]
        hits = []
        for j in range(len(text) - GRAM + 1):
            positions = index.grams.get(text[j:j + GRAM], ())
            if len(positions) <= COMMON_GRAM:
                hits.extend((slot_id, offset - j, j, offset) for slot_id, offset in positions)
        hits.sort()
        tolerance = 8 + len(text) // 10
        near = index.coordinate(*anchor) if anchor else 0
        counts = Counter((h[0], h[1]) for h in hits)
        ranked = []
        low = top = 0
        for high, (slot_id, diagonal, _, _) in enumerate(hits):
            if high + 1 < len(hits) and hits[high + 1][:2] == (slot_id, diagonal):
                continue  # each diagonal once, at its last hit
            while hits[low][0] != slot_id or hits[low][1] < diagonal - tolerance:
                low += 1
            top = max(top, high + 1)
            while top < len(hits) and hits[top][0] == slot_id and hits[top][1] <= diagonal + tolerance:
                top += 1
            distance = abs(index.coordinate(slot_id, max(diagonal, 0)) - near)
            ranked.append((-(top - low), -counts[(slot_id, diagonal)], distance, low, top))
        ranked.sort()
        return ((-votes, hits[low:top]) for votes, _, _, low, top in ranked)

    def _read_already(self, row: int, slot_id: int, first: int, last: int) -> bool:
        """True if the printing has read most characters [first, last) of a slot already."""
        taken = self.slots[slot_id].starts[row, 2 * first + 1:2 * last:2] >= 0
        return taken.size > 0 and np.count_nonzero(taken) >= REPEAT_SHARE * taken.size

    def _new_slot(self, row: int, line: Line, start: int, end: int, anchor: tuple[int, int] | None,
                  repeats: int | None = None) -> tuple[int, int]:
        """A stretch that matches no slot becomes one, after the printing's last slot; inside it where
        the printing's last stretch ended well before the slot's end (another printing ran two
        paragraphs into one line, and this one has a paragraph between them)."""
        if anchor is None:
            anchor = self._ahead(row, line)
        if anchor is not None and 0 < anchor[1] <= self.lengths[anchor[0]] - MIN_PIECE:
            self._split(*anchor)
        reference = self.printings[row].norm[start:end]
        places = 2 * len(reference) + 1
        slot_id = len(self.slots)
        shape = (len(self.printings), places)
        self.slots.append(Slot(line.section, reference, row, np.full(shape, -1, np.int64),
                               np.full(shape, -1, np.int64), repeats))
        self.lengths[slot_id] = len(reference)
        self.sections[line.section].insert(slot_id, anchor[0] if anchor else None, reference, self.lengths)
        return self._fill(row, line, slot_id, 0, start, [("equal", 0, len(reference), 0, len(reference))])

    def _ahead(self, row: int, line: Line) -> tuple[int, int] | None:
        """Where a stretch the printing prints before anything it shares goes: right before the place
        of its next line that matches a slot (at that slot's start unless it matched well inside
        it), else first in the section (None)."""
        printing = self.printings[row]
        index = self.sections[line.section]
        for later in printing.lines:
            if later.number <= line.number or later.section != line.section:
                continue
            text = printing.norm[later.start:later.end]
            found = self._vote(row, text, later.section, None)
            opcodes = self._opcodes(text, found) if found is not None else None
            if opcodes is None:
                continue
            slot_id, offset = found[0], found[1] + opcodes[0][1]
            if offset >= MIN_PIECE:
                return slot_id, offset
            previous = index.before(slot_id)
            return None if previous is None else (previous, self.lengths[previous])
        return None

    def _split(self, slot_id: int, offset: int) -> None:
        """Cut a slot in two before reference character `offset`: the second part becomes a slot of its
        own right after the first, and the pieces placed across the cut are cut with it. The gap at
        the cut stays with the first part; the second starts with an empty one."""
        slot = self.slots[slot_id]
        cut = 2 * offset
        second_id = len(self.slots)
        tail_starts, tail_ends = slot.starts[:, cut:].copy(), slot.ends[:, cut:].copy()
        covered = tail_starts[:, 0] >= 0
        tail_starts[covered, 0] = tail_ends[covered, 0]
        self.slots.append(Slot(slot.section, slot.reference[offset:], slot.origin, tail_starts, tail_ends, slot.repeats))
        index = self.sections[slot.section]
        previous = index.before(slot_id)
        index.remove(slot_id, slot.reference)
        slot.reference, slot.starts, slot.ends = slot.reference[:offset], slot.starts[:, :cut + 1].copy(), \
            slot.ends[:, :cut + 1].copy()
        self.lengths[slot_id], self.lengths[second_id] = offset, len(self.slots[second_id].reference)
        index.insert(slot_id, previous, slot.reference, self.lengths)
        index.insert(second_id, slot_id, self.slots[second_id].reference, self.lengths)
        pieces = []
        for piece in self.pieces:
            if piece.slot != slot_id or piece.last <= cut:
                pieces.append(piece)
            elif piece.first >= cut:
                pieces.append(replace(piece, slot=second_id, first=piece.first - cut, last=piece.last - cut))
            else:
                middle = max(piece.start, int(slot.ends[piece.printing, cut]))
                pieces.append(replace(piece, end=middle, last=cut))
                pieces.append(replace(piece, slot=second_id, start=middle, first=0, last=piece.last - cut))
        self.pieces = pieces

    def _fill(self, row: int, line: Line, slot_id: int, window_start: int, start: int,
              opcodes: list[tuple]) -> tuple[int, int] | None:
        """Record where a placed stretch reads each place of the slot (star alignment to its reference);
        returns the anchor after it, or None if the printing had read those places already (a repeat)."""
        first_place, last_place = 2 * (window_start + opcodes[0][1]), 2 * (window_start + opcodes[-1][2])
        starts = np.full(last_place - first_place + 1, -1, np.int64)
        ends = starts.copy()
        for tag, i1, i2, j1, j2 in opcodes:
            column = 2 * (window_start + i1) + 1 - first_place  # local index of the first column
            if tag == "insert":
                starts[column - 1], ends[column - 1] = start + j1, start + j2
                continue
            width = i2 - i1
            matched = width if tag == "equal" else min(width, j2 - j1) if tag == "replace" else 0
            columns = slice(column, column + 2 * width, 2)
            col_starts = start + j1 + np.minimum(np.arange(width), matched)
            col_ends = col_starts + (np.arange(width) < matched)
            if tag == "replace" and j2 - j1 > width:
                col_ends[-1] = start + j2  # a longer replacement reads the rest at its last column
            starts[columns], ends[columns] = col_starts, col_ends
        gaps = np.arange(2, len(starts) - 1, 2)
        open_gaps = gaps[starts[gaps] < 0]
        starts[open_gaps] = ends[open_gaps] = ends[open_gaps - 1]
        slot = self.slots[slot_id]
        region = slice(first_place, last_place + 1)
        taken = slot.starts[row, region] >= 0
        fresh = np.flatnonzero((starts >= 0) & ~taken)
        if fresh.size:  # what the printing has not read yet, even of a stretch it partly repeats
            slot.starts[row, region][fresh] = starts[fresh]
            slot.ends[row, region][fresh] = ends[fresh]
            self.pieces.append(Piece(row, line.number, slot_id, int(starts[fresh[0]]), int(ends[fresh[-1]]),
                                     first_place + int(fresh[0]), first_place + int(fresh[-1])))
        if np.count_nonzero(taken & (starts >= 0)) >= REPEAT_SHARE * np.count_nonzero(starts >= 0):
            self.flags.append(Flag(self.printings[row].printing.variant_id, "repeated", line.number, slot_id))
            return None
        return slot_id, window_start + opcodes[-1][2]

    def finish(self) -> Alignment:
        """Slots in story order, renumbered; coverage filled in; moved stretches flagged."""
        order = [slot_id for section in SECTIONS for slot_id in self.sections[section].order]
        renumber = {old: new for new, old in enumerate(order)}
        slots = [self.slots[old] for old in order]
        for slot in slots:
            slot.repeats = None if slot.repeats is None else renumber[slot.repeats]
        pieces = sorted((Piece(p.printing, p.line, renumber[p.slot], p.start, p.end, p.first, p.last)
                         for p in self.pieces), key=lambda p: (p.printing, p.start))
        flags = [Flag(f.variant_id, f.kind, f.line, renumber[f.slot]) for f in self.flags]
        for section in SECTIONS:
            in_section = [i for i, slot in enumerate(slots) if slot.section == section]
            for row in range(len(self.printings)):
                _cover_between(slots, in_section, row, whole=section == "head")
        flags += _moved(pieces, slots, self.printings)
        return Alignment(self.printings, slots, pieces, flags)


def _apart(unmatched: int, room: int) -> bool:
    """True if the unmatched end of a stretch is placed on its own: it is long enough to find its own
    place, or too long to be read in the slot beyond the matched part (a paragraph's end or start
    printed in one line with the next)."""
    return unmatched >= MIN_PIECE or GRAM <= unmatched and room + SLACK < unmatched


def _cover_between(slots: list[Slot], in_section: list[int], row: int, whole: bool) -> None:
    """Give a printing an empty reading at every place it does not read between its first and last
    (the gaps just outside them included), or anywhere in the section if `whole`: what it lacks
    there, it left out. (A printing of part of a story still prints a whole head: title, byline.)"""
    spans = [(i, np.flatnonzero(slots[i].starts[row] >= 0)) for i in in_section]
    spans = [(i, covered) for i, covered in spans if covered.size]
    if not spans:
        return
    first_slot, last_slot = spans[0][0], spans[-1][0]
    first_place, last_place = int(spans[0][1][0]), int(spans[-1][1][-1])
    first_place -= first_place % 2  # the gap before a first character read
    last_place += last_place % 2  # and after the last
    if whole:
        first_slot, first_place = in_section[0], 0
        last_slot, last_place = in_section[-1], slots[in_section[-1]].starts.shape[1] - 1
    carry = int(slots[spans[0][0]].starts[row, spans[0][1][0]])
    for i in in_section:
        if i < first_slot or i > last_slot:
            continue
        slot = slots[i]
        starts, ends = slot.starts[row], slot.ends[row]
        low = first_place if i == first_slot else 0
        high = min(last_place, len(starts) - 1) if i == last_slot else len(starts) - 1
        # an empty reading stands where the printing's text before it ends
        filled = np.where(starts >= 0, ends, -1)
        filled[0] = carry if filled[0] < 0 else filled[0]
        filled = np.maximum.accumulate(filled)
        hole = np.zeros(len(starts), bool)
        hole[low:high + 1] = starts[low:high + 1] < 0
        starts[hole] = ends[hole] = filled[hole]
        carry = int(filled[-1])


def _moved(pieces: list[Piece], slots: list[Slot], printings: list[PreparedPrinting]) -> list[Flag]:
    """Flag the pieces outside the longest run of each printing's pieces that keeps the story's order."""
    flags = []
    for row in range(len(printings)):
        for section in SECTIONS:
            own = [p for p in pieces if p.printing == row and slots[p.slot].section == section]
            keys = [(p.slot, p.first) for p in own]
            for i in sorted(set(range(len(own))) - _increasing_run(keys)):
                flags.append(Flag(printings[row].printing.variant_id, "moved", own[i].line, own[i].slot))
    return flags


def _increasing_run(keys: list[tuple[int, int]]) -> set[int]:
    """Indices of a longest strictly increasing subsequence of keys."""
    tails: list[tuple[int, int]] = []
    tail_index: list[int] = []
    previous = [-1] * len(keys)
    for i, key in enumerate(keys):
        at = bisect_left(tails, key)
        if at == len(tails):
            tails.append(key)
            tail_index.append(i)
        else:
            tails[at], tail_index[at] = key, i
        previous[i] = tail_index[at - 1] if at else -1
    run, i = set(), tail_index[-1] if tail_index else -1
    while i >= 0:
        run.add(i)
        i = previous[i]
    return run
