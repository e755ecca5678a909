"""Group matching variants by story and order the stories for paging."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from search.rank import Hit


@dataclass
class StoryHits:
    """The matching variants of one story; the story scores as its best variant."""

    article_id: str
    score: float = 0.0
    hits: list[Hit] = field(default_factory=list)


def group_hits(hits: list[Hit], story_of: Callable[[int], str]) -> list[StoryHits]:
    """Stories with at least one hit, best score first (ties by id, so pages are stable)."""
    stories: dict[str, StoryHits] = {}
    for hit in hits:
        story_id = story_of(hit.docnum)
        story = stories.get(story_id)
        if story is None:
            story = stories[story_id] = StoryHits(story_id, hit.score)
        story.hits.append(hit)
        story.score = max(story.score, hit.score)
    return sorted(stories.values(), key=lambda s: (-s.score, s.article_id))
