"""The truth's printed articles joined to the indexed variants: which variants hold each article's lines
(bench.segmentation's cover) and the other way round, and index document numbers to variant positions."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from bench.rawtext import RawArticle
from bench.reference import Variants


@dataclass
class TruthMap:
    """Printed articles (in truth order) and the variants holding them."""

    articles: list[RawArticle]
    cover: list[frozenset[int]]  # per article: positions of the variants holding its lines
    held: dict[int, list[int]] = field(default_factory=dict)  # variant position -> articles whose lines it holds
    position_of: dict[int, int] = field(default_factory=dict)  # index document number -> variant position
    ordinal: list[int] = field(default_factory=list)  # per variant position: its place on its page

    @classmethod
    def build(cls, articles: list[RawArticle], cover: dict[tuple[str, int], set[int]], variants: Variants) -> "TruthMap":
        covers = [frozenset(cover.get(article.key, ())) for article in articles]
        held: dict[int, list[int]] = defaultdict(list)
        for index, positions in enumerate(covers):
            for position in positions:
                held[position].append(index)
        return cls(articles, covers, dict(held), {docnum: i for i, docnum in enumerate(variants.docnum)},
                   variants.ordinal)

    def positions(self, docnums: np.ndarray) -> set[int]:
        """Variant positions of index document numbers (latest variants only)."""
        return {self.position_of[d] for d in docnums.tolist() if d in self.position_of}

    def articles_of(self, positions: Iterable[int]) -> set[int]:
        """The articles whose lines the variants hold."""
        return {a for position in positions for a in self.held.get(position, ())}

    def in_page_order(self, positions: Iterable[int]) -> list[int]:
        """Variant positions (of one page) in the order the page prints them."""
        return sorted(positions, key=lambda position: self.ordinal[position])

    def alone(self, article: int) -> int | None:
        """The one variant holding the article, when it holds all of it and nothing of another article."""
        if len(self.cover[article]) != 1:
            return None
        (position,) = self.cover[article]
        return position if self.held[position] == [article] else None
