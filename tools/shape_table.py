"""Build the table of look-alike characters that fuzzy search falls back on, from rendered glyphs.

Run `python -m tools.shape_table [FONT]` from the project root after installing Pillow (the test
extra) and Debian's fonts-noto-cjk (FONT defaults to its Noto Serif CJK, whose Song style is the
one newspapers set body text in); tests/test_confusions.py rebuilds the table when both are there
and fails if the committed file differs.

Every character of GB 2312 (the 6,763 hanzi of everyday simplified print) is drawn centred in a
RENDER_PX square, blurred by BLUR_PX so that strokes a pixel or two apart still overlap, and
shrunk to GRID x GRID; two characters look alike as much as these images correlate (cosine of the
mean-centred pixels). The table lists each character's NEIGHBOURS most similar characters, most
similar first. An OCR engine confuses characters whose printed shapes are close (钍/钎, 士/土,
大/太), which is what this measures; a table of facts about glyph shapes holds nothing of the font
itself. bench/shape_signal.py measures how much of the real OCR confusion data it covers.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from search.confusions import SHAPE_TABLE_PATH

DEFAULT_FONT = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
FONT_FACE = "Noto Serif CJK SC"
RENDER_PX = 48
BLUR_PX = 1.5
GRID = 16
NEIGHBOURS = 20
CHUNK = 1024  # rows of the similarity matrix worked out at a time


def gb2312_hanzi() -> list[str]:
    """The 6,763 hanzi of GB 2312 (rows 16-87), in code order."""
    found = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:  # the five unassigned cells at the end of row 55
                continue
    return found


def _face(font_path: Path):
    """The simplified-Chinese face of a font collection (or the font itself)."""
    from PIL import ImageFont

    for index in range(16):
        try:
            font = ImageFont.truetype(str(font_path), RENDER_PX, index=index)
        except OSError:
            break
        if font.getname()[0] == FONT_FACE:
            return font
    raise SystemExit(f"{font_path} holds no '{FONT_FACE}' face (Debian: apt-get install fonts-noto-cjk)")


def glyph_features(chars: list[str], font_path: Path) -> np.ndarray:
    """One unit vector per character: its blurred, shrunk, mean-centred glyph image."""
    from PIL import Image, ImageDraw, ImageFilter

    font = _face(font_path)
    features = np.zeros((len(chars), GRID * GRID), dtype=np.float32)
    for row, char in enumerate(chars):
        image = Image.new("L", (RENDER_PX, RENDER_PX), 0)
        ImageDraw.Draw(image).text((RENDER_PX // 2, RENDER_PX // 2), char, fill=255, font=font, anchor="mm")
        image = image.filter(ImageFilter.GaussianBlur(BLUR_PX)).resize((GRID, GRID), Image.BILINEAR)
        pixels = np.asarray(image, dtype=np.float32).ravel()
        pixels -= pixels.mean()
        features[row] = pixels / (np.linalg.norm(pixels) or 1.0)
    return features


def nearest(features: np.ndarray, count: int) -> np.ndarray:
    """For each row, the `count` other rows most similar to it, most similar first (ties by row)."""
    found = np.zeros((len(features), count), dtype=np.int64)
    for start in range(0, len(features), CHUNK):
        similarity = features[start:start + CHUNK] @ features.T
        rows = np.arange(similarity.shape[0])
        similarity[rows, rows + start] = -np.inf
        # Rounded so that rounding noise between BLAS builds cannot reorder near-ties.
        rounded = np.round(similarity, 4)
        for row in rows:
            best = np.argpartition(-rounded[row], count)[:count + 1]
            order = np.lexsort((best, -rounded[row, best]))[:count]
            found[start + row] = best[order]
    return found


def generate(font_path: Path = DEFAULT_FONT) -> str:
    """The table's text: provenance lines, then `char TAB neighbours` per character."""
    chars = gb2312_hanzi()
    neighbours = nearest(glyph_features(chars, font_path), NEIGHBOURS)
    lines = [
        "# Look-alike characters: built by tools/shape_table.py from rendered glyphs; do not edit.",
        f"# face {FONT_FACE}, {RENDER_PX} px, blur {BLUR_PX} px, {GRID}x{GRID} grid, cosine; "
        f"{NEIGHBOURS} nearest of the GB 2312 hanzi, most similar first",
    ]
    lines += [f"{char}\t{''.join(chars[j] for j in row)}" for char, row in zip(chars, neighbours.tolist())]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    font_path = Path(argv[0]) if argv else DEFAULT_FONT
    if not font_path.is_file():
        print(f"font not found: {font_path} (Debian: apt-get install fonts-noto-cjk)", file=sys.stderr)
        return 1
    SHAPE_TABLE_PATH.write_text(generate(font_path), encoding="utf-8")
    print(f"wrote {SHAPE_TABLE_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
