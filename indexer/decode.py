"""Decide whether a file's bytes are text, decode them and clean them into a page's text.

A file is text when it decodes (UTF-8 with or without BOM, UTF-16 with a BOM, or
without one if it holds a line feed, GB18030) and control characters
are a small share of what it decodes to. NULs that pad the end of a file (as
in 697 of the SogouC articles, up to 99% of their length), or pad an article
printed between others on a page, are not counted: they are padding, not
content. Stray control characters are dropped, and an
undecodable stretch in otherwise valid text becomes one U+FFFD, each with a
warning instead of a refusal. See `MAX_CONTROL_SHARE` and
`MAX_UNDECODABLE_SHARE` for the two bounds and the measurements behind them
(bench/text_or_binary.py reproduces them).
"""
from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass, field
from typing import Iterator

# Control characters (Unicode Cc) other than tab, line feed, carriage return, vertical tab and form
# feed, which are line and column layout (Word writes a manual line break as a vertical tab).
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# The largest share of a decoded text, end padding aside, that may be control characters. Measured by
# bench/text_or_binary.py: the 17,910 SogouC articles hold at most 0.62% (p99.9: none); of 525 binary
# files sampled on this machine (executables, shared objects, .pyc, .png, .gz, .mo, archives and
# media) 53 decode in some encoding (gettext catalogues, mostly text, and a few archives), holding
# 6.9% to 77%. git and file(1) call any NUL binary, which would refuse 697 SogouC articles;
# charset-normalizer's mess detector rejects 2.5% unprintable characters (weight 8 against a limit of
# 0.2). 2% is more than threefold above the text and threefold below the binaries.
MAX_CONTROL_SHARE = 0.02
# However short the text, this many control characters are stray ones: one in a 30-character page is
# 3%. SogouC's most in one article is 6 (in 2,907 characters); the binaries that decode hold 21 or more.
MAX_STRAY_CONTROLS = 8
# The largest share of a file's non-ASCII bytes that may be undecodable in an encoding for the file to
# be read in it with those bytes replaced. Measured: GB18030 text read as UTF-8 leaves 50.5% to 100%
# of them undecodable (SogouC in GB18030); executables, .pyc, .png and .gz 76% to 100%, archives from
# 33%, gettext catalogues (mostly text) from 1.4%, which then fail the control share. 5% keeps a page
# with a damaged stretch of up to a twentieth of its text, tenfold below where GB18030 text could be
# taken for damaged UTF-8.
MAX_UNDECODABLE_SHARE = 0.05
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Line separators that `str.splitlines` (and so segmentation) honours, folded to one.
_LINE_BREAKS = re.compile("\r\n|[\r\v\f\u2028\u2029]")
_REPLACED_RUN = re.compile("\ufffd{2,}")
_HAS_LETTER = re.compile(r"[^\W_]")
# NULs in a run this long (with whitespace among them, as where a wrapped page broke the run into lines)
# are padding wherever they are; SogouC's padding runs are hundreds to thousands long.
PADDING_RUN = 16
_PADDING = re.compile(f"(?:\x00[ \t\r\n]*){{{PADDING_RUN},}}")
# A shorter run ending a line (before spaces or markdown marks) is the padded end of an article printed on the
# page: 97 of SogouC's 697 padded articles end in fewer than 15 NULs. Binary files hold NULs between data,
# not at line ends: dropping these leaves every binary sampled by bench/text_or_binary.py above 8% controls.
_LINE_END_PADDING = re.compile(r"\x00+(?=[ \t*_#]*(?:\n|$))")


class NotText(Exception):
    """The bytes are not a page's text; the message is one line for the user (without the file name)."""


