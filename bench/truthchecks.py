"""The measurements made against the generator's truth rather than the index's own texts: literal search
against the raw page text, hits across segmentation cuts, the consensus of printings against the clean
original, and script tolerance."""
from __future__ import annotations

from typing import Any, Callable

from bench.benchquery import BenchQuery
from bench.consensus_cer import consensus_check
from bench.cuts import cut_check
from bench.dataset import Dataset
from bench.generate import DEFAULT_CORPORA
from bench.rawref import drawn_terms, query_set_terms, reference_check
from bench.rawtext import load_raw_articles
from bench.reference import Variants
from bench.script_recall import script_check
from bench.segmentation import Segmentation
from bench.truthmap import TruthMap
from search.engine import Corpus

MIXED_SHARE = 3  # one mixed stretch drawn for every this many words


def measure(dataset: Dataset, corpus: Corpus, variants: Variants, segments: Segmentation, queries: list[BenchQuery],
            args: Any, log: Callable[[str], None]) -> dict[str, Any]:
    """The raw-text reference, cuts and joins, consensus CER and script tolerance."""
    log("reading every printed article's raw text (the independent reference)")
    truth = TruthMap.build(load_raw_articles(dataset), segments.cover, variants)
    terms = query_set_terms(queries) + drawn_terms(truth, args.seed, args.reference_terms,
                                                   args.reference_terms // MIXED_SHARE)
    log(f"{len(terms)} single terms against the raw page text")
    figures = {"raw_reference": reference_check(corpus, truth, variants.docnum, terms)}
    log(f"{args.pair_queries} two-term queries across cuts and as many apart")
    figures["cuts"] = cut_check(corpus, truth, variants, args.seed, args.pair_queries)
    log(f"consensus of up to {args.compare_stories} stories against the clean originals")
    figures["consensus"] = consensus_check(corpus, truth, variants, DEFAULT_CORPORA,
                                           dataset.manifest.get("articles", ["pku", "sogouc"]),
                                           args.compare_stories, args.seed)
    log(f"script tolerance over up to {args.script_stories} stories printed in both scripts")
    figures["script"] = script_check(corpus, dataset, truth, args.script_stories, args.seed)
    return figures
