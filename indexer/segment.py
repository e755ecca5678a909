"""Split one decoded OCR'd newspaper page into the articles printed on it, in reading order."""
from __future__ import annotations

from indexer.blocks import (
    END_MARK_TAIL,
    JUMP_TAIL,
    Kind,
    Piece,
    caption_text,
    collapse_repeated_sentences,
    ends_sentence,
    read_pieces,
    script_shape,
)
from indexer.context import CLOSED_CUT, HEAD_CUT, HEADING_CUT, Draft, PageContext
from indexer.fragments import reattach_fragments
from indexer.normalise import is_cjk, join_lines, normalise_text
from indexer.records import Article, Block


def segment_page(text: str) -> list[Article]:
    """Split a page's text into articles, each with its head fields and blocks in reading order."""
    return reattach_fragments(_PageSegmenter(read_pieces(text)).run())


class _PageSegmenter(PageContext):
    """One pass over a page's pieces, deciding for each which article it belongs to and as what."""

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
        if self._is_furniture(i):
            return i + 1
        if self._is_heading(i):
            self._place_heading(i)
        elif piece.kind in (Kind.CAPTION, Kind.CREDIT):
            self._place_caption(piece.text)
        elif piece.kind is Kind.END_CREDIT:
            self._place_end_credit(i)
        elif piece.kind is Kind.DATELINE:
            self._place_dateline(piece)
        elif piece.opens_article or piece.kind is Kind.LABEL:
            self._place_head_element(i)
        elif self._is_kicker(i):
            self._start(HEAD_CUT).article.kicker = piece.text
            self.drafts[-1].seen.add(normalise_text(piece.text))
        elif self._is_plain_title(i):
            self._place_heading(i)
        else:
            self._place_body(i)
        return i + 1

    def _place_photo(self, start: int, end: int) -> None:
        first = self.pieces[start]
        titled = first.kind is Kind.BODY and first.headline_like and end - start > 1
        caption = caption_text(self.pieces[start + titled:end])
        if not titled and self._continues_current(end):
            self._place_caption(caption)
            return
        # A photo with its own caption, printed between articles: an article of its own.
        photo = Article(0, title=first.text if titled else "", blocks=[Block("caption", caption)])
        self.drafts.append(Draft(photo))

    def _place_heading(self, i: int) -> None:
        piece = self.pieces[i]
        draft = self.current
        key = normalise_text(piece.text)
        repeated = draft is not None and key in draft.seen
        if self._starts_article(i, draft) and not (repeated and draft.closed):
            draft = self._start(HEADING_CUT)
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

    def _place_head_element(self, i: int) -> None:
        """A kicker, byline, label or continuation marker, or body that opens with a dateline or marker."""
        piece = self.pieces[i]
        key = normalise_text(piece.text)
        if piece.kind is Kind.BODY and self._continues_in_lead(i):
            # Inside the body, the dateline stays where it was printed.
            self._add_body(self.current, join_lines([piece.continuation, piece.dateline, piece.text]), index=i)
            return
        if piece.kind is Kind.LABEL and self._labels_section(i):
            self._place_heading(i)
            return
        draft = self._draft_for_head(key)
        if draft is None:
            if piece.kind is Kind.BODY and self.current is not None:
                # The paragraph repeats what the article printed already (its title, often): its lead
                # is kept all the same, as every line of the page must be in some article.
                for name in ("continuation", "dateline"):
                    lead = getattr(piece, name)
                    if lead and normalise_text(lead) not in self.current.seen:
                        self.current.seen.add(normalise_text(lead))
                        if getattr(self.current.article, name):
                            self._add_body(self.current, lead)
                        else:
                            _set_field(self.current, name, lead)
            return
        if piece.kind is Kind.BODY:
            text = piece.text
            for name in ("dateline", "continuation"):
                lead = getattr(piece, name)
                if lead and getattr(draft.article, name):
                    text = join_lines([lead, text])  # a second dateline stays in the paragraph it opens
                else:
                    _set_field(draft, name, lead)
            self._add_body(draft, text, key, index=i)
        else:
            name = {Kind.BYLINE: "byline", Kind.CONTINUATION: "continuation"}.get(piece.kind, "kicker")
            _set_field(draft, name, piece.text)
            draft.seen.add(key)

    def _labels_section(self, i: int) -> bool:
        """True if label i, inside an article, heads a section of it rather than a sidebar.

        A sidebar's label stands above its title ("■记者手记" over "找准新赛道 闯出新天地");
        a label with a paragraph right under it that goes on with the article is a sub-head.
        """
        draft = self.current
        if draft is None or draft.closed or not draft.has_body or i + 1 >= len(self.pieces):
            return False
        below = self.pieces[i + 1]
        if below.kind is not Kind.BODY or below.opens_article or self._is_heading(i + 1):
            return False
        return not self._changes_subject(i, draft)

    def _place_end_credit(self, i: int) -> None:
        """A source, editor or author line: under an article's body it closes that article, whatever
        was printed after its last paragraph (a closing dateline, a jump); above any body it is the
        next article's byline."""
        piece = self.pieces[i]
        draft = self.current
        key = normalise_text(piece.text)
        if draft is not None and draft.has_body:
            if key not in draft.seen:
                _flush_paragraph(draft)
                _set_field(draft, "credit", piece.text)
                draft.seen.add(key)
            draft.ended = True
            return
        draft = self._draft_for_head(key)
        if draft is not None:
            _set_field(draft, "byline", piece.text)
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
            self.drafts.append(Draft(Article(0, blocks=[Block("caption", text)])))
            return
        key = normalise_text(text)
        if key in draft.seen:
            return
        draft.seen.add(key)
        block = Block("caption", text)
        # A caption printed inside a cut sentence waits until the sentence is whole again.
        (draft.held_captions if draft.open_paragraph else draft.article.blocks).append(block)

    def _place_body(self, i: int) -> None:
        piece = self.pieces[i]
        draft = self.current
        key = normalise_text(piece.text)
        if draft is not None and draft.closed and key in draft.seen:
            return  # the closed article printed again
        if draft is not None and draft.closed and JUMP_TAIL.match(script_shape(piece.text)):
            self._add_body(draft, piece.text, key, index=i)  # the page the closed article goes on to
            return
        if draft is None or draft.closed:
            # Text after a closing dateline is another article; repeats of the closed one still drop.
            draft = self._start(CLOSED_CUT, seen=draft.seen if draft is not None else None)
        self._add_body(draft, piece.text, key, index=i)
        if not piece.text.endswith((")", "）")):
            return  # no jump line or end mark: a cheap test before the patterns
        if JUMP_TAIL.search(script_shape(piece.text)):
            # "(下转第3版)": the article goes on on another page, and no further on this one.
            _flush_paragraph(draft)
            draft.closed = True
        elif END_MARK_TAIL.search(piece.text):
            draft.ended = True

    def _draft_for_head(self, key: str) -> Draft | None:
        """The article a head element belongs to: the current one until it has body, else a new one."""
        draft = self.current
        if draft is not None and key in draft.seen:
            return None  # a repeated head element, such as a closing dateline printed twice
        if draft is None or draft.closed or draft.has_body:
            return self._start(HEAD_CUT)
        _flush_paragraph(draft)
        return draft

    def _start(self, cut: str, seen: set[str] | None = None) -> Draft:
        """A new article, started for the reason `cut` (indexer.context.CUTS)."""
        if self.current is not None:
            _flush_paragraph(self.current)
        draft = Draft(Article(0, cut=cut), seen if seen is not None else set())
        self.drafts.append(draft)
        self.current = draft
        return draft

    def _add_body(self, draft: Draft, text: str, key: str | None = None, index: int | None = None) -> None:
        """Add body text to `draft`, unless it holds it already; `index` is the piece it comes from."""
        key = normalise_text(text) if key is None else key
        if key in draft.seen:
            return
        draft.seen.add(key)
        draft.has_body = True
        if index is not None:
            draft.body_pieces.append(index)
        draft.open_paragraph.append(text)
        if ends_sentence(text):
            _flush_paragraph(draft)


def _flush_paragraph(draft: Draft) -> None:
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


def _set_field(draft: Draft, name: str, text: str) -> None:
    """Fill a head field; a second one (a label above a kicker, a dateline above the body and another
    under it) adds to the first, as every line of the page is kept in some article."""
    current = getattr(draft.article, name)
    if text and not current:
        setattr(draft.article, name, text)
    elif text and normalise_text(text) not in normalise_text(current):
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
