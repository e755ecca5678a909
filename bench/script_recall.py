"""Script tolerance (issue 16): a simplified query finds a story's traditional printings as well as its
simplified ones, and makes no extra hits.

Stories printed in both scripts are sampled; from the clean text (title and body before OCR noise) of one
of their simplified printings, terms of 2-4 ideographs are drawn that OpenCC writes differently in
traditional characters (s2tw or s2hk), so that finding them takes script folding. For each term and each
printing of the story, with every text brought to simplified characters by OpenCC's phrase-level t2s
(independent of the index's own fold table) and its whitespace deleted:

eligible  the printing's clean text holds the term, and so does its printed raw text (the OCR left it whole)
found     the engine matches the term in a variant holding the printing's lines
extra     found, though the printed raw text does not hold the term

Recall is found / eligible per script; the target is no loss: traditional recall equal to simplified.
"""
from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from functools import cache
from typing import Any, Callable

from bench.dataset import Dataset
from bench.rawtext import CJK_RUN, raw_records
from bench.truthmap import TruthMap
from indexer.normalise import normalise_text
from search.engine import Corpus
from search.request import SearchRequest

TERMS_PER_STORY = 2
ATTEMPTS = 40
SHOWN = 20
WHITESPACE = re.compile(r"\s+")


@cache
def _opencc(config: str) -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC(config).convert


def simplified(text: str) -> str:
    """OpenCC's phrase-level traditional-to-simplified conversion, whitespace deleted."""
    return _opencc("t2s")(WHITESPACE.sub("", text))


def needs_folding(term: str) -> bool:
    """Whether a traditional paper prints the term otherwise (Taiwan or Hong Kong standard)."""
    return _opencc("s2tw")(term) != term or _opencc("s2hk")(term) != term


def mixed_stories(truth: TruthMap) -> dict[str, list[int]]:
    """Stories printed in both scripts -> their printings held by some variant."""
    printings: dict[str, list[int]] = defaultdict(list)
    for a, article in enumerate(truth.articles):
        if truth.cover[a]:
            printings[article.story].append(a)
    return {story: found for story, found in printings.items()
            if {truth.articles[a].script for a in found} == {"simplified", "traditional"}}


def draw_terms(clean: str, rng: random.Random) -> list[str]:
    """Up to TERMS_PER_STORY terms of 2-4 ideographs from a clean text that need script folding."""
    terms: dict[str, None] = {}
    for _ in range(ATTEMPTS):
        if len(terms) == TERMS_PER_STORY:
            break
        length = rng.randint(2, 4)
        start = rng.randrange(max(1, len(clean) - length))
        piece = clean[start:start + length]
        if len(piece) == length and CJK_RUN.fullmatch(piece) and needs_folding(piece):
            terms[piece] = None
    return list(terms)


def script_check(corpus: Corpus, dataset: Dataset, truth: TruthMap, sample: int, seed: int) -> dict[str, Any]:
    """Recall and extra hits of simplified queries over the printings of stories printed in both scripts."""
    rng = random.Random(f"bench-script:{seed}")
    stories = mixed_stories(truth)
    chosen = sorted(rng.sample(sorted(stories), min(sample, len(stories))))
    records = raw_records(dataset, {truth.articles[a].key for story in chosen for a in stories[story]})
    counts = {script: Counter(dict.fromkeys(("eligible", "found", "not_printed", "extra", "missed_unfolded"), 0))
              for script in ("simplified", "traditional")}
    missed: list[dict[str, Any]] = []
    unfolded: Counter = Counter()  # in traditional printings missed: printed characters the index leaves unfolded
    terms_used = 0
    for story in chosen:
        printings = stories[story]
        texts = {}
        for a in printings:
            record, raw = records[truth.articles[a].key]
            texts[a] = (simplified(f"{record['clean_title'] or ''}\n{record['clean_body']}"), simplified(raw), raw)
        source = next(a for a in printings if truth.articles[a].script == "simplified")
        for term in draw_terms(texts[source][0], rng):
            terms_used += 1
            returned = truth.positions(corpus.matched(SearchRequest(query=term)).docnums)
            for a in printings:
                clean, printed, raw = texts[a]
                tally = counts[truth.articles[a].script]
                found = bool(truth.cover[a] & returned)
                if term in clean and term in printed:
                    tally["eligible"] += 1
                    tally["found"] += found
                    if not found:
                        printed_form = _printed_form(raw, term)
                        if printed_form and truth.articles[a].script == "traditional":
                            left = [f"{p}→{t}" for p, t in zip(printed_form, term) if normalise_text(p) != t]
                            unfolded.update(left)
                            tally["missed_unfolded"] += bool(left)
                        if len(missed) < SHOWN:
                            missed.append({"term": term, "script": truth.articles[a].script,
                                           "page": truth.articles[a].page, "ordinal": truth.articles[a].ordinal,
                                           "printed": printed_form})
                elif term not in printed:
                    tally["not_printed"] += 1
                    tally["extra"] += found
    recall = {script: c["found"] / c["eligible"] if c["eligible"] else 1.0 for script, c in counts.items()}
    return {"stories": len(chosen), "mixed_stories": len(stories), "terms": terms_used,
            **{script: {**c, "recall": recall[script]} for script, c in counts.items()},
            "recall_gap": recall["simplified"] - recall["traditional"],
            "traditional_misses_by_character": dict(unfolded.most_common()), "missed": missed}


def _printed_form(raw: str, term: str) -> str | None:
    """The characters the page prints where t2s reads the term (t2s keeps lengths for these texts)."""
    squeezed = WHITESPACE.sub("", raw)
    converted = _opencc("t2s")(squeezed)
    at = converted.find(term)
    return squeezed[at:at + len(term)] if at >= 0 and len(converted) == len(squeezed) else None
