"""Time story comparison (search.compare) on the seed story and on synthetic stories of many printings,
and hold the consensus's character error rate against the clean text to the best single printing's.

    python -m bench.compare [--printings 30] [--chars 5000] [--repeat 5] [--seed 0] [--out FILE]

The seed story is the one story the seed pages print several times, found by the project's own
segmentation; a synthetic story copies a text of about --chars characters (the seed story's longest
printing, with other seed articles' paragraphs after it) with random character substitutions, drops,
insertions, punctuation-width flips and dropped paragraphs; generator-noise stories copy it with the
benchmark generator's noise (real OCR confusions from ../shared/corpora, partial printings).
"""
from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from bench.gen.articles import Block
from bench.gen.garble import OcrTable, text_noise
from bench.gen.noise import cut_part, structural_noise
from bench.generate import DEFAULT_CORPORA
from indexer.normalise import normalise_text
from indexer.segment import segment_page
from search.align import align
from search.alignment import Printing
from search.compare import compare
from search.consensus import character_error_rate

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
PARTS = ("whole",) * 4 + ("head", "tail")  # a third of the generator's printings are partial
WIDTH_PAIRS = {"，": ",", ",": "，", "：": ":", ":": "：", "；": ";", ";": "；", "（": "(", "(": "（", "）": ")", ")": "）"}


@dataclass(frozen=True)
class Noise:
    """Per-character rates of OCR-like errors, and the rate at which a body paragraph is dropped."""

    substitution: float = 0.02
    deletion: float = 0.01
    insertion: float = 0.003
    width_flip: float = 0.2
    paragraph_drop: float = 0.05


def four_grams(text: str) -> set[str]:
    """The character 4-grams of a text's normalised form."""
    norm = normalise_text(text)
    return {norm[i:i + 4] for i in range(len(norm) - 3)}


def story_printings(pages: Mapping[str, str], reference_page: str | None = None) -> list[Printing]:
    """The printings of the story the pages share: the longest article of `reference_page` (of all
    pages if None), and on every page the article sharing most character 4-grams with it. Variant
    ids are the page names."""
    articles = {name: segment_page(text) for name, text in pages.items()}
    candidates = articles[reference_page] if reference_page else [a for found in articles.values() for a in found]
    reference = four_grams(max(candidates, key=lambda a: len(a.display_text())).display_text())
    return [Printing.from_article(name, max(found, key=lambda a: len(four_grams(a.display_text()) & reference)))
            for name, found in sorted(articles.items()) if found]


