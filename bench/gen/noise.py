"""OCR and print noise: character confusions, punctuation width, lost digits, cut, dropped and repeated text, wraps."""
from __future__ import annotations

import math
import random
import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from bench.gen.articles import Block, split_sentences
from bench.gen.plan import Source
from bench.gen.printed import Piece, insert_at, joined

SHAPE_WEIGHT = 0.5  # a similar-shape pair counts as half a FASPell observation
FULL_TO_HALF = {"，": ",", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")"}
WIDTH_FLIP = {**FULL_TO_HALF, **{v: k for k, v in FULL_TO_HALF.items()}}
HALFWIDTH_TABLE = str.maketrans(FULL_TO_HALF)
PUNCT_RE = re.compile("[" + re.escape("".join(WIDTH_FLIP)) + "]")
NUMBER_RE = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")


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

    def substitute(self, text: str, rate: float, rng: random.Random) -> str:
        """Replace about `rate` of the characters with confusable ones."""
        if rate <= 0 or not text:
            return text
        chars: list[str] | None = None
        log_keep = math.log(1.0 - rate)
        position = geometric_gap(log_keep, rng)
        while position < len(text):
            # the chosen character may have no known confusion: try the next few
            for index in range(position, min(position + 4, len(text))):
                entry = self._table.get(text[index])
                if entry:
                    outputs, cumulative = entry
                    chars = chars if chars is not None else list(text)
                    chars[index] = outputs[bisect_right(cumulative, rng.random() * cumulative[-1])]
                    break
            position += 1 + geometric_gap(log_keep, rng)
        return "".join(chars) if chars is not None else text




@dataclass(frozen=True)
class PageNoise:
    """Noise settings shared by the articles of one page."""

    halfwidth: bool
    ocr_rate: float
    level: float


def page_noise(source: Source, rng: random.Random) -> PageNoise:
    """Draw this page's noise around its newspaper's habits."""
    return PageNoise(
        halfwidth=rng.random() < source.halfwidth,
        ocr_rate=rng.uniform(0.004, 0.012) * source.noise,
        level=rng.uniform(0.5, 1.5) * source.noise,
    )


def drop_paragraphs(blocks: list[Block], rng: random.Random) -> list[Block]:
    """Lose one or two body paragraphs (never the first)."""
    candidates = [i for i, b in enumerate(blocks) if i > 0 and b.kind == "p"]
    count = min(len(candidates) - 1, rng.choice((1, 1, 2)))
    if count <= 0:
        return blocks
    doomed = rng.sample(candidates, count)
    return [b for i, b in enumerate(blocks) if i not in doomed]


def repeat_paragraphs(blocks: list[Block], rng: random.Random) -> list[Block]:
    """Print a run of 1-3 paragraphs two or three times in a row."""
    start = rng.randrange(len(blocks))
    run = blocks[start : start + rng.choice((1, 1, 2, 3))]
    end = start + len(run)
    return blocks[:end] + run * rng.choice((1, 1, 2)) + blocks[end:]


def repeat_sentence(blocks: list[Block], rng: random.Random) -> list[Block]:
    """Repeat one sentence two or three times inside its paragraph."""
    candidates = [i for i, b in enumerate(blocks) if b.kind == "p" and len(split_sentences(b.text)) >= 2]
    if not candidates:
        return blocks
    index = rng.choice(candidates)
    sentences = split_sentences(blocks[index].text)
    pick = rng.randrange(len(sentences))
    sentences[pick] = sentences[pick] * rng.choice((2, 3))
    return blocks[:index] + [Block("p", "".join(sentences))] + blocks[index + 1 :]


