"""No hit lost to a cut, no hit made by a join (issue 17): two-term AND queries against the printed articles'
raw text (bench.rawtext), at article level.

together  a term from the first third of an article's raw text and one from its last third (so that a split
          anywhere between them separates them). For every article whose raw text holds both (the one they
          were drawn from and any other), the pair is kept when the engine returns a variant of that article's
          page (and, stricter, a variant holding the article's lines).
apart     a term from one article of a page and one from another, such that no article of that page holds
          both. The engine returning a variant of that page is a false join (two articles read as one).
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.rawtext import CJK_RUN
from bench.reference import Variants
from bench.truthmap import TruthMap
from search.engine import Corpus
from search.request import SearchRequest

SHOWN = 20
ATTEMPTS = 50  # draws per wanted query
# A lost pair, by how many variants hold the article's lines: none, one (it holds both terms there, but not
# in its normalised text), or several (segmentation split the article).
LOST_CAUSES = ("in no variant", "on one variant", "split")


@dataclass(frozen=True)
class PairQuery:
    """Two terms and the article (index into the truth map) or page they were drawn from."""

    first: str
    second: str
    article: int  # the article drawn from (for `apart`, the first term's)

    @property
    def query(self) -> str:
        return f"{self.first} {self.second}"


def draw_term(text: str, low: int, high: int, rng: random.Random) -> str | None:
    """A run of 2-4 ideographs starting in text[low:high], or None."""
    length = rng.randint(2, 4)
    if high - low < length:
        return None
    start = rng.randrange(low, max(low + 1, high - length + 1))
    piece = text[start:start + length]
    return piece if len(piece) == length and CJK_RUN.fullmatch(piece) else None


def together_queries(truth: TruthMap, count: int, rng: random.Random) -> list[PairQuery]:
    """Pairs of terms from the two ends of one article."""
    made: dict[PairQuery, None] = {}
    candidates = [a for a, article in enumerate(truth.articles) if len(article.text) >= 30]
    for _ in range(count * ATTEMPTS):
        if len(made) == count or not candidates:
            break
        article = rng.choice(candidates)
        text = truth.articles[article].text
        third = len(text) // 3
        first, second = draw_term(text, 0, third, rng), draw_term(text, 2 * third, len(text), rng)
        if first and second and first not in second and second not in first:
            made[PairQuery(first, second, article)] = None
    return list(made)


def apart_queries(truth: TruthMap, count: int, rng: random.Random) -> list[PairQuery]:
    """Pairs of terms from two articles of one page that no article of the page holds together."""
    pages: dict[str, list[int]] = {}
    for a, article in enumerate(truth.articles):
        pages.setdefault(article.page, []).append(a)
    shared = [members for members in pages.values() if len(members) >= 2]
    made: dict[PairQuery, None] = {}
    for _ in range(count * ATTEMPTS):
        if len(made) == count or not shared:
            break
        one, other = rng.sample(rng.choice(shared), 2)
        first = draw_term(truth.articles[one].text, 0, len(truth.articles[one].text), rng)
        second = draw_term(truth.articles[other].text, 0, len(truth.articles[other].text), rng)
        if not first or not second:
            continue
        page = pages[truth.articles[one].page]
        if not any(first in truth.articles[a].text and second in truth.articles[a].text for a in page):
            made[PairQuery(first, second, one)] = None
    return list(made)


def _page_source(page: str) -> str:
    """The source id `corpus index --id-from path` gives a page file."""
    return page.removeprefix("pages/").removesuffix(".txt")


def cut_check(corpus: Corpus, truth: TruthMap, variants: Variants, seed: int, queries: int) -> dict[str, Any]:
    """Article-level AND recall over `together` pairs and false joins over `apart` queries."""
    rng = random.Random(f"bench-cuts:{seed}")
    texts = [article.text for article in truth.articles]
    counts = Counter(dict.fromkeys(("together_queries", "pairs", "page_hits", "article_hits", "apart_queries",
                                    "false_joins"), 0))
    lost: list[dict[str, Any]] = []
    lost_by = Counter(dict.fromkeys(LOST_CAUSES, 0))
    for pair in together_queries(truth, queries, rng):
        returned = truth.positions(corpus.rank(SearchRequest(query=pair.query)).matched.docnums)
        pages = {variants.source[v] for v in returned}
        counts["together_queries"] += 1
        for a, text in enumerate(texts):
            if pair.first in text and pair.second in text:
                on_page = _page_source(truth.articles[a].page) in pages
                counts["pairs"] += 1
                counts["page_hits"] += on_page
                counts["article_hits"] += bool(truth.cover[a] & returned)
                if not on_page:
                    lost_by[LOST_CAUSES[min(len(truth.cover[a]), 2)]] += 1
                if not on_page and len(lost) < SHOWN:
                    lost.append({"query": pair.query, "page": truth.articles[a].page, "ordinal": truth.articles[a].ordinal,
                                 "variants": len(truth.cover[a])})
    joins: list[dict[str, Any]] = []
    for pair in apart_queries(truth, queries, rng):
        page = truth.articles[pair.article].page
        returned = truth.positions(corpus.rank(SearchRequest(query=pair.query)).matched.docnums)
        joined = [v for v in returned if variants.source[v] == _page_source(page)]
        counts["apart_queries"] += 1
        counts["false_joins"] += bool(joined)
        if joined and len(joins) < SHOWN:
            joins.append({"query": pair.query, "page": page, "variant_ordinals": sorted(variants.ordinal[v] for v in joined)})
    pairs = counts["pairs"]
    return {**counts, "page_recall": counts["page_hits"] / pairs if pairs else 1.0,
            "article_recall": counts["article_hits"] / pairs if pairs else 1.0,
            "false_join_rate": counts["false_joins"] / counts["apart_queries"] if counts["apart_queries"] else 0.0,
            "lost_by_cover": dict(lost_by), "lost": lost, "joins": joins}
