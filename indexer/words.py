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


def _block_codes(block: str) -> bytes:
    """Codes (packed uint64) of the words jieba cuts one run of its Chinese-text characters into, remembered."""
    codes = _blocks.get(block)
    if codes is None:
        if len(_blocks) >= _BLOCK_CACHE_SIZE:  # forget the older half
            for old in list(itertools.islice(_blocks, _BLOCK_CACHE_SIZE // 2)):
                del _blocks[old]
        codes = _blocks[block] = np.array([word_code(w) for w in words(block)], dtype=np.uint64).tobytes()
    return codes


def word_codes(text: str) -> np.ndarray:
    """The codes of `words(text)`, in order (uint64), cutting each run of Chinese text once per process.

    jieba cuts a text run by run, a run being what its `re_han_default`
    matches, and yields every other character on its own; the words of a run
    depend on nothing outside it, so remembering them changes nothing.
    """
    runs = load_jieba().re_han_default.split(text)
    # split() with one group: odd pieces are the runs. Between them are mostly punctuation and line
    # breaks, which hold no word: then the runs' codes are all there is, joined without a loop.
    if not WORD_CHARS.search("".join(runs[0::2])):
        return np.frombuffer(b"".join([_block_codes(run) for run in runs[1::2]]), dtype=np.uint64)
    found = []
    for index, piece in enumerate(runs):
        if index % 2:
            found.append(_block_codes(piece))
        else:
            found.append(np.array([word_code(char) for char in piece if WORD_CHARS.match(char)],
                                  dtype=np.uint64).tobytes())
    return np.frombuffer(b"".join(found), dtype=np.uint64)


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


def _field_counts(text: str, flag: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """A field's distinct word codes (sorted, flagged) and their counts."""
    codes, counts = np.unique(word_codes(text) if text else np.zeros(0, np.uint64), return_counts=True)
    return codes | flag, counts.astype(np.uint32)


def count_words(title: str, body: str) -> WordCounts:
    """The word counts of a variant's normalised title and normalised text."""
    title_codes, title_counts = _field_counts(title, TITLE_FLAG)
    body_codes, body_counts = _field_counts(body, np.uint64(0))
    # Title codes carry the top bit: after every body code, so the joined codes stay sorted.
    return WordCounts(np.concatenate((body_codes, title_codes)), np.concatenate((body_counts, title_counts)),
                      int(title_counts.sum()), int(body_counts.sum()))
