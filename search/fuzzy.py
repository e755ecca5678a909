"""OCR-tolerant ("fuzzy") matching of a query term: the places where a variant prints it with one
substituted character (terms of 3 to 5 characters) or up to two (6 or more), each a confusion the
OCR model knows, in a printed form that is no word of its own and much rarer than the term.

Candidates come from the literal index's bigram postings, without a scan of the corpus. A text
that prints the term with position i substituted by x holds every bigram of the term not touching
i, and the bigrams (term[i-1], x) and (x, term[i+1]); the second pair is what makes this fast,
since a garbled bigram is rare where the term's own bigrams may be everywhere (中国 in 中国人).
So, per pattern of substituted positions, the candidates are the documents holding the untouched
bigrams and, for each substituted position, the bigrams of at least one of its readings; each
candidate's normalised text is then searched with a pattern (the term, with a class of the
readings at each substituted position), which gives every garbled form with its span.

Whether a printing found is a garble of the term, and not other text that differs from it by a
character (新华网 beside 新华社), is search/garbles.py's `GarbleRule` decision: from the story's
other printings, else from the form's and the term's counts and jieba's dictionary.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import combinations

import numpy as np

from indexer.literal import MAX_GRAMS_INTERSECTED, TEXT_ENCODING, Segment, bigram_codes
from indexer.sorted_sets import intersect, locate
from search.budget import Deadline
from search.confusions import ConfusionModel
from search.garbles import (DEFAULT_RULE, FormStats, Garble, GarbleRule, Substitution, context, sibling_reading,
                            word_frequency)
from search.postings import live_documents
from search.request import LATEST_VARIANTS
from search.view import View

MIN_FUZZY_CHARS = 3  # shorter terms have too many neighbours that are words of their own
TWO_ERRORS_FROM = 6
NO_DEADLINE = Deadline()


def max_errors(term: str) -> int:
    """Substitutions a garbled printing of `term` may hold: none under 3 characters, one up to 5, two from 6."""
    if len(term) < MIN_FUZZY_CHARS:
        return 0
    return 1 if len(term) < TWO_ERRORS_FROM else 2


@dataclass
class FuzzyMatches:
    """A term's garbled printings: every form found with its counts and verdict, and per in-scope
    variant the garbles taken for the term."""

    term: str
    exact_variants: int  # latest variants holding the term as printed
    forms: dict[str, FormStats] = field(default_factory=dict)
    found: dict[int, list[Garble]] = field(default_factory=dict)  # by document number

    @property
    def docnums(self) -> np.ndarray:
        """Sorted document numbers of the in-scope variants holding an accepted garble."""
        return np.array(sorted(self.found), dtype=np.int64)

    def printed_as(self) -> list[FormStats]:
        """The accepted forms, most printed first: what the response lists as 'also printed as'."""
        return sorted((s for s in self.forms.values() if s.rejected is None),
                      key=lambda s: (-s.garbled_variants, -s.garbled_occurrences, s.form))


@dataclass(frozen=True)
class _Pattern:
    """Positions substituted together, with what a text holding such a printing must hold."""

    positions: tuple[int, ...]
    intact: np.ndarray  # codes of the term's bigrams touching no substituted position
    source: str  # the regular expression of such printings: the term with a class of readings at each position
    anchor: str  # the longest run of the term's own characters in such a printing
    anchor_at: int  # where it starts in the term

    @property
    def regex(self) -> re.Pattern:
        return _compiled(self.source)


@lru_cache(maxsize=4096)
def _compiled(source: str) -> re.Pattern:
    """Compiled once per process: a class of dozens of readings costs more to compile than to search."""
    return re.compile(source)


def _anchor(term: str, positions: tuple[int, ...]) -> tuple[str, int]:
    """The longest run of `term` between the substituted positions, and where it starts."""
    bounds = [-1, *positions, len(term)]
    return max(((term[a + 1:b], a + 1) for a, b in zip(bounds, bounds[1:])), key=lambda run: len(run[0]))


@lru_cache(maxsize=65536)
def _reading_class(model: ConfusionModel, char: str) -> str:
    """A regular-expression class of the characters a scan may print for `char`."""
    return f"[{''.join(map(re.escape, model.readings(char)))}]"


@lru_cache(maxsize=1024)
def _patterns(term: str, model: ConfusionModel) -> list[_Pattern]:
    """One pattern per set of up to `max_errors(term)` substitutable positions."""
    substitutable = [p for p, char in enumerate(term) if model.readings(char)]
    points = np.array([ord(c) for c in term], dtype=np.uint64)
    bigrams = bigram_codes(points[:-1], points[1:])
    classes = {p: _reading_class(model, term[p]) for p in substitutable}
    found = []
    for errors in range(1, max_errors(term) + 1):
        for positions in combinations(substitutable, errors):
            touched = {k for p in positions for k in (p - 1, p)}
            intact = np.unique(bigrams[[k for k in range(len(term) - 1) if k not in touched]])
            source = "".join(classes[p] if p in positions else re.escape(char) for p, char in enumerate(term))
            found.append(_Pattern(positions, intact, source, *_anchor(term, positions)))
    return found


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """The sorted distinct values of several sorted arrays of distinct values."""
    if len(parts) <= 1:
        return parts[0] if parts else np.zeros(0, dtype=np.uint32)
    merged = np.sort(np.concatenate(parts))
    return merged[np.concatenate(([True], merged[1:] != merged[:-1]))]


@dataclass(frozen=True)
class _TermCodes:
    """The bigram codes candidate generation looks up for one term: the term's own, and for each
    substitutable position those each reading makes with the left and with the right neighbour."""

    codes: np.ndarray  # every distinct code above, sorted: looked up in a segment at once
    left: dict[int, np.ndarray]  # position -> where in `codes` each reading's (term[p - 1], reading) is
    right: dict[int, np.ndarray]  # position -> where in `codes` each reading's (reading, term[p + 1]) is
    alone: dict[int, np.ndarray]  # position -> the code of each reading alone
    intact: list[np.ndarray]  # per pattern of `_patterns(term)`, where its untouched bigrams are in `codes`
    own: np.ndarray  # where each of the term's own bigrams, in order, is in `codes`


@lru_cache(maxsize=1024)
def _term_codes(term: str, model: ConfusionModel) -> _TermCodes:
    points = np.array([ord(c) for c in term], dtype=np.uint64)
    left, right, alone = {}, {}, {}
    for p, char in enumerate(term):
        readings = np.array([ord(x) for x in model.readings(char)], dtype=np.uint64)
        if not len(readings):
            continue
        if p > 0:
            left[p] = bigram_codes(points[p - 1], readings)
        if p < len(term) - 1:
            right[p] = bigram_codes(readings, points[p + 1])
        alone[p] = bigram_codes(readings, 0)
    own = bigram_codes(points[:-1], points[1:])
    codes = np.unique(np.concatenate([own, *left.values(), *right.values()]))
    return _TermCodes(codes, {p: np.searchsorted(codes, c) for p, c in left.items()},
                      {p: np.searchsorted(codes, c) for p, c in right.items()}, alone,
                      [np.searchsorted(codes, pattern.intact) for pattern in _patterns(term, model)],
                      np.searchsorted(codes, own))


class _SegmentCandidates:
    """Candidate documents of one segment for the patterns of one term: every code the term needs
    is looked up in the segment at once, postings are sliced out as they are needed."""

    def __init__(self, segment: Segment, term: str, model: ConfusionModel) -> None:
        self.segment, self.term = segment, term
        self.codes = _term_codes(term, model)
        self._at, self._present = segment.locate_grams(self.codes.codes)
        self._sizes = np.where(self._present, segment.starts[self._at + 1] - segment.starts[self._at], 0)
        self._readings: dict[tuple[int, bool, bool], np.ndarray] = {}

    def hopeless(self) -> bool:
        """Whether the segment lacks so many of the term's bigrams that no printing with at most
        max_errors substitutions (each touching two bigrams at most) can be in it."""
        held = int(self._present[self.codes.own].sum())
        return held < len(self.term) - 1 - 2 * max_errors(self.term)

    def postings(self, index: int) -> np.ndarray:
        """The places posted under the term's `index`-th code (none when the segment lacks it)."""
        if not self._present[index]:
            return np.zeros(0, dtype=np.uint32)
        return self.segment.docs_at(int(self._at[index]))

    def readings(self, position: int, left: bool, right: bool) -> np.ndarray:
        """Places holding, for some reading x of the term's character at `position`, the bigram it
        makes with its left neighbour (if `left`) and with its right one (if `right`), or x alone."""
        key = (position, left, right)
        if key not in self._readings:
            sides = [where for where, wanted in ((self.codes.left.get(position), left),
                                                 (self.codes.right.get(position), right)) if wanted]
            if not sides:  # both neighbours substituted too: the reading alone (rare, looked up now)
                alone = self.segment.postings(self.codes.alone[position])
                self._readings[key] = _union([docs for docs in alone if len(docs)])
                return self._readings[key]
            # Most readings never follow (or precede) the neighbour anywhere in the segment.
            posted = np.flatnonzero(np.logical_and.reduce([self._present[where] for where in sides]))
            parts = []
            for reading in posted.tolist():
                docs = self.postings(int(sides[0][reading]))
                for where in sides[1:]:
                    docs = intersect(docs, self.postings(int(where[reading])))
                if len(docs):
                    parts.append(docs)
            self._readings[key] = _union(parts)
        return self._readings[key]

    def candidates(self, number: int, pattern: _Pattern) -> np.ndarray:
        """Places of the segment's documents that may print the term garbled as the `number`-th
        pattern says."""
        intact = self.codes.intact[number]
        sizes = self._sizes[intact]
        if len(sizes) and not sizes.min():  # an untouched bigram the segment lacks: no printing here
            return np.zeros(0, dtype=np.uint32)
        n = len(self.term)
        sets = [self.readings(p, p > 0 and p - 1 not in pattern.positions, p < n - 1 and p + 1 not in pattern.positions)
                for p in pattern.positions]
        if not all(len(docs) for docs in sets):
            return np.zeros(0, dtype=np.uint32)
        sets += [self.postings(int(i)) for i in intact[np.argsort(sizes, kind="stable")[:MAX_GRAMS_INTERSECTED]]]
        sets.sort(key=len)
        found = sets[0]
        for docs in sets[1:]:
            if not len(found):
                break
            found = intersect(found, docs)
        return found


