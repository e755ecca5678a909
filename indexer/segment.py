"""Split one decoded OCR'd newspaper page into the articles printed on it, in reading order."""
from __future__ import annotations

from dataclasses import dataclass, field

from indexer.blocks import Kind, Piece, caption_text, collapse_repeated_sentences, ends_sentence, read_pieces
from indexer.normalise import is_cjk, join_lines, normalise_text
from indexer.records import Article, Block

# Pages leave two or more blank lines where a photo sits in the column.
PHOTO_GAP_BLANKS = 2
# A caption is a few short paragraphs ending in a credit; more or longer is body text.
MAX_CAPTION_PIECES = 3
MAX_CAPTION_CHARS = 200
# A captioning sentence with no credit is accepted only this short.
MAX_UNCREDITED_CAPTION_CHARS = 60

@dataclass
class _Draft:
    """An article being assembled, with the state that segmentation keeps for it."""

    article: Article
    # Normalised text of everything the article holds: an OCR repeat is dropped on sight.
    seen: set[str] = field(default_factory=set)
    closed: bool = False  # a closing dateline was printed: what follows is another article
    has_body: bool = False
    open_paragraph: list[str] = field(default_factory=list)  # pieces of a sentence a column break cut
    held_captions: list[Block] = field(default_factory=list)  # captions printed inside that sentence


def segment_page(text: str) -> list[Article]:
    """Split a page's text into articles, each with its head fields and blocks in reading order."""
    return _PageSegmenter(read_pieces(text)).run()


class _PageSegmenter:
    """One pass over a page's pieces, deciding for each which article it belongs to and as what."""

    def __init__(self, pieces: list[Piece]) -> None:
        self.pieces = pieces
        self.drafts: list[_Draft] = []
        # The text article that body goes to; a standalone photo never becomes it.
        self.current: _Draft | None = None
        self.after_headings = _index_after_headings(pieces)

    def run(self) -> list[Article]:
        i = 0
        while i < len(self.pieces):
            i = self._take(i)
        articles = []
        for draft in self.drafts:
            _flush_paragraph(draft)
            article = draft.article
            article.title = _join_wrapped_title(article.title, article.body_text())
            if article.display_text():
                article.ordinal = len(articles)
                articles.append(article)
        return articles

    def _take(self, i: int) -> int:
        """Place piece i (and any pieces that go with it); return the index of the next piece."""
        piece = self.pieces[i]
        photo_end = self._photo_end(i)
        if photo_end:
            self._place_photo(i, photo_end)
            return photo_end
        if self.after_headings[i] == len(self.pieces) and (piece.kind is Kind.LABEL or self._is_heading(i)):
            return i + 1  # page furniture: a heading or label with no text under it
        if self._is_heading(i):
            self._place_heading(i)
        elif piece.kind in (Kind.CAPTION, Kind.CREDIT):
            self._place_caption(piece.text)
        elif piece.kind is Kind.DATELINE:
            self._place_dateline(piece)
        elif piece.opens_article or piece.kind is Kind.LABEL:
            self._place_head_element(piece)
        else:
            self._place_body(piece)
        return i + 1

    # --- deciding what a piece is in context ---

    def _is_heading(self, i: int) -> bool:
        piece = self.pieces[i]
        if piece.kind is Kind.HEADING:
            return True
        if piece.kind is not Kind.BODY or not piece.headline_like:
            return False
        following = self.pieces[i + 1] if i + 1 < len(self.pieces) else None
        return piece.two_part or (following is not None and following.opens_article)

    def _starts_article(self, i: int, draft: _Draft | None) -> bool:
        """True if heading i is a new article's title rather than a sub-head of `draft`."""
        if draft is None or draft.closed:
            return True
        if not draft.has_body:
            return False
        after = self.after_headings[i + 1] if i + 1 < len(self.pieces) else len(self.pieces)
        below = self.pieces[after] if after < len(self.pieces) else None
        return self.pieces[i].level == 1 or (below is not None and below.opens_article)

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

    # --- placing pieces ---

    def _place_photo(self, start: int, end: int) -> None:
        first = self.pieces[start]
        titled = first.kind is Kind.BODY and first.headline_like and end - start > 1
        caption = caption_text(self.pieces[start + titled:end])
        if not titled and self._continues_current(end):
            self._place_caption(caption)
            return
        # A photo with its own caption, printed between articles: an article of its own.
        photo = Article(0, title=first.text if titled else "", blocks=[Block("caption", caption)])
        self.drafts.append(_Draft(photo))

    def _place_heading(self, i: int) -> None:
        piece = self.pieces[i]
        draft = self.current
        key = normalise_text(piece.text)
        repeated = draft is not None and key in draft.seen
        if self._starts_article(i, draft) and not (repeated and draft.closed):
            draft = self._start()
            draft.article.title = piece.text
        elif draft is None or repeated:
            return  # a repeated title or sub-head
        else:
            _flush_paragraph(draft)
            if draft.article.title or draft.has_body:
                draft.article.blocks.append(Block("subhead", piece.text))
            else:
                draft.article.title = piece.text
        draft.seen.add(key)

    def _place_head_element(self, piece: Piece) -> None:
        """A kicker, byline, label or continuation marker, or body that opens with a dateline or marker."""
        key = normalise_text(piece.text)
        draft = self._draft_for_head(key)
        if draft is None:
            return
        if piece.kind is Kind.BODY:
            _set_field(draft, "continuation", piece.continuation)
            _set_field(draft, "dateline", piece.dateline)
            self._add_body(draft, piece.text, key)
        else:
            name = {Kind.BYLINE: "byline", Kind.CONTINUATION: "continuation"}.get(piece.kind, "kicker")
            _set_field(draft, name, piece.text)
            draft.seen.add(key)

    def _place_dateline(self, piece: Piece) -> None:
        draft = self.current
        key = normalise_text(piece.text)
        if draft is not None and draft.has_body and not draft.closed:
            # A dateline after the body closes the article.
            _flush_paragraph(draft)
            draft.closed = True
        else:
            draft = self._draft_for_head(key)
            if draft is None:
                return
        _set_field(draft, "dateline", piece.text)
        draft.seen.add(key)

    def _place_caption(self, text: str) -> None:
        draft = self.current
        if draft is None or draft.closed:
            self.drafts.append(_Draft(Article(0, blocks=[Block("caption", text)])))
            return
        key = normalise_text(text)
        if key in draft.seen:
            return
        draft.seen.add(key)
        block = Block("caption", text)
        # A caption printed inside a cut sentence waits until the sentence is whole again.
        (draft.held_captions if draft.open_paragraph else draft.article.blocks).append(block)

    def _place_body(self, piece: Piece) -> None:
        draft = self.current
        key = normalise_text(piece.text)
        if draft is not None and draft.closed and key in draft.seen:
            return  # the closed article printed again
        if draft is None or draft.closed:
            # Text after a closing dateline is another article; repeats of the closed one still drop.
            draft = self._start(seen=draft.seen if draft is not None else None)
        self._add_body(draft, piece.text, key)

    def _draft_for_head(self, key: str) -> _Draft | None:
        """The article a head element belongs to: the current one until it has body, else a new one."""
        draft = self.current
        if draft is not None and key in draft.seen:
            return None  # a repeated head element, such as a closing dateline printed twice
        if draft is None or draft.closed or draft.has_body:
            return self._start()
        _flush_paragraph(draft)
        return draft

    def _start(self, seen: set[str] | None = None) -> _Draft:
        if self.current is not None:
            _flush_paragraph(self.current)
        draft = _Draft(Article(0), seen if seen is not None else set())
        self.drafts.append(draft)
        self.current = draft
        return draft

    def _add_body(self, draft: _Draft, text: str, key: str | None = None) -> None:
        key = normalise_text(text) if key is None else key
        if key in draft.seen:
            return
        draft.seen.add(key)
        draft.has_body = True
        draft.open_paragraph.append(text)
        if ends_sentence(text):
            _flush_paragraph(draft)


