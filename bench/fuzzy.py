"""Fuzzy (OCR-tolerant) search against known garbling: recall and precision by term length, and
fuzzy against exact matching speed, in one run.

    python -m bench.fuzzy --size 10k [--seed 0] [--work /tmp/corpus-bench] [--terms 80]

The benchmark generator does not yet record where it garbled each variant, so this builds its own
corpus from the same articles and the same OCR noise: every story (an article of the generator's
pool) is printed 1-6 times (the generator's weights), each printing garbled independently by the
generator's `OcrTable.substitute` at the generator's rates. Substitution keeps every character's
place, so the clean and printed texts line up character for character (after normalisation,
which is per character here) and every garbled occurrence of a term is known. The pages are
indexed with the project's indexer.

Terms are runs of one to three whole jieba words of the clean text, in four length buckets (3, 4,
5-6, 7+ characters), drawn among those with at least one garbled occurrence within the spec (one
substitution up to 5 characters, two from 6); the most frequent words of 3 and 4 characters are
measured apart, for precision on common words. A found (page, form) is right when the clean text
has the term at a place where the page prints that form. Each rule of `RULES` is judged on the
same forms found (one scan with every form kept), with the shared OCR tables (the ones the
garbling drew from, so an upper bound) and with the built-in look-alike table alone.

Speed: per term, `rank.matching` on the term (exact) against `fuzzy_query.fuzzy_matching` (exact
plus fuzzy), both over the latest variants, medians of `--repeat` rounds.
"""
from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import re
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.dataset import ROOT
from bench.gen.articles import iter_corpus
from bench.gen.garble import Garbled, OcrTable
from bench.gen.plan import BASE_VARIANT_WEIGHTS
from bench.gen.pool import article_text
from bench.generate import DEFAULT_CORPORA, parse_size, pool_names
from bench.measure import median
from bench.words import words
from indexer.normalise import normalise_text
from search.confusions import ConfusionModel
from search.engine import Corpus
from search.fuzzy import fuzzy_term, max_errors
from search.garbles import FormStats, Garble, GarbleRule
from search.fuzzy_query import fuzzy_matching
from search.query import Term
from search.rank import matching
from search.request import LATEST_VARIANTS, SearchRequest
from search.view import View

VERSION = "1"
BUCKETS = {"3": (3, 3), "4": (4, 4), "5-6": (5, 6), "7+": (7, 12)}
COMMON_WORDS = 40  # most frequent words of 3 and of 4 characters, measured apart
SAMPLE_PAGES = 600  # clean pages whose words make up the candidate terms
KEEP_ALL = GarbleRule(rarity=math.inf, slack=10**9, dictionary_min_frequency=None, siblings=False)
RULES = {
    "no rule": KEEP_ALL,
    "rarity": GarbleRule(dictionary_min_frequency=None, siblings=False),
    "rarity + words": GarbleRule(siblings=False),
    "siblings": GarbleRule(rarity=math.inf, slack=10**9, dictionary_min_frequency=None),
    "siblings + rarity": GarbleRule(dictionary_min_frequency=None),
    "siblings + rarity + words (default)": GarbleRule(),
    "siblings + rarity 0.2 + words": GarbleRule(rarity=0.2),
    "siblings + rarity 0.05 + words": GarbleRule(rarity=0.05),
    "siblings + rarity + words >= 10": GarbleRule(dictionary_min_frequency=10),
    "siblings + rarity + words >= 1000": GarbleRule(dictionary_min_frequency=1000),
    "siblings + rarity + words under 5 chars": GarbleRule(words_checked_below=5),
}
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _noise_rate(rng: random.Random) -> float:
    """A printing's substitution rate, drawn as bench/generate.py draws page and article rates."""
    if rng.random() >= 0.85:
        return 0.0
    return rng.uniform(0.004, 0.012) * rng.uniform(0.6, 1.4) * rng.uniform(0.5, 1.5)


