"""Story grouping against the generator's ground truth: map each printed article to an indexed variant,
then pairwise precision and recall of "same story", in total and per layout family.

An article mapped to no variant counts as a story of its own: its pairs are missed pairs."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from math import comb
from typing import Any, Hashable, Iterable

from rapidfuzz import fuzz

from bench.dataset import Dataset
from bench.reference import Variants
from indexer.normalise import normalise_text

FUZZY_MIN = 80.0  # rapidfuzz partial_ratio below which a sample counts as unmapped
WHITESPACE = re.compile(r"\s+")
SHOWN = 20  # unmapped articles listed in the results
# What a wrong or missed pair is put down to, by the article of the two that explains most:
# sharing its variant with another article (segmentation), being a head or tail printed alone, or neither.
CAUSES = ("whole copies", "partial copy", "shared variant")


def _compact(text: str) -> str:
    # text_sample has no whitespace, while normalised text keeps line breaks and spaces between Latin words.
    return WHITESPACE.sub("", text)


@dataclass
class Grouping:
    """How the truth mapped onto the index, and the pairwise scores."""

    articles: int = 0
    exact: int = 0
    fuzzy: int = 0
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    shared_variants: int = 0  # truth articles mapped to a variant that another article also mapped to
    precision: float = 0.0
    recall: float = 0.0
    # The scores before unmapped articles counted as misses (comparable with earlier runs).
    mapped_precision: float = 0.0
    mapped_recall: float = 0.0
    # The same scores over articles alone on their variant: grouping without segmentation merges.
    unshared_precision: float = 0.0
    unshared_recall: float = 0.0
    wrong_pairs: dict[str, int] = field(default_factory=dict)  # predicted together, different stories; by cause
    missed_pairs: dict[str, int] = field(default_factory=dict)  # one story, predicted apart; by cause
    # Whether the variant a sample mapped to holds the article's lines (from the segmentation's line truth).
    mapping_check: dict[str, int] = field(default_factory=dict)
    # Per layout family, pairwise scores over the pairs that hold at least one article of the family.
    families: dict[str, dict[str, float]] = field(default_factory=dict)
    # The same per family over the articles mapped to a variant (pages the reader refused left out).
    mapped_families: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "mapped_exact": self.exact, "mapped_fuzzy": self.fuzzy,
                "unmapped": len(self.unmapped), "unmapped_examples": self.unmapped[:SHOWN],
                "articles_sharing_a_variant": self.shared_variants,
                "pairwise_precision": self.precision, "pairwise_recall": self.recall,
                "mapped_precision": self.mapped_precision, "mapped_recall": self.mapped_recall,
                "mapping_check": self.mapping_check, "families": self.families,
                "mapped_families": self.mapped_families,
                "unshared_precision": self.unshared_precision, "unshared_recall": self.unshared_recall,
                "wrong_pairs": self.wrong_pairs, "missed_pairs": self.missed_pairs}


def pair_counts(pairs: Iterable[tuple[Hashable, Hashable]]) -> tuple[int, int, int]:
    """Pairs predicted together and truly together, predicted together, and truly together,
    from (predicted, true) labels."""
    cells: Counter = Counter()
    predicted: Counter = Counter()
    true: Counter = Counter()
    for p, t in pairs:
        cells[p, t] += 1
        predicted[p] += 1
        true[t] += 1
    return (sum(comb(n, 2) for n in cells.values()), sum(comb(n, 2) for n in predicted.values()),
            sum(comb(n, 2) for n in true.values()))


def _ratios(both: int, predicted: int, true: int) -> tuple[float, float]:
    return (both / predicted if predicted else 1.0), (both / true if true else 1.0)


def pairwise(pairs: Iterable[tuple[Hashable, Hashable]]) -> tuple[float, float]:
    """Pairwise precision and recall of predicted clusters against true ones, from (predicted, true) labels."""
    return _ratios(*pair_counts(pairs))


def by_family(entries: list[tuple[Hashable, Hashable, str]]) -> dict[str, dict[str, float]]:
    """Pairwise precision and recall over the pairs touching each family, from (predicted, true, family):
    all pairs less the pairs with neither member in the family."""
    total = pair_counts((p, t) for p, t, _ in entries)
    scores = {}
    for family in sorted({f for _, _, f in entries}):
        rest = pair_counts((p, t) for p, t, f in entries if f != family)
        precision, recall = _ratios(*(a - b for a, b in zip(total, rest)))
        scores[family] = {"articles": sum(f == family for _, _, f in entries), "pairwise_precision": precision,
                          "pairwise_recall": recall}
    return scores


def pairs_by_cause(groups: Iterable[list[tuple[Hashable, int]]]) -> dict[str, int]:
    """Pairs within each group whose members carry different labels, by the higher cause of the two.

    Each member is (label, cause index into CAUSES). Counted from label and
    cause tallies, not pair by pair, so a large group costs no more than its size.
    """
    totals = [0] * len(CAUSES)
    for members in groups:
        below = 0  # pairs of differing labels among members of cause <= the previous one
        for rank in range(len(CAUSES)):
            labels = Counter(label for label, cause in members if cause <= rank)
            count = sum(labels.values())
            differing = comb(count, 2) - sum(comb(n, 2) for n in labels.values())
            totals[rank] += differing - below
            below = differing
    return dict(zip(CAUSES, totals))


def _best(sample: str, candidates: list[int], compact: dict[int, str], ordinal: int,
          variants: Variants) -> tuple[int | None, bool]:
    """The variant that holds the sample (nearest ordinal among several), else the best fuzzy match."""
    holding = [i for i in candidates if sample in compact[i]]
    if holding:
        return min(holding, key=lambda i: abs(variants.ordinal[i] - ordinal)), True
    scored = [(fuzz.partial_ratio(sample, compact[i]), i) for i in candidates]
    score, best = max(scored, default=(0.0, None))
    return (best if score >= FUZZY_MIN else None), False


def evaluate(dataset: Dataset, variants: Variants, cover: dict[tuple[str, int], set[int]] | None = None) -> Grouping:
    """Map the truth onto the variants of the same page and score the index's grouping.

    `cover` (from segmentation.evaluate) says which variants hold each article's lines; with it, every
    mapping is checked.
    """
    on_page: dict[str, list[int]] = defaultdict(list)
    for i, source in enumerate(variants.source):
        on_page[source].append(i)
    result = Grouping()
    labels: list[tuple[int, str]] = []
    parts: list[str] = []
    entries: list[tuple[Hashable, str, str]] = []  # (predicted, story, family), unmapped articles included
    check: Counter = Counter()
    page, compact = "", {}
    for article in dataset.truth():
        result.articles += 1
        if article["page"] != page:  # the truth is in page order: compact one page's variants at a time
            page = article["page"]
            source = page.removeprefix("pages/").removesuffix(".txt")
            compact = {i: _compact(variants.norm[i]) for i in on_page.get(source, [])}
        mapped, exact = _best(_compact(normalise_text(article["text_sample"])), list(compact), compact,
                              article["ordinal"], variants)
        family = article.get("layout", "classic")
        if mapped is None:
            result.unmapped.append({k: article[k] for k in ("page", "ordinal", "story", "text_sample")})
            entries.append((("unmapped", result.articles), article["story"], family))
            continue
        result.exact += exact
        result.fuzzy += not exact
        if cover is not None:
            holding = cover.get((article["page"], article["ordinal"]))
            kind = "exact" if exact else "fuzzy"
            verdict = "unchecked" if holding is None else "right" if mapped in holding else "wrong"
            check[f"{kind}_{verdict}"] += 1
        labels.append((mapped, article["story"]))
        parts.append(article["part"])
        entries.append((variants.article_id[mapped], article["story"], family))
    uses = Counter(i for i, _ in labels)
    result.shared_variants = sum(n for n in uses.values() if n > 1)
    result.mapped_precision, result.mapped_recall = pairwise((variants.article_id[i], story) for i, story in labels)
    result.precision, result.recall = pairwise((p, t) for p, t, _ in entries)
    result.families = by_family(entries)
    result.mapped_families = by_family([entry for entry in entries if entry[0][0] != "unmapped"])
    result.mapping_check = dict(sorted(check.items()))
    result.unshared_precision, result.unshared_recall = pairwise(
        (variants.article_id[i], story) for i, story in labels if uses[i] == 1)
    by_story: dict[str, list[tuple[Hashable, int]]] = defaultdict(list)
    by_prediction: dict[str, list[tuple[Hashable, int]]] = defaultdict(list)
    for (i, story), part in zip(labels, parts):
        cause = CAUSES.index("shared variant" if uses[i] > 1 else "whole copies" if part == "whole" else "partial copy")
        by_story[story].append((variants.article_id[i], cause))
        by_prediction[variants.article_id[i]].append((story, cause))
    result.missed_pairs = pairs_by_cause(by_story.values())
    result.wrong_pairs = pairs_by_cause(by_prediction.values())
    return result
