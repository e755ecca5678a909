"""Query parsing: syntax, errors, and the reference substring semantics."""
from __future__ import annotations


import re
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.normalise import normalise_text
from search.query import And, Not, Or, QueryError, Term, matches, parse_query, positive_terms
from tests.query_strategies import HOSTILE_QUERIES, nested, valid_queries


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


def test_minus_before_a_quoted_phrase_inside_a_group_excludes_the_phrase():
    # Was read as the literal term "-" and the phrase required: the opposite of what was asked.
    assert parse_query('熔盐 (-"液氦 燃料")') == And((Term("熔盐", "熔盐"), Not(Term("液氦燃料", '"液氦 燃料"'))))
    assert parse_query('-("液氦 燃料" OR 钎基) 熔盐') == And((
        Not(Or((Term("液氦燃料", '"液氦 燃料"'), Term("钎基", "钎基")))), Term("熔盐", "熔盐"),
    ))


def test_minus_before_a_group_inside_a_group_excludes_the_inner_group():
    # Was a syntax error, or the exclusion of the literal "(北京" / "(北京)".
    expected = And((Not(Or((Term("北京", "北京"), Term("成都", "成都")))), Term("新华社", "新华社")))
    assert parse_query("(-(北京 OR 成都) 新华社)") == expected
    assert parse_query("((-(北京 OR 成都)) 新华社)") == expected
    assert parse_query("新华社 (-(北京))") == And((Term("新华社", "新华社"), Not(Term("北京", "北京"))))


def test_an_exclusion_of_an_exclusion_requires_the_term():
    # NOT -x is x: it was refused as a query of excluded terms only.
    node = parse_query("NOT -钍基")
    assert node == Not(Not(Term("钍基", "钍基")))
    assert texts(node) == ["钍基"]
    assert matches(node, "钍基熔盐") and not matches(node, "熔盐")
    assert texts(parse_query("熔盐 -(钎基 -钍基)")) == ["熔盐", "钍基"]
    assert texts(parse_query("NOT (钍基 OR -熔盐)")) == ["熔盐"]
    for query in ("钍基 OR -熔盐", "-(钍基 熔盐)", "NOT (钍基 熔盐)"):
        with pytest.raises(QueryError, match="at least one term"):
            parse_query(query)


def test_a_lone_exclusion_says_how_to_search_for_the_text_itself():
    with pytest.raises(QueryError, match=re.escape("""quote it: '"-钍基熔盐"'""")):
        parse_query("-钍基熔盐")
    assert parse_query('"-钍基熔盐"') == Term("-钍基熔盐", '"-钍基熔盐"')
    with pytest.raises(QueryError) as info:
        parse_query("NOT 钍基熔盐")
    assert "quote" not in str(info.value)


def test_lone_operators_are_literal_or_one_line_errors():
    assert parse_query("-") == Term("-", "-")
    assert parse_query("熔盐 - 钎基") == And((Term("熔盐", "熔盐"), Term("-", "-"), Term("钎基", "钎基")))
    assert parse_query("ＯＲ") == Term("or", "ＯＲ")  # full-width operators are text
    assert parse_query("钍基 （熔盐）") == And((Term("钍基", "钍基"), Term("(熔盐)", "（熔盐）")))
    for query, message in [("OR", "OR needs"), ("AND", "AND needs"), ("NOT", "NOT needs"), ("()", "empty group"),
                           ("(", "unbalanced parentheses"), (")", "without its '('"), ('"', "unbalanced quote"),
                           ("-(", "unbalanced parentheses"), (") 钍基", "without its '('")]:
        with pytest.raises(QueryError, match=re.escape(message)):
            parse_query(query)


def test_nesting_up_to_the_limit_parses_and_beyond_it_is_refused():
    assert parse_query(nested(32)) == Term("钍基", "钍基")
    with pytest.raises(QueryError, match="nested too deeply"):
        parse_query(nested(33))
    with pytest.raises(QueryError, match="nested too deeply"):
        parse_query(nested(200, closing=0))


def assert_one_line_error(exc: QueryError) -> None:
    message = str(exc)
    assert message.strip() and len(message.splitlines()) == 1, repr(message)


QUERY_ALPHABET = st.sampled_from(list('钍基熔盐实验 OR NOT AND - ( ) " ＂ 72TB ，。') + ["OR", "NOT", " "])


@settings(max_examples=800, deadline=timedelta(seconds=1))
@given(st.one_of(HOSTILE_QUERIES, st.lists(QUERY_ALPHABET, max_size=20).map("".join)))
def test_any_input_parses_or_raises_query_error(query):
    # Unicode of every kind (lone surrogates, NUL and other controls, direction and combining marks, emoji,
    # full-width operators), unbalanced quotes and parentheses, lone operators, deep nesting, huge queries:
    # a tree or a one-line QueryError, nothing else, and quickly.
    try:
        node = parse_query(query)
    except QueryError as exc:
        assert_one_line_error(exc)
        return
    assert positive_terms(node), "a parsed query always has a term that must occur"
    for term in positive_terms(node):
        assert term.text.strip() and normalise_text(term.text) == term.text
    assert not matches(node, ""), "a parsed query cannot match a text holding none of its terms"
    assert parse_query(query) == node


WORDS = st.text(st.sampled_from(list("钍基熔盐ab1-()., \n\u3000ＯＲORANDT（）\u200b😀")), min_size=1, max_size=6).filter(
    lambda w: normalise_text(w).strip() != "")


@settings(max_examples=400, deadline=timedelta(seconds=1))
@given(valid_queries(WORDS), st.data())
def test_a_typed_query_means_the_tree_it_was_typed_from(query, data):
    # Words are quoted where the syntax would read them otherwise; exclusions are typed as -word, -"phrase",
    # -(group), NOT word and NOT (group); AND is sometimes written out.
    node = parse_query(query.text)
    normalised = [normalise_text(w) for w in query.terms]
    pieces = st.sampled_from(normalised + ["钍", " ", "\n", "x"])
    for text in data.draw(st.lists(st.lists(pieces, max_size=8).map("".join), min_size=1, max_size=8)):
        assert matches(node, text) == query.holds(normalised, text), (query.text, text)
