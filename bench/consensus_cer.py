"""Compare printings on the benchmark corpus (issue 16): the consensus of a story's indexed printings
against the clean original, beside the best single printing.

A story qualifies when it has two or more printings and the index holds them as exactly one story of
exactly those variants, each printing alone on its variant (no segmentation merge or split, no grouping
error: this measures comparison, not what comes before it). A seeded sample of them is compared with
Corpus.compare; the body of the consensus (its lines after the head) and the body of every printing
(the lines between its head and its captions) are scored with search.consensus.character_error_rate
against the clean original: the source article the generator printed every variant from (its body
and sub-head paragraphs, its own photo captions left out as comparison sets captions aside).
"""
from __future__ import annotations

import random
import time
from collections import defaultdict
from pathlib import Path
from statistics import mean, median
from typing import Any, Iterable

from bench.gen.articles import iter_corpus
from bench.reference import Variants
from bench.truthmap import TruthMap
from indexer.normalise import normalise_text
from search.consensus import character_error_rate
from search.engine import Corpus

SHOWN = 10
SHORTER = 0.98  # a consensus body under this share of the best printing's length has lost text


def qualifying_stories(truth: TruthMap, variants: Variants) -> dict[str, list[int]]:
    """Truth story -> its variant positions, for the stories indexed as exactly one story of their printings."""
    printings: dict[str, list[int]] = defaultdict(list)
    for a, article in enumerate(truth.articles):
        printings[article.story].append(a)
    members: dict[str, int] = defaultdict(int)
    for story in variants.article_id:
        members[story] += 1
    found = {}
    for story, articles in printings.items():
        alone = [truth.alone(a) for a in articles]
        if len(articles) < 2 or None in alone:
            continue
        engine = {variants.article_id[v] for v in alone}
        if len(engine) == 1 and members[next(iter(engine))] == len(articles):
            found[story] = alone
    return found


def clean_bodies(corpora: Path, names: Iterable[str], origins: set[str]) -> dict[str, str]:
    """The body of each source article asked for: body and sub-head paragraphs, one a line."""
    bodies: dict[str, str] = {}
    for name in names:
        for article in iter_corpus(corpora, name, {"read": 0, "unusable": 0}):
            if article.origin in origins:
                bodies[article.origin] = "\n".join(b.text for b in article.blocks if b.kind != "c")
    return bodies


def _body(text: str, head_lines: int, body_lines: int | None = None) -> str:
    lines = text.split("\n")[head_lines:]
    return "\n".join(lines if body_lines is None else lines[:body_lines])


def score_story(corpus: Corpus, article_id: str, clean: str) -> dict[str, Any]:
    """One story compared: the CER of its consensus body and of each printing's body against the clean text."""
    _, comparison = corpus.compare(article_id)
    consensus = comparison.consensus
    printed = [_body(p.printing.text, p.printing.head_lines, p.printing.body_lines)
               for p in comparison.alignment.printings]
    singles = [character_error_rate(clean, body) for body in printed]
    agreed = _body(consensus.text, consensus.head_lines)
    best = min(range(len(singles)), key=singles.__getitem__)
    return {"printings": len(singles), "consensus": character_error_rate(clean, agreed), "best": singles[best],
            "mean": mean(singles), "shorter": _length(agreed) < SHORTER * _length(printed[best])}


def summary(scored: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean and median story of the consensus, best and mean printing CERs, and how often the consensus
    is not worse than the best printing."""
    return {"stories": len(scored), "printings": sum(s["printings"] for s in scored),
            **{f"{stat}_{key}": fn([s[key] for s in scored]) if scored else float("nan")
               for stat, fn in (("mean", mean), ("median", median)) for key in ("consensus", "best", "mean")},
            "not_worse": sum(s["consensus"] <= s["best"] for s in scored),
            "worse_and_shorter": sum(s["consensus"] > s["best"] and s["shorter"] for s in scored)}


def consensus_check(corpus: Corpus, truth: TruthMap, variants: Variants, corpora: Path, names: list[str],
                    sample: int, seed: int) -> dict[str, Any]:
    """Consensus CER against the clean original over a sample of qualifying stories, in all and by how many
    printings a story has (two printings tie wherever they differ: only three or more can outvote an error)."""
    stories = qualifying_stories(truth, variants)
    chosen = sorted(random.Random(f"bench-consensus:{seed}").sample(sorted(stories), min(sample, len(stories))))
    origin_of = {article.story: article.origin for article in truth.articles}
    originals = clean_bodies(corpora, names, {origin_of[s] for s in chosen})
    scored: list[dict[str, Any]] = []
    started = time.perf_counter()
    for story in chosen:
        if origin_of[story] in originals:
            scored.append({"story": story, **score_story(corpus, variants.article_id[stories[story][0]],
                                                          originals[origin_of[story]])})
    seconds = time.perf_counter() - started
    worse = sorted((s for s in scored if s["consensus"] > s["best"]), key=lambda s: s["best"] - s["consensus"])
    return {"qualifying": len(stories), **summary(scored),
            "two_printings": summary([s for s in scored if s["printings"] == 2]),
            "three_or_more": summary([s for s in scored if s["printings"] >= 3]),
            "seconds_per_story": seconds / len(scored) if scored else float("nan"), "worst": worse[:SHOWN]}


def _length(text: str) -> int:
    return len(normalise_text(text).replace("\n", ""))
