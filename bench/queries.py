"""A deterministic query set drawn from the indexed texts: rare and frequent words, substrings across
jieba word boundaries, several terms, quoted phrases, OR / NOT, and filtered queries."""
from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Callable

from bench.benchquery import BenchQuery
from bench.reference import Variants
from bench.words import jieba, words
from search.query import QueryError, parse_query

# Share of each kind in the query set.
MIX = {"rare": 12, "frequent": 12, "substring": 20, "multi": 14, "phrase": 12, "boolean": 14, "filtered": 16}
SAMPLE_TEXTS = 500  # texts that document frequencies are estimated on
CANDIDATE_TEXTS = 200  # texts whose words make up the candidate pool
WINDOW = 300  # characters of a text that one draw looks at
RARE_MAX = 10  # at most this many variants contain a rare word (a story has up to 12 variants)
FREQUENT_MIN = 0.05  # at least this share of the variants contains a frequent word
ATTEMPTS = 20  # draws per wanted query before a kind gives up (tiny corpora)
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
BOOLEAN_FORMS = ("{a} OR {b}", "{a} -{b}", "{a} NOT ({b} OR {c})", "({a} OR {b}) {c}")


def _cjk_words(text: str) -> list[str]:
    """jieba words of `text` made only of CJK ideographs, two characters or more."""
    return [w for w in words(text) if len(w) >= 2 and CJK_RUN.fullmatch(w)]


class _Draw:
    """Random draws from the corpus texts, with document frequencies estimated on a fixed sample."""

    def __init__(self, variants: Variants, rng: random.Random) -> None:
        self.variants = variants
        self.rng = rng
        self.sample = [variants.norm[i] for i in rng.sample(range(len(variants)), min(len(variants), SAMPLE_TEXTS))]
        self._share: dict[str, float] = {}
        pool: dict[str, None] = {}  # ordered and unique, so the draws stay deterministic
        for _ in range(min(len(variants), CANDIDATE_TEXTS)):
            pool.update(dict.fromkeys(_cjk_words(self.window(self.text()[1]))))
        self.candidates = list(pool)

    def text(self) -> tuple[int, str]:
        """A random variant's position and normalised text."""
        i = self.rng.randrange(len(self.variants))
        return i, self.variants.norm[i]

    def window(self, text: str, width: int = WINDOW) -> str:
        """A random stretch of `text`."""
        start = self.rng.randrange(max(1, len(text) - width))
        return text[start:start + width]

    def share(self, word: str) -> float:
        """Estimated share of the variants whose text contains `word`."""
        if word not in self._share:
            self._share[word] = sum(word in t for t in self.sample) / max(1, len(self.sample))
        return self._share[word]

    def count(self, word: str) -> int:
        """Exact number of variants whose text contains `word` (a full scan)."""
        return sum(word in t for t in self.variants.norm)


def _rare(draw: _Draw, n: int) -> list[str]:
    """Words that at most RARE_MAX variants contain: candidates unseen in the sample, checked exactly."""
    unseen = [w for w in draw.candidates if draw.share(w) * len(draw.sample) <= 1]
    draw.rng.shuffle(unseen)
    return [w for w in unseen[:n * 4] if draw.count(w) <= RARE_MAX][:n]


def _frequent(draw: _Draw, n: int) -> list[str]:
    """Words in at least FREQUENT_MIN of the variants (or the most frequent candidates in a small corpus)."""
    ranked = sorted(draw.candidates, key=lambda w: (-draw.share(w), w))
    pool = [w for w in ranked if draw.share(w) >= FREQUENT_MIN] or ranked[:n]
    return draw.rng.sample(pool, min(n, len(pool)))


def _substring(draw: _Draw) -> str | None:
    """2-8 ideographs of a text that start or end inside a jieba word and span a word boundary."""
    window = draw.window(draw.text()[1], 40)
    ends = [0]
    for word in jieba().lcut(window):  # every token, whitespace too, so that the offsets add up
        ends.append(ends[-1] + len(word))
    inner = ends[2:-2]  # boundaries at the window's edges are artefacts of the cut
    if not inner:
        return None
    boundary = draw.rng.choice(inner)
    length = draw.rng.randint(2, 8)
    start = boundary - draw.rng.randint(1, length - 1)
    if start in ends and start + length in ends:  # whole words on both sides: not across a boundary
        return None
    piece = window[max(0, start):start + length]
    return piece if len(piece) >= 2 and CJK_RUN.fullmatch(piece) else None


