"""How well candidate signals of look-alike characters cover real OCR confusions.

    python -m bench.shape_signal [--noise DIR]

Fuzzy search needs a built-in notion of which substitutions are plausible OCR errors, for machines
without the shared confusion data. Each candidate signal admits some pairs of characters; this
measures, against FASPell's observed OCR substitutions (by pair and by observation) and
pycorrector's look-alike groups, what share of the real pairs each admits and how many pairs per
character it admits in all:

- code-point proximity: |a - b| <= k in the CJK Unified Ideographs block, which Unicode orders by
  Kangxi radical, then residual strokes (钍 U+948D and 钎 U+948E are neighbours);
- the same, within one radical's section (the sections start at the characters the Kangxi
  Radicals block folds to under NFKC);
- the glyph table (search/shape_neighbours.tsv): the k nearest rendered glyphs.

Only pairs of two GB 2312 hanzi count, the set the glyph table covers.
"""
from __future__ import annotations

import argparse
import bisect
import json
import unicodedata
from pathlib import Path

from search.confusions import FASPELL_FILE, SHAPE_GROUPS_FILE, SHAPE_TABLE_PATH, default_noise_dirs
from tools.shape_table import gb2312_hanzi

DISTANCES = (1, 2, 5, 10, 20)
RANKS = (5, 10, 20)
_RADICAL_STARTS = sorted({ord(unicodedata.normalize("NFKC", chr(c))) for c in range(0x2F00, 0x2FD6)})


def radical_section(char: str) -> int:
    """The Kangxi radical section of the block a character lies in (by code point)."""
    return bisect.bisect_right(_RADICAL_STARTS, ord(char)) - 1


def real_pairs(noise: Path, hanzi: set[str]) -> tuple[dict[tuple[str, str], int], set[tuple[str, str]]]:
    """FASPell's substitution counts and the look-alike groups' ordered pairs, GB 2312 hanzi only."""
    faspell: dict[tuple[str, str], int] = {}
    for line in (noise / FASPELL_FILE).read_text(encoding="utf-8").splitlines()[1:]:
        correct, observed, count = line.split("\t")
        if correct in hanzi and observed in hanzi and correct != observed:
            faspell[correct, observed] = faspell.get((correct, observed), 0) + int(count)
    groups = set()
    for line in (noise / SHAPE_GROUPS_FILE).read_text(encoding="utf-8").splitlines():
        members = [c for c in line.split("\t") if c in hanzi]
        groups |= {(a, b) for a in members for b in members if a != b}
    return faspell, groups


def glyph_ranks() -> dict[tuple[str, str], int]:
    """Rank of each neighbour in the glyph table, either way round (the better of the two)."""
    ranks: dict[tuple[str, str], int] = {}
    for line in SHAPE_TABLE_PATH.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        char, neighbours = line.split("\t")
        for rank, other in enumerate(neighbours):
            for pair in ((char, other), (other, char)):
                ranks[pair] = min(ranks.get(pair, rank), rank)
    return ranks


def coverage(admits, faspell: dict[tuple[str, str], int], groups: set[tuple[str, str]]) -> dict[str, float]:
    """Shares of the real pairs (and of FASPell's observations) a signal admits."""
    observations = sum(faspell.values())
    return {"faspell_pairs": round(sum(map(admits, faspell)) / len(faspell), 4),
            "faspell_observations": round(sum(n for p, n in faspell.items() if admits(p)) / observations, 4),
            "shape_group_pairs": round(sum(map(admits, groups)) / len(groups), 4)}


def measure(noise: Path) -> dict[str, object]:
    """Every signal's coverage and the pairs it admits per character, on GB 2312."""
    hanzi = gb2312_hanzi()
    known = set(hanzi)
    faspell, groups = real_pairs(noise, known)
    ranks = glyph_ranks()
    results: dict[str, object] = {"faspell_pairs": len(faspell), "shape_group_pairs": len(groups), "signals": []}
    by_code = sorted(ord(c) for c in hanzi)
    for k in DISTANCES:
        def near(pair, k=k):
            return abs(ord(pair[0]) - ord(pair[1])) <= k

        def near_same_radical(pair, k=k):
            return near(pair) and radical_section(pair[0]) == radical_section(pair[1])

        admitted = [bisect.bisect_right(by_code, c + k) - bisect.bisect_left(by_code, c - k) - 1 for c in by_code]
        same = sum(1 for c in hanzi for d in range(-k, k + 1)
                   if d and chr(ord(c) + d) in known and near_same_radical((c, chr(ord(c) + d))))
        results["signals"].append({"signal": f"code point within {k}", **coverage(near, faspell, groups),
                                   "admitted_per_char": round(sum(admitted) / len(hanzi), 1)})
        results["signals"].append({"signal": f"code point within {k}, same radical",
                                   **coverage(near_same_radical, faspell, groups),
                                   "admitted_per_char": round(same / len(hanzi), 1)})
    for k in RANKS:
        def glyph(pair, k=k):
            return ranks.get(pair, k) < k

        admitted = sum(1 for rank in ranks.values() if rank < k)
        results["signals"].append({"signal": f"glyph table, {k} nearest", **coverage(glyph, faspell, groups),
                                   "admitted_per_char": round(admitted / len(hanzi), 1)})
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--noise", type=Path, help="the OCR confusion data folder (default: shared/corpora/ocr-noise)")
    args = parser.parse_args(argv)
    noise = args.noise or next((d for d in default_noise_dirs() if d.is_dir()), None)
    if noise is None or not (noise / FASPELL_FILE).is_file():
        parser.error("OCR confusion data not found; pass --noise DIR")
    results = measure(noise)
    print("| signal | FASPell pairs | FASPell observations | shape-group pairs | pairs admitted per character |")
    print("| --- | --- | --- | --- | --- |")
    for row in results["signals"]:
        print(f"| {row['signal']} | {row['faspell_pairs']:.1%} | {row['faspell_observations']:.1%} | "
              f"{row['shape_group_pairs']:.1%} | {row['admitted_per_char']} |")
    out = Path(__file__).resolve().parent / "results" / "shape_signal.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
