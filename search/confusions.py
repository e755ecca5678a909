"""The OCR confusion model fuzzy search weighs substitutions by: for each character, which others a
scan may print in its place, and how plausibly, look-alike characters first.

Two kinds of evidence, joined by noisy-or (independent reasons to believe a confusion):

- Built in, always there: the look-alike table (`shape_neighbours.tsv`, made by
  tools/shape_table.py from rendered glyphs). A neighbour of rank r among K weighs from
  GLYPH_TOP down to GLYPH_FLOOR; the relation is made symmetric.
- Optional, read at run time and never shipped: the third-party OCR confusion data in the folder
  `$CORPUS_OCR_NOISE` names, else `shared/corpora/ocr-noise` beside the project checkout (or
  beside the working directory's parent, where the project is run from). FASPell's observed OCR
  substitutions weigh by how often they were seen, pycorrector's look-alike groups weigh as
  glyph neighbours do at best, and the OCR/ASR confusion set, which mixes in sound-alike pairs
  (的/到, 在/还: both common, and a scan does not confuse them), only corroborates a pair another
  source has.

Entries are folded like indexed text (NFKC, lower case, simplified script), so a pair that
normalisation merges (（ and (, 釷 and 钍) is no confusion at all.
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from indexer.normalise import normalise_text

ENV_VAR = "CORPUS_OCR_NOISE"
SHAPE_TABLE_PATH = Path(__file__).with_name("shape_neighbours.tsv")
NOISE_SUBDIR = Path("shared") / "corpora" / "ocr-noise"
FASPELL_FILE = "faspell_substitutions.tsv"
SHAPE_GROUPS_FILE = "similar_shape_groups.txt"
CONFUSION_SET_FILE = "ocr_asr_confusion.txt"

GLYPH_TOP, GLYPH_FLOOR = 0.9, 0.5
SHAPE_GROUP_WEIGHT = 0.8
# A FASPell pair seen once weighs FASPELL_BASE; the weight rises with the log of its count up to 1.
FASPELL_BASE, FASPELL_SATURATION = 0.6, 16
CONFUSION_SET_WEIGHT = 0.3


class ConfusionDataError(ValueError):
    """The OCR confusion data named by the caller or $CORPUS_OCR_NOISE is not there; one line for the user."""


def default_noise_dirs() -> list[Path]:
    """Where the shared OCR confusion data is looked for when no folder is named."""
    checkout = Path(__file__).resolve().parents[1]
    return [checkout.parent / NOISE_SUBDIR, Path.cwd().resolve().parent / NOISE_SUBDIR]


def _fold(char: str) -> str | None:
    """A table entry as normalised text holds it, or None unless that is one visible character."""
    folded = normalise_text(char)
    return folded if len(folded) == 1 and not folded.isspace() else None


def _pairs_faspell(path: Path) -> dict[tuple[str, str], float]:
    """FASPell substitutions `correct TAB ocr_output TAB count`, weighted by count."""
    counts: dict[tuple[str, str], int] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or not parts[2].isdigit():
                continue  # the header, or a line of another shape
            correct, observed = _fold(parts[0]), _fold(parts[1])
            if correct and observed and correct != observed:
                counts[correct, observed] = counts.get((correct, observed), 0) + int(parts[2])
    scale = math.log2(1 + FASPELL_SATURATION)
    return {pair: min(1.0, FASPELL_BASE + (1 - FASPELL_BASE) * math.log2(1 + n) / scale)
            for pair, n in counts.items()}


def _pairs_groups(path: Path) -> dict[tuple[str, str], float]:
    """Look-alike groups, one tab-separated group a line: every ordered pair within a group."""
    found: dict[tuple[str, str], float] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            group = list(dict.fromkeys(c for c in map(_fold, line.rstrip("\n").split("\t")) if c))
            for a in group:
                for b in group:
                    if a != b:
                        found[a, b] = SHAPE_GROUP_WEIGHT
    return found


def _pairs_confusion_set(path: Path) -> dict[tuple[str, str], float]:
    """`char:candidates` lines: the character may be read as each candidate."""
    found: dict[tuple[str, str], float] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            key, sep, candidates = line.rstrip("\n").partition(":")
            correct = _fold(key) if sep else None
            if not correct:
                continue
            for observed in map(_fold, candidates):
                if observed and observed != correct:
                    found[correct, observed] = CONFUSION_SET_WEIGHT
    return found


def _pairs_glyphs(path: Path) -> dict[tuple[str, str], float]:
    """The built-in look-alike table, symmetric: rank r of K weighs GLYPH_TOP .. GLYPH_FLOOR."""
    found: dict[tuple[str, str], float] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or "\t" not in line:
                continue
            char, neighbours = line.rstrip("\n").split("\t")
            count = len(neighbours)
            for rank, other in enumerate(neighbours):
                weight = GLYPH_TOP - (GLYPH_TOP - GLYPH_FLOOR) * rank / max(1, count - 1)
                for pair in ((char, other), (other, char)):
                    found[pair] = max(found.get(pair, 0.0), weight)
    return found


NOISE_FILES = {FASPELL_FILE: _pairs_faspell, SHAPE_GROUPS_FILE: _pairs_groups, CONFUSION_SET_FILE: _pairs_confusion_set}


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: search caches per model
class ConfusionModel:
    """Which characters a scan may print for which: weights in [0, 1], per correct character the
    possible readings, most plausible first."""

    table: Mapping[str, Mapping[str, float]]
    sources: tuple[str, ...] = field(default=())  # what it was built from, for reports

    @classmethod
    def from_pairs(cls, evidence: dict[str, dict[tuple[str, str], float]],
                   corroborating: tuple[str, ...] = ()) -> "ConfusionModel":
        """A model from weighted pairs per source, joined by noisy-or; a pair from a corroborating
        source counts only where another source has it too."""
        missing: dict[str, dict[str, float]] = {}  # per correct character, the product of (1 - weight)
        for name, pairs in evidence.items():
            if name in corroborating:
                continue
            for (correct, observed), weight in pairs.items():
                row = missing.setdefault(correct, {})
                row[observed] = row.get(observed, 1.0) * (1.0 - weight)
        for name in corroborating:
            for (correct, observed), weight in evidence.get(name, {}).items():
                row = missing.get(correct)
                if row is not None and observed in row:
                    row[observed] *= 1.0 - weight
        table = {correct: dict(sorted(((o, round(1.0 - m, 6)) for o, m in row.items()), key=lambda i: (-i[1], i[0])))
                 for correct, row in missing.items()}
        return cls(table, tuple(evidence))

    @classmethod
    def builtin(cls) -> "ConfusionModel":
        """The look-alike table alone: what an installed corpus without the shared data has."""
        return cls.from_pairs({SHAPE_TABLE_PATH.name: _pairs_glyphs(SHAPE_TABLE_PATH)})

    @classmethod
    def load(cls, path: str | Path | None = None) -> "ConfusionModel":
        """The built-in table plus the OCR confusion data in `path` (a folder), else in
        $CORPUS_OCR_NOISE, else in the default folder if there is one. A folder named by the caller
        or the environment must exist; the files in it are each optional."""
        if path is None and os.environ.get(ENV_VAR):
            path = os.environ[ENV_VAR]
        if path is not None:
            folder = Path(path)
            if not folder.is_dir():
                raise ConfusionDataError(f"OCR confusion data folder not found: {folder}")
        else:
            folder = next((d for d in default_noise_dirs() if d.is_dir()), None)
        evidence = {SHAPE_TABLE_PATH.name: _pairs_glyphs(SHAPE_TABLE_PATH)}
        if folder is not None:
            for name, read in NOISE_FILES.items():
                if (folder / name).is_file():
                    evidence[name] = read(folder / name)
        return cls.from_pairs(evidence, corroborating=(CONFUSION_SET_FILE,))

    def weight(self, correct: str, observed: str) -> float:
        """How plausibly a scan prints `observed` where the text has `correct`: 1 for the same
        character, 0 for no known confusion."""
        if correct == observed:
            return 1.0
        return self.table.get(correct, {}).get(observed, 0.0)

    def readings(self, correct: str) -> Mapping[str, float]:
        """The characters a scan may print for `correct`, with their weights, most plausible first."""
        return self.table.get(correct, {})
