"""Query parsing: syntax, errors, and the reference substring semantics."""
from __future__ import annotations


import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query import And, Not, Or, QueryError, Term, matches, parse_query, positive_terms


def texts(node):
    return [t.text for t in positive_terms(node)]


def test_space_separated_terms_are_all_required_and_normalised():
    node = parse_query("72TB ＧＰＵ InnoMatch")
    assert isinstance(node, And)
    assert texts(node) == ["72tb", "gpu", "innomatch"]


def test_or_not_minus_quotes_and_groups():
    node = parse_query('(钍基 OR 钎基) 熔盐 -"液氦 燃料" NOT 美国')
    assert node == And((
        Or((Term("钍基", "钍基"), Term("钎基", "钎基"))),
        Term("熔盐", "熔盐"),
        Not(Term("液氦燃料", '"液氦 燃料"')),
        Not(Term("美国", "美国")),
    ))
    assert texts(node) == ["钍基", "钎基", "熔盐"]


def test_parentheses_inside_a_word_are_literal():
    assert parse_query("光源(HEPS)") == Term("光源(heps)", "光源(HEPS)")


def test_minus_before_a_group_excludes_the_group():
    assert parse_query("新华社 -(北京 OR 成都)") == And((
        Term("新华社", "新华社"), Not(Or((Term("北京", "北京"), Term("成都", "成都")))),
    ))


def test_lower_case_or_is_a_term():
    assert texts(parse_query("a or b")) == ["a", "or", "b"]


@pytest.mark.parametrize("query, message", [
    ("", "empty query"),
    ("   ", "empty query"),
    ('"钍基熔盐', "unbalanced quote"),
    ("(钍基 熔盐", "unbalanced parentheses"),
    ("钍基)", "')' without"),
    ("OR 钍基", "OR needs"),
    ("钍基 OR", "OR needs"),
    ("钍基 NOT", "NOT needs"),
    ("-钍基", "at least one term"),
    ("NOT 钍基 -熔盐", "at least one term"),
    ("钍基 ()", "empty group"),
    ("\u200b", "nothing to search"),
    ("x" * 2000, "too long"),
    ("钍\udcff", "not valid UTF-8"),
    ("(" * 400 + "钍基" + ")" * 400, "nested too deeply"),
])
def test_malformed_queries_raise_one_line_errors(query, message):
    with pytest.raises(QueryError, match=re.escape(message)) as info:
        parse_query(query)
    assert "\n" not in str(info.value)


def test_reference_semantics_is_substring_search():
    node = parse_query('熔盐 (钍基 OR 钎基) -液氦')
    assert matches(node, "液态燃料钍基熔盐实验堆")
    assert matches(node, "液态燃料钎基熔盐实验堆")
    assert not matches(node, "液氦燃料钍基熔盐实验堆")
    assert not matches(node, "熔盐堆")


QUERY_ALPHABET = st.sampled_from(list('钍基熔盐实验 OR NOT AND - ( ) " ＂ 72TB ，。') + ["OR", "NOT", " "])


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(QUERY_ALPHABET, max_size=20).map("".join)))
def test_any_input_parses_or_raises_query_error(query):
    try:
        node = parse_query(query)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert positive_terms(node), "a parsed query always has a term that must occur"
    for term in positive_terms(node):
        assert term.text.strip()
