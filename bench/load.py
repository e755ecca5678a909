#!/usr/bin/env python3
"""Load generator for `corpus serve`: a mixed query set at rising concurrency, throughput and latency per level.

    python bench/load.py [--index DIR] [--seconds 10] [--max-requests 20000] [--levels 1,8,32] [--workers 1]
    python bench/load.py --reindex N [--levels 32] ...

Starts `python cli.py serve` on a free loopback port over the index (default: the
seed pages of ../shared/seeds, indexed into a temporary directory), warms it up
with every query once, then for each concurrency level keeps that many
connections busy (asyncio + httpx) until --seconds pass or --max-requests are
sent, and prints requests/s, p50/p95/p99 latency and the error count (non-2xx
answers and transport errors). The client runs on the same machine as the
server and competes with it for the cores.

With --reindex N, a copy of the index is served and re-indexed N times
(`corpus index`, each run a changed set of pages) while the clients search.
After each commit every query is asked of `corpus search --json`, and every
answer the server gave is compared with the CLI's answer for the commit it
names: the run reports wrong answers beside errors, and fails on either.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: import the project this file belongs to

from search.server import server_process  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
STARTUP_SECONDS = 60.0
REQUEST_TIMEOUT = 30.0

# The mix: rare and frequent terms, several terms, phrases, OR / NOT, filters and deeper pages.
QUERIES: list[dict[str, Any]] = [
    {"q": "钍基熔盐"},
    {"q": "72TB"},
    {"q": "发展"},
    {"q": "的", "limit": 20},
    {"q": "新华社"},
    {"q": "新质生产力 科技 创新"},
    {"q": '"新质生产力"'},
    {"q": '"科技创新" 发展'},
    {"q": "钍基 OR 钎基"},
    {"q": "发展 -新华社"},
    {"q": "创新 NOT (美国 OR 日本)"},
    {"q": "发展", "date_from": "2024-01-01", "date_to": "2026-12-31"},
    {"q": "发展", "publication": "人民日报"},
    {"q": "发展", "all_versions": "true"},
    {"q": "发展", "limit": 5, "offset": 5},
    {"q": "中国", "limit": 50},
]


@dataclass
class Level:
    """What one concurrency level measured."""

    concurrency: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (query index, body) when kept

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000 if ordered else float("nan")

    def row(self) -> str:
        total = len(self.latencies)
        return (f"{self.concurrency:>11} {total:>9} {self.errors:>7} {total / self.seconds:>10.1f} "
                f"{self.percentile(50):>8.1f} {self.percentile(95):>8.1f} {self.percentile(99):>8.1f}")


HEADER = f"{'connections':>11} {'requests':>9} {'errors':>7} {'req/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"


@contextmanager
def seed_index() -> Iterator[Path]:
    """An index of the seed pages in a temporary directory, removed afterwards."""
    from indexer.ingest import index_paths

    workdir = Path(tempfile.mkdtemp(prefix="corpus-load-"))
    try:
        index_paths([SEEDS], workdir / "index", workers=1)
        yield workdir / "index"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def copied(index_dir: Path) -> Iterator[Path]:
    """A temporary copy of an index, so a run that re-indexes leaves the original alone."""
    workdir = Path(tempfile.mkdtemp(prefix="corpus-load-"))
    try:
        shutil.copytree(index_dir, workdir / "index")
        yield workdir / "index"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def server(index_dir: Path, workers: int) -> Iterator[str]:
    """`corpus serve` on a free loopback port; its base URL once /healthz answers; stopped afterwards."""
    try:
        with server_process(index_dir, ("--workers", str(workers)), startup_seconds=STARTUP_SECONDS) as base_url:
            yield base_url
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None


async def warm_up(client: httpx.AsyncClient, queries: list[dict[str, Any]]) -> None:
    """Every query once (loads jieba and each worker's searcher); a failing query stops the run."""
    for params in queries:
        response = await client.get("/search", params=params)
        if response.status_code != 200:
            raise SystemExit(f"warm-up {params}: {response.status_code} {response.text}")


async def run_level(client: httpx.AsyncClient, queries: list[dict[str, Any]], concurrency: int,
                    seconds: float, max_requests: int, keep: bool = False, until: asyncio.Task | None = None) -> Level:
    """Keep `concurrency` requests in flight until the time or the request budget is spent (or, given a task,
    until it is done); with `keep`, every answer is kept for checking."""
    level = Level(concurrency)
    mix = itertools.cycle(enumerate(queries))
    sent = 0
    started = time.perf_counter()
    deadline = started + seconds

    def going() -> bool:
        if until is not None:
            return not until.done()
        return time.perf_counter() < deadline and sent < max_requests

    async def connection() -> None:
        nonlocal sent
        while going():
            sent += 1
            number, params = next(mix)
            begun = time.perf_counter()
            try:
                response = await client.get("/search", params=params)
                ok = response.is_success
                if ok and keep:
                    level.answers.append((number, response.json()))
            except httpx.HTTPError:
                ok = False
            level.latencies.append(time.perf_counter() - begun)
            level.errors += not ok

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    level.seconds = time.perf_counter() - started
    return level


async def measure(base_url: str, levels: list[int], seconds: float, max_requests: int) -> None:
    """Warm up, then print one row per concurrency level as it finishes."""
    limits = httpx.Limits(max_connections=max(levels), max_keepalive_connections=max(levels))
    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT, limits=limits) as client:
        sources = (await client.get("/sources")).json()["sources"]
        # A source filter on real ids, so the filter path matches something.
        queries = QUERIES + [{"q": "发展", "source": [s["source"] for s in sources[:2]]}]
        await warm_up(client, queries)
        print(HEADER, flush=True)
        for concurrency in levels:
            level = await run_level(client, queries, concurrency, seconds, max_requests)
            print(level.row(), flush=True)


