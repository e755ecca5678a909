"""Literal search against an independent reference (issue 17): for single-term queries, the printed articles
whose raw page text holds the term (bench.rawtext: the bench's own plain form and a substring test) against
the articles of the variants the engine matches, mapped through the truth's line ranges.

Terms come from three places, so that the index's own texts are not the only source: the single-term
queries of the query set (drawn from the normalised texts), words of two to six ideographs drawn from the
raw articles, and quoted stretches of the raw articles that hold a digit, a Latin letter or punctuation
(where normalisation has most to do). Each disagreement is put down to a cause:

missed (the raw article holds the term, the engine returns no variant holding the article):
  article in no variant   the index holds none of its lines (a page the reader refused)
  whitespace inside term  a variant's normalised text holds it once its whitespace is deleted: the engine keeps
                          a line break (a column break or a wrap between Latin letters, a dateline the
                          segmenter set on a line of its own) or a space where the page runs on
  normalisation           a variant's stored text holds it in plain form, its normalised text does not
  cut between variants    only the article's variants joined hold it: segmentation split the article inside it
  moved or dropped        no variant holds it even joined in page order: the segmenter moved lines of the
                          article (a dateline into the head) or the index never holds them
extra (the engine returns a variant of the article, whose raw text does not hold the term):
  merged article holds it another article on the same variant holds it (segmentation merged the two)
  across a merge          the variant holds it across the boundary of two merged articles
  text outside articles   the variant holds it in page text that is no article's (a label, a stray caption)
  normalisation           no plain form of the variant holds it: the engine folds what plain form keeps apart
"""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.benchquery import BenchQuery
from bench.rawtext import CJK_RUN, plain_form, spelled_pattern
from bench.truthmap import TruthMap
from search.engine import Corpus
from search.query import Term, parse_query
from search.request import SearchRequest

SHOWN = 20  # disagreements listed per cause
NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")
WHITESPACE = re.compile(r"\s+")
SYNTAX = set('"()\n')  # quotes and brackets are query syntax; a line break parts the reference's paragraphs


@dataclass(frozen=True)
class ReferenceTerm:
    """A term, the query that searches for it, and where it was drawn from."""

    origin: str  # "query set", "raw words" or "raw mixed"
    query: str
    plain: str  # the term in the reference's plain form


def query_set_terms(queries: list[BenchQuery]) -> list[ReferenceTerm]:
    """The unfiltered queries of the set that are one term."""
    terms = []
    for query in queries:
        node = parse_query(query.q)
        if isinstance(node, Term) and not query.has_filters and plain_form(node.text):
            terms.append(ReferenceTerm("query set", query.q, plain_form(node.text)))
    return terms


def drawn_terms(truth: TruthMap, seed: int, words: int, mixed: int) -> list[ReferenceTerm]:
    """Terms drawn from the raw articles: runs of 2-6 ideographs, and quoted 3-8 character stretches holding
    something other than ideographs."""
    rng = random.Random(f"bench-rawref:{seed}")
    texts = [a.text for a in truth.articles if a.text]
    terms: dict[ReferenceTerm, None] = {}
    for _ in range(50 * (words + mixed)):
        if len(terms) >= words + mixed:
            break
        text = rng.choice(texts)
        length = rng.randint(2, 6) if len(terms) < words else rng.randint(3, 8)
        start = rng.randrange(max(1, len(text) - length))
        piece = text[start:start + length]
        if len(piece) < length:
            continue
        if len(terms) < words and CJK_RUN.fullmatch(piece):
            terms[ReferenceTerm("raw words", piece, piece)] = None
        elif len(terms) >= words and NOT_CJK.search(piece) and not SYNTAX & set(piece) and _valid(f'"{piece}"'):
            terms[ReferenceTerm("raw mixed", f'"{piece}"', piece)] = None
    return list(terms)


def _valid(query: str) -> bool:
    try:
        return isinstance(parse_query(query), Term)
    except ValueError:
        return False


