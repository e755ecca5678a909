"""Hits across a segmentation cut: an AND query whose terms an article holds only on the two sides of weak cuts
(one printed article that segmentation split) finds the article's first variant, marked joined."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from search.budget import Deadline
from search.layout import edges, follows, weak_cut
from search.query import And, Node, Not
from search.rank import NO_DEADLINE, Matched, match_request, matching
from search.request import SearchRequest
from search.view import View

NONE = np.zeros(0, dtype=np.int64)
# Variants read together at most: two halves, or three pieces (a short section cut off between them).
MAX_RUN = 3


def joined_matches(view: View, node: Node, scope: np.ndarray, matched: np.ndarray,
                   deadline: Deadline = NO_DEADLINE) -> np.ndarray:
    """Sorted document numbers, none of them in `matched`, of variants that satisfy an AND query only together
    with the one or two variants printed right after them on the same page, where every cut between them is
    weak (search.layout.weak_cut) and none holds an excluded term.

    A segmenter splits an article where a sub-head looks like a title; it writes the pieces in page order,
    so the piece after a variant is the next document, checked against the stored records. Terms in two
    articles with a strong start between them are not a hit.
    """
    if not isinstance(node, And):
        return NONE
    positives = [child for child in node.children if not isinstance(child, Not)]
    if len(positives) < 2:
        return NONE
    parts = [matching(view, child, scope, deadline) for child in positives]
    partial = np.setdiff1d(np.unique(np.concatenate(parts)), matched, assume_unique=True)
    barred = np.union1d(matched, _excluded(view, node, scope, deadline))
    joined: set[int] = set()
    for span in range(1, MAX_RUN):
        first = partial[np.isin(partial + span, partial, assume_unique=True)]
        run = first[:, None] + np.arange(span + 1)  # each candidate run, a row of document numbers
        together = ~np.isin(run, barred).any(axis=1)
        for found in parts:
            together &= np.isin(run, found).any(axis=1)
        for docnums in run[together].tolist():
            deadline.check()
            if docnums[0] not in joined and _weak_run(view, docnums):
                joined.add(docnums[0])
    return np.array(sorted(joined), dtype=np.int64)


def _excluded(view: View, node: And, scope: np.ndarray, deadline: Deadline) -> np.ndarray:
    """Documents holding what the query excludes (its NOT parts)."""
    found = [matching(view, child.child, scope, deadline) for child in node.children if isinstance(child, Not)]
    return np.unique(np.concatenate(found)) if found else NONE


def _weak_run(view: View, docnums: list[int]) -> bool:
    """True if the documents are variants printed one after the other on one page with weak cuts between."""
    pieces = [edges(view, docnum) for docnum in docnums]
    return all(follows(earlier, later) and weak_cut(earlier, later) for earlier, later in zip(pieces, pieces[1:]))


def match_joined(view: View, request: SearchRequest, deadline: Deadline) -> Matched:
    """What a request matches (rank.match_request), with the variants it matches across weak cuts added and
    marked joined."""
    matched = match_request(view, request, deadline)
    joined = joined_matches(view, matched.node, matched.scope, matched.docnums, deadline)
    if not len(joined):
        return matched
    return replace(matched, docnums=np.union1d(matched.docnums, joined), joined=joined)