def seed_pages(seeds: Path = SEEDS) -> dict[str, str]:
    """The seed pages' texts by file stem."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt"))}


def long_text(pages: Mapping[str, str], story: list[Printing], chars: int) -> Printing:
    """A clean-looking text of at least `chars` characters: the story's longest printing (without
    captions), then the body paragraphs of the pages' articles on other subjects (sharing few
    4-grams with the story), each once."""
    base = max(story, key=lambda p: len(p.text))
    lines = base.text.split("\n")[:base.head_lines + base.body_lines]
    seen = four_grams(base.text)
    for text in pages.values():
        for article in segment_page(text):
            for block in article.body:
                if sum(len(line) for line in lines) >= chars:
                    return Printing("clean", "\n".join(lines), base.head_lines, len(lines) - base.head_lines)
                grams = four_grams(block.text)
                if len(block.text) > 20 and len(grams & seen) < 0.2 * len(grams):
                    seen |= grams
                    lines.append(block.text)
    return Printing("clean", "\n".join(lines), base.head_lines, len(lines) - base.head_lines)


def noisy_copy(clean: Printing, variant_id: str, noise: Noise, rng: random.Random, alphabet: str) -> Printing:
    """One printing of `clean` with OCR-like noise; body paragraphs may be dropped, never all."""
    lines = clean.text.split("\n")
    head, body = lines[:clean.head_lines], lines[clean.head_lines:clean.head_lines + clean.body_lines]
    kept = [line for line in body if rng.random() >= noise.paragraph_drop] or body[:1]
    garbled = [_garble(line, noise, rng, alphabet) for line in head + kept]
    garbled = [line or "。" for line in garbled]
    return Printing(variant_id, "\n".join(garbled), len(head), len(kept))


def _garble(line: str, noise: Noise, rng: random.Random, alphabet: str) -> str:
    """A line with characters dropped, replaced by others of `alphabet`, width-flipped or added."""
    out = []
    for char in line:
        roll = rng.random()
        if roll < noise.deletion:
            continue
        if roll < noise.deletion + noise.substitution:
            out.append(rng.choice(alphabet))
        elif char in WIDTH_PAIRS and rng.random() < noise.width_flip:
            out.append(WIDTH_PAIRS[char])
        else:
            out.append(char)
        if rng.random() < noise.insertion:
            out.append(rng.choice(alphabet))
    return "".join(out)


def synthetic_story(clean: Printing, copies: int, seed: int, noise: Noise = Noise()) -> list[Printing]:
    """`copies` noisy printings of a clean text, seeded."""
    rng = random.Random(seed)
    alphabet = "".join(sorted({c for c in clean.text if "\u4e00" <= c <= "\u9fff"}))
    return [noisy_copy(clean, f"p{i:02d}", noise, rng, alphabet) for i in range(copies)]


def generator_story(clean: Printing, copies: int, seed: int, ocr: OcrTable) -> list[Printing]:
    """`copies` printings of a clean text with the benchmark generator's noise (bench.generate): real
    OCR confusions, punctuation width, lost digits, dropped and repeated paragraphs and sentences,
    and some printings of only the head or the tail."""
    rng = random.Random(seed)
    lines = clean.text.split("\n")
    head, body = lines[:clean.head_lines], lines[clean.head_lines:clean.head_lines + clean.body_lines]
    printings = []
    for i in range(copies):
        blocks = cut_part([Block("p", line) for line in body], rng.choice(PARTS), rng)
        ocr_rate, level = rng.uniform(0.01, 0.03), 2.0
        blocks, _ = text_noise(structural_noise(blocks, level, rng), ocr, ocr_rate, level, rng)
        heading, _ = text_noise([Block("p", line) for line in head], ocr, ocr_rate, level, rng)
        printings.append(Printing(f"g{i:02d}", "\n".join(b.text for b in heading + blocks), len(heading), len(blocks)))
    return printings


def best_time(action: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Fastest of `repeat` runs, in seconds: wall clock, and this process's CPU time (steadier on a
    machine other jobs share)."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return round(min(wall), 4), round(min(cpu), 4)


def measure(printings: list[Printing], repeat: int) -> dict[str, Any]:
    """Sizes and the best times of aligning and of comparing (align, consensus, differences)."""
    align_s, align_cpu = best_time(lambda: align(printings), repeat)
    compare_s, compare_cpu = best_time(lambda: compare(printings), repeat)
    return {"printings": len(printings), "chars": sum(len(p.text) for p in printings),
            "align_s": align_s, "align_cpu_s": align_cpu, "compare_s": compare_s, "compare_cpu_s": compare_cpu}


def error_rates(clean: Printing, printings: list[Printing]) -> dict[str, Any]:
    """Character error rates of the consensus and of each printing against the clean text."""
    consensus = compare(printings).consensus.text
    singles = [character_error_rate(clean.text, p.text) for p in printings]
    return {"consensus_cer": round(character_error_rate(clean.text, consensus), 5),
            "best_single_cer": round(min(singles), 5), "mean_single_cer": round(sum(singles) / len(singles), 5)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--printings", type=int, default=30)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args(argv)
    pages = seed_pages()
    story = story_printings(pages)
    clean = long_text(pages, story, args.chars)
    synthetic = synthetic_story(clean, args.printings, args.seed)
    ocr = OcrTable.load(DEFAULT_CORPORA / "ocr-noise")
    generated = [error_rates(clean, generator_story(clean, copies, args.seed + trial, ocr))
                 for trial, copies in enumerate((3, 5, 7, 10) * 3)]
    results = {"seed_story": measure(story, args.repeat),
               "synthetic": {**measure(synthetic, args.repeat), "noise": asdict(Noise()),
                             **error_rates(clean, synthetic)},
               "synthetic_5": error_rates(clean, synthetic[:5]),
               "generator_noise": {"stories": len(generated),
                                   "consensus_not_worse": sum(g["consensus_cer"] <= g["best_single_cer"] for g in generated),
                                   "best_is_clean": sum(g["best_single_cer"] == 0 for g in generated),
                                   **{key: round(sum(g[key] for g in generated) / len(generated), 5)
                                      for key in generated[0]}}}
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
