"""Decide which variants match (exactly, from the literal index) and order them (BM25F over jieba words).

Which variants match is decided by the literal index alone: a term matches
exactly the variants whose normalised text contains it. The ranking part,
jieba words of the positive terms in title and body scored by BM25F with the
title weighted up (whoosh's formula), only orders what the literal part admits.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from indexer.sorted_sets import intersect, locate
from indexer.words import FIELDS, TITLE_FLAG, WORD_CHARS, field_code, field_of, word_code
from search.budget import Deadline
from search.query import And, Node, Not, Or, Term, parse_query, positive_terms
from search.request import SearchRequest
from search.view import View

BM25_B, BM25_K1 = 0.75, 1.2
MAX_WORD_SHARE = 0.5
NO_DEADLINE = Deadline()
# jieba's dictionary words are rarely longer; longer index terms are rare names, still found piecewise.
MAX_WORD_CHARS = 8


@dataclass
class Matched:
    """What a request matched: the parsed query, the scope its filters admit, and the matching documents
    (sorted), with the view they come from and the deadline the work runs under."""

    view: View
    node: Node
    scope: np.ndarray
    docnums: np.ndarray
    deadline: Deadline
    # Of docnums, those that hold the query's terms only together with the variant after them, across a weak
    # segmentation cut (search.joins); sorted.
    joined: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def terms(self) -> list[str]:
        """The normalised terms a match contains (not under NOT)."""
        return [term.text for term in positive_terms(self.node)]

    def stories(self) -> np.ndarray:
        """Each matching document's story number."""
        return self.view.story_of[self.docnums]


def match_request(view: View, request: SearchRequest, deadline: Deadline) -> Matched:
    """Parse a request's query and find what it matches within its filters."""
    return match_node(view, parse_query(request.query), view.filtered(*request.scope_queries()), deadline)


def match_node(view: View, node: Node, scope: np.ndarray, deadline: Deadline) -> Matched:
    """What a parsed query matches within a scope (several queries of one scope: a batch of topics)."""
    return Matched(view, node, scope, matching(view, node, scope, deadline), deadline)


@dataclass(frozen=True)
class Hit:
    """One matching variant: its document number and score."""

    docnum: int
    score: float


def matching(view: View, node: Node, scope: np.ndarray, deadline: Deadline = NO_DEADLINE) -> np.ndarray:
    """Sorted document numbers within `scope` whose normalised text satisfies `node`."""
    if isinstance(node, Term):
        return intersect(view.docnums(view.literal.term_keys(node.text, deadline.check)), scope)
    if isinstance(node, Not):
        return np.setdiff1d(scope, matching(view, node.child, scope, deadline), assume_unique=True)
    if isinstance(node, Or):
        found = np.zeros(0, dtype=np.int64)
        for child in node.children:
            found = np.union1d(found, matching(view, child, scope, deadline))
        return found
    assert isinstance(node, And)
    # Positive parts first: they narrow the scope that exclusions then work within.
    for child in sorted(node.children, key=lambda c: isinstance(c, Not)):
        scope = matching(view, child, scope, deadline)
        if not len(scope):
            break
    return scope


def indexed_words(view: View, text: str) -> list[str]:
    """The words of a query term, by longest match against the words jieba found in the indexed texts.

    Segmenting a short term with jieba itself would cut it without the context
    it has in the texts, and loading jieba's dictionary costs a cold process
    more than the whole rest of a search; the index's own vocabulary is the
    set of words there is anything to score. Every substring that could be a
    word is looked up at once.
    """
    spans = [(start, end) for start in range(len(text))
             for end in range(start + 1, min(len(text), start + MAX_WORD_CHARS) + 1)]
    # Each span coded once; its code in the title is the body's with the title flag set (indexer.words).
    body = np.array([word_code(text[start:end]) for start, end in spans], dtype=np.uint64)
    known = view.document_frequencies(np.concatenate([body, body | TITLE_FLAG])) > 0
    known = known[:len(spans)] | known[len(spans):]
    indexed = {span for span, present in zip(spans, known.tolist()) if present}
    found = []
    start = 0
    while start < len(text):
        end = next((end for end in range(min(len(text), start + MAX_WORD_CHARS), start, -1)
                    if (start, end) in indexed), None)
        if end is None:
            start += 1
            continue
        if WORD_CHARS.search(text[start:end]):
            found.append(text[start:end])
        start = end
    return found


def ranking_terms(view: View, node: Node) -> list[np.uint64]:
    """Field codes BM25F scores: the positive terms' indexed words in title and body.

    A word in most variants (的, 是) adds next to nothing to a score, its idf
    being near zero, but scoring it walks its whole posting list: it is left out.
    """
    ceiling = MAX_WORD_SHARE * view.ranked_count
    words = list(dict.fromkeys(word for term in positive_terms(node) for word in indexed_words(view, term.text)))
    codes = np.array([field_code(field, word) for word in words for field in FIELDS], dtype=np.uint64)
    frequencies = view.document_frequencies(codes)
    return [code for code, frequency in zip(codes, frequencies.tolist()) if 0 < frequency <= ceiling]


def score_matches(view: View, node: Node, docnums: np.ndarray, deadline: Deadline = NO_DEADLINE) -> np.ndarray:
    """The BM25F score of each of the (sorted) matching documents; 0 for those holding no ranking word.

    whoosh's BM25F (per field: idf times saturated, length-normalised term
    weight; summed over fields and words), over each word's whole live posting
    list in numpy.
    """
    scores = np.zeros(len(docnums))
    if not len(docnums):
        return scores
    for code in ranking_terms(view, node):
        deadline.check()
        field = field_of(code)
        ids, weights = view.postings.get(code)
        at, hit = locate(docnums, ids)
        idf = np.log(view.ranked_count / (len(ids) + 1)) + 1
        lengths = view.field_lengths[field][ids[hit]]
        tf = weights[hit].astype(np.float64)
        np.add.at(scores, at[hit], idf * (tf * (BM25_K1 + 1))
                  / (tf + BM25_K1 * ((1 - BM25_B) + BM25_B * lengths / (view.average_length[field] or 1))))
    return scores


def top_hits(docnums: np.ndarray, scores: np.ndarray, limit: int | None) -> list[Hit]:
    """The best `limit` (or all) documents, best first, ties by document number (`docnums` is sorted)."""
    chosen = np.arange(len(docnums))
    if limit is not None and limit < len(docnums):
        kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]  # the limit-th best score
        above = np.nonzero(scores > kth)[0]
        chosen = np.concatenate([above, np.nonzero(scores == kth)[0][:limit - len(above)]])
    order = chosen[np.lexsort((chosen, -scores[chosen]))]
    return [Hit(int(docnums[i]), float(scores[i])) for i in order]
