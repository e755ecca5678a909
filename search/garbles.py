"""Whether a printing that differs from a query term by OCR-plausible substitutions is a garble of
the term or text of its own: the records of what fuzzy search found, the evidence (the variant's
sibling printings of the same story, jieba's dictionary, counts over the index) and the rule.

The strongest evidence is the story's other printings: where a sibling prints the term in the
same context (a few characters either side), the printing is a garble of it (钎基熔盐 in one paper,
钍基熔盐 in the three others); where siblings print the passage otherwise, it is what the story says
(the same form) or a garble of other text (勺飞行 found for 为飞行 where the others print 的飞行). Without siblings that print the passage, the rule falls back on what a garble looks like:
much rarer than the term, and making no dictionary word over a substituted character.
"""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Dictionary words up to this long are looked for over a substituted character (jieba's are mostly 2-4).
WORD_CHARS_CHECKED = 4
# Characters of context either side of a printing that a sibling must print beside the term (or the form).
CONTEXT_CHARS = 4
MIN_CONTEXT_CHARS = 2


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
    variants: int = 0  # latest variants printing the form anywhere
    occurrences: int = 0
    garbled_variants: int = 0  # latest variants where the rule takes some printing of it for the term
    garbled_occurrences: int = 0
    rejected: str | None = None  # why no printing of it is taken for the term; None when some is

    def to_dict(self) -> dict[str, object]:
        """What the response's 'also printed as' list shows of it."""
        return {"form": self.form, "variants": self.garbled_variants, "occurrences": self.garbled_occurrences,
                "weight": round(self.weight, 4)}


@dataclass(frozen=True)
class Garble:
    """One place where a variant prints the term garbled: the span in its normalised text, the
    text found, its confusion weight, the jieba-dictionary frequency of the most frequent word the
    text makes there over a substituted character (0 for none), and how many of the variant's
    sibling printings print the passage (the same context) with the term, and otherwise."""

    start: int
    end: int
    form: str
    weight: float
    positions: tuple[int, ...] = ()  # the substituted positions of the term
    word_frequency: int = 0
    siblings_with_term: int = 0
    siblings_with_other: int = 0  # siblings printing the passage otherwise (the same form, or yet another reading)
    siblings_with_both: int = 0  # siblings printing it both ways


@lru_cache(maxsize=1)
def dictionary() -> dict[str, int]:
    """jieba's dictionary words of WORD_CHARS_CHECKED characters or fewer (two at least) with their
    frequencies, read from its dict.txt (jieba itself is not loaded)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise RuntimeError("jieba is not installed")
    words: dict[str, int] = {}
    with open(Path(spec.origin).parent / "dict.txt", encoding="utf-8") as lines:
        for line in lines:
            word, frequency, *_ = line.split(" ")
            if 2 <= len(word) <= WORD_CHARS_CHECKED:
                words[word] = int(frequency)
    return words


def _best_word(text: str, position: int, keep) -> int:
    """The dictionary frequency of the most frequent word of `text` over `position` whose span
    (start, end) `keep` admits; 0 for none."""
    words, best = dictionary(), 0
    for start in range(max(0, position - WORD_CHARS_CHECKED + 1), position + 1):
        for end in range(max(position + 1, start + 2), min(len(text), start + WORD_CHARS_CHECKED) + 1):
            if keep(start, end):
                best = max(best, words.get(text[start:end], 0))
    return best


def word_frequency(text: str, start: int, term: str, positions: tuple[int, ...]) -> int:
    """How strongly the printing of `term` at `start` in `text` reads as other words: the dictionary
    frequency of the most frequent word it makes over a substituted character, within the printed
    form (新华网 for 新华社), or reaching out of it (介绍家庭 for 给家庭, 近年兴起 for 近年来) where
    the term's own reading makes no word as frequent reaching out there; 0 when there is none."""
    end = start + len(term)
    restored = text[:start] + term + text[end:]

    def inside(a: int, b: int) -> bool:
        return start <= a and b <= end

    def across(a: int, b: int) -> bool:
        return a < start or b > end

    best = 0
    for position in positions:
        at = start + position
        best = max(best, _best_word(text, at, inside))
        outer = _best_word(text, at, across)
        if outer > _best_word(restored, at, across):
            best = max(best, outer)
    return best


@dataclass(frozen=True)
class GarbleRule:
    """When a printing found is taken for a garble of the term.

    A form is rejected when its confusion weight is under `min_weight`, and when more than
    `rarity` times the term's variants plus `slack` print it: a garble is much rarer than what it
    garbles, so a form about as common as the term is text of its own (实验室 beside 实验堆);
    `slack` lets a form be found where the term is not printed at all (an index holding only the
    garbled page). A printing of an accepted form is still rejected where the text makes a word
    of jieba's dictionary (of at least `dictionary_min_frequency`) over a substituted character,
    within the form or reaching out of it (新华网 for 新华社, 介绍家庭 for 给家庭): there the page
    says something else, not a garbled term; and where a character at either end is printed as
    punctuation (,结合 for 相结合), which ends other text as often as it garbles the term.
    Where the story's other printings print the passage (`siblings`), they decide instead, for a
    form too common as well (a paper's 新华网 where the others print 新华社 is a garble there).
    """

    rarity: float = 0.1
    slack: int = 2
    min_weight: float = 0.0
    dictionary_min_frequency: int | None = 100
    words_checked_below: int | None = None  # term length from which the word check is left out
    siblings: bool = True  # whether the story's other printings decide where they print the passage

    def judge(self, stats: FormStats, exact_variants: int) -> str | None:
        """None when printings of the form may be garbles of the term, else the reason they are not
        (a form too common is still a garble where the story's other printings print the term)."""
        if stats.weight < self.min_weight:
            return "weight"
        if stats.variants > self.rarity * exact_variants + self.slack:
            return "common"
        return None

    def keeps(self, garble: Garble, verdict: str | None = None) -> bool:
        """Whether a printing is taken for the term: as its siblings print the passage; else, where
        its form was not rejected as a whole (`verdict`, from `judge`), by the text it makes."""
        if self.siblings:
            # A sibling printing the passage both ways counts for the term, unless the form is too
            # common: then only siblings that print the term alone there count.
            for_term, against = garble.siblings_with_term, garble.siblings_with_other
            if verdict is None:
                for_term += garble.siblings_with_both
            else:
                against += garble.siblings_with_both
            if for_term > against:
                return True
            if against:
                return False
        if verdict is not None:
            return False
        if self.dictionary_min_frequency is None:
            return True
        if any(p in (0, len(garble.form) - 1) and not garble.form[p].isalnum() for p in garble.positions):
            return False
        if self.words_checked_below is not None and len(garble.form) >= self.words_checked_below:
            return True
        return garble.word_frequency < self.dictionary_min_frequency


DEFAULT_RULE = GarbleRule()




def context(text: str, start: int, end: int) -> tuple[str, str]:
    """Up to CONTEXT_CHARS characters either side of a span, within its line."""
    left = text[max(0, start - CONTEXT_CHARS):start].rpartition("\n")[2]
    right = text[end:end + CONTEXT_CHARS].partition("\n")[0]
    return left, right


def sibling_reading(text: str, term: str, positions: tuple[int, ...], left: str, right: str) -> str | None:
    """How a sibling printing reads the passage: "term" where it prints the term after `left` or
    before `right`; "other" where it prints something else at the substituted positions there (the
    same garbled form, or the text that the form garbles: 的飞行 where 勺飞行 is found for 为飞行);
    "mixed" where it prints both in such a context (a repeated passage, or a short context);
    None where it does not print the passage. A side of under MIN_CONTEXT_CHARS characters does
    not count: too short to place a passage."""
    template = "".join("." if p in positions else re.escape(c) for p, c in enumerate(term))
    sides = []
    if len(left) >= MIN_CONTEXT_CHARS:
        sides.append(re.escape(left) + f"({template})")
    if len(right) >= MIN_CONTEXT_CHARS:
        sides.append(f"({template})" + re.escape(right))
    readings = {match.group(1) == term for side in sides for match in re.finditer(side, text)}
    if not readings:
        return None
    return "mixed" if len(readings) == 2 else "term" if True in readings else "other"
