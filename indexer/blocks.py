"""Cut a page into raw paragraphs ("pieces") and classify each by what it looks like on its own."""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from indexer.normalise import is_cjk, join_lines
from indexer.script import TRADITIONAL_TO_SIMPLIFIED
from indexer.translate import CharFolds

# A title, sub-head or column label is never longer than this; body lines of this
# length without clause punctuation are rare, so it bounds the plain-text heading guess.
MAX_HEADING_CHARS = 40
MAX_HEAD_ELEMENT_CHARS = 60
MAX_LABEL_CHARS = 20

INLINE_TAG = re.compile(r"</?(?:sub|sup|b|i|u|em|strong|span|font|small|big|mark|br)\b[^>]*>", re.IGNORECASE)
BOLD_MARK = re.compile(r"\*\*|__")
MARKDOWN_HEADING = re.compile(r"\s*(#{1,6})[ \t]+(.*?)[ \t#]*$")
# Layout noise: blank, a lone middle dot, or a markdown rule.
NOISE_LINE = re.compile(r"[\s·•・]*|\s*([-*_])(?:\s*\1){2,}\s*")
CLAUSE_PUNCT = re.compile(r"[，,、；;。！!？?]")
SENTENCE_STOP = re.compile(r"[；;。！!？?]")
OPEN_CLAUSE = tuple("，,、：:—…")
# A title is a whole phrase: it closes the brackets and quotes it opens.
PAIRED = (("《", "》"), ("“", "”"), ("(", ")"), ("（", "）"))
SENTENCE_END = tuple("。！？!?；;…：:—）)】.．")
# A closing quote ends a sentence only after a stop: "…的“最大增量”" runs on, "…”他说。" ends.
QUOTE_CLOSE = tuple("”’」』")
STOP_BEFORE_QUOTE = tuple("。！？!?…")
# Characters that start a column label or a sidebar ("■记者手记").
LABEL_MARKS = "■□◆◇●○▲△★☆▼▽▶►"
KICKER = re.compile(r"(?:——|—|－－|--)\S")

# A dateline names who filed the story, and usually where and when:
# "新华社北京12月8日电", "中新网4月13日电", "新华网乌鲁木齐[图库]３月２５日专电", "中新社北京四月十日电",
# "本报讯", "新快报讯", "哈报网讯", "【赛迪网讯】", "中国日报网站消息：". The filer is a news agency,
# paper, site or station: a short name ending in 社, 网, 报 or 台 (or a Latin name such as "PConline").
_NUMERAL = r"[0-9０-９〇零一二三四五六七八九十]"
_DATE = rf"(?:{_NUMERAL}{{2,4}}年)?{_NUMERAL}{{1,3}}月{_NUMERAL}{{1,3}}日"
_FILER = (
    r"(?:新华社|新华网|中新社|中新网|人民网|本报"
    r"|[\u4e00-\u9fff]{1,8}?(?:通讯社|社|网站|网|报|电视台|台)"
    r"|[A-Za-z][A-Za-z0-9]{1,11}[\u4e00-\u9fff]{0,4}?(?:网站|网|报)?)"
)
_PLACE = r"(?:[\u4e00-\u9fff]{1,8}?(?:\[[^\]\n]{1,6}\])?\s*)?"
# 电 and 讯 as in 电话, 电视, 讯号 start a word, not the body after a dateline.
_REPORTED = r"讯(?![号息])"
_FILED = rf"(?:电(?![话视脑影力器子信台网源池梯车站邮缆线])|{_REPORTED})"
_DATELINE_CORE = (
    rf"据?(?:{_FILER}\s*{_PLACE}{_DATE}(?:专电|{_FILED}|消息)"  # dated: 新华社北京12月8日电
    r"|(?:新华社|中新社)电"  # undated wire: 新华社电
    rf"|{_FILER}{_REPORTED}"  # a paper's or site's own report: 本报讯, 新快报讯, 哈报网讯
    rf"|{_FILER}消息[:：]?"  # 中国日报网站消息：
    r"|[【\[〔][^】\]〕\n]{1,30}?(?:讯|消息|电)[】\]〕])"  # bracketed: 【eNet硅谷动力消息】
)
# The reporters follow in brackets, "(记者黄轶铭 邹多为)", or as "记者王娜海报道：".
_REPORTERS = (
    r"(?:\s*[(（【][^()（）【】\n]{1,40}[)）】]"
    r"|\s*(?:特派|特约|驻[\u4e00-\u9fff]{1,6})?记者\s*[\u4e00-\u9fff·、 ]{2,14}?报道[:：]?)?"
)
_DATELINE = rf"[(（]?{_DATELINE_CORE}[)）]?{_REPORTERS}"
DATELINE_ONLY = re.compile(_DATELINE)
DATELINE_LEAD = re.compile(rf"\s*{_DATELINE}")
# The page a jump line names: "第一版", "1版", "第2页", "A3版" (the number in the group `page`; indexer.jumps).
PAGE_REF = r"第?\s*[A-Za-z]?(?P<page>[0-9０-９一二三四五六七八九十]{1,3})\s*[版页]"
# Papers print "(上接第一版)", "（接第1版）", "(接第2页)": the page may be a 版 or a 页.
CONTINUATION_LEAD = re.compile(rf"\s*[(（]\s*(?:上接|接上|紧接|接){PAGE_REF}\s*[)）]")

