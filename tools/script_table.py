"""Build the traditional-to-simplified character table that normalisation folds with, from OpenCC's dictionaries.

Run `python -m tools.script_table` from the project root (the test extra installs opencc and
marisa-trie) after changing the pinned opencc version; tests/test_script.py regenerates the table
from the installed opencc and fails if the committed file differs.

The table is what `OpenCC('t2s')` does to a lone character (its character dictionaries:
TSCharactersExt first, then the first candidate in TSCharacters), less every character whose
simplified form depends on context or would change simplified text. A character is left as
printed when
- its simplified form lies outside the CJK Unified Ideographs block (all of TSCharactersExt,
  which OpenCC marks may_output_tofu, and 頫 → 𫖯, 鮟 → 𩽾): fonts, input methods and OCR lack
  such forms, so simplified printings keep the traditional glyph too (赵孟頫 in SogouC, never
  𫖯), and folding it would change simplified text without gaining a match;
- its TSCharacters entry lists two or more candidates in that block (乾 → 干 乾, 鍊 → 炼 链):
  which one is right depends on the meaning. Candidates outside the block are rare analogical
  simplifications (開 → 开 𫔭) and do not make a character ambiguous;
- it is itself a candidate of some entry (於 → 于 於, 薴 → 苧): simplified text prints it as such;
- OpenCC's phrase dictionary TSPhrases converts it differently inside some phrase than alone
  (乾隆 keeps 乾), except in the phrases listed in PHRASE_SLIPS.
"""
from __future__ import annotations

import json
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from indexer.script import TABLE_PATH

OCD2_HEADER = b"OPENCC_MARISA_0.2.5"
CHARACTERS = "TSCharacters.ocd2"
EXTENDED = "TSCharactersExt.ocd2"
PHRASES = "TSPhrases.ocd2"
PHRASE_EXAMPLES = 3  # phrases quoted per character in the reasons recorded with the table
# TSPhrases entries that leave a character unconverted where TSCharacters gives it one simplified
# form and no other phrase keeps it: slips, not context. Each must still be in TSPhrases as
# described, or building the table fails (so a fixed slip cannot linger here).
PHRASE_SLIPS = {"不可貲計": "計"}  # converts 貲 → 赀 and leaves 計 (计 everywhere else, 設計, 計劃)


def is_ordinary(char: str) -> bool:
    """True for characters of the CJK Unified Ideographs block, where everyday simplified text lives."""
    return "\u4e00" <= char <= "\u9fff"


def opencc_share_dir() -> Path:
    """The folder of the installed opencc package's compiled dictionaries."""
    import opencc

    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    if not (share / CHARACTERS).is_file():
        raise FileNotFoundError(f"no {CHARACTERS} under {share}: is the opencc wheel installed?")
    return share


def read_ocd2(path: Path) -> dict[str, list[str]]:
    """An OpenCC .ocd2 dictionary as {key: candidates}.

    Layout (OpenCC's MarisaDict and SerializedValues): the header, a marisa trie of the keys,
    then the candidates: uint32 entry count, uint32 byte length and the buffer of NUL-terminated
    UTF-8 values, then per entry in trie key-id order a uint16 value count and a uint16 byte
    length (NUL included) for each value. All integers little-endian."""
    import marisa_trie

    data = path.read_bytes()
    if not data.startswith(OCD2_HEADER):
        raise ValueError(f"{path}: not an OpenCC marisa dictionary")
    trie = marisa_trie.Trie()
    trie.frombytes(data[len(OCD2_HEADER):])
    position = len(OCD2_HEADER) + len(trie.tobytes())
    count, total = struct.unpack_from("<II", data, position)
    position += 8
    buffer = data[position:position + total]
    position += total
    candidates: list[list[str]] = []
    cursor = 0
    for _ in range(count):
        (values,) = struct.unpack_from("<H", data, position)
        lengths = struct.unpack_from(f"<{values}H", data, position + 2)
        position += 2 + 2 * values
        entry = []
        for length in lengths:
            if length == 0 or buffer[cursor + length - 1] != 0:
                raise ValueError(f"{path}: a value is not NUL-terminated")
            entry.append(buffer[cursor:cursor + length - 1].decode("utf-8"))
            cursor += length
        candidates.append(entry)
    if position != len(data) or cursor != total or count != len(trie):
        raise ValueError(f"{path}: sizes do not add up ({position} of {len(data)} bytes read)")
    return {key: candidates[trie[key]] for key in trie.keys()}


