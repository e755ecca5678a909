"""Crash safety: `corpus index` killed with SIGKILL anywhere in a run, or stopped by a full disk, leaves the
last commit exactly as it was, and running it again ends with the index a clean build makes."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from xxhash import xxh3_64_hexdigest

from indexer.check import check_index
from indexer.faults import CRASH_ENV, POINTS
from search.engine import Corpus
from search.request import ALL_VARIANTS, SearchRequest
from tests.conftest import ROOT

PAGES = 30
QUERIES = ("钍基熔盐", "新质生产力 发展", "记者 OR 科学", "补记", "修订")


def index_command(pages: Path, index_dir: Path) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), "index", str(pages), "--index", str(index_dir), "--workers", "2"]


def run_index(pages: Path, index_dir: Path, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if crash_at:
        env[CRASH_ENV] = crash_at
    return subprocess.run(index_command(pages, index_dir), capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300, start_new_session=True)


def state(index_dir: Path) -> dict:
    """Everything a user can see of an index: its variants (id, story, latest, text), counts and answers."""
    corpus = Corpus(index_dir)
    view = corpus.view()
    latest = set(view.scope(SearchRequest(query="x").scope_queries()[0]).tolist())
    variants = sorted((view.header(d).variant_id, view.story_names[view.story_of[d]], d in latest,
                       xxh3_64_hexdigest(view.normalised_text(d).encode()), xxh3_64_hexdigest(view.original(d)[0].encode()))
                      for d in view.scope(ALL_VARIANTS).tolist())
    answers = []
    for query in QUERIES:
        for all_versions in (False, True):
            response = corpus.search(SearchRequest(query=query, limit=100, all_versions=all_versions)).to_dict()
            del response["took_ms"]
            answers.append(response)
    stats = {k: v for k, v in corpus.stats().items() if k in ("sources", "variants", "variants_all_versions", "stories")}
    assert len({v[0] for v in variants}) == len(variants), "a variant is listed twice"
    return {"variants": variants, "answers": answers, "stats": stats}


@pytest.fixture(scope="module")
def run_pages(tmp_path_factory, seed_pages) -> Path:
    """A run of some half a million characters: new pages made from the seeds, and two seed pages changed
    (new versions of sources the base index holds)."""
    pages = tmp_path_factory.mktemp("run") / "pages"
    pages.mkdir()
    texts = list(seed_pages.values())
    for i in range(PAGES):
        (pages / f"copy{i:03d}.txt").write_text(texts[i % len(texts)] + f"\n\n补记第{i}号：本页为第{i}次重印。\n",
                                                encoding="utf-8")
    for name in list(seed_pages)[:2]:
        (pages / f"{name}.txt").write_text(seed_pages[name].replace("钍基熔盐", "钍基熔盐（修订）"), encoding="utf-8")
    return pages


@pytest.fixture(scope="module")
def base_index(tmp_path_factory, seeds_dir) -> Path:
    """The last commit before the run: the seed pages."""
    index_dir = tmp_path_factory.mktemp("base") / "index"
    assert run_index(seeds_dir, index_dir).returncode == 0
    return index_dir


@pytest.fixture(scope="module")
def base_state(base_index) -> dict:
    return state(base_index)


@pytest.fixture(scope="module")
def clean_state(tmp_path_factory, base_index, run_pages) -> dict:
    """What the run makes of the base index when nothing goes wrong."""
    index_dir = tmp_path_factory.mktemp("clean") / "index"
    shutil.copytree(base_index, index_dir)
    done = run_index(run_pages, index_dir)
    assert done.returncode == 0, done.stderr
    return state(index_dir)


def copy_of(base_index: Path, tmp_path: Path) -> Path:
    index_dir = tmp_path / "index"
    shutil.copytree(base_index, index_dir)
    return index_dir


def assert_recovers(index_dir: Path, run_pages: Path, clean_state: dict) -> None:
    """The index checks clean, and running the same command again ends where a clean build ends."""
    report = check_index(index_dir)
    assert report.ok, report.problems
    again = run_index(run_pages, index_dir)
    assert again.returncode == 0, again.stderr
    assert state(index_dir) == clean_state
    assert check_index(index_dir).ok


def test_the_run_changes_what_a_user_sees(base_state, clean_state):
    """Otherwise the tests below could not tell a lost commit from a kept one."""
    assert clean_state["stats"]["sources"] == base_state["stats"]["sources"] + PAGES
    assert clean_state["stats"]["variants_all_versions"] > base_state["stats"]["variants_all_versions"]
    assert clean_state["answers"] != base_state["answers"]


@pytest.mark.parametrize("point", POINTS)
def test_killed_at_each_point_of_a_commit(point, base_index, base_state, clean_state, run_pages, tmp_path):
    index_dir = copy_of(base_index, tmp_path)
    killed = run_index(run_pages, index_dir, crash_at=point)
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr[-2000:])
    committed = point in ("toc-written", "committed")
    # Before whoosh's TOC has its name, nothing happened; after it, the whole run did.
    assert state(index_dir) == (clean_state if committed else base_state)
    assert_recovers(index_dir, run_pages, clean_state)


def test_killed_at_random_moments_again_and_again(base_index, base_state, clean_state, run_pages, tmp_path):
    index_dir = copy_of(base_index, tmp_path)
    started = time.perf_counter()
    assert run_index(run_pages, copy_of(base_index, tmp_path / "timing")).returncode == 0
    whole_run = time.perf_counter() - started
    rng = random.Random(14)
    kills, attempts = 0, 0
    while kills < 4:
        attempts += 1
        assert attempts <= 12, "the runs kept finishing before they were killed"
        process = subprocess.Popen(index_command(run_pages, index_dir), cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.05, 0.7) * whole_run)
        if process.poll() is not None:  # the machine ran faster than when timed: that run committed
            shutil.rmtree(index_dir)
            index_dir = copy_of(base_index, tmp_path / f"again-{attempts}")
            whole_run /= 2
            continue
        os.killpg(process.pid, signal.SIGKILL)  # the run and its worker processes
        assert process.wait(timeout=30) == -signal.SIGKILL
        kills += 1
        assert state(index_dir) == base_state
        assert check_index(index_dir).ok
    assert_recovers(index_dir, run_pages, clean_state)


HOLD_LOCK = """
import sys, time
from pathlib import Path
from indexer.write import IndexSession
with IndexSession(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_second_writer_in_another_process_gets_one_line_and_wait_waits(base_index, run_pages, tmp_path):
    index_dir = copy_of(base_index, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index_dir), "4"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        second = run_index(run_pages, index_dir)
        assert second.returncode == 2, second.stderr
        assert second.stderr.strip().count("\n") == 0 and "locked by another corpus process" in second.stderr
        started = time.perf_counter()
        waiting = subprocess.run([*index_command(run_pages, index_dir), "--wait", "60"], capture_output=True,
                                 text=True, cwd=ROOT, timeout=300)
        assert waiting.returncode == 0, waiting.stderr
        assert holder.wait(timeout=10) == 0
        assert time.perf_counter() - started > 1.0  # it waited for the holder, then indexed
        assert "30 new, 2 changed" in waiting.stdout
        short = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index_dir), "30"], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        assert short.stdout.readline().strip() == "locked"
        gave_up = subprocess.run([*index_command(run_pages, index_dir), "--wait", "1"], capture_output=True,
                                 text=True, cwd=ROOT, timeout=60)
        short.kill()
        assert gave_up.returncode == 2 and "still after waiting 1 s" in gave_up.stderr
    finally:
        holder.kill()


