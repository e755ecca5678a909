"""jieba, loaded once per process and quietly, for the baselines and the query generator."""
from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from types import ModuleType


@cache
def jieba() -> ModuleType:
    """The jieba module with its dictionary loaded."""
    import jieba as module

    module.setLogLevel(logging.WARNING)
    module.initialize()
    return module


def words(text: str) -> list[str]:
    """jieba words (precise mode, as the indexer cuts) of `text`, without whitespace tokens."""
    return [w for w in jieba().lcut(text) if not w.isspace()]


def joined_words(text: str) -> str:
    """The words of `text` separated by single spaces: pre-segmented input for a whitespace tokenizer."""
    return " ".join(words(text))


def cut_page(path: Path) -> int:
    """Plain jieba.lcut over one page file's raw text; returns its length in characters."""
    text = path.read_text(encoding="utf-8")
    jieba().lcut(text)
    return len(text)
