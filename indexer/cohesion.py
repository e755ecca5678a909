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