# A jump to the page an article continues on, "(下转第3版)", ends it on this page.
JUMP_TAIL = re.compile(rf"[(（]\s*(?:下转|转至?){PAGE_REF}\s*[)）]\s*$")
# The wire services' end mark closes a story's last paragraph; what follows may still be
# an appended note, but a heading after it is the next article's title.
END_MARK_TAIL = re.compile(r"[(（]\s*完\s*[)）]\s*$")

_NAME = r"[\u4e00-\u9fff·]{2,5}"
_NAMES = rf"{_NAME}(?:[\s、]+{_NAME})*"
# "新华社记者 郭程 摄", "张三 摄": a name with no reporter title needs the space, or "拍摄" would match.
_PHOTOGRAPHER = rf"(?:[\u4e00-\u9fff]{{0,12}}?(?:记者|通讯员)\s*{_NAMES}\s*|{_NAMES}\s+)摄"
_AGENCY_CREDIT = r"新华社?/[A-Za-z\u4e00-\u9fff]{1,6}|新华社发|新华社传真|[\u4e00-\u9fff]{0,10}供图|资料图片"
_CREDIT = rf"[■□]?\s*[(（]?(?:{_PHOTOGRAPHER}|{_AGENCY_CREDIT})[)）]?"
CREDIT_ONLY = re.compile(_CREDIT)
CREDIT_TAIL = re.compile(rf"{_CREDIT}\s*$")
# How far from the end of a caption its credit can start.
CREDIT_TAIL_WINDOW = 60
# Every credit holds one of these: a cheap test before the regex.
CREDIT_MARKS = ("摄", "/", "传真", "新华社发", "供图", "资料图片")
CAPTION_CUE = re.compile(r"[(（][^()（）]{0,40}摄[)）]|(?:^|[。！？\s])图为")

# The lines that close an article: where it came from, who edited it, who wrote it when the top
# does not say ("（来源：新华社）", "责任编辑：张三", "本版编辑 李四", "（记者 张三 李四）", "文/王五",
# "（新华）"). Short, with no sentence in them; a page prints them under the article's last paragraph.
_SOURCE_WORD = r"(?:文章来源|信息来源|消息来源|来源|稿源|转自|摘自|选自)"
_EDITOR_WORD = r"(?:责任编辑|值班编辑|本版编辑|责编|编辑|校对|美编|审校|编审|监制|制图)"
_END_NAMES = rf"{_NAME}(?:[\s、,，]+{_NAME})*"
_END_CREDIT = (
    rf"(?:——|—|--)?\s*[(（【\[]?\s*(?:{_SOURCE_WORD}\s*[:：]?\s*[^。！？!?]{{1,40}}?"
    rf"|{_EDITOR_WORD}(?:\s*[:：]\s*|\s+){_END_NAMES})\s*[)）】\]]?"
    rf"|[(（]\s*(?:(?:本报|新华社|特约)?(?:记者|通讯员)\s*)?{_END_NAMES}\s*(?:记者|通讯员|报道|撰稿)?\s*[)）]"
    rf"|(?:本版)?(?:文|文图|文·图|图|摄影|撰稿|撰文|采写|整理)\s*[/／:：]\s*(?:本报|新华社)?(?:记者|通讯员)?\s*{_END_NAMES}"
    r"(?:\s*[(（][^()（）]{1,6}[)）])?"
)
END_CREDIT = re.compile(_END_CREDIT)
MAX_END_CREDIT_CHARS = 80

_REPORTER = r"(?:特约|特派|见习|摄影|驻[\u4e00-\u9fff]{1,4})?(?:记者|通讯员)"
# "本报记者张三", "记者 张三"; not "■记者手记", a column label.
BYLINE = re.compile(
    rf"[{LABEL_MARKS}]?\s*(?:(?:新华社|本报|中新社|[\u4e00-\u9fff]{{2,12}}(?:社|报|台|网|中心)){_REPORTER}\s*|{_REPORTER}\s+)"
    r"[\u4e00-\u9fff·]{2,5}"
)



