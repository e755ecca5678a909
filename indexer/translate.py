"""One-for-one character folding of long texts with numpy (str.translate looks each character up in a dict)."""
from __future__ import annotations

import re

import numpy as np

# Below this many characters str.translate is quicker than a round trip through numpy.
NUMPY_MIN_CHARS = 64
_CODEC = "utf-32-le"


class CharFolds:
    """A str.translate mapping of code points to single characters, applied to long texts as one array lookup."""

    def __init__(self, mapping: dict[int, str]) -> None:
        self.mapping = mapping
        self._points = np.arange(max(mapping, default=0) + 1, dtype=np.uint32)
        self._points[np.fromiter(mapping, dtype=np.int64, count=len(mapping))] = [ord(v) for v in mapping.values()]
        # Most texts hold none of the characters a table folds (a simplified page and the traditional table):
        # one scan finds that.
        self._any = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(mapping)) + "]")

    def __call__(self, text: str) -> str:
        """`text.translate(mapping)`."""
        if not self._any.search(text):
            return text
        if len(text) < NUMPY_MIN_CHARS:
            return text.translate(self.mapping)
        points = np.frombuffer(text.encode(_CODEC, "surrogatepass"), dtype=np.uint32)
        inside = points < len(self._points)
        folded = np.where(inside, self._points[np.where(inside, points, 0)], points)
        return folded.tobytes().decode(_CODEC, "surrogatepass")