def test_a_writer_killed_holding_the_lock_does_not_block_the_next(base_index, run_pages, clean_state, tmp_path):
    index_dir = copy_of(base_index, tmp_path)
    killed = run_index(run_pages, index_dir, crash_at="manifest-written")  # dies holding the write lock
    assert killed.returncode == -signal.SIGKILL
    assert (index_dir / "MAIN_WRITELOCK").exists()
    assert_recovers(index_dir, run_pages, clean_state)


FULL_DISK = """
set -u
mount -t tmpfs -o size={size} tmpfs {mount}
cp -a {base} {mount}/index
{python} {cli} index {pages} --index {mount}/index --workers 1 > {out}/run.out 2> {out}/run.err
echo $? > {out}/run.rc
cp -a {mount}/index {out}/index
"""


def can_mount_a_private_tmpfs() -> str | None:
    """Why a private tmpfs cannot be mounted here, or None when it can."""
    if not shutil.which("unshare"):
        return "no unshare(1) on this machine"
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else f"cannot mount a tmpfs in a user namespace: {probe.stderr.strip()}"


def test_a_full_disk_fails_the_run_in_one_line_and_keeps_the_last_commit(base_index, base_state, clean_state,
                                                                         run_pages, tmp_path):
    reason = can_mount_a_private_tmpfs()
    if reason:
        pytest.skip(reason)
    base_bytes = sum(p.stat().st_size for p in base_index.rglob("*") if p.is_file())
    mount, out = tmp_path / "small-disk", tmp_path / "out"
    mount.mkdir()
    out.mkdir()
    # Room for the base index and a little: the run's new segment cannot be written in full.
    script = FULL_DISK.format(size=base_bytes + 256 * 1024, mount=mount, base=base_index, python=sys.executable,
                              cli=ROOT / "cli.py", pages=run_pages, out=out)
    subprocess.run(["unshare", "-rm", "bash", "-c", script], check=True, timeout=300, cwd=ROOT)
    assert int((out / "run.rc").read_text()) == 2
    error = (out / "run.err").read_text()
    assert error.count("\n") == 1 and "No space left on device" in error and "nothing of this run was committed" in error
    assert "Traceback" not in error
    index_dir = out / "index"
    assert state(index_dir) == base_state
    assert check_index(index_dir).ok
    assert_recovers(index_dir, run_pages, clean_state)