def build_corpus(size: int, seed: int, root: Path, corpora: Path) -> Path:
    """Pages of `size` printings in root/pages and their clean texts in root/clean.jsonl (reused when made before)."""
    manifest = {"version": VERSION, "size": size, "seed": seed}
    if (root / "manifest.json").is_file() and json.loads((root / "manifest.json").read_text()) == manifest:
        return root
    rng = random.Random(f"bench-fuzzy:{seed}")
    ocr = OcrTable.load(corpora / "ocr-noise")
    pages = root / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    counts, weights = list(BASE_VARIANT_WEIGHTS), list(BASE_VARIANT_WEIGHTS.values())
    stats: Counter = Counter()
    made = 0
    with open(root / "clean.jsonl", "w", encoding="utf-8") as clean:
        while made < size:
            for name in pool_names("auto", size):
                for story, article in enumerate(iter_corpus(corpora, name, stats)):
                    text = article_text(article)
                    for printing in range(min(size - made, rng.choices(counts, weights)[0])):
                        stem = f"{name}-{made:06d}-{story}-{printing}"
                        printed = Garbled.of(text)
                        ocr.substitute(printed, _noise_rate(rng), rng)
                        (pages / f"{stem}.txt").write_text(printed.text(), encoding="utf-8")
                        clean.write(json.dumps({"page": stem, "text": text}, ensure_ascii=False) + "\n")
                        made += 1
                    if made >= size:
                        break
                if made >= size:
                    break
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


@dataclass
class Truth:
    """Normalised clean and printed text of every page, joined for fast searching."""

    pages: list[str]
    clean: str
    printed: str
    starts: list[int]

    @classmethod
    def load(cls, root: Path) -> "Truth":
        pages, clean, printed, starts, offset, skipped = [], [], [], [], 0, 0
        with open(root / "clean.jsonl", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                text = normalise_text(record["text"])
                page = normalise_text((root / "pages" / f"{record['page']}.txt").read_text(encoding="utf-8"))
                if len(text) != len(page):  # a substitution normalisation does not keep in place
                    skipped += 1
                    continue
                pages.append(record["page"])
                clean.append(text)
                printed.append(page)
                starts.append(offset)
                offset += len(text) + 1
        if skipped:
            log(f"{skipped} pages left out: clean and printed normalise to different lengths")
        return cls(pages, "\0".join(clean), "\0".join(printed), starts)

    def page_text(self, index: int) -> str:
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.clean)
        return self.clean[self.starts[index]:end]

    def garbled(self, term: str) -> tuple[Counter, int, int]:
        """(page, printed form) of the term's garbled occurrences within the spec, those beyond it
        (more substitutions), and the exact occurrences."""
        within: Counter = Counter()
        beyond = exact = 0
        allowed = max_errors(term)
        for match in re.finditer(re.escape(term), self.clean):
            printed = self.printed[match.start():match.end()]
            if printed == term:
                exact += 1
                continue
            if sum(a != b for a, b in zip(printed, term)) <= allowed:
                page = self.pages[bisect.bisect_right(self.starts, match.start()) - 1]
                within[page, printed] += 1
            else:
                beyond += 1
        return within, beyond, exact


def bucket_of(term: str) -> str | None:
    return next((name for name, (low, high) in BUCKETS.items() if low <= len(term) <= high), None)


def draw_terms(truth: Truth, rng: random.Random, per_bucket: int) -> tuple[dict[str, list[str]], list[str]]:
    """Terms per length bucket with at least one garbled occurrence, and the most common 3- and 4-character words."""
    candidates: dict[str, dict[str, None]] = {name: {} for name in BUCKETS}
    word_pages: Counter = Counter()
    for index in rng.sample(range(len(truth.pages)), min(SAMPLE_PAGES, len(truth.pages))):
        cut = words(truth.page_text(index))
        word_pages.update({w for w in cut if CJK_RUN.fullmatch(w) and len(w) in (3, 4)})
        for start in range(len(cut)):
            for count in (1, 2, 3):
                piece = cut[start:start + count]
                if len(piece) == count and all(CJK_RUN.fullmatch(w) for w in piece):
                    term = "".join(piece)
                    if (name := bucket_of(term)) is not None:
                        candidates[name][term] = None
    terms: dict[str, list[str]] = {}
    for name, pool in candidates.items():
        ordered = list(pool)
        rng.shuffle(ordered)
        terms[name] = []
        for term in ordered:
            if len(terms[name]) == per_bucket:
                break
            if truth.garbled(term)[0]:
                terms[name].append(term)
    common = [w for length in (3, 4)
              for w, _ in sorted(((w, n) for w, n in word_pages.items() if len(w) == length),
                                 key=lambda item: (-item[1], item[0]))[:COMMON_WORDS]]
    return terms, common


@dataclass
class Found:
    """One term's forms found by a scan that keeps every printing, and where each was printed."""

    exact_variants: int
    forms: dict[str, FormStats]
    places: dict[str, list[tuple[str, Garble]]] = field(default_factory=dict)  # form -> (page, garble)