def _multi(draw: _Draw) -> str | None:
    """Two or three words from one text."""
    found = list(dict.fromkeys(_cjk_words(draw.window(draw.text()[1]))))
    k = draw.rng.randint(2, 3)
    return " ".join(draw.rng.sample(found, k)) if len(found) >= k else None


def _phrase(draw: _Draw) -> str | None:
    """A quoted 4-12 character stretch of a text, punctuation included."""
    piece = draw.window(draw.text()[1], draw.rng.randint(4, 12))
    if '"' in piece or "\n" in piece or piece != piece.strip() or not re.search(r"\w", piece):
        return None
    return f'"{piece}"'


def _boolean(draw: _Draw) -> str | None:
    """OR and NOT over candidate words."""
    a, b, c = draw.rng.sample(draw.candidates, 3)
    return draw.rng.choice(BOOLEAN_FORMS).format(a=a, b=b, c=c)


def _filtered(draw: _Draw, form: int) -> BenchQuery | None:
    """A word of one variant, filtered to its source, its publication, a date range around it, or both."""
    i, text = draw.text()
    found = _cjk_words(draw.window(text))
    if not found:
        return None
    q = draw.rng.choice(found)
    variants = draw.variants
    publication, day = variants.publication[i], variants.date[i]
    if form == 0 or publication is None or day is None:
        return BenchQuery("filtered", q, sources=(variants.source[i], draw.rng.choice(variants.source)))
    around = date.fromisoformat(day)
    start = (around - timedelta(days=draw.rng.randint(0, 2))).isoformat()
    end = (around + timedelta(days=draw.rng.randint(0, 2))).isoformat()
    if form == 1:
        return BenchQuery("filtered", q, publication=publication)
    if form == 2:
        return BenchQuery("filtered", q, date_from=start, date_to=end)
    return BenchQuery("filtered", q, publication=publication, date_from=start, date_to=end)


def _repeat(n: int, make: Callable[[int], BenchQuery | None]) -> list[BenchQuery]:
    """Up to n queries from a draw that may fail; `make` gets the attempt number."""
    made: list[BenchQuery] = []
    for attempt in range(n * ATTEMPTS):
        if len(made) == n:
            break
        if (query := make(attempt)) is not None:
            made.append(query)
    return made


def _of(kind: str, q: str | None) -> BenchQuery | None:
    return None if q is None else BenchQuery(kind, q)


def make_queries(variants: Variants, seed: int, total: int) -> list[BenchQuery]:
    """About `total` distinct valid queries in MIX proportions; the same for the same texts and seed."""
    rng = random.Random(f"bench-queries:{seed}")
    draw = _Draw(variants, rng)
    wanted = {kind: max(1, round(total * share / sum(MIX.values()))) for kind, share in MIX.items()}
    queries = [BenchQuery("rare", w) for w in _rare(draw, wanted["rare"])]
    queries += [BenchQuery("frequent", w) for w in _frequent(draw, wanted["frequent"])]
    queries += _repeat(wanted["substring"], lambda _: _of("substring", _substring(draw)))
    queries += _repeat(wanted["multi"], lambda _: _of("multi", _multi(draw)))
    queries += _repeat(wanted["phrase"], lambda _: _of("phrase", _phrase(draw)))
    if len(draw.candidates) >= 3:
        queries += _repeat(wanted["boolean"], lambda _: _of("boolean", _boolean(draw)))
    queries += _repeat(wanted["filtered"], lambda attempt: _filtered(draw, attempt % 4))
    return [q for q in dict.fromkeys(queries) if _valid(q)]


def _valid(query: BenchQuery) -> bool:
    """Whether the query parses and its request is accepted."""
    try:
        parse_query(query.q)
        query.request(limit=10)
    except (QueryError, ValueError):
        return False
    return True
