"""Turn a parsed query into whoosh queries and run them: exact literal matching, BM25F ranking over jieba words.

Which variants match is decided by the literal part alone, over the bigram
field: a term is a phrase of its overlapping character bigrams, which occurs
exactly where the term is a substring of the normalised text. The ranking
part (jieba words of the positive terms in title and body, BM25F with the
title weighted up) only orders what the literal part admits.
"""
from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as wq
from whoosh import scoring
from whoosh.searching import Searcher

from indexer.analysis import words
from search.query import And, Node, Not, Or, Term, positive_terms

RANKING = scoring.BM25F(B=0.75, K1=1.2)


def literal_query(node: Node) -> wq.Query:
    """The whoosh query matching exactly the variants whose normalised text satisfies `node`."""
    if isinstance(node, Term):
        text = node.text
        if len(text) == 1:
            # Position i holds text[i:i+2] (the last one text[i]), so a one-character term is a prefix.
            return wq.Prefix("chars", text)
        pairs = [text[i:i + 2] for i in range(len(text) - 1)]
        return wq.Term("chars", pairs[0]) if len(pairs) == 1 else wq.Phrase("chars", pairs)
    if isinstance(node, Not):
        return wq.Not(literal_query(node.child))
    if isinstance(node, And):
        return wq.And([literal_query(c) for c in node.children])
    assert isinstance(node, Or)
    return wq.Or([literal_query(c) for c in node.children])


def ranking_query(node: Node) -> wq.Query:
    """Jieba words of the positive terms, in title and body: what BM25F scores."""
    clauses: list[wq.Query] = []
    for term in positive_terms(node):
        for word in dict.fromkeys(words(term.text)):
            clauses.append(wq.Term("title", word))
            clauses.append(wq.Term("body", word))
    return wq.Or(clauses) if clauses else wq.NullQuery


def full_query(node: Node) -> wq.Query:
    """Literal matching decides membership and scores nothing; the ranking part adds the score."""
    return wq.AndMaybe(wq.ConstantScoreQuery(literal_query(node), 0.0), ranking_query(node))


@dataclass(frozen=True)
class Hit:
    """One matching variant: its document number and score."""

    docnum: int
    score: float


def run(searcher: Searcher, node: Node, filter_query: wq.Query) -> list[Hit]:
    """Every matching variant within the filter, best first."""
    results = searcher.search(full_query(node), filter=filter_query, limit=None)
    return [Hit(docnum, float(score)) for score, docnum in results.top_n]