def scan_term(view: View, term: str, model: ConfusionModel, pages: dict[int, str], known: set[str]) -> Found:
    """Every printing found, on the pages whose truth is known (the others are not scored)."""
    latest = view.scope(LATEST_VARIANTS)
    matches = fuzzy_term(view, term, latest, model, rule=KEEP_ALL)
    found = Found(matches.exact_variants, matches.forms)
    for docnum, garbles in matches.found.items():
        if docnum not in pages:
            pages[docnum] = view.header(docnum).source
        if pages[docnum] not in known:
            continue
        for garble in garbles:
            found.places.setdefault(garble.form, []).append((pages[docnum], garble))
    return found


@dataclass
class Score:
    expected: int = 0
    beyond: int = 0
    found: int = 0
    right: int = 0

    def add(self, other: "Score") -> None:
        for name in ("expected", "beyond", "found", "right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__,
                "recall": round(self.right / self.expected, 4) if self.expected else None,
                "precision": round(self.right / self.found, 4) if self.found else None}


def kept(found: Found, rule: GarbleRule) -> dict[str, Counter]:
    """Per form the rule accepts, the pages of the printings it takes for the term."""
    result = {}
    for form, places in found.places.items():
        verdict = rule.judge(found.forms[form], found.exact_variants)
        if verdict != "weight":
            pages = Counter(page for page, garble in places if rule.keeps(garble, verdict))
            if pages:
                result[form] = pages
    return result


def score(found: Found, expected: Counter, beyond: int, rule: GarbleRule) -> Score:
    """Occurrences right, found and expected when `rule` judges the printings found."""
    result = Score(expected=sum(expected.values()), beyond=beyond)
    for form, pages in kept(found, rule).items():
        for page, count in pages.items():
            result.found += count
            result.right += min(count, expected.get((page, form), 0))
    return result


def evaluate(view: View, truth: Truth, terms: dict[str, list[str]], model: ConfusionModel) -> dict[str, Any]:
    """Scores per rule and bucket (and on common words), and the rejected forms that were real garbles."""
    pages: dict[int, str] = {}
    known = set(truth.pages)
    results: dict[str, dict[str, Score]] = {rule: {} for rule in RULES}
    lost: dict[str, Counter] = {rule: Counter() for rule in RULES}
    wrong: dict[str, list[str]] = {rule: [] for rule in RULES}
    for bucket, bucket_terms in terms.items():
        for term in bucket_terms:
            expected, beyond, _ = truth.garbled(term)
            found = scan_term(view, term, model, pages, known)
            for name, rule in RULES.items():
                got = score(found, expected, beyond, rule)
                results[name].setdefault(bucket, Score()).add(got)
                accepted = kept(found, rule)
                for (page, form), count in expected.items():
                    stats = found.forms.get(form)
                    verdict = ("not found" if stats is None else "kept" if accepted.get(form, {}).get(page)
                               else rule.judge(stats, found.exact_variants) or "text")
                    lost[name][verdict] += count
                for form, pages in accepted.items():
                    for page in pages:
                        if (page, form) not in expected and len(wrong[name]) < 20:
                            wrong[name].append(f"{term}->{form}")
    return {name: {"by_length": {b: s.to_dict() for b, s in buckets.items()},
                   "all": _total(buckets.values()).to_dict(),
                   "garbled_forms_by_verdict": dict(lost[name]), "wrong_examples": wrong[name]}
            for name, buckets in results.items()}


def _total(scores) -> Score:
    total = Score()
    for s in scores:
        total.add(s)
    return total


def timing(corpus: Corpus, terms: list[str], model: ConfusionModel, repeat: int) -> dict[str, Any]:
    """Per term, medians of `repeat` rounds: exact matching (`rank.matching`), fuzzy matching
    (`fuzzy_query.fuzzy_matching`, exact included) and the whole exact query (`Corpus.search`, a page
    of 10 groups). A fuzzy query is estimated as the exact query plus what fuzzy matching adds to
    exact matching (the rest of a search is the same either way). p50 and p95 over the terms."""
    view = corpus.view()
    latest = view.scope(LATEST_VARIANTS)
    times: dict[str, dict[str, list[float]]] = {kind: {t: [] for t in terms} for kind in ("exact", "fuzzy", "query")}
    for _ in range(repeat):
        for term in terms:
            node = Term(term, term)
            for kind, run in (("exact", lambda: matching(view, node, latest)),
                              ("fuzzy", lambda: fuzzy_matching(view, node, latest, model)),
                              ("query", lambda: corpus.search(SearchRequest(term)))):
                started = time.perf_counter()
                run()
                times[kind][term].append(time.perf_counter() - started)
    per_term = {kind: {t: median(v) for t, v in by_term.items()} for kind, by_term in times.items()}
    per_term["fuzzy query"] = {t: per_term["query"][t] + per_term["fuzzy"][t] - per_term["exact"][t] for t in terms}

    def pct(kind: str, q: float) -> float:
        values = sorted(per_term[kind].values())
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 3)

    figures = {f"{kind} {name}_ms".replace(" ", "_"): pct(kind, q)
               for kind in per_term for name, q in (("p50", 0.5), ("p95", 0.95))}
    return {"terms": len(terms), **figures,
            "matching_p50_ratio": round(pct("fuzzy", 0.5) / max(pct("exact", 0.5), 1e-6), 2),
            "query_p50_ratio": round(pct("fuzzy query", 0.5) / max(pct("query", 0.5), 1e-6), 2)}


