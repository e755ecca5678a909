"""Group article variants into stories by their sampled shingles, incrementally and with stable story ids.

Two variants are the same story when the smaller one's character shingles are
mostly contained in the larger one's. Containment, not Jaccard similarity, is
what survives partial copies: a page holding the second half of a story has
half the shingles of the full print, all of them shared. Each variant keeps a
fixed sample of its shingles (indexer.shingles); an inverted index of the
samples (indexer.sample_index) proposes every variant sharing one, and the
share of the smaller variant's samples the larger holds is its containment.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from indexer.sample_index import FOLD_ENTRIES, SampleIndex, shared_counts, similarity
from indexer.shingles import PARTS, SAMPLE_EVERY, Sketch, union
from indexer.store import resolve_story

MIN_CONTAINMENT = 0.7
# Shorter texts (a caption, a two-line brief) share too little to be told apart from chance.
MIN_SHINGLES = 24
# Fewer shared samples than this are chance (a stock phrase), whatever share of a short text they are.
MIN_SHARED = 4
# A variant joins a story only when it matches at least this share of the story's variants that
# can be compared (long enough, and not the opposite part of a continued story). Matching just
# one lets stories chain together through a variant that holds two articles (a segmentation
# merge) or a shared boilerplate footer.
MIN_SUPPORT = 0.5
# A variant is split in two only where each part is this similar to a variant of the story it
# matches: the whole article printed elsewhere, not a partial copy or a fragment.
SPLIT_MIN_JACCARD = 0.4
SPLIT_MAX_SHARE = 0.85
SPLIT_LENGTH_SLACK = 0.3
# A variant matching one story only is split where the text on one side is another printing of that
# story (this similar to it) and the text on the other side, this many shingles or more, shares next
# to nothing (SPLIT_REST_CHANCE samples) with any of the story's printings: an article printed beside it that
# segmentation did not cut off. Strict on both counts, since a printing longer than all the others
# (the others being undetected heads or briefs) matches one side too.
SPLIT_ONE_JACCARD = 0.8
SPLIT_REST_SHINGLES = 96
SPLIT_REST_CHANCE = 1  # samples the rest may share with a printing by chance (a stock 3-gram)
# A printing this many times as long as an article's part printed on one page holds more than that part.
FULLER = 1.3
# Two stories merge when this share of the pairs of their variants match.
MIN_MERGE_SUPPORT = 0.67


def is_match(shared: np.ndarray, contained: np.ndarray) -> np.ndarray:
    """Which compared pairs are the same story."""
    return (shared >= MIN_SHARED) & (contained >= MIN_CONTAINMENT)


def containment(a: Sketch, b: Sketch) -> tuple[float, float]:
    """(Jaccard, containment of the smaller sample set in the larger) of two sketches."""
    shared = shared_counts(a.array(), [b.array()])
    jaccard, contained = similarity(shared, np.array([len(a.array())]), np.array([len(b.array())]))
    return float(jaccard[0]), float(contained[0])


@dataclass(frozen=True)
class Match:
    """How a variant matches a story: the best containment and the best Jaccard similarity with its variants."""

    containment: float
    jaccard: float
    size: int  # shingles of the variant the containment was best with


def new_story_id(variant_id: str) -> str:
    """A story id derived from the variant that founded it, so it never changes afterwards."""
    return "s" + hashlib.sha1(variant_id.encode("utf-8")).hexdigest()[:12]


class StoryGrouper:
    """The incremental grouping state: every indexed variant's samples and story, and the sample index.

    Variants live in numbered slots of numpy arrays; a removed variant's slot
    is marked dead and dropped from the sample index at the next fold. When a story
    is absorbed into another, its id stays valid as an alias.
    """

    def __init__(self) -> None:
        self.slot_of: dict[str, int] = {}
        self.page_of: list[str] = []  # slot -> the page its variant was printed on (its id up to "#")
        self.place_of: list[int] = []  # slot -> its place on that page (its id after "#")
        self.samples: list[np.ndarray] = []  # slot -> its sampled shingles, sorted
        self.counts = np.zeros(0, dtype=np.int64)  # slot -> how many samples it has
        self.sizes = np.zeros(0, dtype=np.int64)
        self.parts = np.zeros(0, dtype=np.int8)
        self.story_of = np.zeros(0, dtype=np.int32)  # slot -> story number
        self.live = np.zeros(0, dtype=bool)  # in the sample index: not removed and long enough to compare
        self.slots = 0
        self.index = SampleIndex()
        self.story_ids: list[str] = []  # story number -> id
        self.story_number: dict[str, int] = {}
        self.aliases: dict[str, str] = {}  # absorbed story id -> the id it was merged into
        self.members: dict[int, list[int]] = {}  # story number -> its slots in the sample index
        self._last_matches: tuple[tuple[Sketch, int], dict[int, Match]] | None = None

    def __len__(self) -> int:
        return len(self.slot_of)

    def resolve(self, story_id: str) -> str:
        """The id a story is known by now (itself unless it was absorbed into another)."""
        return resolve_story(self.aliases, story_id)

    def stories(self) -> set[str]:
        """The ids of the stories that have at least one variant."""
        return {self.story_ids[n] for n in set(self.story_of[list(self.slot_of.values())].tolist())}

    def _members(self, story: int) -> np.ndarray:
        """The story's live slots (removed variants are dropped from the list on the way)."""
        slots = [s for s in self.members.get(story, ()) if self.live[s]]
        self.members[story] = slots
        return np.array(slots, dtype=np.int64)

    def _number(self, story_id: str) -> int:
        number = self.story_number.get(story_id)
        if number is None:
            number = self.story_number[story_id] = len(self.story_ids)
            self.story_ids.append(story_id)
        return number

    def _new_slot(self, story_id: str, variant_sketch: Sketch) -> int:
        slot = self.slots
        if slot == len(self.sizes):  # grow by doubling, so appends stay amortised O(1)
            capacity = max(1024, 2 * slot)
            self.sizes, self.counts, self.parts, self.story_of = (
                np.resize(a, capacity) for a in (self.sizes, self.counts, self.parts, self.story_of))
            self.live = np.concatenate([self.live, np.zeros(capacity - slot, dtype=bool)])
        self.samples.append(variant_sketch.array())
        self.counts[slot] = len(self.samples[slot])
        self.sizes[slot] = variant_sketch.size
        self.parts[slot] = PARTS.index(variant_sketch.part)
        self.story_of[slot] = self._number(self.resolve(story_id))
        self.slots += 1
        return slot

    @classmethod
    def load(cls, variant_ids: list[str], story_ids: list[str], sketches: list[Sketch],
             aliases: dict[str, str]) -> "StoryGrouper":
        """The grouping state of variants whose stories are decided (an index's), built in bulk."""
        grouper = cls()
        grouper.aliases.update(aliases)
        count = len(variant_ids)
        grouper.slot_of = dict(zip(variant_ids, range(count)))
        for variant_id in variant_ids:
            page, _, place = variant_id.rpartition("#")
            grouper.page_of.append(page)
            grouper.place_of.append(int(place) if place.isdigit() else -1)
        counts = np.array([len(s.samples) // 4 for s in sketches], dtype=np.int64)
        pooled = np.frombuffer(b"".join(s.samples for s in sketches), dtype=np.uint32)
        starts = np.r_[0, np.cumsum(counts)]
        grouper.samples = [pooled[a:b] for a, b in zip(starts[:-1].tolist(), starts[1:].tolist())]
        grouper.counts = counts
        grouper.sizes = np.array([s.size for s in sketches], dtype=np.int64)
        grouper.parts = np.array([PARTS.index(s.part) for s in sketches], dtype=np.int8)
        grouper.story_of = np.array([grouper._number(grouper.resolve(s)) for s in story_ids], dtype=np.int32)
        grouper.live = grouper.sizes >= MIN_SHINGLES
        grouper.slots = count
        live = np.flatnonzero(grouper.live)
        for slot, story in zip(live.tolist(), grouper.story_of[live].tolist()):
            grouper.members.setdefault(story, []).append(slot)
        grouper.index = SampleIndex.build(pooled, starts, grouper.live)
        return grouper

    def close_lookups(self) -> None:
        """Let go of what finding a variant's matches takes (the sample index and every slot's samples, some
        3 KB a variant): a committing session groups nothing more, and its segment merges want the memory.
        Stories, aliases and joins stay."""
        self.index = SampleIndex()
        self.samples = []
        self._last_matches = None

    def add(self, variant_id: str, story_id: str, variant_sketch: Sketch) -> None:
        """Record a variant whose story is already decided."""
        slot = self._new_slot(story_id, variant_sketch)
        self.slot_of[variant_id] = slot
        page, _, place = variant_id.rpartition("#")
        self.page_of.append(page)
        self.place_of.append(int(place) if place.isdigit() else -1)
        if variant_sketch.size >= MIN_SHINGLES:
            self.live[slot] = True
            self.members.setdefault(int(self.story_of[slot]), []).append(slot)
            self.index.insert(slot, self.samples[slot])
            if self.index.pending_entries >= FOLD_ENTRIES:
                self.index.fold(self.live)

    def _matches(self, variant_sketch: Sketch) -> dict[int, Match]:
        """Stories the variant matches, with their best containment, each supported by enough of its variants.

        Every variant sharing a sample is counted against at once; a story's
        variants sharing none count as not matching.
        """
        if self._last_matches is not None and self._last_matches[0] == (variant_sketch, self.slots):
            return self._last_matches[1]  # split_point asked first, and nothing was added since
        samples = variant_sketch.array()
        candidates, hits, skipped = self.index.shared(samples)
        keep = self.live[candidates]
        candidates = candidates[keep]
        # A candidate shares at most as many of the frequent samples left out as it holds frequent samples.
        most = hits[keep] + np.minimum(skipped, self.index.stock[candidates])
        # Only stories with a matching variant are worth comparing in full: most variants sharing a
        # sample share a stock phrase and nothing else. Those that cannot match even sharing every
        # frequent sample they could are dropped before counting exactly (at 100k variants, 95% of the
        # samples that had been counted); with none left out, the index's counts are exact.
        possible = is_match(most, similarity(most, self.counts[candidates], len(samples))[1])
        candidates, most = candidates[possible], most[possible]
        shared = shared_counts(samples, [self.samples[c] for c in candidates.tolist()]) if skipped else most
        candidates = candidates[is_match(shared, similarity(shared, self.counts[candidates], len(samples))[1])]
        found = self._matches_among(variant_sketch, sorted(set(self.story_of[candidates].tolist())))
        self._last_matches = ((variant_sketch, self.slots), found)
        return found

    def _matches_among(self, variant_sketch: Sketch, stories: Iterable[int]) -> dict[int, Match]:
        """Which of these stories the variant matches, judged against every printing of each (MIN_SUPPORT)."""
        samples = variant_sketch.array()
        part = PARTS.index(variant_sketch.part)
        found: dict[int, Match] = {}
        for story in stories:
            members = self._members(story)
            if part:  # a head and a tail printed on different pages need not share a line
                members = members[self.parts[members] != 3 - part]
            if not len(members):
                continue
            shared = shared_counts(samples, [self.samples[m] for m in members.tolist()])
            jaccard, contained = similarity(shared, self.counts[members], len(samples))
            matching = is_match(shared, contained)
            if matching.any() and matching.mean() >= MIN_SUPPORT:
                best = int(np.argmax(np.where(matching, contained, -1.0)))
                found[story] = Match(float(contained.flat[best]), float(jaccard[matching].max()),
                                     int(self.sizes[members[best]]))
        return found

    def _mergeable(self, story: int, into: int) -> bool:
        """Whether two stories one variant matched are one story that was split, not two chained by it.

        They are when one holds only heads and the other only tails (printed
        before a whole copy linked them), when one's variants were all printed
        next to the other's (an article segmentation cut in two), or when most
        pairs of their variants match. A variant holding two articles (a
        segmentation merge) matches both stories while they do not match each other.
        """
        members, others = self._members(story), self._members(into)
        if not len(members) or not len(others):
            return False
        if self._fragments(members, others):
            return True
        parts, other_parts = set(self.parts[members].tolist()), set(self.parts[others].tolist())
        if len(parts) == 1 and len(other_parts) == 1 and parts | other_parts == {1, 2}:
            return True
        shared = np.array([shared_counts(self.samples[m], [self.samples[o] for o in others.tolist()])
                           for m in members.tolist()])
        matching = is_match(shared, similarity(shared, self.counts[members][:, None], self.counts[others][None, :])[1])
        return bool(matching.mean() >= MIN_MERGE_SUPPORT)

    def assign(self, variant_id: str, variant_sketch: Sketch) -> str:
        """Decide the variant's story (joining an existing one or founding a new one) and record it.

        A variant that matches several stories joins the best one, and the
        others are absorbed into it when they are the same story split before.
        """
        matches = self._matches(variant_sketch) if variant_sketch.size >= MIN_SHINGLES and self.slot_of else {}
        if not matches:
            story_id = new_story_id(variant_id)
        else:
            # The best-matching story; ties go to the older story so the choice never depends on bucket order.
            target = min(matches, key=lambda n: (-matches[n].containment, n))
            story_id = self.story_ids[target]
            for other in sorted(matches):
                if other != target and self._mergeable(other, target):
                    self._absorb(other, target)
        self.add(variant_id, story_id, variant_sketch)
        return story_id

    def join_continued(self, head_id: str, head_size: int, tail_id: str, tail_size: int) -> bool:
        """Make the stories of an article's head and tail, printed on two pages, one story (indexer.jumps), the
        newer absorbed into the older; whether they were joined.

        Not when each story holds a printing much longer than its part: a whole printing of one article
        would have matched both parts and grouped them already, so these are two articles whose jump lines
        happen to agree (one's continuation not in the index).
        """
        head, tail = self.story_number[self.resolve(head_id)], self.story_number[self.resolve(tail_id)]
        if head == tail:
            return False
        if self._fuller(head, head_size) and self._fuller(tail, tail_size):
            return False
        self._absorb(max(head, tail), min(head, tail))
        return True

    def _fuller(self, story: int, size: int) -> bool:
        """Whether the story holds a printing FULLER times as long as a part of this size, or longer."""
        members = self._members(story)
        return bool(len(members)) and bool((self.sizes[members] >= FULLER * size).any())

    def split_point(self, variant_sketch: Sketch, line_sketches: Callable[[], list[Sketch]]) -> int | None:
        """Where a variant that holds two articles (a segmentation merge) divides into them, or None.

        Other papers' printings tell: a variant matching two stories that do not
        match each other holds both, and the line where it divides is the one
        whose text above matches one story and whose text below matches the
        other, best. A variant matching one story is divided where the text
        on one side is another printing of it and the other side shares only
        a stray sample with each (SPLIT_ONE_JACCARD). Samples compose by union, so every division
        is judged from the lines' samples without sketching any text again.
        """
        if variant_sketch.size < 2 * MIN_SHINGLES or not self.slot_of:
            return None
        # A part of the variant matches only stories the whole variant matches: its samples are a subset.
        # So the division search compares each part with those stories alone, not the whole index.
        whole = self._matches(variant_sketch)
        matched_stories = sorted(whole)
        # Each article it holds is printed elsewhere at a fraction of its length.
        matches = {story: match for story, match in whole.items()
                   if match.size <= SPLIT_MAX_SHARE * variant_sketch.size}
        two = len(matches) >= 2 and not all(self._mergeable(a, b) or self._neighbours(a, b)
                                            for a in matches for b in matches if a < b)
        one = not two and len(matches) == 1 and self._unmatched_rest(variant_sketch, next(iter(matches)))
        if not (two or one):
            return None
        lines = line_sketches()
        sizes = np.cumsum([s.size for s in lines])
        # The division falls where the text above is about as long as one of the matched articles.
        lengths = [m.size for m in matches.values()] + [variant_sketch.size - m.size for m in matches.values()]
        near = [at for at in range(1, len(lines))
                if any(abs(sizes[at - 1] - length) <= SPLIT_LENGTH_SLACK * length for length in lengths)]
        best: tuple[float, int] | None = None
        for at in near:
            top, bottom = union(lines[:at]), union(lines[at:])
            if one:
                (matched,) = matches
                # The rest is checked first: it is cheap, and most divisions fail it.
                for side, rest in ((top, bottom), (bottom, top)):
                    if rest.size >= SPLIT_REST_SHINGLES and self._apart(rest, matched):
                        found = self._matches_among(side, matches)
                        if matched in found and found[matched].jaccard >= SPLIT_ONE_JACCARD \
                                and (best is None or found[matched].jaccard > best[0]):
                            best = (found[matched].jaccard, at)
                continue
            first, second = self._matches_among(top, matched_stories), self._matches_among(bottom, matched_stories)
            story = max(first, key=lambda n: first[n].jaccard, default=None)
            other = max(second, key=lambda n: second[n].jaccard, default=None)
            if story is None or other is None or story == other:
                continue
            # Each part must be another printing of its article, not merely hold part of a story.
            if min(first[story].jaccard, second[other].jaccard) >= SPLIT_MIN_JACCARD \
                    and not self._mergeable(story, other):
                score = first[story].jaccard + second[other].jaccard
                if best is None or score > best[0]:
                    best = (score, at)
        return best[1] if best else None

    def _apart(self, text: Sketch, story: int) -> bool:
        """Whether text shares next to nothing with every printing of the story."""
        members = self._members(story)
        return bool(len(members)) and bool(
            shared_counts(text.array(), [self.samples[m] for m in members.tolist()]).max() <= SPLIT_REST_CHANCE)

    def _unmatched_rest(self, variant_sketch: Sketch, story: int) -> bool:
        """Whether enough of the variant's samples are in no printing of the story for another article to
        follow or precede it (checked before any division is tried: most variants have no such rest).
        Never for a story printed in parts: its rest may be the part jumped to."""
        if self.parts[self._members(story)].any():
            return False
        samples = variant_sketch.array()
        printed = np.concatenate([self.samples[member] for member in self._members(story).tolist()])
        unheld = len(samples) - int(np.isin(samples, printed).sum())
        # Half the rest's size: a stretch of that many shingles holds fewer samples than a quarter by chance.
        return 2 * unheld * SAMPLE_EVERY >= SPLIT_REST_SHINGLES

    def _neighbours(self, story: int, other: int) -> bool:
        """Whether some variant of one story was printed right next to a variant of the other on a page:
        the two halves of one article that a page cut in two, which a whole printing matching both
        joins again rather than holding two articles (the mirror of a segmentation merge)."""
        members, others = self._members(story), self._members(other)
        beside = {(self.page_of[s], self.place_of[s] + step) for s in others.tolist() for step in (-1, 1)}
        return any((self.page_of[s], self.place_of[s]) in beside for s in members.tolist())

    def _fragments(self, members: np.ndarray, others: np.ndarray) -> bool:
        """Whether every variant of one story was printed right next to a variant of the other, on the
        same page: one article that segmentation cut in two, not two articles."""
        if len(members) > len(others):
            members, others = others, members
        beside = {(self.page_of[s], self.place_of[s] + step) for s in others.tolist() for step in (-1, 1)}
        return bool(len(members)) and all((self.page_of[s], self.place_of[s]) in beside for s in members.tolist())

    def _absorb(self, story: int, into: int) -> None:
        self.story_of[:self.slots][self.story_of[:self.slots] == story] = into
        self.members.setdefault(into, []).extend(self.members.pop(story, []))
        self.aliases[self.story_ids[story]] = self.story_ids[into]

    def remove(self, variant_id: str) -> None:
        """Forget a variant (its source was removed)."""
        slot = self.slot_of.pop(variant_id, None)
        if slot is not None:
            self.live[slot] = False