@dataclass
class Decoded:
    """A page's cleaned text, the encoding it was read in and what cleaning it took, one line each."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Reading:
    text: str
    encoding: str
    undecodable: int = 0  # bytes replaced by U+FFFD


class _Replacements(threading.local):
    """Bytes replaced so far in the decoding under way in this thread, and how many it may replace."""

    count = 0
    limit = 0


_replaced = _Replacements()


def _replace_and_count(error: UnicodeDecodeError) -> tuple[str, int]:
    _replaced.count += error.end - error.start
    if _replaced.count > _replaced.limit:
        raise error  # stops a binary file's decoding at once instead of at its end
    return "\ufffd", error.end


codecs.register_error("corpus-replace-and-count", _replace_and_count)


def replaced_decoding(raw: bytes, encoding: str, limit: int) -> tuple[str, int] | None:
    """`raw` in `encoding` with each undecodable stretch replaced by U+FFFD, and how many bytes that took;
    None once more than `limit` bytes would be."""
    _replaced.count, _replaced.limit = 0, limit
    try:
        return raw.decode(encoding, "corpus-replace-and-count"), _replaced.count
    except UnicodeDecodeError:
        return None


def _read_as(raw: bytes, encoding: str, max_undecodable: int) -> _Reading | None:
    """`raw` in `encoding`, strictly, else with at most `max_undecodable` bytes replaced, else None."""
    try:
        return _Reading(raw.decode(encoding), encoding)
    except UnicodeDecodeError:
        replaced = replaced_decoding(raw, encoding, max_undecodable) if max_undecodable > 0 else None
    if replaced is None:
        return None
    text, count = replaced
    # One marker per damaged stretch: it shows where text is missing and, kept in the text, stops a
    # query from matching across the gap as if the characters either side were adjacent.
    return _Reading(_REPLACED_RUN.sub("\ufffd", text), encoding, count)


def _utf16_without_bom(raw: bytes) -> Iterator[_Reading]:
    """UTF-16 text without a BOM, in either byte order: strictly valid, with a line feed before any end
    padding.

    The line feed is the evidence: it is the bytes 0A 00 (or 00 0A) at a unit
    boundary, which UTF-8 and GB18030 text hold only where NULs pad their end,
    and which Latin text misread as UTF-16 (as CJK ideographs) cannot produce.
    GB18030 and UTF-8 Chinese misread as UTF-16 are further stopped by unpaired
    surrogates, about one unit in ten. A one-line UTF-16 page without a BOM is
    not recognised (measured on SogouC: every copy with a line feed is read
    right, and none without one is read as anything).
    """
    if len(raw) % 2 or b"\n\x00" not in raw and b"\x00\n" not in raw:
        return
    for encoding in ("utf-16-le", "utf-16-be"):
        reading = _read_as(raw, encoding, 0)
        if reading and "\n" in split_padding(reading.text)[0]:
            yield reading


def undecodable_limit(raw: bytes, encoding: str) -> int:
    """How many of `raw`'s bytes may be replaced when read in `encoding`: a share of the bytes that can
    be wrong in it (the non-ASCII ones, except in UTF-16)."""
    if encoding.startswith("utf-16"):
        return int(MAX_UNDECODABLE_SHARE * len(raw))
    non_ascii = len(raw) - len(raw.translate(None, bytes(range(0x80, 0x100))))
    return int(MAX_UNDECODABLE_SHARE * non_ascii)


def readings(raw: bytes) -> Iterator[_Reading]:
    """The ways `raw` can be read as text, most trusted first, computed as they are asked for.

    A BOM decides alone. Otherwise strictly valid UTF-8 comes first (its only
    rival is UTF-16, for ASCII text in UTF-16 is valid UTF-8 full of NULs); then
    UTF-8 with a few bytes replaced before GB18030, which reads most damaged
    UTF-8 without an error, as the wrong characters.
    """
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            body = raw[len(bom):]
            reading = _read_as(body, encoding, undecodable_limit(body, encoding))
            if reading:
                yield reading
            return
    utf8 = _read_as(raw, "utf-8", undecodable_limit(raw, "utf-8"))
    if utf8 and not utf8.undecodable:
        yield utf8
    yield from _utf16_without_bom(raw)
    if utf8 and utf8.undecodable:
        yield utf8
    if not utf8 or utf8.undecodable:
        gb18030 = _read_as(raw, "gb18030", undecodable_limit(raw, "gb18030"))
        if gb18030:
            yield gb18030


def split_padding(text: str) -> tuple[str, int]:
    """The text without NUL padding, and how many NULs that was: the run (with whitespace among it) ending
    the text, any run of PADDING_RUN or more NULs inside it, and a shorter run ending a line, as where a
    padded article was put on a page between others. A binary file's scattered control characters are not
    padding and still count."""
    kept = text.rstrip("\x00 \t\r\n")
    padding = text.count("\x00", len(kept))
    inner = 0
    if "\x00" in kept:
        kept, long_runs = _count_nuls(_PADDING, "\n", kept)
        kept, line_ends = _count_nuls(_LINE_END_PADDING, "", kept)
        inner = long_runs + line_ends
    return (kept, padding + inner) if padding or inner else (text, 0)


def _count_nuls(pattern: re.Pattern, replacement: str, text: str) -> tuple[str, int]:
    """The text with `pattern`'s runs replaced, and how many NULs they held."""
    count = sum(run.group().count("\x00") for run in pattern.finditer(text))
    return (pattern.sub(replacement, text), count) if count else (text, 0)


def control_count(text: str) -> tuple[int, int]:
    """How many control characters `text` holds, end padding aside, and its length without the padding."""
    kept, _ = split_padding(text)
    return CONTROL.subn("", kept)[1], len(kept)


def too_many_controls(text: str) -> float | None:
    """The share of control characters in `text` if it is too high for text (see MAX_CONTROL_SHARE and
    MAX_STRAY_CONTROLS), else None."""
    count, length = control_count(text)
    return count / length if count > MAX_STRAY_CONTROLS and count > MAX_CONTROL_SHARE * length else None


def decode(raw: bytes) -> Decoded:
    """Decide whether `raw` is text, and clean it: raises NotText, else the text and its warnings."""
    if not raw:
        raise NotText("empty file")
    first = None
    for reading in readings(raw):
        share = too_many_controls(reading.text)
        if share is None:
            return clean(reading)
        first = first or (reading, share)
    if first:
        reading, share = first
        raise NotText(f"binary file ({share:.1%} control characters as {reading.encoding}, "
                      f"more than {MAX_CONTROL_SHARE:.0%})")
    raise NotText(f"binary file or unknown encoding (over {MAX_UNDECODABLE_SHARE:.0%} of its non-ASCII bytes "
                  "undecodable as UTF-8, UTF-16 or GB18030)")


def clean(reading: _Reading) -> Decoded:
    """Drop padding and control characters, fold line ends to "\\n", and say what was done."""
    kept, padding = split_padding(reading.text)
    text, controls = CONTROL.subn("", kept)
    text = _LINE_BREAKS.sub("\n", text)
    if not text.strip():
        if controls:
            raise NotText("no text (only control characters)")
        held = "only NUL bytes and whitespace" if padding else "only whitespace" if text else ""
        raise NotText(f"empty file ({held})" if held else "empty file")
    if not _HAS_LETTER.search(text):
        raise NotText("no text (no letter, digit or ideograph; only punctuation, symbols or markup)")
    warnings = []
    if reading.undecodable:
        warnings.append(f"{reading.undecodable:,} undecodable bytes as {reading.encoding} replaced by \ufffd")
    if padding:
        warnings.append(f"{padding:,} NUL bytes of padding dropped")
    if controls:
        warnings.append(f"{controls:,} stray control characters dropped")
    return Decoded(text, reading.encoding, warnings)
