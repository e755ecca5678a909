"""Decide which variants match (exactly, from the literal index) and order them (BM25F over jieba words).

Which variants match is decided by the literal index alone: a term matches
exactly the variants whose normalised text contains it. The ranking part,
jieba words of the positive terms in title and body scored by whoosh's BM25F
with the title weighted up, only orders what the literal part admits.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import scoring

from indexer.analysis import WORD_CHARS
from search.query import And, Node, Not, Or, Term, positive_terms
from indexer.sorted_sets import intersect, locate
from search.view import View

RANKING = scoring.BM25F(B=0.75, K1=1.2)
MAX_WORD_SHARE = 0.5
# jieba's dictionary words are rarely longer; longer index terms are rare names, still found piecewise.
MAX_WORD_CHARS = 8
# Skipping to one document in whoosh's postings and scoring it costs about as much as reading this
# many postings into numpy (measured): few matches among long posting lists are scored directly.
SKIP_COST = 25


@dataclass(frozen=True)
class Hit:
    """One matching variant: its document number and score."""

    docnum: int
    score: float


def matching(view: View, node: Node, scope: np.ndarray) -> np.ndarray:
    """Sorted document numbers within `scope` whose normalised text satisfies `node`."""
    if isinstance(node, Term):
        return intersect(view.docnums(view.literal.term_keys(node.text)), scope)
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


def _posting_scores(view: View, pairs: list[tuple[str, str]], docnums: np.ndarray) -> np.ndarray:
    """BM25F scores of the given (sorted) documents from each word's whole posting list, in numpy.

    The same formula, statistics and decoded field lengths as whoosh's scorer;
    for large match sets, reading whole lists block by block is cheaper than
    skipping through them.
    """
    scores = np.zeros(len(docnums))
    searcher = view.searcher
    for field, word in pairs:
        ids, weights = view.postings.get(field, word)
        at, hit = locate(docnums, ids)
        lengths = view.field_lengths[field][ids[hit]]
        idf, average = searcher.idf(field, word), searcher.avg_field_length(field) or 1
        tf = weights[hit].astype(np.float64)
        # whoosh.scoring.bm25, vectorised
        np.add.at(scores, at[hit], idf * (tf * (RANKING.K1 + 1))
                  / (tf + RANKING.K1 * ((1 - RANKING.B) + RANKING.B * lengths / average)))
    return scores


def score_matches(view: View, node: Node, docnums: np.ndarray) -> np.ndarray:
    """The BM25F score of each of the (sorted) matching documents; 0 for those holding no ranking word."""
    pairs = ranking_terms(view, node) if len(docnums) else []
    if not pairs:
        return np.zeros(len(docnums))
    postings = sum(view.searcher.doc_frequency(field, word) for field, word in pairs)
    if len(docnums) * len(pairs) * SKIP_COST < postings:
        return _direct_scores(view, pairs, docnums)
    return _posting_scores(view, pairs, docnums)


def top_hits(docnums: np.ndarray, scores: np.ndarray, limit: int | None) -> list[Hit]:
    """The best `limit` (or all) documents, best first, ties by document number (`docnums` is sorted)."""
    chosen = np.arange(len(docnums))
    if limit is not None and limit < len(docnums):
        kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]  # the limit-th best score
        above = np.nonzero(scores > kth)[0]
        chosen = np.concatenate([above, np.nonzero(scores == kth)[0][:limit - len(above)]])
    order = chosen[np.lexsort((chosen, -scores[chosen]))]
    return [Hit(int(docnums[i]), float(scores[i])) for i in order]
