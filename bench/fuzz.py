"""Coverage-guided fuzzing with atheris (libFuzzer): `python -m bench.fuzz --target page|sidecar|query --seconds N`.

The library modules are imported under atheris's instrumentation, so libFuzzer sees their branches and
comparisons. Runs start from seed inputs made at run time (the seed pages in ../shared/seeds, cut into
smaller pieces and re-encoded; a few sidecars and queries written here) added to a corpus in `--workdir`,
which grows across runs. A crashing input is written there (crash-*, timeout-*) and makes the run exit
non-zero; `python -m bench.fuzz --target T FILE...` replays saved inputs.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["indexer", "search"]):
    from bench.fuzz_targets import TARGETS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
PROJECT_PACKAGES = ("indexer", "search")
# libFuzzer's limits: a single input taking longer than this is reported as a hang ...
INPUT_TIMEOUT_SECONDS = 20
# ... and inputs grow at most this long (a seed page is about 20 KB; a query is cut at 1000 characters).
MAX_INPUT_BYTES = {"page": 32_768, "sidecar": 4096, "query": 4096}
PIECE_CHARS = 1500

SIDECAR_SEEDS = [
    b'{"publication": "\xe4\xba\xba\xe6\xb0\x91\xe6\x97\xa5\xe6\x8a\xa5", "date": "2025-12-06", "page": 1}',
    b'{"date": "2025\xe5\xb9\xb412\xe6\x9c\x886\xe6\x97\xa5", "edition": "A1", "tags": ["x"], "n": null}',
    b'{"date": "20251206", "Publication-Name": "\xef\xbc\xa1\xef\xbc\xa2", "nested": {"a": [1, 2.5, true]}}',
    b'[1, 2]',
    b'{}',
]
QUERY_SEEDS = [
    "钍基熔盐 实验堆", '"新质 生产力"', "钍基熔盐 OR 钎基熔盐", "熔盐 -钎基", "熔盐 NOT 钎基",
    "(G60 OR InnoMatch) 上海", "光源(HEPS)", '"(HEPS)"', "新华社 -(北京 OR 成都)", "72TB ＧＰＵ 1.64小时",
    "a AND b", "((钍基))", '-"液氦 燃料" 熔盐', "钍\u200b基 ＂熔盐＂",
]

# Tokens libFuzzer splices into inputs (its -dict): the marks the segmenter and the parser decide on.
DICTIONARY = {
    "page": ["\n", "\n\n", "\n\n\n", "# ", "## ", "**", "·", "<sub>", "</sub>", "---", "新华社北京12月6日电",
             "(新华社北京12月6日电)", "本报讯", "【赛迪网讯】", "(记者 张三)", "(上接第1版)", "（下转第3版）", "(完)",
             "——", "□新华社记者 刘开雄", "■记者手记", "新华社记者 郭程 摄", "新华社发", "图为", "一、", "(三)", "第四节",
             "：", "。", "，", "“", "”", "（", "）", "\r\n", "\ufeff", "\u3000", "\u200b", "\t"],
    "sidecar": ['"publication"', '"date"', '"page"', "null", "true", "[]", "{}", '"2025-12-06"', '"2025年12月6日"',
                '"20251206"', "1e308", "-0", '"\\u0000"', '"\\ud800"'],
    "query": ["OR", "AND", "NOT", "-", "(", ")", "-(", '"', "＂", "（", "）", "ＯＲ", " ", "\u3000", "\u200f",
              "\u0301", "\x00", "钍基", "光源(HEPS)"],
}


def seed_inputs(target: str) -> list[bytes]:
    """The starting corpus of a target."""
    if target == "sidecar":
        return SIDECAR_SEEDS
    if target == "query":
        return [q.encode("utf-8") for q in QUERY_SEEDS]
    found: list[bytes] = []
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        pieces = [text[i:i + PIECE_CHARS] for i in range(0, len(text), PIECE_CHARS)]
        found.append(raw)
        found += [p.encode("utf-8") for p in pieces]
        # The other encodings and line ends that decoding accepts.
        found += [b"\xef\xbb\xbf" + pieces[0].replace("\n", "\r\n").encode("utf-8"), pieces[-1].encode("gb18030")]
    return found


def write_corpus(directory: Path, inputs: list[bytes]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(inputs):
        (directory / f"seed-{number:03d}").write_bytes(data)


def write_dictionary(path: Path, tokens: list[str]) -> None:
    """libFuzzer's dictionary format: one quoted token a line, bytes outside printable ASCII as \\xNN."""
    def quoted(token: str) -> str:
        return "".join(chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\x{b:02x}" for b in token.encode())

    path.write_text("".join(f'"{quoted(t)}"\n' for t in tokens), encoding="ascii")


def instrumented_modules() -> dict[str, bool]:
    """Each loaded project module, and whether its functions carry atheris's coverage instrumentation."""
    report = {}
    for name, module in sorted(sys.modules.items()):
        if name.split(".")[0] not in PROJECT_PACKAGES or module is None:
            continue
        functions = [f for f in vars(module).values()
                     if callable(f) and getattr(f, "__module__", None) == name and hasattr(f, "__code__")]
        if functions:
            report[name] = all("__ATHERIS_INSTRUMENTED__" in f.__code__.co_consts for f in functions)
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=sorted(TARGETS), required=True)
    parser.add_argument("--seconds", type=int, default=60, help="Stop after this long (default 60).")
    parser.add_argument("--runs", type=int, default=-1,
                        help="Stop after this many inputs, if that comes before --seconds (default: no limit).")
    parser.add_argument("--workdir", type=Path, help="Corpus, dictionary and crashing inputs "
                                                      "(default: corpus-fuzz/TARGET in the temporary directory).")
    parser.add_argument("--check-instrumentation", action="store_true",
                        help="Print which project modules are instrumented and exit (1 if any is not).")
    parser.add_argument("inputs", nargs="*", type=Path, help="Replay these saved inputs once instead of fuzzing.")
    args = parser.parse_args(argv)
    if args.check_instrumentation:
        report = instrumented_modules()
        for name, instrumented in report.items():
            print(f"{name}: {'instrumented' if instrumented else 'NOT instrumented'}")
        sys.exit(0 if report and all(report.values()) else 1)
    # libFuzzer ends the process itself, so nothing here could remove a temporary directory afterwards.
    work = (args.workdir or Path(tempfile.gettempdir()) / "corpus-fuzz" / args.target).resolve()
    (work / "scratch").mkdir(parents=True, exist_ok=True)
    target = TARGETS[args.target](work / "scratch")
    target(b"warm-up")  # load jieba's dictionary before libFuzzer's clock starts
    flags = [f"-timeout={INPUT_TIMEOUT_SECONDS}", f"-max_len={MAX_INPUT_BYTES[args.target]}", "-print_final_stats=1"]
    if args.inputs:
        atheris.Setup([sys.argv[0], *flags, *map(os.fspath, args.inputs)], target)
        atheris.Fuzz()
    write_corpus(work / "corpus", seed_inputs(args.target))
    write_dictionary(work / "tokens.dict", DICTIONARY[args.target])
    atheris.Setup([sys.argv[0], *flags, f"-dict={work / 'tokens.dict'}", f"-max_total_time={args.seconds}",
                   f"-runs={args.runs}", f"-artifact_prefix={work}/", os.fspath(work / "corpus")], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