@dataclass(frozen=True)
class Printing:
    """A garbled printing of a term in one segment document: its place and key, the positions of
    the term substituted, and the span of the text found."""

    place: int
    key: int
    positions: tuple[int, ...]
    start: int
    form: str
    text: str  # the document's normalised text


def segment_printings(segment: Segment, term: str, model: ConfusionModel) -> list[Printing]:
    """Every printing of `term` in the segment's documents with 1..max_errors(term) substitutions,
    each a reading the model knows (exact occurrences are not among them).

    Each candidate is searched in place, in the segment's text buffer: the pattern's anchor (its
    longest run of the term's own characters) is found with `find`, and only the few characters
    around each hit are decoded and matched; a text is decoded whole only where a printing is.
    """
    found = []
    candidates = _SegmentCandidates(segment, term, model)
    if candidates.hopeless():
        return []
    buffer = segment.text_buffer
    texts: dict[int, str] = {}
    for number, pattern in enumerate(_patterns(term, model)):
        places = candidates.candidates(number, pattern)
        if not len(places):
            continue
        needle, regex = pattern.anchor.encode(TEXT_ENCODING), pattern.regex
        before = pattern.anchor_at
        after = len(term) - before - len(pattern.anchor)
        for place, start, end in zip(places.tolist(), *segment.text_ranges(places)):
            hit = segment.find_text(needle, start, end)
            while hit != -1:
                tail = hit + len(needle)
                # A character is at most 4 bytes: enough bytes either side hold the characters wanted;
                # a character cut at the far end is dropped by "ignore".
                left = buffer[max(start, hit - 4 * before):hit].decode(TEXT_ENCODING, "ignore")[-before:] \
                    if before else ""
                right = buffer[tail:min(end, tail + 4 * after)].decode(TEXT_ENCODING, "ignore")[:after]
                form = left + pattern.anchor + right
                if len(left) == before and len(right) == after and regex.fullmatch(form):
                    if place not in texts:
                        texts[place] = segment.text_at(place)
                    offset = len(buffer[start:hit].decode(TEXT_ENCODING)) - before
                    found.append(Printing(place, int(segment.keys[place]), pattern.positions, offset, form,
                                          texts[place]))
                hit = segment.find_text(needle, hit + 1, end)
    return found


