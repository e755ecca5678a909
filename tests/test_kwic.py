"""Concordance lines: every occurrence once, in the printed characters, sorted as asked."""
from __future__ import annotations

import re

import pytest

from indexer.normalise import normalise_text
from search.engine import Corpus
from search.request import ParameterError, SearchRequest
from tests.counts_reference import load_rows, matched
from tests.conftest import run_cli


@pytest.mark.parametrize("query", ["钍基熔盐", "新质生产力", "72TB", "发展 -新华社", "钍 OR 熔盐"])
def test_every_occurrence_is_one_line_in_original_characters(meta_index, query):
    corpus = Corpus(meta_index)
    lines = corpus.kwic(SearchRequest(query=query), width=10).lines
    expected = sum(count for _, count in matched(load_rows(meta_index), SearchRequest(query=query)))
    assert len(lines) == expected
    view = corpus.view()
    texts = {view.header(d).variant_id: view.original(d)[0] for d in view.scope(SearchRequest(query="x")
                                                                             .scope_queries()[0]).tolist()}
    terms = {normalise_text(t) for t in query.replace(" OR ", " ").split() if not t.startswith("-")}
    for line in lines:
        text = texts[line.variant_id]
        assert text[line.start:line.end] == line.match  # the printed characters, exactly where printed
        assert normalise_text(line.match) in terms
        # The context is what surrounds the match, a line break between parts shown as a space.
        assert re.sub(r"\s*\n\s*", " ", text[max(0, line.start - 10):line.start]) == line.left
        assert re.sub(r"\s*\n\s*", " ", text[line.end:line.end + 10]) == line.right


def test_sorting_and_one_line_per_story(meta_index):
    corpus = Corpus(meta_index)
    by_date = corpus.kwic(SearchRequest(query="新质生产力")).lines
    assert [line.date for line in by_date] == sorted(line.date for line in by_date)
    for sort, key in (("left", lambda line: line.left[::-1]), ("right", lambda line: line.right),
                      ("source", lambda line: line.source)):
        lines = corpus.kwic(SearchRequest(query="新质生产力"), sort=sort).lines
        assert [key(line) for line in lines] == sorted(key(line) for line in lines), sort
    single = corpus.kwic(SearchRequest(query="新质生产力"), one_per_story=True).lines
    assert len(single) == len({line.article_id for line in by_date}) == len({line.article_id for line in single})


def test_pages_of_a_concordance_add_up(meta_index):
    corpus = Corpus(meta_index)
    whole = corpus.kwic(SearchRequest(query="发展"))
    pages = [corpus.kwic(SearchRequest(query="发展"), limit=7, offset=o) for o in range(0, whole.total, 7)]
    assert [line for page in pages for line in page.lines] == whole.lines
    assert {page.total for page in pages} == {whole.total}


@pytest.mark.parametrize("options", [{"width": 0}, {"width": 501}, {"sort": "upwards"}])
def test_bad_options_are_parameter_errors(meta_index, options):
    with pytest.raises(ParameterError):
        Corpus(meta_index).kwic(SearchRequest(query="发展"), **options)


def test_the_cli_prints_every_occurrence(meta_index):
    done = run_cli("kwic", "钍基熔盐", "--index", str(meta_index), "--csv")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.strip().splitlines()
    assert rows[0].startswith("variant_id,") and len(rows) == 4 and all("钍基熔盐" in row for row in rows[1:])
    shown = run_cli("kwic", "钍基熔盐", "--index", str(meta_index))
    assert shown.returncode == 0 and shown.stdout.count("钍基熔盐") >= 4
