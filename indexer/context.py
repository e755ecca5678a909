"""A piece read in the context of its page: the title, kicker, sub-head or page furniture it is,
and whether the text under a heading goes on with the article above (see indexer.cohesion)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.blocks import Kind, Piece, ends_sentence, script_shape, title_shaped
from indexer.cohesion import bigrams, coverage, echoes, similarity
from indexer.normalise import is_cjk, normalise_text
from indexer.records import Article, Block

# Why segmentation started an article where it did (Article.cut): at a head element (kicker, byline, dateline,
# marker), at a heading it read as a title rather than a sub-head, or with text after an article that a closing
# dateline or jump line had closed. A heading is the one of these a sub-head can be mistaken for.
HEAD_CUT, HEADING_CUT, CLOSED_CUT = "head", "heading", "closed"
CUTS = (HEAD_CUT, HEADING_CUT, CLOSED_CUT)

# Pages leave two or more blank lines where a photo sits in the column.
PHOTO_GAP_BLANKS = 2
# A caption is a few short paragraphs ending in a credit; more or longer is body text.
MAX_CAPTION_PIECES = 3
MAX_CAPTION_CHARS = 200
# A captioning sentence with no credit is accepted only this short.
MAX_UNCREDITED_CAPTION_CHARS = 60

# A heading with no head element under it (no byline, dateline or kicker) is a new
# article's title when the text under it is on another subject than the article above:
# when the two share too few character bigrams (see indexer.cohesion). The comparison
# reads this much of the article, back from the heading ...
ABOVE_WINDOW = 600
# ... and this much below it.
BELOW_CHARS = 300
# Neither reading takes in more pieces than this, so that every decision costs the same.
MAX_PIECES_READ = 30
# With less text than this on either side, the heading is taken for a sub-head.
MIN_ABOVE_CHARS = 100
MIN_BELOW_CHARS = 100
# Bigram overlap between short texts is noisy: with less text above than this, the similarity
# has to fall further below the threshold, which shrinks in proportion down to nothing at
# MIN_ABOVE_CHARS (a brief of 100 to 200 characters and the article after it).
FULL_ABOVE_CHARS = 200
# Bigram-set cosine under which the text below is on another subject. Measured on the generated
# benchmark (bench/generate.py, 10k): 86% of titles score under it and 8% of the other short
# lines it is asked about, many of which do end an article (an editor's name, a source line);
# the seed pages' sub-heads score 0.063 to 0.42. At 0.03, 65% and 4%.
NEW_TOPIC_SIMILARITY = 0.04
# A heading of a few letters ("婚俗", "背景", "猜想") names a section far more often than an article:
# 19% of the benchmark's other short lines are this short and 3% of its titles.
SHORT_HEADING_CHARS = 4
SHORT_HEADING_SIMILARITY = 0.02
# A paragraph opening with a dateline is the start of another article unless the article so
# far holds this share of its bigrams: then it is the same paragraph printed again.
REPRINT_SHARE = 0.8
# Section numbering ("一、", "2.", "(三)", "第四节", "法则一 ", "其二：") or a lead-in colon marks a sub-head:
# titles have neither.
SUBHEAD_SHAPE = re.compile(
    r"\s*(?:[(（]\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[)）]|[0-9０-９一二三四五六七八九十]{1,3}[、.．](?![0-9０-９])"
    r"|第[0-9０-９一二三四五六七八九十百]{1,3}[章节条部步课招]|[①-⑳]"
    r"|(?:(?![一二三四五六七八九十])[\u4e00-\u9fff]){1,3}[一二三四五六七八九十]{1,2}(?:\s|[:：、.．]))"
    r"|.*[:：]\s*$"
)
# Pieces read past a heading to find the paragraph it heads (subtitle, byline, dateline, marker ...).
MAX_HEAD_PIECES = 6
# The rank of a bold paragraph among markdown heading levels: under all of them.
BOLD_LEVEL = 7
# A kicker (引题) above a headline names a column or a theme in a few words.
MAX_KICKER_CHARS = 16
# A brief (a news item of a paragraph or two) is at most this long.
MAX_BRIEF_CHARS = 600
# A title's first paragraph is longer than this; a shorter line under a title candidate is a fragment.
MIN_LEAD_CHARS = 16
# A piece opening with these goes on with a sentence: the line above it is not a heading.
CONTINUING = tuple("，,、；;。！!？?：:）)”’」』")
NON_LETTER = re.compile(r"[\W_]+")


@dataclass
class Draft:
    """An article being assembled, with the state that segmentation keeps for it."""

    article: Article
    # Normalised text of everything the article holds: an OCR repeat is dropped on sight.
    seen: set[str] = field(default_factory=set)
    closed: bool = False  # a closing dateline was printed: what follows is another article
    ended: bool = False  # an end mark was printed: a heading after it is another article's title
    has_body: bool = False
    body_pieces: list[int] = field(default_factory=list)  # indices of the pieces its body came from
    open_paragraph: list[str] = field(default_factory=list)  # pieces of a sentence a column break cut
    held_captions: list[Block] = field(default_factory=list)  # captions printed inside that sentence


class PageContext:
    """The pieces of a page and the article being built; what each piece is, judged in that context."""

    def __init__(self, pieces: list[Piece]) -> None:
        self.pieces = pieces
        self.drafts: list[Draft] = []
        # The text article that body goes to; a standalone photo never becomes it.
        self.current: Draft | None = None
        self.after_headings = _index_after_headings(pieces)
        self.bigram_sets: list[set[str] | None] = [None] * len(pieces)

    def _is_heading(self, i: int) -> bool:
        """True if piece i is set as a heading: marked up as one, or a plain line set like a title."""
        piece = self.pieces[i]
        if piece.kind is Kind.HEADING:
            return True
        if piece.kind is not Kind.BODY or not piece.title_like:
            return False
        if piece.two_part:
            return True
        if not self._heads_article(i + 1):
            return False
        # A line with a comma in it is a title only above the head of an article, not above
        # a dateline on its own line, which may be closing the article that the line ends.
        return piece.headline_like or self.pieces[i + 1].kind is not Kind.DATELINE

    def _is_plain_title(self, i: int) -> bool:
        """True if piece i, a plain short line with only body under it, is the title of a new article.

        Such a line can be a heading where it stands between a finished sentence (or the
        page's start) and a paragraph; after an unfinished one, it is more of that sentence
        unless the subject changes under it. It is taken for a title where a heading would
        start an article (see _starts_article); otherwise it stays in the body as printed,
        sub-head or not.
        """
        piece = self.pieces[i]
        if piece.kind is not Kind.BODY or not piece.title_like or i + 1 >= len(self.pieces):
            return False
        following = self.pieces[i + 1]
        if following.kind is not Kind.BODY or following.text.startswith(CONTINUING):
            return False
        if following.headline_like or len(following.text) < MIN_LEAD_CHARS:
            # An author's name or a dateline cut by a column break can stand between a title
            # and its first paragraph; two short lines and no paragraph are something else
            # ("共找到14,515" over "个相关网页.": one sentence that a column break cut).
            after = self.pieces[i + 2] if i + 2 < len(self.pieces) else None
            if after is None or after.kind is not Kind.BODY or after.headline_like:
                return False
        draft = self.current
        if draft is not None and normalise_text(piece.text) in draft.seen:
            return False  # printed again: it goes where the body's repeats go
        if draft is not None and not draft.closed and draft.open_paragraph:
            # The line may be more of a sentence that a column break cut, or the article above
            # may have ended on a line with no full stop (an editor's name, a source, a copy cut
            # short): a title only where the text under it is on another subject.
            return draft.has_body and (self._echoes_lead(i) or self._changes_subject(i, draft))
        return self._starts_article(i, draft)

    def _is_furniture(self, i: int) -> bool:
        """True if piece i is page furniture: a lone title-shaped heading or label line at the page's foot
        ("民有所呼 我有所应 人大代表风采录"), the one text a page holds that goes in no article.

        A sub-head level ("### 附件") or a heading that is no title ("**个相关网页.**") at the foot is
        the last line of the article above, and stays with it.
        """
        piece = self.pieces[i]
        if i != len(self.pieces) - 1 or piece.level > 1 or piece.lines > 1:
            return False
        return (piece.kind is Kind.LABEL or self._is_heading(i)) and title_shaped(piece.text)

    def _is_kicker(self, i: int) -> bool:
        """True if piece i, a short unpunctuated line after a finished paragraph or a closed article, is
        the kicker (引题) set above the next article's headline: the line under it is a title that
        starts an article."""
        piece = self.pieces[i]
        draft = self.current
        if piece.kind is not Kind.BODY or not piece.headline_like or len(piece.text) > MAX_KICKER_CHARS:
            return False
        if draft is not None and not draft.closed and (not draft.has_body or draft.open_paragraph):
            return False  # a closed article (a jump, a closing dateline) has nothing more to come
        if i + 1 >= len(self.pieces):
            return False
        if self._is_heading(i + 1):
            return self._starts_article(i + 1, draft)
        return self._is_plain_title(i + 1)

    def _starts_article(self, i: int, draft: Draft | None) -> bool:
        """True if heading i is a new article's title rather than a sub-head of `draft`."""
        if draft is None or draft.closed:
            return True
        if not draft.has_body:
            return False
        after = self.after_headings[i + 1] if i + 1 < len(self.pieces) else len(self.pieces)
        if self._outranked(i, after) or _ends_with_stop(self.pieces[i].text):
            return False
        if self._echoes_lead(i):
            return True
        if draft.ended or self.pieces[i].level == 1 or self._heads_article(after):
            return True
        return self._changes_subject(i, draft)

    def _echoes_lead(self, i: int) -> bool:
        """True if heading i repeats the opening of the first paragraph under it (past the headings,
        bylines and datelines between): a headline set from its lead, not a sub-head."""
        for j in range(i + 1, min(i + MAX_HEAD_PIECES, len(self.pieces))):
            piece = self.pieces[j]
            if piece.kind is Kind.BODY and not piece.headline_like:
                return echoes(self.pieces[i].text, piece.text)
            if piece.kind is Kind.BODY or piece.kind is Kind.CAPTION:
                return False
        return False

    def _outranked(self, i: int, end: int) -> bool:
        """True if a heading of a higher level follows heading i before piece `end` ("### 附表" or
        "**附表**" then "# 新标题"): the new article starts there, and heading i closes the article above.
        A bold paragraph ranks under every markdown level, as pages set sub-heads in bold."""
        level = self.pieces[i].level or (BOLD_LEVEL if self.pieces[i].kind is Kind.HEADING else 0)
        return level > 1 and any(0 < self.pieces[j].level < level for j in range(i + 1, end))

    def _heads_article(self, j: int) -> bool:
        """True if piece j is printed between an article's title and its body.

        A dateline on a line of its own can also close the article above it: it does when
        it is bracketed, "(新华社北京12月6日电)", or when no paragraph follows it.
        """
        if j >= len(self.pieces):
            return False
        piece = self.pieces[j]
        if piece.kind is Kind.END_CREDIT:  # an author or source line above a paragraph: a byline
            return j + 1 < len(self.pieces) and self.pieces[j + 1].kind is Kind.BODY
        if not piece.opens_article:
            return False
        if piece.kind is not Kind.DATELINE:
            return True
        if piece.text.startswith(("(", "（")) or j + 1 >= len(self.pieces):
            return False
        following = self.pieces[j + 1]
        return following.kind is Kind.BODY and not following.title_like

    def _changes_subject(self, i: int, draft: Draft) -> bool:
        """True if the text under heading i shares too little vocabulary with `draft` to go on with it.

        The heading's own words count with the text under it, as TextTiling counts a
        section's first sentence. Numbered or colon-ended headings are sub-heads whatever
        their words, and so is a heading with too little text on either side to compare.
        """
        if SUBHEAD_SHAPE.match(script_shape(self.pieces[i].text)):
            return False
        start = self.after_headings[i + 1] if i + 1 < len(self.pieces) else len(self.pieces)
        below, below_chars = self._text_below(start)
        above, above_chars = self._text_above(draft)
        if below_chars < MIN_BELOW_CHARS or above_chars < MIN_ABOVE_CHARS:
            return False
        short = len(NON_LETTER.sub("", self.pieces[i].text)) <= SHORT_HEADING_CHARS
        threshold = SHORT_HEADING_SIMILARITY if short else NEW_TOPIC_SIMILARITY
        threshold *= min(1.0, (above_chars - MIN_ABOVE_CHARS) / (FULL_ABOVE_CHARS - MIN_ABOVE_CHARS))
        return similarity(above, below | self._bigrams(i)) < threshold

    def _continues_in_lead(self, i: int) -> bool:
        """True if body piece i, which opens with a dateline or marker, still belongs to the current article.

        It does when the article already holds nearly all of its words (the same paragraph
        printed again, with other OCR errors), and when it opens with a dateline and goes on
        with the article's subject (a report made of several dispatches). A new article
        has a title above its dateline; this is for a dateline with body text above it.
        """
        draft = self.current
        if draft is None or draft.closed or not draft.has_body:
            return False
        above, _ = self._text_above(draft)
        if coverage(self._bigrams(i), above) >= REPRINT_SHARE:
            return True
        if not self.pieces[i].dateline:
            return False
        if not (draft.article.title or draft.article.continuation) and draft.article.dateline \
                and sum(len(self.pieces[j].text) for j in draft.body_pieces) <= MAX_BRIEF_CHARS:
            # Briefs printed without headlines are told apart by their datelines alone (本报讯 ...).
            return False
        below, _ = self._text_below(i)
        return similarity(above, below) >= NEW_TOPIC_SIMILARITY

    def _text_below(self, start: int) -> tuple[set[str], int]:
        """Bigrams and length of the body text from piece `start` on, up to BELOW_CHARS.

        The reading goes past headings, as an article can open with a short paragraph and
        a sub-head, and stops at the head of another article.
        """
        grams: set[str] = set()
        chars = 0
        for j in range(start, min(start + MAX_PIECES_READ, len(self.pieces))):
            piece = self.pieces[j]
            if chars >= BELOW_CHARS:
                break
            if piece.kind in (Kind.CAPTION, Kind.CREDIT, Kind.HEADING):
                continue
            if piece.kind is not Kind.BODY:
                break
            if piece.headline_like:
                continue  # a plain heading or a name
            grams |= self._bigrams(j)
            chars += len(piece.text)
        return grams, chars

    def _text_above(self, draft: Draft) -> tuple[set[str], int]:
        """Bigrams and length of the draft's body, read back from its end for ABOVE_WINDOW characters."""
        grams: set[str] = set()
        chars = 0
        for j in reversed(draft.body_pieces[-MAX_PIECES_READ:]):
            grams |= self._bigrams(j)
            chars += len(self.pieces[j].text)
            if chars >= ABOVE_WINDOW:
                break
        return grams, chars

    def _bigrams(self, i: int) -> set[str]:
        """Bigrams of piece i, worked out once."""
        grams = self.bigram_sets[i]
        if grams is None:
            grams = self.bigram_sets[i] = bigrams(self.pieces[i].text)
        return grams

    def _photo_end(self, i: int) -> int:
        """End index of a photo's title and caption starting at piece i, or 0 if none starts there."""
        first = self.pieces[i]
        if first.blank_before < PHOTO_GAP_BLANKS or first.kind not in (Kind.BODY, Kind.CAPTION, Kind.CREDIT):
            return 0
        titled = first.kind is Kind.BODY and first.headline_like
        stop = min(len(self.pieces), i + titled + MAX_CAPTION_PIECES)
        for j in range(i + titled, stop):
            piece = self.pieces[j]
            if piece.kind is Kind.CREDIT:
                return j + 1
            if piece.kind is Kind.CAPTION:
                credited = j + 1 < len(self.pieces) and self.pieces[j + 1].kind is Kind.CREDIT
                return j + 1 + credited
            if piece.kind is not Kind.BODY or piece.has_lead or len(piece.text) > MAX_CAPTION_CHARS:
                break
        # A caption with no credit: one short sentence right above the head of the article it illustrates.
        following = self.pieces[i + 1] if i + 1 < len(self.pieces) else None
        if (
            not titled and first.kind is Kind.BODY and not first.has_lead
            and len(first.text) <= MAX_UNCREDITED_CAPTION_CHARS and ends_sentence(first.text)
            and following is not None and following.opens_article
        ):
            return i + 1
        return 0

    def _continues_current(self, i: int) -> bool:
        """True if piece i carries on the current article, so a photo just before it is that article's."""
        draft = self.current
        if draft is None or draft.closed:
            return False
        if draft.open_paragraph:
            return True
        if i >= len(self.pieces):
            return False
        piece = self.pieces[i]
        if piece.kind in (Kind.CAPTION, Kind.CREDIT):
            return True
        if piece.kind is Kind.BODY and not piece.has_lead and not self._is_heading(i):
            return True
        return not draft.has_body and piece.opens_article


def _ends_with_stop(text: str) -> bool:
    """True for a heading that ends a sentence ("**个相关网页.**", "**请点击这里。**"): no title does."""
    return text.endswith(("。", "！", "？", "!", "?")) or (len(text) > 1 and text[-1] in ".．" and is_cjk(text[-2]))


def _index_after_headings(pieces: list[Piece]) -> list[int]:
    """For each piece, the index of the first piece at or after it that is not heading-like."""
    after = [len(pieces)] * (len(pieces) + 1)
    for i in range(len(pieces) - 1, -1, -1):
        piece = pieces[i]
        heading_like = piece.kind in (Kind.HEADING, Kind.LABEL) or (piece.kind is Kind.BODY and piece.two_part)
        after[i] = after[i + 1] if heading_like else i
    return after[:len(pieces)]
