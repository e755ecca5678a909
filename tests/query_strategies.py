"""Hypothesis strategies for queries: hostile strings of any kind, and valid queries built from a tree
whose meaning is known, rendered the way a researcher would type them."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from search.query import MAX_DEPTH, MAX_QUERY_CHARS

# Every code point, lone surrogates, NUL and the other control characters included.
ANY_CHARACTER = st.characters(exclude_categories=())
PIECES = [
    # operators, alone, glued and unbalanced
    "OR", "AND", "NOT", "-", "--", "(", ")", "()", "(()", "-(", '"', "＂", '-"', "'", "or", "and", "not",
    # full-width operators and brackets, which are literal text
    "ＯＲ", "ＡＮＤ", "ＮＯＴ", "（", "）", "－", "＂钍基＂",
    # direction marks, combining marks, zero-width and other invisible characters
    "\u200f", "\u200e", "\u202e", "\u2067", "\u0301", "\u20dd", "\u200b", "\u200d", "\ufeff", "\u00ad",
    # emoji, with skin tone and joined sequences
    "😀", "👍🏽", "👨\u200d👩\u200d👧", "🇨🇳",
    # control characters and line separators
    "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\r", "\n", "\t", "\x0b", "\u3000",
    # characters NFKC expands or folds, and a lone surrogate
    "ﷺ", "㍻", "ﬁ", "İ", "½", "\ud800", "\udcff",
    # words of the seed pages' story
    "钍基熔盐", "熔盐", "钎基", "实验堆", "72TB", "ＧＰＵ", "1.64小时", "光源(HEPS)", '"(HEPS)"', "新华社", "的", "，", "。",
]
PIECE = st.one_of(st.sampled_from(PIECES), st.text(ANY_CHARACTER, min_size=1, max_size=3))


def nested(depth: int, core: str = "钍基", closing: int | None = None) -> str:
    """A term inside `depth` parentheses, closed `closing` times (balanced by default)."""
    return "(" * depth + core + ")" * (depth if closing is None else closing)


HOSTILE_QUERIES = st.one_of(
    st.text(ANY_CHARACTER, max_size=60),
    st.lists(PIECE, max_size=30).map(" ".join),
    st.lists(PIECE, max_size=30).map("".join),
    st.builds(nested, st.integers(0, MAX_DEPTH * 3), st.sampled_from(PIECES), st.none() | st.integers(0, 100)),
    # past the length limit, and just under it with as many terms as fit
    st.builds(lambda piece, extra: piece * (MAX_QUERY_CHARS // len(piece) + extra),
              st.sampled_from([p for p in PIECES if p]), st.integers(-2, 2)),
    st.builds(lambda words, times: " ".join(words * times)[:MAX_QUERY_CHARS],
              st.lists(st.sampled_from(PIECES), min_size=1, max_size=8), st.integers(20, 400)),
)


@dataclass(frozen=True)
class Query:
    """A query as typed and the predicate it stands for over a normalised text."""

    text: str
    terms: tuple[str, ...]  # the literal words, as typed
    tree: tuple  # ("term", i) | ("and"|"or", children) | ("not", child)

    def holds(self, normalised_terms: list[str], text: str) -> bool:
        """Whether `text` satisfies the tree, each term `i` read as `normalised_terms[i]`."""
        def walk(node: tuple) -> bool:
            kind = node[0]
            if kind == "term":
                return normalised_terms[node[1]] in text
            if kind == "not":
                return not walk(node[1])
            values = [walk(child) for child in node[1]]
            return all(values) if kind == "and" else any(values)

        return walk(self.tree)


OPERATORS = {"OR", "AND", "NOT"}


def typed(word: str) -> str:
    """A word as a researcher types it: in quotes where the query syntax would otherwise read it differently."""
    # A "(" left open inside a word takes the ")" after it as its own (光源(HEPS) is one term).
    unclosed = word.count("(") > word.count(")")
    if word in OPERATORS or word.startswith(("-", "(")) or word.endswith(")") or unclosed or any(c.isspace() for c in word):
        return f'"{word}"'
    return word


def _render(node: tuple, words: list[str], draw) -> str:
    kind = node[0]
    if kind == "term":
        return typed(words[node[1]])
    if kind == "not":
        child = node[1]
        if child[0] == "term" and draw(st.booleans()):
            return "-" + typed(words[child[1]])
        if child[0] != "term" and draw(st.booleans()):
            return "-(" + _render(child, words, draw) + ")"
        inner = _render(child, words, draw)
        return "NOT " + (inner if child[0] == "term" else f"({inner})")
    parts = [_render(c, words, draw) if c[0] in ("term", "not") else f"({_render(c, words, draw)})" for c in node[1]]
    if kind == "or":
        return " OR ".join(parts)
    joined = parts[0]
    for part in parts[1:]:
        joined += draw(st.sampled_from([" ", "  ", " AND ", "\u3000"])) + part
    return joined


def _tree(draw, term_count: int, depth: int, positive: bool) -> tuple:
    """A random tree over terms 0..term_count-1; a positive one cannot match a text holding none of them."""
    choices = ["term"] if depth == 0 else ["term", "term", "and", "or", "not"]
    kind = draw(st.sampled_from(choices))
    if kind == "term":
        return ("term", draw(st.integers(0, term_count - 1)))
    if kind == "not":
        # An exclusion is positive only when what it excludes matches everything else.
        return ("not", _tree(draw, term_count, depth - 1, positive=False)) if not positive \
            else ("and", (_tree(draw, term_count, depth - 1, True), ("not", _tree(draw, term_count, depth - 1, False))))
    size = draw(st.integers(2, 3))
    if kind == "or" or not positive:
        return (kind, tuple(_tree(draw, term_count, depth - 1, positive) for _ in range(size)))
    children = [_tree(draw, term_count, depth - 1, True)]
    children += [_tree(draw, term_count, depth - 1, draw(st.booleans())) for _ in range(size - 1)]
    return ("and", tuple(children))


@st.composite
def valid_queries(draw, words: st.SearchStrategy[str], max_depth: int = 3) -> Query:
    """A query that parses, over words drawn from `words` (none of them holding a quote)."""
    terms = draw(st.lists(words, min_size=1, max_size=5))
    tree = _tree(draw, len(terms), draw(st.integers(0, max_depth)), positive=True)
    return Query(_render(tree, terms, draw), tuple(terms), tree)
