"""Character-level OCR noise with an exact record of every edit: confusions, punctuation width, lost digits.

A Garbled text keeps, for each character of its clean text, what is printed for it (the character,
another one, or nothing), so that the garbles truth.jsonl records reproduce the printed text.
"""
from __future__ import annotations

import math
import random
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from bench.gen.articles import Block

SHAPE_WEIGHT = 0.5  # a similar-shape pair counts as half a FASPell observation
FULL_TO_HALF = {"，": ",", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")"}
WIDTH_FLIP = {**FULL_TO_HALF, **{v: k for k, v in FULL_TO_HALF.items()}}
HALFWIDTH_TABLE = str.maketrans(FULL_TO_HALF)
NUMBER_RE = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")


@dataclass
class Garbled:
    """A clean text and, per clean character, the string printed for it."""

    clean: str
    printed: list[str]

    @classmethod
    def of(cls, text: str) -> Garbled:
        """A text printed as it is."""
        return cls(text, list(text))

    def text(self) -> str:
        """The printed text."""
        return "".join(self.printed)

    def translate(self, table: dict[int, str]) -> None:
        """Print every character through a str.translate table (half-width punctuation)."""
        self.printed = [p.translate(table) for p in self.printed]

    def edits(self, offset: int = 0) -> list[list]:
        """Runs of changed characters as [offset + position in clean, clean string, printed string]."""
        runs: list[list] = []
        start = None
        for index, (clean, printed) in enumerate(zip(self.clean, self.printed)):
            if clean != printed and start is None:
                start = index
            elif clean == printed and start is not None:
                runs.append(self._run(start, index, offset))
                start = None
        if start is not None:
            runs.append(self._run(start, len(self.clean), offset))
        return runs

    def _run(self, start: int, end: int, offset: int) -> list:
        return [offset + start, self.clean[start:end], "".join(self.printed[start:end])]


def apply_edits(clean: str, edits: list[list]) -> str:
    """The printed text from the clean text and its edits (the inverse of Garbled.edits)."""
    out, at = [], 0
    for position, before, after in edits:
        out += [clean[at:position], after]
        at = position + len(before)
    return "".join(out) + clean[at:]


def garbled_title(clean: str, printed: str) -> Garbled:
    """A title and its OCR print, which differs by at most one inserted space (layout.ocr_title)."""
    garbled = Garbled.of(clean)
    if printed != clean:
        at = next((i for i, (a, b) in enumerate(zip(clean, printed)) if a != b), len(clean))
        if at < len(clean):
            garbled.printed[at] = printed[at] + garbled.printed[at]
        else:  # inserted after the last character (or before a space that ends the title)
            garbled.printed[-1] += printed[len(clean):]
    return garbled


def geometric_gap(log_keep: float, rng: random.Random) -> int:
    """Characters skipped before the next substitution (geometric distribution)."""
    return int(math.log(1.0 - rng.random()) / log_keep)


class OcrTable:
    """Character -> weighted OCR confusions from FASPell counts and similar-shape groups."""

    def __init__(self, weights: dict[str, dict[str, float]]) -> None:
        self._table: dict[str, tuple[list[str], list[float]]] = {}
        for char in sorted(weights):
            outputs = sorted(weights[char])
            self._table[char] = (outputs, list(accumulate(weights[char][o] for o in outputs)))

    @classmethod
    def load(cls, noise_dir: Path) -> OcrTable:
        """Read faspell_substitutions.tsv and similar_shape_groups.txt."""
        weights: dict[str, dict[str, float]] = {}
        with open(noise_dir / "faspell_substitutions.tsv", encoding="utf-8") as handle:
            next(handle)
            for line in handle:
                correct, output, count = line.rstrip("\n").split("\t")
                if len(correct) == 1 and len(output) == 1 and correct != output:
                    row = weights.setdefault(correct, {})
                    row[output] = row.get(output, 0.0) + int(count)
        with open(noise_dir / "similar_shape_groups.txt", encoding="utf-8") as handle:
            for line in handle:
                group = [c for c in line.rstrip("\n").split("\t") if len(c) == 1]
                for char in group:
                    row = weights.setdefault(char, {})
                    for other in group:
                        if other != char:
                            row[other] = row.get(other, 0.0) + SHAPE_WEIGHT
        return cls(weights)
    def mapped(self, convert: Callable[[str], str]) -> OcrTable:
        """The same confusions between the characters `convert` makes of them (a traditional-script table)."""
        weights: dict[str, dict[str, float]] = {}
        for char, (outputs, cumulative) in self._table.items():
            row = weights.setdefault(convert(char), {})
            for output, high, low in zip(outputs, cumulative, [0.0, *cumulative]):
                row[convert(output)] = row.get(convert(output), 0.0) + high - low
        rows = {char: {o: w for o, w in row.items() if o != char} for char, row in weights.items()}
        return OcrTable({char: row for char, row in rows.items() if row})

    def substitute(self, text: Garbled, rate: float, rng: random.Random) -> None:
        """Replace about `rate` of the characters with confusable ones."""
        clean = text.clean
        if rate <= 0 or not clean:
            return
        log_keep = math.log(1.0 - rate)
        position = geometric_gap(log_keep, rng)
        while position < len(clean):
            # the chosen character may have no known confusion: try the next few
            for index in range(position, min(position + 4, len(clean))):
                entry = self._table.get(clean[index])
                if entry:
                    outputs, cumulative = entry
                    text.printed[index] = outputs[bisect_right(cumulative, rng.random() * cumulative[-1])]
                    break
            position += 1 + geometric_gap(log_keep, rng)


def drop_digit(text: Garbled, rng: random.Random) -> None:
    """Lose a digit or a decimal point of one number (72TB→7TB, 3.5万→35万)."""
    printed = text.text()
    numbers = [m for m in NUMBER_RE.finditer(printed) if len(m.group()) >= 2]
    if not numbers:
        return
    owner = [index for index, chars in enumerate(text.printed) for _ in chars]  # printed position -> clean index
    match = rng.choice(numbers)
    digits = match.group()
    if any(c in ".．" for c in digits) and rng.random() < 0.6:
        lost = [i for i, c in enumerate(digits) if c in ".．"]
    else:
        lost = [rng.choice([i for i, c in enumerate(digits) if c not in ".．"])]
    for i in lost:
        text.printed[owner[match.start() + i]] = ""


def flip_punctuation(text: Garbled, rate: float, rng: random.Random) -> None:
    """Swap full- and half-width forms of some punctuation marks."""
    for index, chars in enumerate(text.printed):
        if chars in WIDTH_FLIP and rng.random() < rate:
            text.printed[index] = WIDTH_FLIP[chars]


def text_noise(blocks: list[Block], ocr: OcrTable, ocr_rate: float, level: float,
               rng: random.Random) -> tuple[list[Block], list[Garbled]]:
    """Character substitutions, punctuation width flips and lost digits: the printed blocks and their records."""
    rate = ocr_rate * rng.uniform(0.5, 1.5) if rng.random() < 0.85 else 0.0
    flip = rng.uniform(0.02, 0.1) if rng.random() < 0.3 * level else 0.0
    garbled = []
    for block in blocks:
        text = Garbled.of(block.text)
        ocr.substitute(text, rate, rng)
        if flip:
            flip_punctuation(text, flip, rng)
        garbled.append(text)
    if rng.random() < 0.25 * level:
        for _ in range(rng.choice((1, 1, 2))):
            drop_digit(garbled[rng.randrange(len(garbled))], rng)
    return [Block(block.kind, text.text()) for block, text in zip(blocks, garbled)], garbled
