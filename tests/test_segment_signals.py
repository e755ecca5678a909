"""Segmentation signals beyond lexical cohesion, each on a small made-up page modelled on real ones:
end credits, kickers, continuation markers, traditional script, heading levels, dateline-led briefs,
and the rule that every line of a page ends up in some article."""
from __future__ import annotations

from indexer.blocks import Kind, read_pieces
from indexer.context import SUBHEAD_SHAPE
from indexer.normalise import normalise_text
from indexer.records import Article
from indexer.segment import segment_page

# Two articles on different subjects, each long enough for the cohesion test to have something to read.
RAIL = [
    "新华社北京1月2日电 国家铁路局2日发布数据，去年全国铁路完成固定资产投资八千亿元，新线投产三千公里。",
    "其中高速铁路投产两千公里，中西部地区铁路建设加快，一批重点工程提前建成通车，路网结构持续优化。",
    "铁路部门表示，今年将继续推进川藏铁路等重大工程建设，加快补齐中西部铁路网短板，提升运输服务质量。",
]
FOOTBALL = [
    "女足亚洲杯小组赛昨晚在悉尼开战，中国队以三比零战胜越南队，取得开门红，主教练赛后对队员表现满意。",
    "上半场第二十分钟，王霜接队友传球后突入禁区低射破门，随后中国队又凭借一次角球扩大了领先优势。",
    "下半场比赛中国队控制节奏，替补登场的前锋在终场前再入一球，小组赛第二轮中国队将迎战韩国队。",
]


