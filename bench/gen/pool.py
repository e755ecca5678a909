"""The pool of stories: usable articles spooled to disk, without exact or near duplicates."""
from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterable, Sequence
from hashlib import sha1
from pathlib import Path
from typing import IO

from bench.gen.articles import Article, iter_corpus
from bench.gen.neardup import ShingleSets, near_duplicates


class ArticleStore:
    """Articles spooled to an anonymous temporary file and read back by index."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()
        self._offsets = array("q", [0])
        self.lengths = array("l")

    def add(self, article: Article) -> None:
        """Append one article."""
        self._append(article.to_json().encode("utf-8"), article.n_chars)

    def _append(self, data: bytes, n_chars: int) -> None:
        self._file.write(data)
        self._offsets.append(self._offsets[-1] + len(data))
        self.lengths.append(n_chars)

    def __len__(self) -> int:
        return len(self.lengths)

    def _read(self, index: int) -> bytes:
        start, end = self._offsets[index], self._offsets[index + 1]
        self._file.seek(start)
        return self._file.read(end - start)

    def get(self, index: int) -> Article:
        """Read article `index` back from the spool."""
        return Article.from_json(self._read(index).decode("utf-8"))

    def subset(self, indices: Iterable[int]) -> ArticleStore:
        """A new store with the articles at `indices`, in that order (copied as bytes, not re-parsed)."""
        subset = ArticleStore()
        for index in indices:
            subset._append(self._read(index), self.lengths[index])
        return subset

    def close(self) -> None:
        """Delete the spool file."""
        self._file.close()


def article_text(article: Article) -> str:
    """Title and body of an article, the text compared for near-duplicates."""
    return "\n".join([article.title, *(b.text for b in article.blocks)])


def load_pool(corpora: Path, names: Sequence[str]) -> tuple[ArticleStore, dict[str, dict[str, int]]]:
    """Spool the usable articles of the named corpora, without exact or near duplicates."""
    spool = ArticleStore()
    shingles = ShingleSets()
    corpus_of: list[str] = []  # spool index -> corpus name, to count near duplicates per corpus
    seen: dict[str, None] = {}  # a dict, not a set: only membership is asked, never iterated
    report: dict[str, dict[str, int]] = {}
    for name in names:
        stats = report.setdefault(
            name, {"read": 0, "unusable": 0, "duplicates": 0, "near_duplicates": 0, "kept": 0}
        )
        for article in iter_corpus(corpora, name, stats):
            digest = sha1("\n".join(b.text for b in article.blocks).encode("utf-8")).hexdigest()
            if digest in seen:
                stats["duplicates"] += 1
                continue
            seen[digest] = None
            spool.add(article)
            shingles.add(article_text(article))
            corpus_of.append(name)
    dropped = dict.fromkeys(near_duplicates(shingles))
    del shingles  # 8 bytes a character of the pool: free it before the pool is copied
    kept = [index for index in range(len(spool)) if index not in dropped]
    for index in dropped:
        report[corpus_of[index]]["near_duplicates"] += 1
    for index in kept:
        report[corpus_of[index]]["kept"] += 1
    try:
        return spool.subset(kept), report
    finally:
        spool.close()
