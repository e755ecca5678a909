"""Parse a researcher's query into a tree of literal terms joined by AND, OR and NOT.

Syntax: space-separated terms must all occur (AND); "quoted phrases" may hold
spaces; `OR` between two parts; `-term` or `NOT term` excludes; parentheses
group. Every term is normalised like the indexed text, and a variant matches a
term exactly when the term is a substring of its normalised text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from indexer.normalise import normalise_text
from indexer.script import ALSO_SPELLED

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
# The parser recurses per level of parentheses, so nesting is bounded well below Python's recursion limit.
MAX_DEPTH = 32
# Forms a term is spelled out to (see spellings); the first characters that have another spelling are spelled out.
MAX_SPELLINGS = 16
QUOTES = '"\uff02'
# A quoted phrase (with the group openings and the minus glued before it), or a word.
_TOKEN = re.compile(r'\s*(?:(?P<opening>(?:-?\()*)(?P<quoted>-?["\uff02][^"\uff02]*["\uff02]?)|(?P<word>[^\s"\uff02]+))')


class QueryError(ValueError):
    """A malformed query; the message says what is wrong in one line."""


@dataclass(frozen=True)
class Term:
    """A literal: must occur in the normalised text."""

    text: str
    raw: str


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    child: "Node"


Node = Union[Term, And, Or, Not]


def _openings(word: str) -> tuple[list[str], str]:
    """Split the group openings off the front of a word: "(" opens a group, "-(" excludes one."""
    tokens = []
    while word.startswith(("(", "-(")):
        if word[0] == "-":
            tokens.append("NOT")
        tokens.append("(")
        word = word[2 if word[0] == "-" else 1:]
    return tokens, word


def _lex(query: str) -> list[str]:
    """Split into words, quoted phrases (kept with their quotes) and grouping parentheses."""
    tokens: list[str] = []
    pos = 0
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
        quoted = match.group("quoted")
        opened, word = _openings(match.group("opening") if quoted else match.group("word"))
        tokens += opened
        if quoted:
            tokens.append(quoted)
            continue
        # Parentheses group only at the edges of a word: 光源(HEPS) stays one literal term.
        core = word.rstrip(")")
        keep = min(len(word) - len(core), max(0, core.count("(") - core.count(")")))
        if core:
            tokens.append(core + ")" * keep)
        tokens.extend(")" * (len(word) - len(core) - keep))
    return tokens


class _Parser:
    """Recursive descent over the lexed tokens."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.terms = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.conjunction()
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.peek()!r}: a ')' without its '('")
        return node

    def conjunction(self) -> Node:
        parts = []
        while self.peek() not in (None, ")"):
            if self.peek() == "AND":
                self.take()
                if not parts or self.peek() in (None, ")", "OR", "AND"):
                    raise QueryError("AND needs a term on each side")
                continue
            parts.append(self.disjunction())
        if not parts:
            if not self.depth:  # a ')' before any term (a blank query is refused before parsing)
                raise QueryError(f"unexpected {self.peek()!r}: a ')' without its '('")
            if self.peek() is None:
                raise QueryError("unbalanced parentheses: '(' without ')'")
            raise QueryError("empty group '()'")
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def disjunction(self) -> Node:
        if self.peek() == "OR":
            raise QueryError("OR needs a term on each side")
        parts = [self.unary()]
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")", "OR", "AND"):
                raise QueryError("OR needs a term on each side")
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def unary(self) -> Node:
        token = self.peek()
        if token == "NOT":
            self.take()
            if self.peek() in (None, ")", "OR", "AND", "NOT"):
                raise QueryError("NOT needs a term after it")
            return Not(self.unary())
        if token is not None and token.startswith("-") and len(token) > 1:
            self.take()
            return Not(self.term(token[1:]))
        return self.atom()

    def atom(self) -> Node:
        token = self.take()
        if token == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"parentheses nested too deeply (at most {MAX_DEPTH} levels)")
            node = self.conjunction()
            if self.peek() != ")":
                raise QueryError("unbalanced parentheses: '(' without ')'")
            self.take()
            self.depth -= 1
            return node
        return self.term(token)

    def term(self, token: str) -> Node:
        raw = token
        if token[0] in QUOTES:
            if len(token) < 2 or token[-1] not in QUOTES:
                raise QueryError(f"unbalanced quote in {raw!r}")
            token = token[1:-1]
        text = normalise_text(token)
        if not text.strip():
            raise QueryError(f"{raw!r} has nothing to search for")
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"too many terms (at most {MAX_TERMS})")
        forms = spellings(text)
        return Term(text, raw) if len(forms) == 1 else Or(tuple(Term(form, raw) for form in forms))


def spellings(text: str) -> list[str]:
    """A normalised term and its traditional spellings that normalisation leaves as printed, the term first.

    Folding cannot turn 於 into 于, since simplified text prints 於 too (a
    surname), but a traditional page prints 关于 as 關於, folded to 关於. A term
    of two or more characters is also spelled with such characters (关于: 关於;
    线上: 線上), where they are the same word; a lone 于 stays itself.
    """
    if len(text) < 2:
        return [text]
    forms = [""]
    for char in text:
        options = char + ALSO_SPELLED.get(char, "")
        if len(forms) * len(options) > MAX_SPELLINGS:
            options = char
        forms = [form + option for form in forms for option in options]
    return forms


def has_positive(node: Node) -> bool:
    """True when every text the node matches holds one of its terms, so that it cannot match everything:
    exactly when it does not match the empty text (NOT -x requires x; x OR -y requires nothing)."""
    return not matches(node, "")


def _quoting_hint(query: str) -> str:
    """For a query of one word starting with '-' (as a shell passes -钍基熔盐), how to search for the word."""
    if len(query) < 2 or query[0] != "-" or query[1] in QUOTES or any(c.isspace() for c in query):
        return ""
    return f", or to search for the text itself, quote it: {repr(chr(34) + query + chr(34))}"


def parse_query(query: str) -> Node:
    """Parse and validate a query; raises QueryError with a one-line message."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(query)} characters, at most {MAX_QUERY_CHARS})")
    if any("\ud800" <= c <= "\udfff" for c in query):
        raise QueryError("query is not valid UTF-8 text")
    if not query.strip():
        raise QueryError("empty query")
    node = _Parser(_lex(query)).parse()
    if not has_positive(node):
        raise QueryError("a query needs at least one term that must occur, not only excluded terms"
                         + _quoting_hint(query.strip()))
    return node


def positive_terms(node: Node) -> list[Term]:
    """The terms that a match may contain (under an even number of NOTs), in query order, without repeats."""
    found: list[Term] = []

    def walk(n: Node, excluded: bool) -> None:
        if isinstance(n, Term):
            if not excluded and n.text not in (t.text for t in found):
                found.append(n)
        elif isinstance(n, Not):
            walk(n.child, not excluded)
        else:
            for child in n.children:
                walk(child, excluded)

    walk(node, False)
    return found


def matches(node: Node, text: str) -> bool:
    """Whether normalised `text` satisfies the query: the reference semantics, a plain substring search."""
    if isinstance(node, Term):
        return node.text in text
    if isinstance(node, Not):
        return not matches(node.child, text)
    if isinstance(node, And):
        return all(matches(c, text) for c in node.children)
    return any(matches(c, text) for c in node.children)
