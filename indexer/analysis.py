"""The jieba tokenizer and word field the whoosh schema pickles, for the ranking fields.

It lives at this stable import path because whoosh stores the schema,
analyzer objects included, inside the index.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Iterator

from whoosh import fields
from whoosh.analysis import Token, Tokenizer
from whoosh.system import pack_uint

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
    """jieba words (precise mode) of normalised text, without whitespace and punctuation tokens."""
    return [w for w in load_jieba().lcut(text, HMM=True) if WORD_CHARS.search(w)]


class JiebaTokenizer(Tokenizer):
    """jieba words with positions 0, 1, 2, ... (not character offsets), so word phrases line up.

    Input is already normalised, so no filter (and no stemmer) follows it.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, word in enumerate(words(value) if tokenize else [value], start_pos):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            yield token

    def __eq__(self, other) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)


class WordsField(fields.TEXT):
    """A ranking field of jieba word counts (no positions), indexed without whoosh's per-token objects.

    whoosh's own path builds a Token object per word and counts in Python;
    counting with Counter does the same work several times faster, and
    indexing is bound by this step.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(analyzer=JiebaTokenizer(), phrase=False, **kwargs)

    def index(self, value, **kwargs):
        counts = Counter(words(value) if isinstance(value, str) else value)
        boost = self.format.field_boost
        return [(word.encode("utf-8"), n, n * boost, pack_uint(n)) for word, n in counts.items()]