def split_point(blocks: list[Block], rng: random.Random) -> int:
    """Index where a printing is cut in two; splits the paragraph of a one-paragraph text."""
    if len(blocks) < 2:
        text = blocks[0].text
        sentences = split_sentences(text)
        at = len("".join(sentences[: len(sentences) // 2])) if len(sentences) >= 2 else len(text) // 2
        blocks[:] = [Block("p", text[:at]), Block("p", text[at:])]
        return 1
    low = max(1, round(len(blocks) * 0.3))
    high = max(low, min(len(blocks) - 1, round(len(blocks) * 0.7)))
    return rng.randint(low, high)


def cut_part(blocks: list[Block], part: str, rng: random.Random) -> list[Block]:
    """Keep the whole article, its head or its tail."""
    if part == "whole":
        return blocks
    blocks = blocks[:]
    cut = split_point(blocks, rng)
    if part == "tail":
        tail = blocks[cut:]
        return tail if any(b.kind == "p" for b in tail) else blocks[cut - 1 :]
    head = blocks[:cut]
    last = head[-1]
    if last.kind == "p" and len(last.text) > 20 and rng.random() < 0.5:  # cut mid-sentence
        head[-1] = Block("p", last.text[: rng.randint(len(last.text) // 3, len(last.text) - 5)])
    return head


def structural_noise(blocks: list[Block], level: float, rng: random.Random) -> list[Block]:
    """Dropped and repeated paragraphs, repeated sentences."""
    if len(blocks) >= 4 and rng.random() < 0.2 * level:
        blocks = drop_paragraphs(blocks, rng)
    if rng.random() < 0.12 * level:
        blocks = repeat_paragraphs(blocks, rng)
    if rng.random() < 0.05 * level:
        blocks = repeat_sentence(blocks, rng)
    return blocks


def drop_digit(text: str, rng: random.Random) -> str:
    """Lose a digit or a decimal point of one number (72TB→7TB, 3.5万→35万)."""
    numbers = [m for m in NUMBER_RE.finditer(text) if len(m.group()) >= 2]
    if not numbers:
        return text
    match = rng.choice(numbers)
    digits = match.group()
    if any(c in ".．" for c in digits) and rng.random() < 0.6:
        new = digits.replace(".", "").replace("．", "")
    else:
        drop = rng.choice([i for i, c in enumerate(digits) if c not in ".．"])
        new = digits[:drop] + digits[drop + 1 :]
    return text[: match.start()] + new + text[match.end() :]


def flip_punctuation(text: str, rate: float, rng: random.Random) -> str:
    """Swap full- and half-width forms of some punctuation marks."""
    return PUNCT_RE.sub(lambda m: WIDTH_FLIP[m.group()] if rng.random() < rate else m.group(), text)


def text_noise(blocks: list[Block], ocr: OcrTable, noise: PageNoise, rng: random.Random) -> list[Block]:
    """Character substitutions, punctuation width flips and lost digits."""
    rate = noise.ocr_rate * rng.uniform(0.5, 1.5) if rng.random() < 0.85 else 0.0
    flip = rng.uniform(0.02, 0.1) if rng.random() < 0.3 * noise.level else 0.0
    out = []
    for block in blocks:
        text = ocr.substitute(block.text, rate, rng)
        out.append(Block(block.kind, flip_punctuation(text, flip, rng) if flip else text))
    if rng.random() < 0.25 * noise.level:
        for _ in range(rng.choice((1, 1, 2))):
            index = rng.randrange(len(out))
            out[index] = Block(out[index].kind, drop_digit(out[index].text, rng))
    return out


def column_break(text: str, rng: random.Random) -> str:
    """A blank line where the column breaks, often mid-word ("工\\n\\n业领域")."""
    if len(text) < 8:
        return text
    at = rng.randint(2, len(text) - 2)
    return text[:at] + "\n\n" + text[at:]


def hard_wrap(text: str, width: int) -> str:
    """Break every line at a fixed width with markdown's two trailing spaces."""
    lines = []
    for line in text.split("\n"):
        if len(line) > width:
            line = "  \n".join(line[i : i + width] for i in range(0, len(line), width))
        lines.append(line)
    return "\n".join(lines)


def single_wrap(pieces: list[Piece], rng: random.Random) -> None:
    """One hard line break inside a word ("腾冲科学论  \\n坛") of a paragraph."""
    length = len(joined(pieces))
    if length < 10:
        return
    insert_at(pieces, rng.randint(3, length - 3), "  \n")
