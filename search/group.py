"""Group ranked variants by story and find the stories of one page of results."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from search.rank import Hit


@dataclass
class StoryHits:
    """The ranked matching variants of one story; the story scores as its best variant."""

    story: int
    score: float = 0.0
    hits: list[Hit] = field(default_factory=list)


def group_hits(hits: list[Hit], story_of: np.ndarray, name_of: Callable[[int], str]) -> list[StoryHits]:
    """Stories with at least one hit, best score first (ties by story id, so pages are stable)."""
    stories: dict[int, StoryHits] = {}
    for hit in hits:
        story = int(story_of[hit.docnum])
        group = stories.get(story)
        if group is None:
            group = stories[story] = StoryHits(story, hit.score)
        group.hits.append(hit)
        group.score = max(group.score, hit.score)
    return sorted(stories.values(), key=lambda s: (-s.score, name_of(s.story)))


def top_stories(rank: Callable[[int | None], list[Hit]], total: int, needed: int, story_of: np.ndarray,
                name_of: Callable[[int], str]) -> list[StoryHits]:
    """The best `needed` stories, ranking as few variants as will settle them.

    A story seen among the top N variants has its best variant among them, so
    its score is final; stories scoring above the N-th variant's score are in
    their final order. N doubles until enough stories are settled.
    """
    count = max(4 * needed, 64)
    while True:
        exhausted = count >= total
        hits = rank(None if exhausted else count)
        stories = group_hits(hits, story_of, name_of)
        if exhausted or len(hits) < count:
            return stories[:needed]
        floor = hits[-1].score
        settled = [s for s in stories if s.score > floor]
        if len(settled) >= needed:
            return settled[:needed]
        count *= 4
