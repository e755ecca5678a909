"""Measure what indexer/decode.py's bounds rest on: the control-character share of real text
(every SogouC article, as UTF-8 files) against real binary files on this machine, and how much of
GB18030 text UTF-8 cannot decode.

    PYTHONPATH=. .venv/bin/python -m bench.text_or_binary [--per-kind 75]
"""
from __future__ import annotations

import argparse
import lzma
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import orjson

from bench.dataset import ROOT
from indexer.decode import (
    CONTROL,
    MAX_CONTROL_SHARE,
    MAX_STRAY_CONTROLS,
    MAX_UNDECODABLE_SHARE,
    NotText,
    control_count,
    decode,
    readings,
    replaced_decoding,
)
from indexer.read import MAX_FILE_BYTES

SOGOUC = ROOT.parent / "shared" / "corpora" / "sogouc" / "articles.jsonl.xz"
# Binary kinds: where to look, and the leading bytes that make a match really that kind.
BINARY_KINDS = {
    "executable": [("/usr/bin", "*", b"\x7fELF")],
    "shared object": [("/usr/lib", "**/*.so*", b"\x7fELF")],
    "python bytecode": [("/usr/lib", "**/*.pyc", b"")],
    "png": [("/usr", "**/*.png", b"\x89PNG")],
    "gzip": [("/usr", "**/*.gz", b"\x1f\x8b")],
    "gettext catalogue": [("/usr/share/locale", "**/*.mo", b"")],
    "other archives and media": [("/root/.pyenv", f"**/*.{suffix}", magic) for suffix, magic in (
        ("zip", b"PK"), ("whl", b"PK"), ("jpg", b"\xff\xd8"), ("tiff", b""), ("pdf", b"%PDF"), ("xz", b"\xfd7zXZ"),
        ("bz2", b"BZh"), ("pickle", b"\x80"), ("db", b"SQLite"), ("ttf", b"\x00\x01\x00\x00"), ("wav", b"RIFF"))],
}


def sogouc_texts() -> list[str]:
    with lzma.open(SOGOUC, "rt", encoding="utf-8") as lines:
        return [orjson.loads(line)["text"] for line in lines]


def percentiles(values: list[float]) -> dict:
    array = np.array(values, dtype=float)
    return {"n": len(array), "min": float(array.min()), "p0.1": float(np.percentile(array, 0.1)),
            "p1": float(np.percentile(array, 1)), "median": float(np.median(array)),
            "p99": float(np.percentile(array, 99)), "p99.9": float(np.percentile(array, 99.9)),
            "max": float(array.max())}


def raw_control_share(text: str) -> float:
    return CONTROL.subn("", text)[1] / max(1, len(text))


def control_share(text: str) -> float:
    """The share of control characters in `text`, end padding aside: what decode judges by."""
    count, length = control_count(text)
    return count / length if length else 0.0


def undecodable_share(raw: bytes, encoding: str) -> float:
    """Share of `raw`'s non-ASCII bytes that `encoding` cannot decode."""
    non_ascii = len(raw) - len(raw.translate(None, bytes(range(0x80, 0x100))))
    _, bad = replaced_decoding(raw, encoding, len(raw))
    return bad / non_ascii if non_ascii else 0.0


def _read_as(raw: bytes) -> str | None:
    """The encoding `decode` reads `raw` in, None if it refuses it."""
    try:
        return decode(raw).encoding
    except NotText:
        return None


def measure_text() -> dict:
    texts = sogouc_texts()
    raw_shares, shares, counts, refused, gb_as_utf8, gb_misread = [], [], [], 0, [], 0
    utf16: Counter = Counter()
    for text in texts:
        raw = text.encode("utf-8")
        raw_shares.append(raw_control_share(text))
        shares.append(control_share(text))
        counts.append(control_count(text)[0])
        try:
            decode(raw)
        except NotText:
            refused += 1
        gb = text.encode("gb18030")
        if gb != raw:
            gb_as_utf8.append(undecodable_share(gb, "utf-8"))
            gb_misread += _read_as(gb) != "gb18030"
        for encoding in ("utf-16-le", "utf-16-be"):
            verdict = _read_as(text.encode(encoding))
            key = "read right" if verdict == encoding else "refused" if verdict is None else "misread"
            utf16[key + (", with a line feed" if "\n" in text else ", without one")] += 1
    with_nul = [s for s, t in zip(raw_shares, texts) if "\x00" in t]
    return {"articles": len(texts), "refused": refused,
            "control share, whole text": percentiles(raw_shares),
            "control share, whole text, the articles with NULs": percentiles(with_nul),
            "control share, end padding aside (the measure used)": percentiles(shares),
            "control characters in one article, end padding aside": percentiles(counts),
            "GB18030 copies: share of non-ASCII bytes UTF-8 cannot decode": percentiles(gb_as_utf8),
            "GB18030 copies read as anything but GB18030": gb_misread,
            "UTF-16 copies without a BOM (either byte order)": dict(utf16)}


def sample_binaries(per_kind: int) -> dict[str, list[Path]]:
    samples = {}
    for kind, places in BINARY_KINDS.items():
        found = []
        for root, pattern, magic in places:
            for path in sorted(Path(root).glob(pattern)):
                if len(found) >= per_kind * 20:
                    break
                try:
                    if path.is_file() and not path.is_symlink() and 0 < path.stat().st_size <= MAX_FILE_BYTES:
                        with path.open("rb") as handle:
                            if handle.read(len(magic)) == magic:
                                found.append(path)
                except OSError:
                    continue
        step = max(1, len(found) // per_kind)
        samples[kind] = found[::step][:per_kind]
    return samples


def measure_binaries(per_kind: int) -> dict:
    results = {}
    all_shares = []
    for kind, paths in sample_binaries(per_kind).items():
        decoded, shares, counts, accepted, utf8_bad, gb_bad = 0, [], [], [], [], []
        for path in paths:
            raw = path.read_bytes()
            utf8_bad.append(undecodable_share(raw, "utf-8"))
            gb_bad.append(undecodable_share(raw, "gb18030"))
            found = list(readings(raw))
            if found:
                decoded += 1
                shares.append(min(control_share(r.text) for r in found))
                counts.append(min(control_count(r.text)[0] for r in found))
            try:
                decode(raw)
                accepted.append(str(path))
            except NotText:
                pass
        all_shares += shares
        results[kind] = {"files": len(paths), "decoded": decoded, "accepted as text": accepted,
                         "control share of those decoded": percentiles(shares) if shares else None,
                         "control characters in those decoded": percentiles(counts) if counts else None,
                         "undecodable share, UTF-8": percentiles(utf8_bad) if utf8_bad else None,
                         "undecodable share, GB18030": percentiles(gb_bad) if gb_bad else None}
    results["all decoded binaries: control share"] = percentiles(all_shares) if all_shares else None
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=75, help="binary files sampled per kind")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {"bounds": {"MAX_CONTROL_SHARE": MAX_CONTROL_SHARE, "MAX_STRAY_CONTROLS": MAX_STRAY_CONTROLS,
                         "MAX_UNDECODABLE_SHARE": MAX_UNDECODABLE_SHARE},
              "text (SogouC)": measure_text(), "binaries": measure_binaries(args.per_kind)}
    sys.stdout.buffer.write(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")


if __name__ == "__main__":
    main()
