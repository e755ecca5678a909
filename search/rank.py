"""Decide which variants match (exactly, from the literal index) and order them (BM25F over jieba words).

Which variants match is decided by the literal index alone: a term matches
exactly the variants whose normalised text contains it. The ranking part,
jieba words of the positive terms in title and body scored by whoosh's BM25F
with the title weighted up, only orders what the literal part admits.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh import scoring

from indexer.analysis import words
from search.query import And, Node, Not, Or, Term, positive_terms
from search.view import View

RANKING = scoring.BM25F(B=0.75, K1=1.2)


@dataclass(frozen=True)
class Hit:
    """One matching variant: its document number and score."""

    docnum: int
    score: float


def matching(view: View, node: Node, scope: np.ndarray) -> np.ndarray:
    """Sorted document numbers within `scope` whose normalised text satisfies `node`."""
    if isinstance(node, Term):
        return np.intersect1d(view.docnums(view.literal.term_keys(node.text)), scope, assume_unique=True)
    if isinstance(node, Not):
        return np.setdiff1d(scope, matching(view, node.child, scope), assume_unique=True)
    if isinstance(node, Or):
        found = np.zeros(0, dtype=np.int64)
        for child in node.children:
            found = np.union1d(found, matching(view, child, scope))
        return found
    assert isinstance(node, And)
    # Positive parts first: they narrow the scope that exclusions then work within.
    for child in sorted(node.children, key=lambda c: isinstance(c, Not)):
        scope = matching(view, child, scope)
        if not len(scope):
            break
    return scope


def ranking_query(node: Node) -> wq.Query:
    """Jieba words of the positive terms, in title and body: what BM25F scores."""
    clauses: list[wq.Query] = []
    for term in positive_terms(node):
        for word in dict.fromkeys(words(term.text)):
            clauses.append(wq.Term("title", word))
            clauses.append(wq.Term("body", word))
    return wq.Or(clauses) if clauses else wq.NullQuery


def scored(view: View, node: Node, docnums: np.ndarray, limit: int | None) -> list[Hit]:
    """The best `limit` (or all) of `docnums`, best first; a match no ranking word reaches scores 0."""
    if not len(docnums):
        return []  # whoosh reads an empty filter as no filter at all
    wanted = set(docnums.tolist())
    results = view.searcher.search(ranking_query(node), filter=wanted, limit=limit)
    hits = [Hit(docnum, float(score)) for score, docnum in results.top_n]
    if limit is None or len(hits) < limit:
        seen = {hit.docnum for hit in hits}
        unscored = (Hit(d, 0.0) for d in docnums.tolist() if d not in seen)
        hits.extend(unscored if limit is None else list(unscored)[:limit - len(hits)])
    return hits
