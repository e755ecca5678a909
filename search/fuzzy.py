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

Whether a form found is a garble of the term, and not other text that differs from it by a
character (新华网 beside 新华社), is `GarbleRule.judge`'s decision, from the model's weight, the
form's and the term's counts over the latest variants, and jieba's dictionary.
"""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import numpy as np

from indexer.literal import MAX_GRAMS_INTERSECTED, Segment, bigram_code, term_grams
from indexer.sorted_sets import intersect, locate
from search.budget import Deadline
from search.confusions import ConfusionModel
from search.postings import live_documents
from search.request import LATEST_VARIANTS
from search.view import View

MIN_FUZZY_CHARS = 3  # shorter terms have too many neighbours that are words of their own
TWO_ERRORS_FROM = 6
NO_DEADLINE = Deadline()
_SHIFT = 21  # as indexer/literal.py codes a lone character: the character paired with 0


def max_errors(term: str) -> int:
    """Substitutions a garbled printing of `term` may hold: none under 3 characters, one up to 5, two from 6."""
    if len(term) < MIN_FUZZY_CHARS:
        return 0
    return 1 if len(term) < TWO_ERRORS_FROM else 2


@dataclass(frozen=True)
class Substitution:
    """One character printed in place of another."""

    position: int  # in the term
    correct: str
    observed: str


@dataclass
class FormStats:
    """A garbled form of a term found in the index, counted over the latest variants."""

    form: str
    substitutions: tuple[Substitution, ...]
    weight: float  # the product of the substitutions' confusion weights
    variants: int = 0
    occurrences: int = 0
    rejected: str | None = None  # why it is not taken for a garble of the term; None when it is

    def to_dict(self) -> dict[str, object]:
        return {"form": self.form, "variants": self.variants, "occurrences": self.occurrences,
                "weight": round(self.weight, 4)}


@dataclass(frozen=True)
class Garble:
    """One place where a variant prints the term garbled: the span in its normalised text and the text found."""

    start: int
    end: int
    form: str
    weight: float


@lru_cache(maxsize=4)
def dictionary_words(min_frequency: int) -> frozenset[str]:
    """The words of two or more characters in jieba's dictionary with at least this frequency,
    read from its dict.txt (jieba itself is not loaded)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise RuntimeError("jieba is not installed")
    words = set()
    with open(Path(spec.origin).parent / "dict.txt", encoding="utf-8") as lines:
        for line in lines:
            word, frequency, *_ = line.split(" ")
            if len(word) >= 2 and int(frequency) >= min_frequency:
                words.add(word)
    return frozenset(words)


@dataclass(frozen=True)
class GarbleRule:
    """When a form found is taken for a garble of the term.

    A form is rejected when its confusion weight is under `min_weight`; when more than
    `rarity` times the term's variants plus `slack` hold it (a garble is much rarer than what
    it garbles, so a form about as common as the term is text of its own: 实验室 beside 实验堆);
    and when a word of jieba's dictionary (of at least `dictionary_min_frequency`) lies in it over
    a substituted character (新华网 for 新华社, 发行 in 发行量 for 发展量: the printing says
    something else, not a garbled term). `slack` lets a form be found where the term is not
    printed at all (an index holding only the garbled page).
    """

    rarity: float = 0.2
    slack: int = 2
    min_weight: float = 0.0
    dictionary_min_frequency: int | None = 1

    def judge(self, stats: FormStats, exact_variants: int) -> str | None:
        """None when the form is a garble of the term, else the reason it is not."""
        if stats.weight < self.min_weight:
            return "weight"
        if stats.variants > self.rarity * exact_variants + self.slack:
            return "common"
        if self.dictionary_min_frequency is not None:
            words = dictionary_words(self.dictionary_min_frequency)
            form = stats.form
            for substitution in stats.substitutions:
                p = substitution.position
                for start in range(0, p + 1):
                    for end in range(max(p + 1, start + 2), len(form) + 1):
                        if form[start:end] in words:
                            return "word"
        return None


DEFAULT_RULE = GarbleRule()


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
                      key=lambda s: (-s.variants, -s.occurrences, s.form))


@dataclass(frozen=True)
class _Pattern:
    """Positions substituted together, with what a text holding such a printing must hold."""

    positions: tuple[int, ...]
    intact: np.ndarray  # codes of the term's bigrams touching no substituted position
    regex: re.Pattern


def _patterns(term: str, model: ConfusionModel) -> list[_Pattern]:
    """One pattern per set of up to `max_errors(term)` substitutable positions."""
    substitutable = [p for p, char in enumerate(term) if model.readings(char)]
    found = []
    for errors in range(1, max_errors(term) + 1):
        for positions in combinations(substitutable, errors):
            touched = {k for p in positions for k in (p - 1, p)}
            intact = np.array([bigram_code(term[k], term[k + 1]) for k in range(len(term) - 1) if k not in touched],
                              dtype=np.uint64)
            pieces = [f"[{''.join(map(re.escape, model.readings(char)))}]" if p in positions else re.escape(char)
                      for p, char in enumerate(term)]
            found.append(_Pattern(positions, np.unique(intact), re.compile("".join(pieces))))
    return found


