"""Pair the two parts of an article a paper continued on another page, by their jump lines.

A paper that runs an article on from page 1 to page 4 prints "(下转第4版)" under
the first part and "(上接第1版)" over the second, often with the headline again.
The parts share no text, so story grouping cannot see that they are one article;
where no other paper printed it whole they stay two stories, and where one did,
the head and the tail each match it only as a fraction of it. The jump lines say
it outright, given which paper, date and page each part was printed on (the
`publication`, `date` and `page` metadata, from sidecars or --meta-from-path).

A tail is paired with the head on the page its (上接…) line names, of the same
paper and date, when that head's (下转…) line names the tail's page and no other
part does the same on either side; else with the one part there printing the
tail's headline. Parts are paired within one indexing run.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from indexer.blocks import PAGE_REF
from indexer.normalise import normalise_text

_PAGE = re.compile(PAGE_REF)
_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def page_number(marker: str) -> int | None:
    """The page a jump line names, or None."""
    found = _PAGE.search(marker)
    if not found:
        return None
    number = found.group("page").translate(_FULL_WIDTH)
    if number.isdigit():
        return int(number)
    tens, ten, ones = number.partition("十")
    if not ten:
        return _DIGITS.get(number) if len(number) == 1 else None
    if (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS):
        return None
    return _DIGITS.get(tens, 1) * 10 + _DIGITS.get(ones, 0)


@dataclass(frozen=True)
class Part:
    """A printed article that may be part of a continued one: where it was printed, the page its jump line
    names, its headline."""

    kind: str  # "head", "tail" or "whole" (as grouping read it: a head whose jump line was lost reads whole)
    paper: tuple[str, str]  # (publication, date)
    page: int
    names: int | None  # the page its jump line names (the head's page for a tail, the tail's for a head)
    headline: str  # normalised; "" when it printed none
    story: str
    size: int  # shingles of its body (indexer.shingles)


@dataclass
class JumpBook:
    """The articles of a run that may be parts of a continued one; paired once the run has read them all, so
    that every part printed on a page is known before any is paired (a page may hold several tails)."""

    parts: list[Part] = field(default_factory=list)

    def record(self, metadata: dict[str, Any], kind: str, jump: int | None, title: str, story: str,
               size: int) -> None:
        """Note a printed article ("head", "tail" or "whole", as grouping read it)."""
        publication, date, page = metadata.get("publication"), metadata.get("date"), metadata.get("page")
        try:
            number = int(str(page).strip())
        except ValueError:
            return
        if publication and date and (kind != "tail" or jump is not None):
            self.parts.append(Part(kind, (str(publication), str(date)), number, jump if kind != "whole" else None,
                                   normalise_text(title).strip(), story, size))

    def pairs(self) -> list[tuple[Part, Part]]:
        """(head, tail) of each pair of parts the jump lines or headlines tell apart from the rest."""
        on_page: dict[tuple[tuple[str, str], int], list[Part]] = defaultdict(list)
        continuing: dict[tuple[tuple[str, str], int, int], list[Part]] = defaultdict(list)
        for part in self.parts:
            if part.kind == "tail":
                assert part.names is not None
                continuing[(part.paper, part.names, part.page)].append(part)
            else:
                on_page[(part.paper, part.page)].append(part)
        found = []
        for (paper, page, tail_page), tails in continuing.items():
            here = on_page.get((paper, page), [])
            heads = [h for h in here if h.kind == "head" and h.names == tail_page]
            if len(heads) == 1 and len(tails) == 1:
                found.append((heads[0], tails[0]))
                continue
            # Several parts on either side: a headline printed once on each pairs its two (a head whose jump
            # line names another page is not this tail's head).
            candidates = heads or [h for h in here if h.kind == "whole" or h.names is None]
            found.extend(_unique_pairs(candidates, tails).values())
        return found


def _unique_pairs(heads: list[Part], tails: list[Part]) -> dict[str, tuple[Part, Part]]:
    """The head and the tail of each headline printed exactly once among the heads and once among the tails."""
    def once(parts: list[Part]) -> dict[str, Part]:
        counts = Counter(p.headline for p in parts)
        return {p.headline: p for p in parts if p.headline and counts[p.headline] == 1}
    left, right = once(heads), once(tails)
    return {headline: (left[headline], right[headline]) for headline in left.keys() & right.keys()}
