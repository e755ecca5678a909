"""Printed text as role-tagged pieces, and the line-level segmentation truth of a page assembled from them.

A page file is a sequence of pieces, each with the role its characters play (title, body, ...) or
none (the blank lines between paragraphs). Lines are the page's text split at "\\n" alone, numbered
from 1; a line is blank when str.isspace() holds for it (or it is empty) and is then nobody's.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# What a printed line is: the segmentation truth names each non-blank line of an article by one of these.
ROLES = ("kicker", "title", "subtitle", "byline", "marker", "dateline", "subhead", "body", "caption", "credit")
# Lines that belong to no article: a column label over briefs, a stray photo caption between articles.
PAGE_ROLES = ("label", "caption")


@dataclass
class Piece:
    """A stretch of printed text and the role of its characters (None: separator, whitespace only)."""

    text: str
    role: str | None = None


def joined(pieces: Iterable[Piece]) -> str:
    """The text of pieces, in order."""
    return "".join(p.text for p in pieces)


def insert_at(pieces: list[Piece], at: int, text: str) -> None:
    """Insert whitespace `text` at offset `at` of the pieces' joined text (into the piece holding `at`)."""
    start = 0
    for piece in pieces:
        end = start + len(piece.text)
        if at < end or piece is pieces[-1]:
            offset = at - start
            piece.text = piece.text[:offset] + text + piece.text[offset:]
            return
        start = end


def map_text(pieces: list[Piece], change: Callable[[str], str], roles: tuple[str | None, ...] | None = None) -> None:
    """Apply `change` to the text of every piece (of the given roles only, when roles are given)."""
    for piece in pieces:
        if roles is None or piece.role in roles:
            piece.text = change(piece.text)


def paragraphs(blocks: Iterable[list[Piece]], separator: str = "\n\n") -> list[Piece]:
    """Paragraphs (each a list of pieces) joined by a blank-line separator."""
    out: list[Piece] = []
    for block in blocks:
        if out:
            out.append(Piece(separator))
        out.extend(block)
    return out


class PageText:
    """A page being assembled: its text, and which article owns each non-blank line in which role."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._line = 1
        self._owner_of: dict[int, tuple[int | None, str]] = {}  # line -> (owner, role); the first piece wins

    def add(self, pieces: Iterable[Piece], owner: int | None = None) -> None:
        """Append pieces; lines their tagged characters reach belong to `owner` (None: to the page)."""
        for piece in pieces:
            self._parts.append(piece.text)
            lines = piece.text.split("\n")
            if piece.role is not None:
                for offset, line in enumerate(lines):
                    if line and not line.isspace():
                        self._owner_of.setdefault(self._line + offset, (owner, piece.role))
            self._line += len(lines) - 1

    def text(self) -> str:
        """The page text so far."""
        return "".join(self._parts)

    def runs(self) -> dict[int | None, list[list]]:
        """Per owner, runs [first_line, last_line, role] of its lines: a run spans blank lines, never
        a line of another role or owner."""
        runs: dict[int | None, list[list]] = {}
        previous: tuple[int | None, str] | None = None
        for line in sorted(self._owner_of):
            owner, role = self._owner_of[line]
            if previous == (owner, role):
                runs[owner][-1][1] = line
            else:
                runs.setdefault(owner, []).append([line, line, role])
            previous = (owner, role)
        return runs