class _SegmentCandidates:
    """Candidate documents of one segment for the patterns of one term, postings looked up once."""

    def __init__(self, segment: Segment, term: str, model: ConfusionModel) -> None:
        self.segment, self.term, self.model = segment, term, model
        self._postings: dict[int, np.ndarray] = {}
        self._readings: dict[tuple[int, bool, bool], np.ndarray] = {}

    def postings(self, codes: np.ndarray) -> list[np.ndarray]:
        missing = [c for c in codes.tolist() if c not in self._postings]
        if missing:
            for code, docs in zip(missing, self.segment.postings(np.array(missing, dtype=np.uint64))):
                self._postings[code] = docs
        return [self._postings[c] for c in codes.tolist()]

    def readings(self, position: int, left: bool, right: bool) -> np.ndarray:
        """Documents holding, for some reading x of the term's character at `position`, the bigram
        it makes with its left neighbour (if `left`) and with its right one (if `right`), or x alone."""
        key = (position, left, right)
        if key not in self._readings:
            term, readings = self.term, list(self.model.readings(self.term[position]))
            sides = []
            if left:
                sides.append(np.array([bigram_code(term[position - 1], x) for x in readings], dtype=np.uint64))
            if right:
                sides.append(np.array([bigram_code(x, term[position + 1]) for x in readings], dtype=np.uint64))
            if not sides:
                sides.append(np.array([ord(x) << _SHIFT for x in readings], dtype=np.uint64))
            lists = [self.postings(codes) for codes in sides]
            parts = []
            for per_reading in zip(*lists):
                docs = per_reading[0]
                for other in per_reading[1:]:
                    if not len(docs):
                        break
                    docs = intersect(docs, other)
                if len(docs):
                    parts.append(docs)
            self._readings[key] = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint32)
        return self._readings[key]

    def candidates(self, pattern: _Pattern) -> np.ndarray:
        """Places of the segment's documents that may print the term garbled as the pattern says."""
        n = len(self.term)
        sets = [self.readings(p, p > 0 and p - 1 not in pattern.positions, p < n - 1 and p + 1 not in pattern.positions)
                for p in pattern.positions]
        sets += sorted(self.postings(pattern.intact), key=len)[:MAX_GRAMS_INTERSECTED]
        sets.sort(key=len)
        found = sets[0]
        for docs in sets[1:]:
            if not len(found):
                break
            found = intersect(found, docs)
        return found


def _scan(view: View, term: str, model: ConfusionModel, deadline: Deadline) -> dict[str, tuple[FormStats, list]]:
    """Every printing of the term with 1..max_errors substitutions the model knows, over all segments:
    per form its stats (uncounted) and its occurrences as (key, start, end)."""
    patterns = _patterns(term, model)
    forms: dict[str, tuple[FormStats, list]] = {}
    if not patterns:
        return forms
    for segment in view.literal.segments:
        deadline.check()
        candidates = _SegmentCandidates(segment, term, model)
        for pattern in patterns:
            places = candidates.candidates(pattern)
            for place in places.tolist():
                key = int(segment.keys[place])
                for match in pattern.regex.finditer(segment.text_at(place)):
                    form = match.group()
                    entry = forms.get(form)
                    if entry is None:
                        substitutions = tuple(Substitution(p, term[p], form[p]) for p in pattern.positions)
                        weight = float(np.prod([model.weight(s.correct, s.observed) for s in substitutions]))
                        entry = forms[form] = (FormStats(form, substitutions, weight), [])
                    entry[1].append((key, match.start(), match.end()))
    return forms


def fuzzy_term(view: View, term: str, scope: np.ndarray, model: ConfusionModel,
               deadline: Deadline | None = None, rule: GarbleRule = DEFAULT_RULE) -> FuzzyMatches:
    """The garbled printings of a (normalised) term: every form found, counted over the latest
    variants and judged by `rule`, and the accepted garbles of the variants in `scope` (sorted
    document numbers). Exact occurrences are not garbles and are not listed."""
    deadline = deadline or NO_DEADLINE
    latest = view.scope(LATEST_VARIANTS)
    scanned = _scan(view, term, model, deadline)
    exact = intersect(view.docnums(view.literal.term_keys(term, deadline.check)), latest)
    matches = FuzzyMatches(term, len(exact))
    for form, (stats, occurrences) in scanned.items():
        keys = np.array([key for key, _, _ in occurrences], dtype=np.int64)
        docnums, positions = live_documents(view.docnum_of_key, keys)
        in_latest = locate(latest, docnums)[1]
        stats.variants = len(np.unique(docnums[in_latest]))
        stats.occurrences = int(in_latest.sum())
        stats.rejected = rule.judge(stats, matches.exact_variants)
        matches.forms[form] = stats
        if stats.rejected is not None:
            continue
        in_scope = locate(scope, docnums)[1]
        for docnum, position in zip(docnums[in_scope].tolist(), positions[in_scope].tolist()):
            _, start, end = occurrences[position]
            matches.found.setdefault(docnum, []).append(Garble(start, end, form, stats.weight))
    for garbles in matches.found.values():
        garbles.sort(key=lambda g: g.start)
    return matches
