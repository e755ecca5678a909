"""An independent reference for literal search: each printed article's raw page text (the generator's line
truth), in a plain matching form the bench defines itself, not through indexer/normalise.py.

The plain form is NFKC, lower case, with every whitespace and every Unicode "other" character (controls,
format characters such as zero-width spaces, private use, unassigned) deleted, and traditional characters
folded one for one through the committed table file (indexer/script_folds.json, read here as data). An
article's reference text is the plain form of each of its parts, one a line: a part is a run of lines of
one role in the truth (title, byline, body, sub-head...), cut where a blank line follows a sentence end (a
paragraph); a blank line inside a sentence is a column break and joins, as a line wrap does. Markdown
heading marks and bold markers are layout and are dropped. A term is in
an article when it is a plain substring of that text: what grep over the page would find, with no
segmentation, no offset maps and no parser in between, and never across two parts.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import Any

from bench.dataset import ROOT, Dataset

FOLD_TABLE = ROOT / "indexer" / "script_folds.json"
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
FOLD_ROUNDS = 4
BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
SENTENCE_END = tuple("。！？!?；;…”」』")
MARKUP = re.compile(r"^\s*#{1,6}\s+|\*\*")  # markdown headings and bold: layout, not text


@cache
def _folds() -> dict[int, str]:
    folds = json.loads(FOLD_TABLE.read_text(encoding="utf-8"))["folds"]
    return {ord(traditional): simplified for traditional, simplified in folds.items()}


@cache
def _plain_char(code: int) -> str | None:
    """What one (NFKC, lower-cased) character becomes: None when deleted, else its fold or itself."""
    char = chr(code)
    if char.isspace() or unicodedata.category(char)[0] == "C":
        return None
    return _folds().get(code, char)


@cache
def _spellings() -> dict[str, str]:
    return json.loads(FOLD_TABLE.read_text(encoding="utf-8"))["also_spelled"]


def spelled_pattern(plain: str) -> re.Pattern:
    """What a term of two or more characters matches: itself, or itself with any character spelled as the table
    file's `also_spelled` allows (关于 also 关於, the spelling folding leaves as printed); one character, itself."""
    if len(plain) < 2:
        return re.compile(re.escape(plain))
    return re.compile("".join(f"[{re.escape(c + _spellings()[c])}]" if c in _spellings() else re.escape(c)
                              for c in plain))


def plain_form(text: str) -> str:
    """The bench's own matching form of a text: NFKC, lower case, no whitespace or C characters, folded script."""
    for _ in range(FOLD_ROUNDS):  # lower-casing or a deletion can leave text that NFKC changes again
        # str.translate with a table of just the characters present: a text holds a few thousand distinct ones.
        text = unicodedata.normalize("NFKC", text).lower()
        folded = unicodedata.normalize("NFKC", text.translate({code: _plain_char(code) for code in map(ord, set(text))}))
        if folded == text:
            break
        text = folded
    return text


@dataclass(frozen=True)
class RawArticle:
    """One printed article of the truth: where it is, its story and script, and its raw text in plain form."""

    page: str  # page file relative to the corpus root
    ordinal: int
    story: str
    script: str
    part: str
    origin: str  # the source article it was printed from
    text: str  # reference_text: the plain form of its parts, one a line

    @property
    def key(self) -> tuple[str, int]:
        return self.page, self.ordinal


def article_text(record: dict[str, Any], lines: list[str]) -> str:
    """The raw text of a truth article: its page lines (1-based runs, blank lines inside a run included)."""
    return "\n".join(line for first, last, _ in record["lines"] for line in lines[first - 1:last])


def article_parts(record: dict[str, Any], lines: list[str]) -> list[str]:
    """The raw parts of a truth article: each run of one role, cut into paragraphs at blank lines that
    follow a sentence end (a blank line inside a sentence is a column break)."""
    parts = []
    for first, last, _ in record["lines"]:
        text = "\n".join(MARKUP.sub("", line) for line in lines[first - 1:last])
        pieces = [p for p in BLANK_LINE.split(text) if p.strip()]
        paragraph = ""
        for piece in pieces:
            paragraph += piece
            if piece.rstrip()[-1:] in SENTENCE_END:
                parts.append(paragraph)
                paragraph = ""
        if paragraph:
            parts.append(paragraph)
    return parts


def reference_text(record: dict[str, Any], lines: list[str]) -> str:
    """The article's reference text: the plain form of each part, one a line."""
    return "\n".join(filter(None, map(plain_form, article_parts(record, lines))))


def iter_pages(dataset: Dataset) -> Iterator[tuple[list[str], list[dict[str, Any]]]]:
    """Each page's lines (split at "\\n" alone) with its truth records, in the truth's page order."""
    page, records = None, []
    for record in chain(dataset.truth(), [None]):
        if record is not None and record["page"] == page:
            records.append(record)
            continue
        if page is not None:
            yield (dataset.root / page).read_text(encoding="utf-8").split("\n"), records
        if record is not None:
            page, records = record["page"], [record]


def load_raw_articles(dataset: Dataset) -> list[RawArticle]:
    """Every truth article with its raw text in plain form, in page order."""
    articles = []
    for lines, records in iter_pages(dataset):
        for record in records:
            articles.append(RawArticle(record["page"], record["ordinal"], record["story"],
                                       record.get("script", "simplified"), record["part"], record.get("origin", ""),
                                       reference_text(record, lines)))
    return articles


def raw_records(dataset: Dataset, keys: set[tuple[str, int]]) -> dict[tuple[str, int], tuple[dict[str, Any], str]]:
    """The truth records of the articles asked for, with each one's raw page text (not normalised)."""
    found = {}
    for lines, records in iter_pages(dataset):
        for record in records:
            if (record["page"], record["ordinal"]) in keys:
                found[record["page"], record["ordinal"]] = record, article_text(record, lines)
    return found