def _scan(view: View, term: str, model: ConfusionModel, deadline: Deadline) -> dict[str, tuple[FormStats, list]]:
    """Every garbled printing of the term over all segments: per form its stats (uncounted) and its
    printings as (key, garble, normalised text)."""
    forms: dict[str, tuple[FormStats, list]] = {}
    if max_errors(term) == 0:
        return forms
    for segment in view.literal.segments:
        deadline.check()
        for printing in segment_printings(segment, term, model):
            form = printing.form
            entry = forms.get(form)
            if entry is None:
                substitutions = tuple(Substitution(p, term[p], form[p]) for p in printing.positions)
                weight = float(np.prod([model.weight(s.correct, s.observed) for s in substitutions]))
                entry = forms[form] = (FormStats(form, substitutions, weight), [])
            entry[1].append((printing.key, Garble(printing.start, printing.start + len(form), form, entry[0].weight,
                                                  printing.positions), printing.text))
    return forms


class _Siblings:
    """The other latest printings of a variant's story, their normalised texts read once."""

    def __init__(self, view: View, latest: np.ndarray) -> None:
        self.view, self.latest = view, latest
        self._texts: dict[int, str] = {}

    def texts(self, docnum: int) -> list[str]:
        story = int(self.view.story_of[docnum])
        if story < 0:
            return []
        others = [d for d in self.view.story_members(story, self.latest).tolist() if d != docnum]
        for other in others:
            if other not in self._texts:
                self._texts[other] = self.view.normalised_text(other)
        return [self._texts[d] for d in others]

    def votes(self, docnum: int, text: str, term: str, garble: Garble) -> Garble:
        """The garble (in `text`, the variant's normalised text) with the count of siblings printing
        its passage with the term, and otherwise."""
        texts = self.texts(docnum)
        if not texts:
            return garble
        left, right = context(text, garble.start, garble.end)
        readings = [sibling_reading(t, term, garble.positions, left, right) for t in texts]
        return replace(garble, siblings_with_term=readings.count("term"), siblings_with_other=readings.count("other"),
                       siblings_with_both=readings.count("mixed"))


