"""`corpus check` and the checks every reader makes: damage anywhere in an index is found, and a search on a
damaged index fails with one line instead of answering from bad bytes."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import orjson
import pytest

from indexer.check import check_index
from indexer.manifest import manifest_path
from whoosh.filedb.structfile import StructFile

from indexer.pack import digest_bytes, digest_file
from indexer.store import VIEW_CACHE_PREFIX, toc_name
from search.engine import Corpus
from search.request import SearchRequest
from tests.conftest import run_cli


@pytest.fixture()
def index_copy(seed_index: Path, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(seed_index, target)
    return target


def index_files(index_dir: Path) -> list[Path]:
    """Every file a generation is made of (not the write lock, which holds nothing, nor readers' caches)."""
    return sorted(p for p in index_dir.rglob("*")
                  if p.is_file() and p.name != "MAIN_WRITELOCK" and not p.name.startswith(VIEW_CACHE_PREFIX))


def flip_bit(path: Path, position: int) -> None:
    data = bytearray(path.read_bytes())
    data[position % len(data)] ^= 0x10
    path.write_bytes(bytes(data))


def assert_search_fails_in_one_line(index_dir: Path) -> None:
    result = run_cli("search", "钍基熔盐", "--index", str(index_dir))
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr


def test_a_fresh_index_checks_clean_deep_too(seed_index):
    for deep in (False, True):
        report = check_index(seed_index, deep=deep)
        assert report.ok, report.problems
        assert report.variants >= 20 and report.sources == 5 and report.stories < report.variants
    result = run_cli("check", "--index", str(seed_index))
    assert result.returncode == 0 and result.stdout.startswith("ok: generation 1"), result.stderr


def test_the_index_is_made_of_the_files_the_test_below_damages(seed_index):
    kinds = {p.suffix for p in index_files(seed_index)}
    assert {".seg", ".toc", ".json", ".pack"} <= kinds


@pytest.mark.parametrize("where", [0, 0.5, -1])
def test_a_flipped_bit_anywhere_is_found_and_search_refuses(index_copy, where):
    for path in index_files(index_copy):
        original = path.read_bytes()
        flip_bit(path, int(where * len(original)) if where != -1 else len(original) - 1)
        report = check_index(index_copy)
        assert not report.ok, f"a flipped bit in {path.name} went unnoticed"
        assert any(path.name in problem or "manifest" in problem for problem in report.problems), report.problems
        assert_search_fails_in_one_line(index_copy)
        path.write_bytes(original)
    assert check_index(index_copy).ok


def test_a_truncated_or_missing_file_is_found(index_copy):
    for path in index_files(index_copy):
        original = path.read_bytes()
        path.write_bytes(original[:len(original) // 2])
        assert not check_index(index_copy).ok, f"{path.name} cut in half went unnoticed"
        assert_search_fails_in_one_line(index_copy)
        path.unlink()
        assert not check_index(index_copy).ok, f"{path.name} missing went unnoticed"
        assert_search_fails_in_one_line(index_copy)
        path.write_bytes(original)
    result = run_cli("check", "--index", str(index_copy))
    assert result.returncode == 0, result.stderr


def test_check_names_what_is_wrong_with_exit_code_1(index_copy):
    pack = next((index_copy / "literal").glob("*.pack"))
    flip_bit(pack, 5000)
    result = run_cli("check", "--index", str(index_copy))
    assert result.returncode == 1
    assert f"{pack.name}: checksum mismatch" in result.stderr and "Traceback" not in result.stderr


def test_a_file_left_by_a_crashed_run_is_a_note_not_a_problem(index_copy):
    (index_copy / "literal" / "0123456789abcdef.pack").write_bytes(b"half a pack")
    report = check_index(index_copy)
    assert report.ok and any("0123456789abcdef" in note for note in report.notes)


def segments_pickle_offset(toc: bytes) -> int:
    """Where whoosh's TOC holds its pickled segment list: after the header numbers, the schema and two ints."""
    stream = StructFile(io.BytesIO(toc))
    for read in ("read_varint",) * 3 + ("read_int",) * 2 + ("read_varint",) * 3 + ("read_string",) + ("read_int",) * 2:
        getattr(stream, read)()
    return stream.tell()


def test_a_hostile_pickle_in_whoosh_files_is_refused_even_with_valid_checksums(index_copy, tmp_path):
    """Checksums catch damage, not someone who rewrites the manifest: whoosh's unpickling must refuse code."""
    marker = tmp_path / "pwned"
    toc = index_copy / toc_name(1)
    data = toc.read_bytes()
    toc.write_bytes(data[:segments_pickle_offset(data)] + b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    manifest_file = manifest_path(index_copy, 1)
    outer = orjson.loads(manifest_file.read_bytes())
    outer["body"]["whoosh"][toc.name] = digest_file(toc).to_dict()
    body = orjson.dumps(outer["body"], option=orjson.OPT_SORT_KEYS)
    manifest_file.write_bytes(orjson.dumps({"body": orjson.Fragment(body), "xxh3": digest_bytes(body)}))
    problems = check_index(index_copy).problems  # every checksum agrees: only the guard stands in the way
    assert len(problems) == 1 and "refused to load os.system" in problems[0]
    result = run_cli("search", "钍基熔盐", "--index", str(index_copy))
    assert result.returncode == 2 and "refused to load os.system" in result.stderr, result.stderr
    assert not marker.exists()


def test_a_damaged_view_cache_is_built_again_not_trusted(index_copy, corpus):
    expected = corpus.search(SearchRequest(query="钍基熔盐", limit=50)).to_dict()
    Corpus(index_copy).search(SearchRequest(query="钍基熔盐"))  # leaves the generation's cache
    caches = list(index_copy.glob(f"{VIEW_CACHE_PREFIX}*.npz"))
    assert caches
    for cache in caches:
        flip_bit(cache, len(cache.read_bytes()) // 2)
    answer = Corpus(index_copy).search(SearchRequest(query="钍基熔盐", limit=50)).to_dict()
    assert {k: v for k, v in answer.items() if k != "took_ms"} == {k: v for k, v in expected.items() if k != "took_ms"}


def rewrite_manifest(index_dir: Path, **changes) -> None:
    """Change manifest fields and reseal it with a valid checksum, as a newer or older corpus would have."""
    path = manifest_path(index_dir, 1)
    outer = orjson.loads(path.read_bytes())
    outer["body"].update(changes)
    body = orjson.dumps(outer["body"], option=orjson.OPT_SORT_KEYS)
    path.write_bytes(orjson.dumps({"body": orjson.Fragment(body), "xxh3": digest_bytes(body)}))


@pytest.mark.parametrize("changes, message", [({"normalisation": "1-0000000000000000"}, "normalised its texts"),
                                              ({"format": 1}, "index format 1")])
def test_an_index_built_another_way_is_refused_in_one_line(index_copy, changes, message):
    rewrite_manifest(index_copy, **changes)
    result = run_cli("search", "钍基熔盐", "--index", str(index_copy))
    assert result.returncode == 2 and message in result.stderr and "rebuild" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
