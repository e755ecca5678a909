"""What the fuzzer runs on each input, with the invariants each stage must keep; no atheris here, so tests
replay crashing inputs through the same checks in their own process.

A target takes the fuzzer's bytes and returns normally when the input was handled as the library
promises: a result, or the one exception that means bad input (ReadError for a page or sidecar,
QueryError for a query). Anything else, or a broken invariant (an AssertionError), is a crash.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from indexer.metadata import index_terms
from indexer.normalise import Normalised, fold_char, normalise, normalise_text
from indexer.prepare import PreparedVariant, prepare_page
from indexer.decode import NotText, decode
from indexer.read import InputFile, ReadError, read_page
from indexer.records import Article, Page
from indexer.segment import segment_page
from search.query import And, Node, Not, Or, QueryError, Term, matches, parse_query, positive_terms

# Normalised spans checked per text: starting every this many characters, of lengths 1 to SPAN_LENGTHS.
SPAN_STRIDE = 37
SPAN_LENGTHS = 9
# Texts a parsed query is matched against: empty, plain, and with the characters the parser treats specially.
MATCH_TEXTS = ("", "钍基熔盐实验堆", "72tb 液态燃料\n新质生产力", '"(heps)" or not -钎基')


def non_space(text: str) -> str:
    return "".join(text.split())


def is_subsequence(needle: str, haystack: str) -> bool:
    chars = iter(haystack)
    return all(c in chars for c in needle)


def check_normalised(text: str, normalised: Normalised) -> None:
    """The offset map's invariants: every normalised character comes from an original one that folds to
    it, the map is monotone and survives packing, and normalising again changes nothing."""
    mapped = [normalised.to_original(i) for i in range(len(normalised.text))]
    assert mapped == sorted(mapped), "offset map is not monotone"
    for char, origin in zip(normalised.text, mapped):
        assert 0 <= origin < len(text), f"normalised {char!r} maps outside the original ({origin})"
        source = text[origin]
        assert char in fold_char(source) or (char in " \n" and source.isspace()), \
            f"normalised {char!r} maps to {source!r}"
    landed = [normalised.from_original(i) for i in range(len(text) + 1)]
    assert landed == sorted(landed) and all(0 <= n <= len(normalised.text) for n in landed), \
        "from_original is not monotone within the normalised text"
    # A snippet highlights the original span of a match: it must hold what was matched.
    for start in range(0, len(normalised.text), SPAN_STRIDE):
        for end in range(start + 1, min(start + SPAN_LENGTHS, len(normalised.text)) + 1):
            first, last = normalised.span_to_original(start, end)
            assert 0 <= first <= last <= len(text)
            assert non_space(normalised.text[start:end]) in non_space(normalise_text(text[first:last])), \
                f"span {start}:{end} maps to {text[first:last]!r}"
    again = Normalised.unpack(normalised.text, normalised.pack_offsets())
    assert [again.to_original(i) for i in range(len(normalised.text))] == mapped, "packing changes the map"
    assert normalise_text(normalised.text) == normalised.text, "normalising is not idempotent"


def check_articles(text: str, articles: list[Article]) -> None:
    """Segmentation invents no text (every part is a subsequence of the page's non-space characters) and
    numbers the articles in order."""
    source = non_space(text)
    assert [a.ordinal for a in articles] == list(range(len(articles))), "ordinals out of order"
    for article in articles:
        for part in article.head():
            assert is_subsequence(non_space(part), source), f"head part not on the page: {part!r}"
        for block in article.blocks:
            assert block.kind in ("body", "subhead", "caption"), block.kind
            assert block.text and is_subsequence(non_space(block.text), source), f"block not on the page: {block.text!r}"
        assert is_subsequence(non_space(article.body_text()), source), "body out of reading order"


def check_prepared(article: Article, variant: PreparedVariant) -> None:
    """A variant's stored parts agree with the article it came from."""
    assert variant.text == article.display_text()
    assert variant.norm == normalise_text(variant.text)
    assert "\n".join(variant.body()) == article.body_text(), "body lines do not cut out the article's body"
    assert variant.head_lines == len(article.head())
    unpacked = Normalised.unpack(variant.norm, variant.offsets)
    assert all(0 <= unpacked.to_original(i) < len(variant.text) for i in range(len(variant.norm)))
    assert len(variant.line_sketches()) == variant.body_lines
    # The body's stretch of the normalised text is what grouping compares: the body normalised on its own.
    normalised = Normalised.unpack(variant.norm, variant.offsets)
    body_start = len("\n".join(variant.text.split("\n")[:variant.head_lines])) + (1 if variant.head_lines else 0)
    body = article.body_text()
    stretch = variant.norm[normalised.from_original(body_start):normalised.from_original(body_start + len(body))]
    assert non_space(stretch) == non_space(normalise_text(body)), "the body's stretch differs from the body"


def fuzz_page(data: bytes) -> None:
    """Page bytes through decoding, normalising, segmenting and preparing, as `corpus index` reads a file."""
    try:
        text = decode(data).text
    except NotText as exc:
        assert len(str(exc).splitlines()) == 1, "NotText message is not one line"
        return
    check_normalised(text, normalise(text))
    articles = segment_page(text)
    assert segment_page(text) == articles, "segmentation is not deterministic"
    check_articles(text, articles)
    prepared = prepare_page(Page("fuzz", "fuzz.txt", text, "0" * 64))
    shown = [a for a in articles if a.display_text().strip()]
    assert len(prepared.variants) == len(shown)
    for article, variant in zip(shown, prepared.variants):
        check_prepared(article, variant)


class SidecarTarget:
    """Sidecar bytes read as `NAME.meta.json` beside a small page, then turned into index fields."""

    def __init__(self, scratch: Path) -> None:
        self.page = scratch / "page.txt"
        self.page.write_text("钍基熔盐实验堆\n\n新华社北京12月6日电 液态燃料钍基熔盐实验堆。\n", encoding="utf-8")
        self.sidecar = scratch / "page.meta.json"

    def __call__(self, data: bytes) -> None:
        self.sidecar.write_bytes(data)
        try:
            page, warnings = read_page(InputFile(self.page, "page", self.page.name))
        except ReadError as exc:
            assert len(str(exc).splitlines()) == 1, "ReadError message is not one line"
            return
        assert all(isinstance(k, str) for k in page.metadata)
        assert all(len(w.splitlines()) == 1 for w in warnings), "a warning is not one line"
        terms = index_terms(page.metadata)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in terms.items())