def _flush_paragraph(draft: _Draft) -> None:
    """Finish the paragraph a column break left open, then place the captions printed inside it."""
    if draft.open_paragraph:
        text = collapse_repeated_sentences(join_lines(draft.open_paragraph))
        rejoined = len(draft.open_paragraph) > 1
        draft.open_paragraph = []
        key = normalise_text(text) if rejoined else None
        if key is None or key not in draft.seen:
            if key is not None:
                draft.seen.add(key)
            draft.article.blocks.append(Block("body", text))
    if draft.held_captions:
        draft.article.blocks.extend(draft.held_captions)
        draft.held_captions = []


def _set_field(draft: _Draft, name: str, text: str) -> None:
    """Fill a head field; a second kicker or byline (a label above a kicker) adds to the first."""
    current = getattr(draft.article, name)
    if text and not current:
        setattr(draft.article, name, text)
    elif text and name in ("kicker", "byline"):
        setattr(draft.article, name, f"{current} {text}")


def _join_wrapped_title(title: str, body: str) -> str:
    """Drop a space that a line wrap left inside a title's word.

    Titles separate their halves with a space ("世界杯签运落定 四大看点拉满"), so a
    space is only a wrap when the words around it run on unbroken in the body
    ("2025腾冲科学论 坛聚焦…" beside "2025腾冲科学论坛12月6日…").
    """
    words = title.split()
    if len(words) < 2:
        return title
    joined = words[0]
    for word in words[1:]:
        left = joined.rsplit(" ", 1)[-1]
        if is_cjk(left[-1]) and is_cjk(word[0]) and len(left) >= 2 and left + word[0] in body:
            joined += word
        else:
            joined += " " + word
    return joined


def _index_after_headings(pieces: list[Piece]) -> list[int]:
    """For each piece, the index of the first piece at or after it that is not heading-like."""
    after = [len(pieces)] * (len(pieces) + 1)
    for i in range(len(pieces) - 1, -1, -1):
        piece = pieces[i]
        heading_like = piece.kind in (Kind.HEADING, Kind.LABEL) or (piece.kind is Kind.BODY and piece.two_part)
        after[i] = after[i + 1] if heading_like else i
    return after[:len(pieces)]
