"""Print noise above the characters: parts cut, paragraphs dropped and repeated, column breaks and wraps."""
from __future__ import annotations

import random
from dataclasses import dataclass

from bench.gen.articles import Block, split_sentences
from bench.gen.plan import Source
from bench.gen.printed import Piece, insert_at, joined


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