@dataclass(frozen=True)
class ScriptTable:
    """Folds one traditional character to one simplified one; the characters OpenCC converts alone
    that are left as printed: to a form outside the ordinary block, or (with the reason) by context."""

    folds: dict[str, str]
    rare_forms: str
    left_as_printed: dict[str, str]
    spellings: dict[str, str]  # simplified character: the characters left as printed OpenCC may simplify to it


def build_table(characters: dict[str, list[str]], extended: dict[str, list[str]],
                phrases: dict[str, list[str]]) -> ScriptTable:
    """The table from TSCharacters, TSCharactersExt and TSPhrases, as read by read_ocd2."""
    alone = {key: values[0] for key, values in characters.items() if values[0] != key}
    alone.update({key: values[0] for key, values in extended.items() if values[0] != key})
    rare_forms = "".join(sorted(key for key, result in alone.items() if not is_ordinary(result)))
    alone = {key: result for key, result in alone.items() if is_ordinary(result)}
    reasons: dict[str, list[str]] = {}
    for key, values in characters.items():
        if key in alone and len([c for c in values if is_ordinary(c)]) > 1:
            reasons.setdefault(key, []).append("candidates " + " ".join(values))
        for value in values:
            if value in alone:
                reasons.setdefault(value, []).append("its own candidate" if value == key else f"simplified for {key}")
    for phrase, slip in PHRASE_SLIPS.items():
        if phrase not in phrases or slip not in phrases[phrase][0]:
            raise ValueError(f"PHRASE_SLIPS: TSPhrases no longer keeps {slip} in {phrase}")
    in_phrases: dict[str, list[str]] = {}
    for phrase, values in phrases.items():
        converted = values[0]
        if len(converted) != len(phrase):
            raise ValueError(f"TSPhrases changes length: {phrase} → {converted}")
        for char, result in zip(phrase, converted):
            if char in alone and result != alone[char] and PHRASE_SLIPS.get(phrase) != char:
                in_phrases.setdefault(char, []).append(f"{phrase} → {converted}")
    for char, examples in in_phrases.items():
        reasons.setdefault(char, []).append(f"converted otherwise in {len(examples)} phrase(s): "
                                            + ", ".join(examples[:PHRASE_EXAMPLES]))
    folds = {key: value for key, value in alone.items() if key not in reasons}
    unsettled = [key for key, value in folds.items() if value in folds]
    if unsettled:
        raise ValueError(f"folds that would fold again: {unsettled}")
    spellings: dict[str, str] = {}
    for key in sorted(reasons):
        for value in characters.get(key, []):
            # A query is folded before it is spelled out, so a character that folds never reaches the table.
            if value != key and is_ordinary(value) and value not in folds:
                spellings[value] = spellings.get(value, "") + key
    return ScriptTable(dict(sorted(folds.items())), rare_forms,
                       {key: "; ".join(dict.fromkeys(why)) for key, why in sorted(reasons.items())},
                       dict(sorted(spellings.items())))


def generate() -> str:
    """The table file's content, from the installed opencc."""
    import opencc

    share = opencc_share_dir()
    table = build_table(read_ocd2(share / CHARACTERS), read_ocd2(share / EXTENDED), read_ocd2(share / PHRASES))
    document = {
        "about": (f"Traditional to simplified folds for matching, derived by tools/script_table.py from "
                  f"the TSCharacters, TSCharactersExt and TSPhrases dictionaries of OpenCC {opencc.__version__} "
                  "(Open Chinese Convert, copyright Carbo Kuo (BYVoid) and contributors, "
                  "Apache License 2.0). Do not edit by hand: regenerate."),
        "opencc": opencc.__version__,
        "folds": table.folds,
        "left_as_printed": table.left_as_printed,
        "left_as_printed_rare_simplified_form": table.rare_forms,
        "also_spelled": table.spellings,
    }
    return json.dumps(document, ensure_ascii=False, indent=0) + "\n"


def main() -> None:
    content = generate()
    TABLE_PATH.write_text(content, encoding="utf-8")
    print(f"{TABLE_PATH}: {len(json.loads(content)['folds'])} folds", file=sys.stderr)


if __name__ == "__main__":
    main()