def script_shape(text: str) -> str:
    """`text` with traditional characters folded to simplified, one for one, so that the patterns here
    (本报讯, 记者, 责任编辑, 上接) read a traditional page too and positions stay those of `text`."""
    return _TO_SIMPLIFIED(text)


_TO_SIMPLIFIED = CharFolds(TRADITIONAL_TO_SIMPLIFIED)


# OCR repeats a sentence in place; shorter repeats may be meant ("是的。是的。").
MIN_REPEATED_SENTENCE_CHARS = 10
SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”’」』）)]*|[^。！？!?]+$")


class Kind(Enum):
    """What a piece is, judged from its own text."""

    BODY = "body"
    HEADING = "heading"  # marked up as one: '#' or a wholly bold paragraph
    KICKER = "kicker"
    BYLINE = "byline"
    LABEL = "label"
    DATELINE = "dateline"  # a dateline and nothing else
    CONTINUATION = "continuation"  # a continuation marker and nothing else
    CREDIT = "credit"  # a photo credit and nothing else
    END_CREDIT = "end_credit"  # a source, editor or author line, printed under an article's last paragraph
    CAPTION = "caption"


# Pieces that belong at the head of an article, above its body.
HEAD_KINDS = frozenset({Kind.KICKER, Kind.BYLINE, Kind.LABEL, Kind.DATELINE, Kind.CONTINUATION})


@dataclass
class Piece:
    """One paragraph as printed: lines between blank lines, wraps joined, markup stripped."""

    kind: Kind
    text: str
    blank_before: int = 0
    level: int = 0  # markdown heading level; 0 when not a '#' heading
    dateline: str = ""  # dateline cut from the start of a body piece
    continuation: str = ""  # continuation marker cut from the start of a body piece
    headline_like: bool = False  # short and unpunctuated: may be a heading printed as plain text
    title_like: bool = False  # short with no sentence end: may be a title, which can hold a comma
    two_part: bool = False  # headline-like with a space between CJK characters, as titles are set
    lines: int = 1  # page lines it was printed on

    @property
    def has_lead(self) -> bool:
        return bool(self.dateline or self.continuation)

    @property
    def opens_article(self) -> bool:
        """True for what is printed between an article's title and its body."""
        return (self.kind in HEAD_KINDS and self.kind is not Kind.LABEL) or self.has_lead


def read_pieces(text: str) -> list[Piece]:
    """Split a page into pieces in reading order, dropping layout noise."""
    pieces: list[Piece] = []
    lines: list[str] = []
    blanks = 0

    def flush(level: int = 0) -> None:
        nonlocal blanks, lines
        if lines:
            piece = classify(lines, blanks if pieces else 0, level)
            if piece is not None:
                pieces.append(piece)
                blanks = 0
            lines = []

    # Lines are the text split at "\n" alone, as everywhere else (a variant's lines, the benchmark's
    # truth); str.splitlines would also break at \x1c-\x1e, \x85, \u2028, which reading folds or drops.
    for raw in text.split("\n"):
        line = INLINE_TAG.sub("", raw.removesuffix("\r"))
        if NOISE_LINE.fullmatch(line):
            flush()
            if not line.strip():
                blanks += 1
            continue
        heading = MARKDOWN_HEADING.match(line)
        if heading:
            flush()
            lines = [heading.group(2)]
            flush(len(heading.group(1)))
        else:
            lines.append(line)
    flush()
    return pieces


def classify(lines: list[str], blank_before: int, level: int = 0) -> Piece | None:
    """The piece made of `lines`, or None if they hold no text."""
    joined = join_lines(lines)
    bold = joined.startswith(("**", "__")) and joined.endswith(("**", "__")) and len(joined) > 4
    text = BOLD_MARK.sub("", joined).strip()
    if not text:
        return None

    def piece(kind: Kind, shown: str = text) -> Piece:
        return Piece(kind, shown, blank_before, level, lines=len(lines))

    short = len(text) <= MAX_HEAD_ELEMENT_CHARS
    shape = script_shape(text)
    if CONTINUATION_LEAD.fullmatch(shape):
        return piece(Kind.CONTINUATION)
    if short and DATELINE_ONLY.fullmatch(shape):
        return piece(Kind.DATELINE)
    if len(text) <= MAX_END_CREDIT_CHARS and END_CREDIT.fullmatch(shape):
        return piece(Kind.END_CREDIT)
    if short and KICKER.match(shape) and not CLAUSE_PUNCT.search(text):
        return piece(Kind.KICKER)
    if short and CREDIT_ONLY.fullmatch(shape):
        return piece(Kind.CREDIT)
    if short and BYLINE.match(shape) and not CLAUSE_PUNCT.search(text):
        # A byline is a list of names: a wrap in it falls between two names.
        return piece(Kind.BYLINE, " ".join(line.strip() for line in lines if line.strip()))
    if len(text) <= MAX_LABEL_CHARS and text[0] in LABEL_MARKS and not CLAUSE_PUNCT.search(text):
        return piece(Kind.LABEL)
    if (level or bold) and not (len(text) > MAX_HEADING_CHARS and CLAUSE_PUNCT.search(text)):
        return piece(Kind.HEADING)
    if _is_caption(shape):
        return piece(Kind.CAPTION)
    body = _body_piece(text, blank_before)
    body.lines = len(lines)
    return body


