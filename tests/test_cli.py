"""The `corpus` command as a real process: a query is the words after `search`, exclusions included, and a
mistake on the command line is one line on stderr, never click's usage box or a traceback."""
from __future__ import annotations

import subprocess

import orjson
import pytest

from search.request import SearchRequest
from tests.conftest import run_cli


def assert_one_line_error(done: subprocess.CompletedProcess, code: int = 2) -> str:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and "Usage:" not in done.stderr and "╭" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def matched_ids(data: dict) -> set[str]:
    return {v["variant_id"] for a in data["articles"] for v in a["variants"] if v["matched"]}


@pytest.mark.parametrize("args", [["-钍基熔盐"], ["--", "-钍基熔盐"], ["NOT", "钍基熔盐"]])
def test_a_query_of_only_an_exclusion_is_one_line_saying_what_a_query_needs(seed_index, args):
    done = run_cli("search", "--index", str(seed_index), *args)
    assert "at least one term that must occur" in assert_one_line_error(done)
    assert done.stdout == ""
    if args[-1].startswith("-"):
        assert """'"-钍基熔盐"'""" in done.stderr  # what to type to search for the text itself


def test_query_words_are_joined_so_a_word_starting_with_minus_excludes_it(seed_index, corpus):
    expected = matched_ids(corpus.search(SearchRequest(query="熔盐 -钎基")).to_dict())
    assert expected and expected != matched_ids(corpus.search(SearchRequest(query="熔盐")).to_dict())
    for args in (["熔盐", "-钎基"], ["熔盐 -钎基"], ["--limit", "5", "熔盐", "-钎基"], ["熔盐", "-钎基", "--limit=5"],
                 ["--", "熔盐", "-钎基"]):
        done = run_cli("search", "--index", str(seed_index), "--json", *args)
        assert done.returncode == 0, done.stderr
        data = orjson.loads(done.stdout)
        assert data["query"] == "熔盐 -钎基" and matched_ids(data) == expected, args


def test_options_after_the_query_still_apply(seed_index):
    done = run_cli("search", "--index", str(seed_index), "熔盐", "OR", "钍基", "--limit", "1", "--json",
                   "--source", "003_d03bbf471f6134ca")
    assert done.returncode == 0, done.stderr
    data = orjson.loads(done.stdout)
    assert data["limit"] == 1 and len(data["articles"]) == 1
    assert {v["source"] for a in data["articles"] for v in a["variants"]} == {"003_d03bbf471f6134ca"}


def test_a_mistyped_option_is_one_line_naming_the_right_one_and_after_double_dash_it_is_a_word(seed_index):
    done = run_cli("search", "--index", str(seed_index), "熔盐", "--lmit", "5")
    assert "--lmit" in assert_one_line_error(done) and "--limit" in done.stderr
    done = run_cli("search", "--index", str(seed_index), "--json", "--", "熔盐", "--lmit")
    assert done.returncode == 0 and orjson.loads(done.stdout)["query"] == "熔盐 --lmit"


@pytest.mark.parametrize("args, message", [
    (["search"], "Missing argument"),
    (["search", "熔盐", "--limit", "abc"], "--limit"),
    (["search", "熔盐", "--limit", "0"], "limit must be between"),
    (["show"], "Missing argument"),
    (["index", "--workers"], "--workers"),
])
def test_other_command_line_mistakes_are_one_line_too(seed_index, args, message):
    done = run_cli(*args, "--index", str(seed_index)) if args[0] != "index" else run_cli(*args)
    assert message in assert_one_line_error(done)


def test_search_fuzzy_marks_the_garbled_printing_and_says_how_else_it_was_printed(seed_index):
    done = run_cli("search", "钍基熔盐", "--fuzzy", "--index", str(seed_index))
    assert done.returncode == 0, done.stderr
    assert "also printed as: 钎基熔盐 ×1" in done.stdout and "(fuzzy: 钎基熔盐)" in done.stdout


def test_index_leaves_the_view_cache_so_the_first_search_does_not_build_it(tmp_path, seeds_dir):
    from indexer.store import VIEW_CACHE_PREFIX

    index_dir = tmp_path / "index"
    done = run_cli("index", str(seeds_dir), "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    caches = list(index_dir.glob(f"{VIEW_CACHE_PREFIX}*.npz"))
    assert len(caches) == 1
    written = caches[0].stat().st_mtime_ns
    assert run_cli("search", "钍基熔盐", "--index", str(index_dir)).returncode == 0
    assert [c.stat().st_mtime_ns for c in index_dir.glob(f"{VIEW_CACHE_PREFIX}*.npz")] == [written]
