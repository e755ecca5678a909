"""Fold text to the form that matching runs on, keeping a map back to the original characters.

Normalised text is NFKC (full-width digits, Latin and punctuation fold to one
form), lower-cased, in simplified script (traditional characters fold one for
one through indexer/script.py's table; those whose simplified form depends on
context stay as printed), with zero-width and control characters dropped. Whitespace
next to a CJK character is dropped (Chinese typesetting gives it no meaning:
it is left by line wraps and column layout), other whitespace runs become one
space, and runs holding a line break become one "\n", the separator between
an article's parts. Queries go through the same function, so a term matches
exactly where a substring search over the normalised text finds it.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from indexer.script import TRADITIONAL_TO_SIMPLIFIED
from indexer.translate import CharFolds

# Characters that NFKC and lower() leave alone: the bulk of Chinese news text,
# passed through without a per-character Python call.
STABLE_CHARS = (
    "a-z0-9"
    "\u4e00-\u9fff\u3400-\u4dbf"  # CJK ideographs
    "\u3001-\u3002\u3008-\u3011\u3014-\u301f"  # 、。《》「」【】〔〕
    "\u2018\u2019\u201c\u201d\u2014\u00b7"  # ‘’“”—·
    "!\"#$%&'()*+,\\-./:;<=>?@\\[\\]^_`{|}~"
)
_SPECIAL = re.compile(rf"(\s+)|([^{STABLE_CHARS}\s]+)")
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\U00020000-\U0003134f"
    "\u2010-\u2027\u00b7]"
)


@lru_cache(maxsize=65536)
def fold_char(char: str) -> str:
    """One character's normalised form: NFKC, lower case, simplified script, no whitespace or controls inside."""
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") and char not in "\t\n\r":
        return ""
    folded = char
    for _ in range(3):  # lower() can produce characters that NFKC changes again
        step = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", folded).lower())
        if step == folded:
            break
        folded = step
    kept = "".join(c for c in folded if not c.isspace() and unicodedata.category(c)[0] != "C")
    return kept.translate(TRADITIONAL_TO_SIMPLIFIED)


# Characters that fold to one other character: full-width ASCII (，：；（）０-９Ａ-Ｚ and the like, common
# in Chinese text), capitals and traditional characters. str.translate folds them without changing
# any position, so the per-character path below is left to the rare rest.
ONE_TO_ONE_FOLDS = {code: folded for code in [*range(0xFF01, 0xFF5F), *range(ord("A"), ord("Z") + 1)]
                    if len(folded := fold_char(chr(code))) == 1 and folded != chr(code)} | TRADITIONAL_TO_SIMPLIFIED
_FOLD_ONE_TO_ONE = CharFolds(ONE_TO_ONE_FOLDS)


# Changed whenever normalisation changes in a way the folds table does not show (the rules below).
RULES_VERSION = "2"


def normalisation_id() -> str:
    """What identifies how text is normalised: an index built under another id matches queries differently."""
    table = "".join(f"{code:x}:{folded}," for code, folded in sorted(ONE_TO_ONE_FOLDS.items()))
    return f"{RULES_VERSION}-{hashlib.blake2b(table.encode('utf-8'), digest_size=8).hexdigest()}"


def is_cjk(char: str) -> bool:
    """True for CJK ideographs, kana and CJK punctuation, around which spaces carry no meaning."""
    return bool(_CJK.match(char))


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus breakpoints mapping each of its positions to the original text."""

    text: str
    norm_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]

    def to_original(self, position: int) -> int:
        """Index in the original text of the character at `position` of the normalised text."""
        k = bisect_right(self.norm_starts, position) - 1
        return self.orig_starts[k] + (position - self.norm_starts[k])

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) span covering the normalised span [start, end)."""
        if end <= start:
            origin = self.to_original(start) if start < len(self.text) else self.to_original(max(start - 1, 0)) + 1
            return origin, origin
        return self.to_original(start), self.to_original(end - 1) + 1

    def from_original(self, position: int) -> int:
        """Index in the normalised text where the original text's `position` lands."""
        k = bisect_left(self.orig_starts, position)
        if k < len(self.orig_starts) and self.orig_starts[k] == position:
            return min(self.norm_starts[k], len(self.text))  # the first of the characters it expanded to
        k -= 1
        if k < 0:
            return 0  # inside leading characters that normalised to nothing
        landed = self.norm_starts[k] + (position - self.orig_starts[k])
        if k + 1 < len(self.norm_starts):
            landed = min(landed, self.norm_starts[k + 1])
        return min(landed, len(self.text))

    def pack_offsets(self) -> bytes:
        """The breakpoints as bytes, for storing beside the text."""
        flat = array("I")
        for n, o in zip(self.norm_starts, self.orig_starts):
            flat.append(n)
            flat.append(o)
        return flat.tobytes()

    @classmethod
    def unpack(cls, text: str, packed: bytes) -> "Normalised":
        """Rebuild from stored normalised text and packed breakpoints."""
        flat = array("I")
        flat.frombytes(packed)
        return cls(text, tuple(flat[0::2]), tuple(flat[1::2]))


def _space_between(before: str, after: str, run: str) -> str:
    """What a whitespace run between two (normalised) characters becomes."""
    if not before or not after:
        return ""
    if "\n" in run:
        return "\n"
    if is_cjk(before[-1]) or is_cjk(after[0]):
        return ""
    return " "


def _next_folded(text: str, start: int) -> str:
    """The first non-empty normalised character at or after `start`, or ''."""
    for char in text[start:start + 8]:
        if char.isspace():
            return ""
        folded = fold_char(char)
        if folded:
            return folded
    return ""


def normalise(text: str) -> Normalised:
    """Normalise `text`, keeping a position map back to it."""
    text = _FOLD_ONE_TO_ONE(text)
    out: list[str] = []
    norm_starts = [0]
    orig_starts = [0]
    n = 0  # length of normalised output so far
    last = ""  # last normalised character emitted
    pos = 0

    def jump(norm_pos: int, orig_pos: int) -> None:
        if norm_starts[-1] == norm_pos:
            orig_starts[-1] = orig_pos
        else:
            norm_starts.append(norm_pos)
            orig_starts.append(orig_pos)

    for match in _SPECIAL.finditer(text):
        start, end = match.span()
        if start > pos:
            out.append(text[pos:start])
            n += start - pos
            last = text[start - 1]
        if match.group(1) is not None:
            replacement = _space_between(last, _next_folded(text, end), match.group(1))
            if replacement:
                out.append(replacement)
                n += 1
                last = replacement
            jump(n, end)
        else:
            for i in range(start, end):
                folded = fold_char(text[i])
                if len(folded) == 1:
                    out.append(folded)
                    n += 1
                    last = folded
                    continue
                for j, char in enumerate(folded):
                    jump(n + j, i)
                out.append(folded)
                n += len(folded)
                if folded:
                    last = folded[-1]
                jump(n, i + 1)
        pos = end
    if pos < len(text):
        out.append(text[pos:])
    result = "".join(out)
    if result.endswith(("\n", " ")):  # a trailing run before a dropped character
        result = result.rstrip("\n ")
    return Normalised(result, tuple(norm_starts), tuple(orig_starts))


def normalise_text(text: str) -> str:
    """Only the normalised text, for queries and comparisons."""
    return normalise(text).text


def join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph, dropping the break where a word wrapped inside CJK text."""
    joined = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if joined and not (is_cjk(joined[-1]) or is_cjk(line[0])):
            joined += " "
        joined += line
    return joined