def cli_options(params: dict[str, Any]) -> list[str]:
    """`corpus search` arguments equivalent to the /search parameters."""
    args = [params["q"]]
    for key, value in params.items():
        if value == "true":  # a switch
            args.append(f"--{key.replace('_', '-')}")
        elif key != "q":
            for item in value if isinstance(value, list) else [value]:
                args += [f"--{key.replace('_', '-')}", str(item)]
    return args


def cli_answers(index_dir: Path, queries: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """The index's generation and `corpus search --json` for every query (parameters as CLI options)."""
    answers = []
    for params in queries:
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "search", *cli_options(params), "--json", "--index",
                               str(index_dir)], capture_output=True, text=True, check=True, cwd=ROOT)
        answers.append(json.loads(done.stdout))
    generations = {a["generation"] for a in answers}
    if len(generations) != 1:
        raise SystemExit(f"the index changed while the CLI answered: generations {sorted(generations)}")
    return generations.pop(), answers


def reindex_pages(workdir: Path, round_number: int) -> Path:
    """Pages that change the index: every seed page again with a line of this round, and one new page."""
    pages = workdir / f"round-{round_number}"
    pages.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (pages / seed.name).write_text(seed.read_text(encoding="utf-8") + f"\n\n第{round_number}轮补记。\n",
                                       encoding="utf-8")
    (pages / f"extra-{round_number}.txt").write_text(
        f"# 第{round_number}轮新增稿件\n\n新华社北京电 这是第{round_number}轮重新索引时加入的一篇稿件，"
        "用来检验服务在提交前后给出的答案。\n", encoding="utf-8")
    return pages


async def measure_reindexing(base_url: str, index_dir: Path, rounds: int, concurrency: int,
                             query_count: int) -> int:
    """Search at `concurrency` while re-indexing `rounds` times; every answer checked against the CLI's for its
    commit. Prints the figures and returns the number of errors and wrong answers."""
    workdir = Path(tempfile.mkdtemp(prefix="corpus-reindex-"))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT, limits=limits) as client:
            queries = QUERIES[:query_count] + [{"q": f"第{n}轮"} for n in range(1, rounds + 1)]
            await warm_up(client, queries)
            expected = dict([cli_answers(index_dir, queries)])

            async def reindex() -> None:
                for number in range(1, rounds + 1):
                    pages = reindex_pages(workdir, number)
                    await asyncio.to_thread(subprocess.run, [sys.executable, str(ROOT / "cli.py"), "index",
                                            str(pages), "--index", str(index_dir)], check=True, cwd=ROOT,
                                            capture_output=True)
                    generation, answers = await asyncio.to_thread(cli_answers, index_dir, queries)
                    expected[generation] = answers

            task = asyncio.create_task(reindex())
            level = await run_level(client, queries, concurrency, 0, 0, keep=True, until=task)
            await task
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    strip = lambda body: {k: v for k, v in body.items() if k != "took_ms"}  # noqa: E731
    wrong = sum(1 for number, body in level.answers
                if body["generation"] not in expected or strip(body) != strip(expected[body["generation"]][number]))
    seen = sorted({body["generation"] for _, body in level.answers})
    print(HEADER + f" {'wrong':>6} generations")
    print(level.row() + f" {wrong:>6} {seen}")
    print(f"requests={len(level.latencies)} errors={level.errors} wrong={wrong} "
          f"generations={','.join(map(str, seen))}")
    return level.errors + wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="Index to serve (default: the seed pages, indexed afresh).")
    parser.add_argument("--seconds", type=float, default=10.0, help="Time per concurrency level.")
    parser.add_argument("--max-requests", type=int, default=20_000, help="Request budget per level.")
    parser.add_argument("--levels", default="1,8,32", help="Concurrent connections, comma-separated.")
    parser.add_argument("--workers", type=int, default=1, help="Server processes (corpus serve --workers).")
    parser.add_argument("--reindex", type=int, default=0, metavar="N",
                        help="Re-index a copy of the index N times while the clients search (at the largest level); "
                             "every answer is checked against the CLI's on the same commit.")
    parser.add_argument("--queries", type=int, default=len(QUERIES), help="Use the first N queries of the mix.")
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",")]

    with (seed_index() if args.index is None else copied(args.index)) as index_dir, \
            server(index_dir, args.workers) as base_url:
        print(f"index {index_dir}, server {base_url} with {args.workers} worker(s)")
        if args.reindex:
            failures = asyncio.run(measure_reindexing(base_url, index_dir, args.reindex, max(levels), args.queries))
            raise SystemExit(1 if failures else 0)
        print(f"{args.seconds:g} s or {args.max_requests} requests per level")
        asyncio.run(measure(base_url, levels, args.seconds, args.max_requests))


if __name__ == "__main__":
    main()
