"""Lexical cohesion: how much two stretches of text share their vocabulary.

The paragraphs under a sub-head go on with the story above it and reuse its
words; the first paragraphs of the next article are about something else.
Words are approximated by character bigrams, so no word segmenter is needed
for Chinese, and texts are compared as sets of bigrams (TextTiling's block
comparison, with set cosine in place of term-vector cosine): building a set
is linear in the text, and comparing two is linear in the smaller one.
"""
from __future__ import annotations

import math
import re

from rapidfuzz import fuzz

_NON_LETTER = re.compile(r"[\W_]+")
# A headline that echoes its lead: the headline's letters match this well (rapidfuzz partial ratio,
# 0-100) somewhere in the lead's opening, twice the headline's length, OCR errors and all.
ECHO_MIN_SCORE = 90
# Shorter headings ("背景", "红色食品") name a section and may open its paragraph too.
ECHO_MIN_CHARS = 6


def bigrams(text: str) -> set[str]:
    """The distinct two-character sequences of `text`.

    Sequences holding punctuation or digits are kept: skipping them would cost
    more than they do, and as every text has them alike, they move the
    similarity of related and unrelated texts by about the same amount.
    """
    return {text[i:i + 2] for i in range(len(text) - 1)}


def similarity(first: set[str], second: set[str]) -> float:
    """Cosine similarity of two bigram sets: the shared bigrams over the geometric mean of the set sizes."""
    if not first or not second:
        return 0.0
    return len(first & second) / math.sqrt(len(first) * len(second))


def coverage(grams: set[str], vocabulary: set[str]) -> float:
    """The share of `grams` found in `vocabulary`: near 1 for a paragraph printed again."""
    return len(grams & vocabulary) / len(grams) if grams else 0.0


def echoes(heading: str, lead: str) -> bool:
    """True if `heading` repeats the opening of `lead`, as a headline set from the lead's first clause
    does ("人才交流会上" over "人才交流会上，一个文静的女生..."); a sub-head summarising a section seldom
    repeats its first words."""
    head = _NON_LETTER.sub("", heading)
    if len(head) < ECHO_MIN_CHARS:
        return False
    opening = _NON_LETTER.sub("", lead)[:2 * len(head)]
    return len(opening) >= len(head) and fuzz.partial_ratio(head, opening) >= ECHO_MIN_SCORE
