"""Tokenisers the whoosh schema pickles: jieba words for ranking, character bigrams for literal matching.

Both run on normalised text. They live at this stable import path because
whoosh stores the schema, analyzer objects included, inside the index.
"""
from __future__ import annotations

import logging
import re
from typing import Iterator

from whoosh.analysis import Token, Tokenizer

WORD_CHARS = re.compile(r"\w")
_jieba = None


def load_jieba():
    """Import jieba and load its dictionary once per process, silently."""
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def words(text: str) -> list[str]:
    """jieba words of normalised text, without whitespace and punctuation tokens."""
    return [w for w in load_jieba().lcut(text, HMM=True) if WORD_CHARS.search(w)]


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams, position i holding text[i:i+2]; the last position holds one character.

    A term of length >= 2 occurs at position p exactly when its bigrams sit at
    p, p+1, ...: a phrase query over them is a substring search.
    """
    if not text:
        return []
    return [text[i:i + 2] for i in range(len(text))]


class _ListTokenizer(Tokenizer):
    """Yields the strings of a list-producing function with sequential positions."""

    def split(self, text: str) -> list[str]:
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, piece in enumerate(self.split(value) if tokenize else [value], start_pos):
            token.text = piece
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = piece
            if positions:
                token.pos = pos
            yield token

    def __eq__(self, other) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)


class JiebaTokenizer(_ListTokenizer):
    """jieba words (precise mode) with positions 0, 1, 2, ... so word phrases work."""

    def split(self, text: str) -> list[str]:
        return words(text)


class BigramTokenizer(_ListTokenizer):
    """Character bigrams with positions equal to character offsets."""

    def split(self, text: str) -> list[str]:
        return bigrams(text)