def page(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


def texts(article: Article) -> list[str]:
    return [b.text for b in article.blocks if b.kind == "body"]


def compact(text: str) -> str:
    return "".join(normalise_text(text).split())


# --- end credits ---

def test_source_line_after_a_closing_dateline_stays_with_its_article():
    rail, football = segment_page(page("铁路建设全面提速", *RAIL, "(新华社北京1月2日电)", "（来源：新华社）",
                                       "女足亚洲杯小组赛开战", *FOOTBALL))
    assert rail.credit == "（来源：新华社）" and rail.dateline.startswith("新华社北京1月2日电")
    assert football.title == "女足亚洲杯小组赛开战" and texts(football) == FOOTBALL
    assert "来源" not in football.display_text()


def test_editor_and_end_byline_close_the_article_and_the_next_title_starts_one():
    rail, football = segment_page(page("铁路建设全面提速", *RAIL, "（记者 张三 李四）", "责任编辑：王五",
                                       "女足亚洲杯小组赛开战", *FOOTBALL))
    assert rail.credit == "（记者 张三 李四） 责任编辑：王五"
    assert football.title == "女足亚洲杯小组赛开战" and not football.byline


def test_author_line_above_the_body_is_a_byline():
    (article,) = segment_page(page("铁路建设全面提速", "文/张三", *RAIL[1:]))
    assert article.byline == "文/张三" and not article.credit and texts(article) == RAIL[1:]


def test_end_credit_shapes():
    for line in ("（来源：新华社）", "(来源:人民网)", "来源：新华社", "责任编辑：张三", "本版编辑 李四", "（编辑：王五）",
                 "（记者 张三 李四）", "(本报记者 张三)", "文/张三 李四", "（新华）", "——摘自《人民日报》",
                 "摄影/本报记者 王贵彬"):
        assert read_pieces(line)[0].kind is Kind.END_CREDIT, line
    for line in ("（一）", "(上接第1版)", "来源于生活的艺术创作，需要长期积累。", "编辑部的故事"):
        assert read_pieces(line)[0].kind is not Kind.END_CREDIT, line


# --- kicker above the headline ---

def test_kicker_above_a_headline_goes_with_the_next_article():
    rail, football = segment_page(page("# 铁路建设全面提速", *RAIL, "体坛快讯", "# 女足亚洲杯小组赛开战",
                                       "本报记者 赵六", *FOOTBALL))
    assert football.kicker == "体坛快讯" and football.title == "女足亚洲杯小组赛开战"
    assert "体坛快讯" not in rail.display_text()


def test_kicker_after_an_article_that_jumps_to_another_page():
    rail, football = segment_page(page("# 铁路建设全面提速", *RAIL[:2], "(下转2版)", "体坛快讯", "**女足亚洲杯小组赛开战**",
                                       "新华社悉尼1月2日电 " + FOOTBALL[0], *FOOTBALL[1:]))
    assert football.kicker == "体坛快讯" and football.title == "女足亚洲杯小组赛开战"
    assert texts(rail)[-1] == "(下转2版)"


def test_kicker_at_the_top_of_a_page():
    (rail,) = segment_page(page("特别报道", "**铁路建设全面提速**", *RAIL))
    assert rail.kicker == "特别报道" and rail.title == "铁路建设全面提速"


def test_short_line_after_an_unfinished_sentence_is_not_a_kicker():
    cut = RAIL[0][:30]
    articles = segment_page(page("# 铁路建设全面提速", cut, "新线投产", "# 女足亚洲杯小组赛开战", *FOOTBALL))
    assert "新线投产" in articles[0].body_text()


# --- continuation and jump markers ---

def test_markers_with_jie_alone_and_with_pages():
    for marker in ("（接第1版）", "(接第2页)", "(上接3版)"):
        (article,) = segment_page(page("铁路建设全面提速", marker, *RAIL[1:]))
        assert article.continuation == marker and texts(article) == RAIL[1:]


def test_jump_to_a_page_ends_the_article_there():
    rail, football = segment_page(page("铁路建设全面提速", *RAIL[:2], "(转3页)", *FOOTBALL))
    assert texts(rail)[-1] == "(转3页)" and texts(football) == FOOTBALL


# --- traditional script ---

def test_traditional_page_reads_its_dateline_byline_and_credit():
    body = "本報訊 國家鐵路局二日發佈數據，去年全國鐵路完成固定資產投資八千億元，新線投產三千公里。"
    rail, football = segment_page(page("鐵路建設全面提速", "本報記者 張三", body, "責任編輯：王五",
                                       "女足亞洲盃小組賽開戰", "（上接第1版）", *FOOTBALL))
    assert rail.byline == "本報記者 張三" and rail.dateline == "本報訊" and rail.credit == "責任編輯：王五"
    assert football.continuation == "（上接第1版）"


# --- headline shapes ---

def test_line_ending_in_a_latin_full_stop_is_not_a_title():
    articles = segment_page(page("# 铁路建设全面提速", *RAIL, "共找到14,515", "个相关网页.", "# 女足亚洲杯小组赛开战",
                                 *FOOTBALL))
    assert [a.title for a in articles] == ["铁路建设全面提速", "女足亚洲杯小组赛开战"]
    assert "个相关网页." in articles[0].body_text()


def test_lower_level_headings_above_a_higher_one_close_the_article_above():
    rail, football = segment_page(page("# 铁路建设全面提速", *RAIL, "### 国家铁路局", "### 2025年1月2日",
                                       "# 女足亚洲杯小组赛开战", "本报记者 赵六", *FOOTBALL))
    assert [b.text for b in rail.blocks if b.kind == "subhead"] == ["国家铁路局", "2025年1月2日"]
    assert football.title == "女足亚洲杯小组赛开战"


# --- briefs without headlines ---

def test_dateline_led_briefs_without_headlines_are_one_article_each():
    briefs = ["本报讯 " + RAIL[1], "本报讯（记者 张三） " + FOOTBALL[1], "据新华社电 " + RAIL[2]]
    articles = segment_page(page(*briefs))
    assert len(articles) == 3 and [a.dateline for a in articles] == ["本报讯", "本报讯（记者 张三）", "据新华社电"]


def test_dateline_paragraph_under_a_headline_goes_on_with_its_subject():
    (rail,) = segment_page(page("铁路建设全面提速", *RAIL, "又讯 新华社北京1月3日电 " + RAIL[1][:40] + "。"))
    assert len(texts(rail)) == 4


# --- every line ends up in some article ---

def test_headings_at_the_foot_stay_with_the_article_above():
    (rail,) = segment_page(page("# 铁路建设全面提速", *RAIL, "### 国家铁路局", "### 中国国家铁路集团"))
    assert [b.text for b in rail.blocks if b.kind == "subhead"] == ["国家铁路局", "中国国家铁路集团"]


def test_lone_title_shaped_line_at_the_foot_is_page_furniture():
    (rail,) = segment_page(page("# 铁路建设全面提速", *RAIL, "民有所呼 我有所应 人大代表风采录"))
    assert "风采录" not in rail.display_text()


def test_dateline_paragraph_repeating_the_title_keeps_its_dateline():
    (rail,) = segment_page(page("铁路建设全面提速", "本报记者 张三", "本报北京1月2日讯 铁路建设全面提速", *RAIL[1:]))
    assert rail.dateline == "本报北京1月2日讯" and rail.byline == "本报记者 张三"


def test_a_second_dateline_is_kept():
    (rail,) = segment_page(page("铁路建设全面提速", "新华网北京1月2日电 (记者 张三)", RAIL[0], *RAIL[1:]))
    display = compact(rail.display_text())
    assert compact("新华网北京1月2日电 (记者 张三)") in display and compact(RAIL[0]) in display


def test_lines_are_split_at_line_feeds_alone():
    text = page("铁路建设全面提速", RAIL[0][:20] + "\u2028" + RAIL[0][20:], RAIL[1])
    (rail,) = segment_page(text)
    assert len(texts(rail)) == 2 and compact(RAIL[0]) in compact(rail.display_text())


# --- a headline that echoes its lead ---

def test_short_headline_repeating_the_lead_starts_a_brief_after_a_short_one():
    # The item above is too short for the cohesion test: the echo of the lead tells.
    first = "国家铁路局发布数据，去年全国铁路完成固定资产投资八千亿元。"
    second = "人才交流会上，一个文静的女生坐在招聘台前，认真填写着求职登记表。"
    one, two = segment_page(page("**铁路投资创新高**", first, "**人才交流会上**", second))
    assert two.title == "人才交流会上" and texts(two) == [second] and texts(one) == [first]


def test_subhead_that_does_not_repeat_its_paragraph_stays_a_subhead():
    (rail,) = segment_page(page("**铁路建设全面提速**", *RAIL[:2], "**中西部路网加快成形**", RAIL[2]))
    assert [b.text for b in rail.blocks if b.kind == "subhead"] == ["中西部路网加快成形"]


def test_numbered_subheads_in_words_are_subheads():
    assert all(SUBHEAD_SHAPE.match(text) for text in ("法则一 选择上车的位置", "其二：要注意", "第三招 巧用"))
    assert not any(SUBHEAD_SHAPE.match(text) for text in ("十一 黄金周出游火爆", "世界杯签运落定 四大看点拉满"))