def table(results: dict[str, Any]) -> str:
    lines = [f"Fuzzy search, {results['variants']:,} variants ({results['size']} printings), "
             f"seed {results['seed']}", ""]
    for model_name, by_rule in results["quality"].items():
        lines += [f"### model: {model_name}", "",
                  "| rule | " + " | ".join(f"{b} chars R / P" for b in BUCKETS) + " | common words P | all R / P |",
                  "| --- |" + " --- |" * (len(BUCKETS) + 2)]
        for rule, figures in by_rule.items():
            cells = [f"{figures['by_length'][b]['recall']} / {figures['by_length'][b]['precision']}"
                     if b in figures["by_length"] else "-" for b in BUCKETS]
            common = results["common"][model_name][rule]
            lines.append(f"| {rule} | " + " | ".join(cells) + f" | {common['precision']} ({common['found']} found) | "
                         f"{figures['all']['recall']} / {figures['all']['precision']} |")
        lines.append("")
    speed = results["speed"]
    lines += [f"speed over {speed['terms']} terms (ms, p50 / p95):", "",
              "| step | exact | fuzzy | p50 ratio (target <= 5) |", "| --- | --- | --- | --- |",
              f"| matching | {speed['exact_p50_ms']} / {speed['exact_p95_ms']} | {speed['fuzzy_p50_ms']} / "
              f"{speed['fuzzy_p95_ms']} | {speed['matching_p50_ratio']} |",
              f"| whole query (fuzzy: exact query + fuzzy matching's extra) | {speed['query_p50_ms']} / "
              f"{speed['query_p95_ms']} | {speed['fuzzy_query_p50_ms']} / {speed['fuzzy_query_p95_ms']} | "
              f"{speed['query_p50_ratio']} |"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help="printings: 1k, 10k, 100k or a number")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/corpus-bench"))
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--terms", type=int, default=80, help="terms per length bucket")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds")
    parser.add_argument("--out", type=Path, help="JSON results (default bench/results/fuzzy-<size>.json)")
    args = parser.parse_args(argv)
    size = parse_size(args.size)
    root = build_corpus(size, args.seed, args.work / f"fuzzy-{size}-s{args.seed}", args.corpora)
    index_dir = root / "index"
    if not (root / "indexed").is_file():
        from indexer.ingest import index_paths

        log(f"indexing {root / 'pages'}")
        shutil.rmtree(index_dir, ignore_errors=True)
        index_paths([root / "pages"], index_dir, workers=2)
        (root / "indexed").touch()
    log("reading the truth")
    truth = Truth.load(root)
    terms, common = draw_terms(truth, random.Random(f"bench-fuzzy-terms:{args.seed}"), args.terms)
    view = Corpus(index_dir).view()
    models = {"built-in + shared OCR tables": ConfusionModel.load(args.corpora / "ocr-noise"),
              "built-in look-alike table only": ConfusionModel.builtin()}
    quality, common_scores = {}, {}
    for name, model in models.items():
        log(f"quality, {name}")
        quality[name] = evaluate(view, truth, terms, model)
        common_scores[name] = {rule: figures["all"]
                               for rule, figures in evaluate(view, truth, {"common": common}, model).items()}
    log("speed")
    speed = timing(Corpus(index_dir), [t for bucket in terms.values() for t in bucket],
                   models["built-in + shared OCR tables"], args.repeat)
    results = {"size": args.size, "seed": args.seed, "variants": len(view.scope(LATEST_VARIANTS)),
               "pages": len(truth.pages), "terms": terms, "common_words": common, "quality": quality,
               "common": common_scores, "speed": speed}
    print(table(results))
    out = args.out or ROOT / "bench" / "results" / f"fuzzy-{args.size}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
