"""Ranking words: the jieba words of a variant's title and text, as 64-bit codes with their counts.

BM25F ranks on these. A word is posted under a stable hash of its text, with
the top bit marking title words, so the postings of both fields live in one
sorted numpy table beside the literal postings (see literal.py), and a query
looks a word up by hashing it, without jieba.
"""
from __future__ import annotations

import hashlib
import itertools
import logging
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from indexer.sorted_sets import locate

WORD_CHARS = re.compile(r"\w")
TITLE_FLAG = np.uint64(1 << 63)
FIELDS = ("title", "body")
# Title words weigh this much more than body words in BM25F.
TITLE_BOOST = 2.5
# Codes of recent words, per process: most words recur, and hashing is most of what coding costs.
_CODE_CACHE_SIZE = 500_000
_codes: dict[str, int] = {}
# Word codes of recent runs of Chinese text, per process (some 200 bytes each): a wire story is
# reprinted by many papers, so most of its clauses come round again, OCR errors aside.
_BLOCK_CACHE_SIZE = 200_000
_blocks: dict[str, list[int]] = {}
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


def _block_codes(block: str) -> list[int]:
    """Codes of the words jieba cuts one run of its Chinese-text characters into, remembered."""
    codes = _blocks.get(block)
    if codes is None:
        if len(_blocks) >= _BLOCK_CACHE_SIZE:  # forget the older half
            for old in list(itertools.islice(_blocks, _BLOCK_CACHE_SIZE // 2)):
                del _blocks[old]
        codes = _blocks[block] = [word_code(w) for w in words(block)]
    return codes


def word_codes(text: str) -> list[int]:
    """The codes of `words(text)`, in order, cutting each run of Chinese text once per process.

    jieba cuts a text run by run, a run being what its `re_han_default`
    matches, and yields every other character on its own; the words of a run
    depend on nothing outside it, so remembering them changes nothing.
    """
    runs = load_jieba().re_han_default.split(text)
    found: list[int] = []
    for index, piece in enumerate(runs):
        if index % 2:  # split() with one group: odd pieces are the runs
            found += _block_codes(piece)
        elif WORD_CHARS.search(piece):  # most pieces between runs are punctuation and line breaks
            found += [word_code(char) for char in piece if WORD_CHARS.match(char)]
    return found


def word_code(word: str) -> int:
    """A word's code: 63 bits of its BLAKE2b hash (the top bit is the title flag)."""
    code = _codes.get(word)
    if code is None:
        if len(_codes) >= _CODE_CACHE_SIZE:
            _codes.clear()
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        code = _codes[word] = int.from_bytes(digest, "little") >> 1
    return code


def field_code(field: str, word: str) -> np.uint64:
    """The code a word is posted under in one field."""
    code = np.uint64(word_code(word))
    return code | TITLE_FLAG if field == "title" else code


def field_of(code: np.uint64) -> str:
    """The field a code is posted in."""
    return "title" if np.uint64(code) & TITLE_FLAG else "body"


@dataclass
class WordCounts:
    """One variant's ranking words: distinct field codes (sorted), their counts, and each field's length."""

    codes: np.ndarray  # uint64
    counts: np.ndarray  # uint32
    title_length: int
    body_length: int

    @classmethod
    def empty(cls) -> "WordCounts":
        return cls(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32), 0, 0)

    def without_body_of(self, part: "WordCounts") -> "WordCounts":
        """These counts less the body words of `part`, a run of whole lines of this text.

        jieba never joins characters across a line break, so a text's words
        are the sum of its lines' words, and the rest of a text split at a line
        is counted without cutting it again.
        """
        at, present = locate(self.codes, part.codes)
        counts = self.counts.astype(np.int64)
        np.subtract.at(counts, at[present], part.counts[present])
        kept = counts > 0
        return WordCounts(self.codes[kept], counts[kept].astype(np.uint32), self.title_length,
                          max(0, self.body_length - part.body_length))


def _field_counts(text: str, flag: int) -> tuple[list[int], list[int], int]:
    counts = Counter(word_codes(text)) if text else Counter()
    return [code | flag for code in counts], list(counts.values()), sum(counts.values())


def count_words(title: str, body: str) -> WordCounts:
    """The word counts of a variant's normalised title and normalised text."""
    title_codes, title_counts, title_length = _field_counts(title, int(TITLE_FLAG))
    body_codes, body_counts, body_length = _field_counts(body, 0)
    codes = np.array(title_codes + body_codes, dtype=np.uint64)
    counts = np.array(title_counts + body_counts, dtype=np.uint32)
    order = np.argsort(codes)
    return WordCounts(codes[order], counts[order], title_length, body_length)