def fuzzy_term(view: View, term: str, scope: np.ndarray, model: ConfusionModel,
               deadline: Deadline | None = None, rule: GarbleRule = DEFAULT_RULE,
               exact: np.ndarray | None = None) -> FuzzyMatches:
    """The garbled printings of a (normalised) term: every form found, counted over the latest
    variants and judged by `rule`, and the accepted garbles of the variants in `scope` (sorted
    document numbers). Exact occurrences are not garbles and are not listed. `exact`, the latest
    variants holding the term as printed, is looked up unless the caller has it."""
    deadline = deadline or NO_DEADLINE
    latest = view.scope(LATEST_VARIANTS)
    scanned = _scan(view, term, model, deadline)
    if exact is None:
        exact = intersect(view.docnums(view.literal.term_keys(term, deadline.check)), latest)
    matches = FuzzyMatches(term, len(exact))
    # Only a story with a variant printing the term can have a sibling that prints it beside a garble.
    stories_printing_term = set(view.story_of[exact].tolist())
    siblings = _Siblings(view, latest)
    for form, (stats, printings) in scanned.items():
        keys = np.array([key for key, _, _ in printings], dtype=np.int64)
        docnums, positions = live_documents(view.docnum_of_key, keys)
        in_latest = locate(latest, docnums)[1]
        docnums, positions = docnums[in_latest], positions[in_latest]
        stats.variants, stats.occurrences = len(np.unique(docnums)), len(docnums)
        verdict = rule.judge(stats, matches.exact_variants)
        matches.forms[form] = stats
        if verdict == "weight":
            stats.rejected = verdict
            continue
        garbles, kept = [], []
        for docnum, at in zip(docnums.tolist(), positions.tolist()):
            _, garble, text = printings[at]
            if verdict is None:
                garble = replace(garble, word_frequency=word_frequency(text, garble.start, term, garble.positions))
            if verdict is None or int(view.story_of[docnum]) in stories_printing_term:
                garble = siblings.votes(docnum, text, term, garble)
            garbles.append(garble)
            kept.append(rule.keeps(garble, verdict))
        kept = np.array(kept, dtype=bool)
        stats.garbled_variants, stats.garbled_occurrences = len(np.unique(docnums[kept])), int(kept.sum())
        if not stats.garbled_occurrences:
            stats.rejected = verdict or "text"
        in_scope = locate(scope, docnums)[1] & kept
        for at in np.flatnonzero(in_scope).tolist():
            matches.found.setdefault(int(docnums[at]), []).append(garbles[at])
    for found in matches.found.values():
        found.sort(key=lambda g: g.start)
    return matches
