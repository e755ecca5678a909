#!/usr/bin/env python3
"""Deterministic generator of benchmark corpora: noisy OCR'd Chinese newspaper pages.

    python bench/generate.py --size 1k --out DIR [--seed 0] [--corpora PATH]
                             [--layouts classic,stacked,...] [--traditional 0.1]

Stories are real news articles (People's Daily, January 1998, from the PKU corpus,
and/or SogouC). Every story is printed as one or more *variants* on the pages of
synthetic newspapers ("sources"); each variant carries its own OCR-style noise,
modelled on the seed pages in ../shared/seeds. The size is the number of variants.

Output in DIR:

    pages/<source>/<YYYYMMDD>-p<NN>.txt        one page holding several articles
    pages/<source>/<YYYYMMDD>-p<NN>.meta.json  {"publication", "date", "page"} (most pages)
    truth.jsonl                                one line per printed variant, in page order
    manifest.json                              size, seed, counts and generator version

truth.jsonl fields:
    page         page file, relative to DIR
    ordinal      0-based position of the article on its page (stray photo captions and
                 column labels between articles are not articles)
    story        story id; variants of one story share it
    layout       the layout family it is printed in (bench/gen/house.py): classic, stacked,
                 plain, briefs or headless
    script       "simplified", or "traditional" for a paper printing in traditional characters
                 (OpenCC s2hk or s2tw, phrase by phrase; its clean text is converted too)
    title        the printed main title, hard wraps joined; null when printed without one
    partial      true when only part of the story is printed
    part         "whole", "head" (cut off before the end: also a story cut down to a brief)
                 or "tail" (continued from another page, printed after a marker such as
                 (上接第一版))
    first_line, last_line
                 the article's first and last non-blank line in the page file (1-based;
                 lines are the text split at "\n" alone, blank when only whitespace)
    lines        [first, last, role] runs over the article's non-blank lines, role one of
                 kicker, title, subtitle, byline, marker, dateline, subhead, body, caption,
                 credit (a run spans blank lines, never a line of another role)
    origin       id of the source article in the PKU or SogouC corpus
    clean_title  the title as it was to be printed, before OCR noise (null without a title)
    title_garbles
                 [position in clean_title, clean string, printed string] per changed run
    clean_body   the body as it was typeset, before OCR noise: its paragraphs (body, sub-heads,
                 the source's own captions; after cuts and dropped or repeated paragraphs and
                 sentences) joined by "\n"; in traditional characters for a traditional paper
    garbles      [position in clean_body, clean string, printed string] per run of changed
                 characters (OCR confusions, punctuation width and half-width pages, lost
                 digits and decimal points): applying them (bench.gen.garble.apply_edits) gives the printed
                 paragraphs, which the page shows with layout added (markup, wraps, column
                 breaks, a leading dateline, inserted captions)
    text_sample  up to 40 non-whitespace characters from the start of the printed
                 body: after the title, kicker, byline, continuation marker and a
                 leading dateline, without markdown markup (#, **), stopping at a
                 photo caption; it is one contiguous run of the page's text

Determinism: all randomness comes from random.Random instances seeded with strings
built from --seed; inputs are read in file order; no set iteration, no time stamps.
Streaming: source articles are spooled to a temporary file and read back by offset,
and pages are written one at a time, so memory does not grow with the output.
Articles are never reused: when the pool is too small for about three variants per
story (100k from SogouC), stories get more variants, the extra ones going
preferentially to longer articles so that the corpus keeps its size in characters
(SogouC's 14,919 usable articles: 6.7 printings a story at 100k, up to 14; 20 at 300k,
up to 41, over 200 papers and 75 days).
Near-duplicate articles (one story reposted with small edits, or one article printed
inside a longer one) are dropped from the pool, so that two stories never share a text.
What real input holds stays in: SogouC's NUL padding (the end of 697 of its 17,910 texts),
stray control characters and private-use glyphs reach the pages as the source has them.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.gen.house import FAMILIES, parse_layouts
from bench.gen.write import TRADITIONAL_SHARE, generate

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "300k": 300_000}
DEFAULT_CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def parse_size(text: str) -> int:
    """'1k', '10k', '100k', '300k' or a positive integer: the number of variants."""
    key = text.strip().lower()
    if key in SIZES:
        return SIZES[key]
    if key.isdigit() and int(key) > 0:
        return int(key)
    raise argparse.ArgumentTypeError(f"size must be one of {', '.join(SIZES)} or a positive integer")


def layout_list(text: str) -> tuple[str, ...]:
    """--layouts: families separated by commas, or all."""
    try:
        return parse_layouts(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def share(text: str) -> float:
    """--traditional: a share of the newspapers, 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, not {text!r}")
    return value


def pool_names(choice: str, n: int) -> list[str]:
    """Corpora to draw stories from; 'auto' is both up to 10k and SogouC above."""
    if choice == "auto":
        choice = "both" if n <= SIZES["10k"] else "sogouc"
    return ["pku", "sogouc"] if choice == "both" else [choice]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=SIZES["1k"],
                        help="1k, 10k, 100k, 300k or a number of article variants (default 1k)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="the shared corpora directory")
    parser.add_argument("--articles", choices=("auto", "pku", "sogouc", "both"), default="auto",
                        help="source corpora (auto: both up to 10k variants, SogouC above)")
    parser.add_argument("--force", action="store_true", help="replace a corpus already in --out")
    parser.add_argument("--layouts", type=layout_list, default=FAMILIES,
                        help=f"layout families to print pages in, comma-separated (default all: {','.join(FAMILIES)})")
    parser.add_argument("--traditional", type=share, default=TRADITIONAL_SHARE,
                        help=f"share of newspapers printing in traditional characters (default {TRADITIONAL_SHARE})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.size, args.out, args.seed, args.corpora, pool_names(args.articles, args.size),
                      args.force, args.layouts, args.traditional)["counts"]
    print(
        f"{counts['variants']} variants of {counts['stories']} stories on {counts['pages']} pages, "
        f"{counts['characters']:,} characters in {time.perf_counter() - started:.1f}s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