@dataclass
class _Tally:
    """Pairs of (term, article) found, missed and extra, per term origin, with causes and examples."""

    pairs: Counter = field(default_factory=Counter)
    causes: Counter = field(default_factory=Counter)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def disagree(self, kind: str, cause: str, term: ReferenceTerm, article: Any) -> None:
        self.causes[f"{kind}: {cause}"] += 1
        shown = self.examples.setdefault(f"{kind}: {cause}", [])
        if len(shown) < SHOWN:
            shown.append({"query": term.query, "page": article.page, "ordinal": article.ordinal})


class _Originals:
    """Plain forms of variants' stored original texts, read from the index on demand."""

    def __init__(self, corpus: Corpus, docnums: list[int]) -> None:
        self.view = corpus.view()
        self.docnums = docnums
        self.plain: dict[int, str] = {}
        self.squeezed: dict[int, str] = {}

    def text(self, position: int) -> str:
        if position not in self.plain:
            self.plain[position] = plain_form(self.view.original(self.docnums[position])[0])
        return self.plain[position]

    def normalised(self, position: int) -> str:
        """The engine's normalised text with its whitespace deleted."""
        if position not in self.squeezed:
            self.squeezed[position] = WHITESPACE.sub("", self.view.normalised_text(self.docnums[position]))
        return self.squeezed[position]


def _missed_cause(truth: TruthMap, originals: _Originals, article: int, term: re.Pattern) -> str:
    cover = truth.in_page_order(truth.cover[article])
    if not cover:
        return "article in no variant"
    if any(term.search(originals.normalised(v)) for v in cover):
        return "whitespace inside term"
    if any(term.search(originals.text(v)) for v in cover):
        return "normalisation"
    if term.search("".join(originals.text(v) for v in cover)):
        return "cut between variants"
    return "moved or dropped"


def _extra_cause(truth: TruthMap, originals: _Originals, article: int, returned: set[int], term: re.Pattern) -> str:
    variants = truth.cover[article] & returned
    others = {a for v in variants for a in truth.held[v] if a != article}
    if any(term.search(truth.articles[a].text) for a in others):
        return "merged article holds it"
    if any(term.search(originals.text(v)) for v in variants):
        return "across a merge" if others else "text outside articles"
    return "normalisation"


def reference_check(corpus: Corpus, truth: TruthMap, docnums: list[int], terms: list[ReferenceTerm]) -> dict[str, Any]:
    """Recall and precision of the engine's matches against the raw-text reference, at article level."""
    originals = _Originals(corpus, docnums)
    tally = _Tally()
    by_origin: dict[str, Counter] = {}
    texts = [a.text for a in truth.articles]
    for term in terms:
        pattern = spelled_pattern(term.plain)
        holding = {a for a, text in enumerate(texts) if pattern.search(text)}
        returned = truth.positions(corpus.matched(SearchRequest(query=term.query)).docnums)
        found = truth.articles_of(returned)
        counts = by_origin.setdefault(term.origin, Counter())
        counts["terms"] += 1
        counts["reference"] += len(holding)
        counts["returned"] += len(found)
        counts["both"] += len(holding & found)
        for article in sorted(holding - found):
            tally.disagree("missed", _missed_cause(truth, originals, article, pattern), term, truth.articles[article])
        for article in sorted(found - holding):
            tally.disagree("extra", _extra_cause(truth, originals, article, returned, pattern), term,
                           truth.articles[article])
    total = sum(by_origin.values(), Counter())
    return {**_scores(total), "by_origin": {origin: _scores(c) for origin, c in by_origin.items()},
            "causes": dict(tally.causes.most_common()), "examples": tally.examples}


def _scores(counts: Counter) -> dict[str, Any]:
    both = counts["both"]
    return {"terms": counts["terms"], "reference_pairs": counts["reference"], "returned_pairs": counts["returned"],
            "recall": both / counts["reference"] if counts["reference"] else 1.0,
            "precision": both / counts["returned"] if counts["returned"] else 1.0}
