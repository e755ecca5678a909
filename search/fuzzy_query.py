"""A parsed query matched with OCR tolerance: exact matches as `rank.matching` finds them, plus the
variants that satisfy the query only through garbled printings of its terms, marked as fuzzy
hits, weighted by their confusions and ranked below every exact hit.

A term is satisfied exactly where its text occurs and fuzzily where only an accepted garble of it
does (search/fuzzy.py). An AND is fuzzy when any part is, and weighs the product of its parts'
weights; an OR is exact when any satisfied part is, else it weighs its best part. An excluded term
(NOT) excludes only its exact occurrences: a garble of an excluded term is no reason to drop a
variant, and exact search is unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from indexer.sorted_sets import locate
from search.budget import Deadline
from search.confusions import ConfusionModel
from search.fuzzy import NO_DEADLINE, FuzzyMatches, fuzzy_term
from search.garbles import DEFAULT_RULE, Garble, GarbleRule
from search.query import And, Node, Not, Or, Term
from search.rank import matching
from search.request import LATEST_VARIANTS
from search.view import View


@dataclass
class _Matched:
    """Sorted document numbers, whether each matched only fuzzily, and its weight (1 when exact)."""

    docnums: np.ndarray
    fuzzy: np.ndarray
    weights: np.ndarray

    @classmethod
    def exact(cls, docnums: np.ndarray) -> "_Matched":
        return cls(docnums, np.zeros(len(docnums), dtype=bool), np.ones(len(docnums)))


@dataclass
class QueryMatches:
    """Every variant in scope satisfying the query exactly or fuzzily, and what was found."""

    docnums: np.ndarray  # sorted document numbers
    fuzzy: np.ndarray  # per document: satisfied only through a garbled term
    weights: np.ndarray  # per document: 1 for an exact match, else its confusion weight in (0, 1]
    terms: dict[str, FuzzyMatches] = field(default_factory=dict)  # by positive term's normalised text

    def garbles(self, docnum: int) -> list[tuple[str, Garble]]:
        """(term, garble) for every accepted garble in one variant, by position."""
        found = [(term, g) for term, matches in self.terms.items() for g in matches.found.get(docnum, [])]
        return sorted(found, key=lambda item: item[1].start)

    def printed_as(self) -> list[dict[str, object]]:
        """Per term, the garbled forms found over the latest variants with their counts."""
        return [{"term": term, **stats.to_dict()} for term, matches in self.terms.items()
                for stats in matches.printed_as()]

    def tiered_scores(self, scores: np.ndarray) -> np.ndarray:
        """Ranking scores (one per document, e.g. BM25F) that put every exact hit above every
        fuzzy one: fuzzy hits keep their score times their weight, exact hits are lifted above
        the best of those."""
        scores = np.asarray(scores, dtype=np.float64)
        if not self.fuzzy.any():
            return scores
        fuzzy_scores = scores * self.weights
        lift = float(fuzzy_scores[self.fuzzy].max()) + 1.0
        return np.where(self.fuzzy, fuzzy_scores, scores + lift)


def _and(parts: list[_Matched]) -> _Matched:
    result = parts[0]
    for part in parts[1:]:
        docnums, left, right = np.intersect1d(result.docnums, part.docnums, assume_unique=True, return_indices=True)
        result = _Matched(docnums, result.fuzzy[left] | part.fuzzy[right], result.weights[left] * part.weights[right])
    return result


def _or(parts: list[_Matched]) -> _Matched:
    docnums = np.unique(np.concatenate([p.docnums for p in parts]))
    fuzzy = np.ones(len(docnums), dtype=bool)
    weights = np.zeros(len(docnums))
    for part in parts:
        at = locate(docnums, part.docnums)[0]
        fuzzy[at] &= part.fuzzy
        np.maximum.at(weights, at, part.weights)
    weights[~fuzzy] = 1.0
    return _Matched(docnums, fuzzy, weights)


class _Evaluator:
    def __init__(self, view: View, scope: np.ndarray, model: ConfusionModel, deadline: Deadline,
                 rule: GarbleRule) -> None:
        self.view, self.scope, self.model, self.deadline, self.rule = view, scope, model, deadline, rule
        self.terms: dict[str, FuzzyMatches] = {}

    def term(self, node: Term, scope: np.ndarray) -> _Matched:
        exact = matching(self.view, node, scope, self.deadline)
        if node.text not in self.terms:
            # Unfiltered, the exact matches are the latest variants holding the term: no second lookup.
            known = exact if scope is self.view.scope(LATEST_VARIANTS) else None
            self.terms[node.text] = fuzzy_term(self.view, node.text, self.scope, self.model, self.deadline, self.rule,
                                               known)
        garbled = self.terms[node.text]
        fuzzy_docs = garbled.docnums
        fuzzy_docs = fuzzy_docs[locate(scope, fuzzy_docs)[1] & ~locate(exact, fuzzy_docs)[1]]
        weights = np.array([max(g.weight for g in garbled.found[d]) for d in fuzzy_docs.tolist()])
        return _or([_Matched.exact(exact), _Matched(fuzzy_docs, np.ones(len(fuzzy_docs), dtype=bool), weights)])

    def evaluate(self, node: Node, scope: np.ndarray) -> _Matched:
        if isinstance(node, Term):
            return self.term(node, scope)
        if isinstance(node, Not):
            return _Matched.exact(matching(self.view, node, scope, self.deadline))
        if isinstance(node, Or):
            return _or([self.evaluate(child, scope) for child in node.children])
        assert isinstance(node, And)
        parts: list[_Matched] = []
        # Positive parts first: they narrow the scope that exclusions then work within.
        for child in sorted(node.children, key=lambda c: isinstance(c, Not)):
            part = self.evaluate(child, scope)
            parts.append(part)
            scope = _and(parts).docnums
            if not len(scope):
                break
        return _and(parts)


def fuzzy_matching(view: View, node: Node, scope: np.ndarray, model: ConfusionModel,
                   deadline: Deadline = NO_DEADLINE, rule: GarbleRule = DEFAULT_RULE) -> QueryMatches:
    """Variants within `scope` (sorted document numbers) that satisfy `node` exactly or through
    garbled printings of its positive terms; the exact ones are `rank.matching`'s, never fuzzy."""
    evaluator = _Evaluator(view, scope, model, deadline, rule)
    matched = evaluator.evaluate(node, scope)
    return QueryMatches(matched.docnums, matched.fuzzy, matched.weights, evaluator.terms)