def _body_piece(text: str, blank_before: int) -> Piece:
    continuation = ""
    lead = CONTINUATION_LEAD.match(script_shape(text))
    if lead:
        continuation, text = text[:lead.end()].strip(), text[lead.end():].strip()
    dateline, text = cut_dateline(text)
    headline_like = not continuation and not dateline and heading_shaped(text)
    title_like = headline_like or (not continuation and not dateline and title_shaped(text))
    return Piece(
        Kind.BODY, text, blank_before,
        dateline=dateline, continuation=continuation,
        headline_like=headline_like, title_like=title_like, two_part=headline_like and _has_cjk_gap(text),
    )


def heading_shaped(text: str) -> bool:
    """True for a short unpunctuated line, which may be a heading printed as plain text."""
    return (
        len(text) <= MAX_HEADING_CHARS
        and not _ends_with_latin_stop(text)
        and not CLAUSE_PUNCT.search(text)
        and not text.startswith(("(", "（"))
        and not text.endswith(("—", "…"))
        and sum(1 for c in text if "\u4e00" <= c <= "\u9fff") >= 2
    )


def title_shaped(text: str) -> bool:
    """True for a short line that stops short of a sentence: titles may set a comma where others set a space."""
    return (
        len(text) <= MAX_HEADING_CHARS
        and not SENTENCE_STOP.search(text)
        and not _ends_with_latin_stop(text)
        and not text.endswith(OPEN_CLAUSE)
        and not text.startswith(("(", "（"))
        and sum(1 for c in text if "\u4e00" <= c <= "\u9fff") >= 2
        and all(text.count(left) == text.count(right) for left, right in PAIRED)
    )


def _ends_with_latin_stop(text: str) -> bool:
    """True for a line ending in a Latin full stop after Chinese ("个相关网页."): a sentence, which a
    headline never ends with. After a digit or a Latin letter the stop may be an abbreviation's."""
    return len(text) > 1 and text[-1] in ".．" and is_cjk(text[-2])


def cut_dateline(text: str) -> tuple[str, str]:
    """(dateline, rest) when `text` opens with a dateline that ends cleanly, else ('', text)."""
    lead = DATELINE_LEAD.match(script_shape(text))
    if not lead:
        return "", text
    dateline, rest = text[:lead.end()].strip(), text[lead.end():].strip()
    unclosed = dateline.count("(") + dateline.count("（") != dateline.count(")") + dateline.count("）")
    if not rest or unclosed or rest.startswith(("(", "（")):
        return "", text
    return dateline, rest


def _is_caption(text: str) -> bool:
    tail = text[-CREDIT_TAIL_WINDOW:]
    if any(mark in tail for mark in CREDIT_MARKS) and CREDIT_TAIL.search(tail):
        return True
    return bool(CAPTION_CUE.search(text))


def _has_cjk_gap(text: str) -> bool:
    """True if a space stands between two CJK characters, as between the halves of a title."""
    for i, char in enumerate(text):
        if char == " " and 0 < i < len(text) - 1 and is_cjk(text[i - 1]) and is_cjk(text[i + 1]):
            return True
    return False


def ends_sentence(text: str) -> bool:
    """True if a paragraph ends where a sentence can, so a column break after it is a real break."""
    text = text.rstrip()
    while text.endswith(QUOTE_CLOSE):
        text = text[:-1]
        if text.endswith(STOP_BEFORE_QUOTE):
            return True
    return text.endswith(SENTENCE_END)


def caption_text(pieces: list[Piece]) -> str:
    """One caption from its paragraphs, with a credit printed on its own line appended."""
    text = join_lines([p.text for p in pieces if p.kind is not Kind.CREDIT])
    credits = [p.text for p in pieces if p.kind is Kind.CREDIT]
    return " ".join(part for part in (text, *credits) if part)


def collapse_repeated_sentences(text: str) -> str:
    """Drop a sentence that OCR printed again right after itself."""
    sentences = SENTENCE.findall(text)
    if len(sentences) < 2:
        return text
    kept = [sentences[0]]
    for sentence in sentences[1:]:
        if sentence != kept[-1] or len(sentence) < MIN_REPEATED_SENTENCE_CHARS:
            kept.append(sentence)
    return "".join(kept)
