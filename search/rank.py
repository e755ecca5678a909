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

from indexer.analysis import WORD_CHARS
from search.query import And, Node, Not, Or, Term, positive_terms
from search.view import View

RANKING = scoring.BM25F(B=0.75, K1=1.2)
MAX_WORD_SHARE = 0.5
# jieba's dictionary words are rarely longer; longer index terms are rare names, still found piecewise.
MAX_WORD_CHARS = 8
# Up to this many matches, scoring each one directly beats whoosh walking whole posting lists.
DIRECT_SCORING_LIMIT = 2000


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


def indexed_words(reader, text: str) -> list[str]:
    """The words of a query term, by longest match against the words jieba found in the indexed texts.

    Segmenting a short term with jieba itself would cut it without the context
    it has in the texts, and loading jieba's dictionary costs a cold process
    more than the whole rest of a search; the index's own vocabulary is the
    set of words there is anything to score.
    """
    found = []
    start = 0
    while start < len(text):
        for end in range(min(len(text), start + MAX_WORD_CHARS), start, -1):
            word = text[start:end]
            if ("body", word) in reader or ("title", word) in reader:
                if WORD_CHARS.search(word):
                    found.append(word)
                start = end
                break
        else:
            start += 1
    return found


def ranking_terms(view: View, node: Node) -> list[tuple[str, str]]:
    """(field, word) pairs BM25F scores: the positive terms' indexed words in title and body.

    A word in most variants (的, 是) adds next to nothing to a score, its idf
    being near zero, but scoring it walks its whole posting list: it is left out.
    """
    searcher = view.searcher
    ceiling = MAX_WORD_SHARE * max(1, searcher.doc_count())
    pairs = []
    for term in positive_terms(node):
        for word in dict.fromkeys(indexed_words(searcher.reader(), term.text)):
            for field in ("title", "body"):
                if 0 < searcher.doc_frequency(field, word) <= ceiling:
                    pairs.append((field, word))
    return pairs


def _direct_scores(view: View, pairs: list[tuple[str, str]], docnums: np.ndarray) -> np.ndarray:
    """BM25F scores of the given (sorted) documents, skipping through each word's postings to them.

    The same scorer and sum as whoosh's search over an Or of the pairs, without
    visiting every other document the words occur in.
    """
    scores = np.zeros(len(docnums))
    targets = docnums.tolist()
    for field, word in pairs:
        matcher = view.searcher.postings(field, word)
        for i, docnum in enumerate(targets):
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                scores[i] += matcher.score()
    return scores


def scored(view: View, node: Node, docnums: np.ndarray, limit: int | None) -> list[Hit]:
    """The best `limit` (or all) of `docnums`, best first (ties by document number); unranked matches score 0."""
    if not len(docnums):
        return []
    pairs = ranking_terms(view, node)
    if not pairs:
        scores = np.zeros(len(docnums))
    elif len(docnums) <= DIRECT_SCORING_LIMIT or limit is None:
        scores = _direct_scores(view, pairs, docnums)
    else:
        query = wq.Or([wq.Term(field, word) for field, word in pairs])
        results = view.searcher.search(query, filter=set(docnums.tolist()), limit=limit)
        hits = [Hit(docnum, float(score)) for score, docnum in results.top_n]
        if len(hits) < limit:  # the rest match literally but hold no ranking word
            seen = {hit.docnum for hit in hits}
            hits += [Hit(d, 0.0) for d in docnums.tolist() if d not in seen][:limit - len(hits)]
        return hits
    order = np.lexsort((docnums, -scores))[:limit]
    return [Hit(int(docnums[i]), float(scores[i])) for i in order]
