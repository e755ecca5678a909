"""Hits across a segmentation cut: an AND query whose terms an article holds only on the two sides of weak cuts
(one printed article that segmentation split) finds the article's first variant, marked joined."""
from __future__ import annotations

from dataclasses import replace
from functools import reduce

import numpy as np

from indexer.sorted_sets import intersect
from search.budget import Deadline
from search.layout import edges, follows, weak_cut
from search.query import And, Not, parse_query
from search.rank import NO_DEADLINE, Matched, match_node, matching
from search.request import SearchRequest
from search.view import View

NONE = np.zeros(0, dtype=np.int64)
# Variants read together at most: two halves, or three pieces (a short section cut off between them).
MAX_RUN = 3


def joined_matches(view: View, holds: list[np.ndarray], excluded: np.ndarray, matched: np.ndarray,
                   deadline: Deadline = NO_DEADLINE) -> np.ndarray:
    """Sorted document numbers, none of them in `matched`, of variants that satisfy an AND query only together
    with the one or two variants printed right after them on the same page, where every cut between them is
    weak (search.layout.weak_cut) and none holds an excluded term. `holds` are the documents of each of the
    query's positive parts, `excluded` those of its NOT parts, as the AND match found them.

    A segmenter splits an article where a sub-head looks like a title; it writes the pieces in page order,
    so the piece after a variant is the next document, checked against the stored records. Terms in two
    articles with a strong start between them are not a hit.
    """
    # Document-number masks (with room past the last document for a run's end): a candidate run is a few
    # slices of them, however many documents hold one term.
    size = len(view.story_of) + MAX_RUN
    held_masks = [_mask(held, size) for held in holds]
    barred = _mask(matched, size) | _mask(excluded, size)
    partial = np.logical_or.reduce(held_masks) & ~barred
    joined: set[int] = set()
    for span in range(1, MAX_RUN):
        first = np.nonzero(partial[:-span] & partial[span:])[0]
        together = np.ones(len(first), dtype=bool)
        for step in range(1, span):
            together &= ~barred[first + step]
        for held in held_masks:
            together &= np.logical_or.reduce([held[first + step] for step in range(span + 1)])
        for docnum in first[together].tolist():
            deadline.check()
            if docnum not in joined and _weak_run(view, list(range(docnum, docnum + span + 1))):
                joined.add(docnum)
    return np.array(sorted(joined), dtype=np.int64)


def _mask(docnums: np.ndarray, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[docnums] = True
    return mask


def _excluded(view: View, node: And, scope: np.ndarray, deadline: Deadline) -> np.ndarray:
    """Documents holding what the query excludes (its NOT parts)."""
    found = [matching(view, child.child, scope, deadline) for child in node.children if isinstance(child, Not)]
    return np.unique(np.concatenate(found)) if found else NONE


def _weak_run(view: View, docnums: list[int]) -> bool:
    """True if the documents are variants printed one after the other on one page with weak cuts between."""
    return all(_weak_after(view, docnum) for docnum in docnums[:-1])


def _weak_after(view: View, docnum: int) -> bool:
    """True if the next document is the variant printed after this one on its page, across a weak cut; worked
    out once per view, as frequent terms bring the same cuts up query after query."""
    weak = view.weak_cuts.get(docnum)
    if weak is None:
        earlier, later = edges(view, docnum), edges(view, docnum + 1)
        weak = view.weak_cuts[docnum] = follows(earlier, later) and weak_cut(earlier, later)
    return weak


def match_joined(view: View, request: SearchRequest, deadline: Deadline) -> Matched:
    """What a request matches (rank.match_request), with the variants it matches across weak cuts added and
    marked joined."""
    node, scope = parse_query(request.query), view.filtered(*request.scope_queries())
    positives = [child for child in node.children if not isinstance(child, Not)] if isinstance(node, And) else []
    if len(positives) < 2:
        return match_node(view, node, scope, deadline)
    # Each part is matched once over the whole scope: the AND match is their intersection, and the joins
    # need every part's own documents (rank.matching would narrow the scope part by part).
    holds = [matching(view, child, scope, deadline) for child in positives]
    excluded = _excluded(view, node, scope, deadline)
    docnums = reduce(intersect, holds)
    docnums = np.setdiff1d(docnums, excluded, assume_unique=True) if len(excluded) else docnums
    matched = Matched(view, node, scope, docnums, deadline)
    joined = joined_matches(view, holds, excluded, docnums, deadline)
    if not len(joined):
        return matched
    return replace(matched, docnums=np.union1d(docnums, joined), joined=joined)


def literal_only(matched: Matched) -> Matched:
    """A match without its joined variants: what counts (facets, timelines, topics, concordance, export) are
    made of, so that every count equals a scan of the stored texts."""
    if not len(matched.joined):
        return matched
    return replace(matched, docnums=np.setdiff1d(matched.docnums, matched.joined, assume_unique=True),
                   joined=matched.joined[:0])