def satisfied_by_all_terms(node: Node) -> bool:
    """Whether a query without exclusions matches a text holding every one of its terms (it must)."""
    terms = [t.text for t in positive_terms(node)]
    return matches(node, "\n".join(terms))


def has_exclusion(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    return isinstance(node, (And, Or)) and any(has_exclusion(c) for c in node.children)


def fuzz_query(data: bytes) -> None:
    """A query string (invalid UTF-8 bytes become lone surrogates) through parsing and matching."""
    query = data.decode("utf-8", "surrogateescape")
    try:
        node = parse_query(query)
    except QueryError as exc:
        assert len(str(exc).splitlines()) == 1, f"QueryError message is not one line: {exc!r}"
        return
    terms = positive_terms(node)
    assert terms, "a parsed query has a term that must occur"
    assert all(isinstance(t, Term) and t.text.strip() and normalise_text(t.text) == t.text for t in terms)
    assert not matches(node, ""), "a parsed query matches the empty text"
    for text in MATCH_TEXTS:
        matches(node, text)
    if not has_exclusion(node):
        assert satisfied_by_all_terms(node), "a query without exclusions misses a text holding all its terms"
    assert parse_query(query) == node, "parsing is not deterministic"


# Each target made for a scratch directory it may write to.
TARGETS: dict[str, Callable[[Path], Callable[[bytes], None]]] = {
    "page": lambda scratch: fuzz_page,
    "sidecar": SidecarTarget,
    "query": lambda scratch: fuzz_query,
}
