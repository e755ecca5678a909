"""Script folding: the traditional-to-simplified character table that matching folds with, and the traditional
spellings it leaves as printed (see tools/script_table.py)."""
from __future__ import annotations

import json
from pathlib import Path

TABLE_PATH = Path(__file__).with_name("script_folds.json")


def load_folds() -> dict[int, str]:
    """The committed table as a str.translate mapping: traditional code point to simplified character."""
    folds = json.loads(TABLE_PATH.read_text(encoding="utf-8"))["folds"]
    return {ord(traditional): simplified for traditional, simplified in folds.items()}


def load_spellings() -> dict[str, str]:
    """For a simplified character, the traditional ones left as printed that may stand for it (于: 於)."""
    return json.loads(TABLE_PATH.read_text(encoding="utf-8"))["also_spelled"]


TRADITIONAL_TO_SIMPLIFIED = load_folds()
ALSO_SPELLED = load_spellings()
