"""Segmentation of OCR'd pages into articles: the five seed pages, small made-up pages, and properties."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.blocks import cut_dateline
from indexer.cohesion import bigrams, similarity
from indexer.normalise import normalise_text
from indexer.records import Article
from indexer.context import NEW_TOPIC_SIMILARITY, SHORT_HEADING_SIMILARITY
from indexer.segment import segment_page

PANGAO = "攀高逐“新” “质”胜未来"
# A photo credit: it may end a caption block, never sit inside body text.
CREDIT = re.compile(r"新华社记者\s*\S{2,4}(?:\s+\S{2,4})*\s*摄|新华/传真")


@pytest.fixture(scope="module")
def seg(seed_pages: dict[str, str]):
    """Articles of the seed page whose file name starts with the given number."""
    cache: dict[str, list[Article]] = {}

    def articles(number: str) -> list[Article]:
        if number not in cache:
            (stem,) = [s for s in seed_pages if s.startswith(number)]
            cache[number] = segment_page(seed_pages[stem])
        return cache[number]

    return articles


def titled(articles: list[Article], title: str) -> Article:
    (article,) = [a for a in articles if a.title == title]
    return article


def subheads(article: Article) -> list[str]:
    return [b.text for b in article.blocks if b.kind == "subhead"]


def paragraphs(article: Article) -> list[str]:
    return [b.text for b in article.blocks if b.kind == "body"]


# --- 000: five articles, a caption inside a cut sentence, a photo at the foot ---

def test_000_articles(seg):
    assert [a.title for a in seg("000")] == [
        PANGAO,
        "征求对经济工作的意见和建议 中共中央召开党外人士座谈会",
        "我国货物贸易进出口 连续10个月保持增长",
        "工业和信息化部发布14个行业 数字化转型“场景导航图”",
        "",
    ]
    assert [a.ordinal for a in seg("000")] == [0, 1, 2, 3, 4]


def test_000_head_fields_and_byline_wrap(seg):
    story = titled(seg("000"), PANGAO)
    assert story.kicker == "——新质生产力发展一线见闻"
    assert story.byline == "□新华社记者 刘开雄 刘羽佳 胡喆"
    assert subheads(story)[0] == "以科技创新为引领 新质生产力稳步发展"


def test_000_caption_taken_out_of_the_sentence_it_interrupts(seg):
    story = titled(seg("000"), PANGAO)
    assert story.captions == ["机器人在北京小米汽车工厂车间流水线上工作(2025年6月16日报)。新华社记者 郑煥松 摄"]
    assert any("扎实推进产业数字化；甘肃科学布局建设数据中心" in p for p in paragraphs(story))
    assert not any("郑煥松" in p for p in paragraphs(story))


def test_000_column_break_inside_a_number_rejoined(seg):
    story = titled(seg("000"), PANGAO)
    assert any("合肥都市圈等10个要素市场化配置综合改革试点" in p for p in paragraphs(story))
    trade = seg("000")[3]
    assert any("准确找到转型切入点。" in p for p in paragraphs(trade))


def test_000_continuation_and_glued_dateline(seg):
    meeting, trade = seg("000")[1], seg("000")[2]
    assert meeting.continuation == "(上接第1版)"
    assert paragraphs(meeting)[0].startswith("他们完全赞同")
    assert any("深入贯彻党的二十大和二十届历次全会精神" in p for p in paragraphs(meeting))
    assert trade.dateline == "新华社北京12月8日电(记者黄轶铭 邹多为)"
    assert paragraphs(trade)[0].startswith("海关总署12月8日发布数据")


def test_000_photo_at_the_foot_is_its_own_article(seg):
    photo = seg("000")[-1]
    assert photo.body == []
    (caption,) = photo.captions
    assert caption.startswith("12月7日，冠军中国队在颁奖仪式上举起奖杯。当日，")
    assert caption.endswith("新华社记者 胥冰洁 摄")
    assert "冠军" not in seg("000")[3].display_text()


# --- 001: closing datelines, plain-text sub-heads, repeated sentences, a wrapped title ---

def test_001_articles(seg):
    assert [a.title for a in seg("001")] == [
        "攀高逐“新”“质”胜未来",
        "法国总统马克龙: 法中肩负共同责任 共迎时代挑战",
        "上海合作组织秘书长接受新华社书面专访",
        "我国成功发射卫星互联网低轨14组卫星",
        "怎样理解促进人才区域协调发展",
        "为什么要全面实施“人工智能+”行动",
        "2025腾冲科学论坛聚焦前沿科技与产业融合新路径",
    ]


def test_001_closing_dateline_and_wrapped_subhead(seg):
    story = seg("001")[0]
    assert story.dateline == "(新华社北京12月6日电)"
    assert "打通堵点卡点 推动科技创新和产业创新深度融合" in subheads(story)
    assert "持续推进改革 不断健全适应新质生产力发展的体制机制" in subheads(story)
    assert any(p.startswith("在制造业技术改造升级工程、工业领域设备更新") for p in paragraphs(story))
    assert any(p.startswith("打通“从1到100”的卡点,让更多成果从实验室走向生产线") for p in paragraphs(story))


def test_001_dateline_wrapped_inside_the_reporters(seg):
    macron = seg("001")[1]
    assert macron.dateline.startswith("新华社成都12月6日电")
    assert "康锦谦 刘杨" in macron.dateline
    assert paragraphs(macron)[0].startswith("“中国与法国肩负着共同责任。”")


def test_001_photo_between_articles(seg):
    interview, photo = seg("001")[2], seg("001")[3]
    assert paragraphs(interview)[-1].endswith("互不干涉内政。")
    assert photo.body == []
    assert photo.captions[0].startswith("12月6日15时53分")
    assert photo.captions[0].endswith("新华社记者 郭程 摄")


def test_001_duplicated_title_line_is_not_another_article(seg):
    talent = seg("001")[4]
    assert talent.dateline == "新华社北京12月5日电"
    assert subheads(talent) == ["学习规划建议每日问答"]
    assert paragraphs(talent)[-1].endswith("人才高地建设布")  # cut by the page, not glued to the next title


def test_001_sentence_printed_three_times_collapses(seg):
    ai = seg("001")[5]
    assert ai.body_text().count("人工智能技术突破与经济社会各领域深度融合") == 1
    assert any(p.startswith("第四,推进人工智能商业化规模应用是一项长期、复杂的系统工程,需要") for p in paragraphs(ai))


def test_001_hard_wraps_joined_in_title_and_body(seg):
    forum = seg("001")[6]
    assert forum.dateline == "新华社昆明12月6日电 (记者胡了然 王安浩伟)"
    assert paragraphs(forum)[0].startswith("2025腾冲科学论坛12月6日在云南省腾冲市开幕,包括诺贝尔物理学奖获得者康斯坦丁·诺沃肖洛夫")
    assert any(p.startswith("本届论坛首次设立腾冲青年科学家奖") for p in paragraphs(forum))


# --- 002: no markdown, content printed after a closing dateline, blocks printed three times ---

def test_002_story_is_first_and_closed_by_its_dateline(seg):
    story = seg("002")[0]
    assert story.title == PANGAO
    assert story.kicker == "——新质生产力发展一线见闻"
    assert story.byline == "■新华社记者 刘开雄 刘羽佳 胡喆"
    assert story.dateline == "新华社北京12月6日电"
    assert subheads(story) == ["以科技创新为引领 新质生产力稳步发展", "打通堵点卡点 推动科技创新和产业创新深度融合"]
    assert not re.search("世界杯|姆巴佩|小组赛", story.display_text())


def test_002_caption_is_a_block_not_part_of_a_sentence(seg):
    story = seg("002")[0]
    (caption,) = story.captions
    assert caption.startswith("2025年6月28日在中国科学技术馆") and caption.endswith("■新华社记者 金立旺 摄")
    assert any("推动形成与新质生产力发展相适应的体机制，政策连续打出“组合拳”" in p for p in paragraphs(story))


def test_002_world_cup_story_and_its_repeats(seg):
    cup = titled(seg("002"), "世界杯签运落定 四大看点拉满")
    assert cup.byline == "■新华社记者 岳冉冉 肖世尧 吴晓凌"
    assert cup.captions == ["2026美加墨世界杯小组赛抽签结果。", "新华社记者 吴晓凌 摄"]
    assert subheads(cup) == ["抽签新规保底 “死亡之组”未现", "潜在变数犹存 小组赛看点拉满", "实力强组林立 晋级悬念陡增"]
    text = cup.body_text()
    for repeated in ("可以预见，像I组和L组", "此外，H组", "欧洲附加赛的胜者", "小组赛的另一个焦点是球星"):
        assert text.count(repeated) == 1, repeated
    assert "可以预见，像I组和L组，可能会出现多场平局或小比分胜负。在这种情况下，净胜球" in text
    assert "虽然传统意义上“三强争霸、一强出局”的死亡之组未出现" in text


def test_002_text_after_the_closing_dateline_is_another_article(seg):
    articles = seg("002")
    assert len(articles) == 3
    between = articles[1]
    assert between.title == ""
    # What repeats the closed story is dropped; what does not is kept, outside it.
    assert not between.body_text().count("发展新质生产力，既是发展命题，也是改革命题。")
    assert paragraphs(between)[0].startswith("今年9月，国务院印发《关于全国部分地区要素市场化配置")
    assert any(p.startswith("除了姆巴佩与哈兰德外") for p in paragraphs(between))


# --- 003: '##' for titles and sub-heads alike, a sidebar, an untitled continuation ---

def test_003_articles(seg):
    assert [a.title for a in seg("003")] == [
        PANGAO, "政务简报", "从“贵阳制造”迈向“全球通用”", "找准新赛道 闯出新天地", "", "扎根乡土 情系民生",
    ]


def test_003_story_caption_bold_subhead_and_inline_tags(seg):
    story = seg("003")[0]
    (caption,) = story.captions
    assert "高能同步辐射光源(HEPS)" in caption and caption.endswith("(无人机照片,2024年12月27日摄)。 新华/传真")
    assert any("230多家卓越级智能工厂,持续推动的转型升级" in p for p in paragraphs(story))
    assert "推动科技创新和产业创新深度融合" in subheads(story)
    assert "为代表的新质生产力不断增强" in story.body_text()
    assert story.dateline == "新华社北京12月6日电"


def test_003_sidebar_and_untitled_continuation(seg):
    _, brief, company, sidebar, untitled, profile = seg("003")
    assert paragraphs(brief)[-1] == "(贵阳日报融媒体中心记者 汤欣健)"
    assert company.continuation == "(上接1版)"
    assert subheads(company) == ["全球化密码:生于贵州,链通世界"]
    assert paragraphs(company)[-1] == "日本人口老龄化严重,公共交通司机短"
    assert sidebar.kicker == "■记者手记"
    assert paragraphs(sidebar)[0].startswith("从贵阳高新区的初创企业")
    assert untitled.continuation == "(上接1版)"
    assert paragraphs(untitled)[0].startswith("这条链条的终点")
    assert subheads(untitled) == ["以循环效益实现双赢", "以“绿色”支撑发展雄心"]


def test_003_profile_with_kicker_and_trailing_column_label_dropped(seg):
    profile = seg("003")[-1]
    assert profile.kicker == "——记乌当区羊昌镇第十九届人大代表刘丽"
    assert subheads(profile) == [
        "念民之所忧 化解治理难", "行民之所盼 引领致富路", "履为民之责 搭建“连心桥”",
    ]
    assert paragraphs(profile)[-1].endswith("她还组")
    assert not any("民有所呼" in a.display_text() for a in seg("003"))


# --- 004: the second half of the story, its last paragraphs printed twice ---

def test_004_one_continued_article_without_its_repeated_tail(seg):
    (story,) = seg("004")
    assert story.title == PANGAO
    assert story.continuation == "(上接第一版)"
    assert paragraphs(story)[0].startswith("“人造太阳”")
    assert story.dateline == "新华社北京12月6日电"
    text = story.body_text()
    for repeated in ("全岛8个对外开放口岸", "持续扩大高水平对外开放", "展望“十五五”"):
        assert text.count(repeated) == 1, repeated
    assert any("各地立足自身资源禀赋、发挥比较优势，向新而行的实践蓬勃开展。" in p for p in paragraphs(story))


# --- all seeds ---

SEED_NUMBERS = ("000", "001", "002", "003", "004")


@pytest.mark.parametrize("number", SEED_NUMBERS)
def test_seed_text_is_clean(seg, number):
    for article in seg(number):
        text = article.display_text()
        assert "  \n" not in text and "<sub>" not in text and "**" not in text
        for line in text.split("\n"):
            assert line.strip() and line.strip() != "·"
            assert not line.startswith("#")
        for block in article.body:
            assert not CREDIT.search(block.text), block.text


@pytest.mark.parametrize("number", SEED_NUMBERS)
def test_seed_paragraphs_are_not_repeated_within_an_article(seg, number):
    for article in seg(number):
        keys = [normalise_text(b.text) for b in article.blocks]
        assert len(keys) == len(set(keys))


@pytest.mark.parametrize("number", SEED_NUMBERS)
def test_seed_segmentation_is_deterministic(seed_pages, seg, number):
    (stem,) = [s for s in seed_pages if s.startswith(number)]
    assert segment_page(seed_pages[stem]) == seg(number)


# --- small pages: one rule each ---

def test_text_after_a_closing_dateline_starts_a_new_article():
    page = "# 标题甲\n\n第一段。\n\n新华社北京12月6日电\n\n第一段。\n\n另一篇的正文。\n"
    first, second = segment_page(page)
    assert first.dateline == "新华社北京12月6日电" and paragraphs(first) == ["第一段。"]
    assert second.title == "" and paragraphs(second) == ["另一篇的正文。"]


def test_heading_followed_by_byline_starts_an_article_but_between_paragraphs_is_a_subhead():
    page = "# 总标题\n\n正文一。\n\n## 小标题\n\n正文二。\n\n## 新的标题\n\n本报记者 张三\n\n正文三。\n"
    first, second = segment_page(page)
    assert subheads(first) == ["小标题"]
    assert second.title == "新的标题" and second.byline == "本报记者 张三"


def test_dateline_with_an_unclosed_reporter_group_is_left_in_the_paragraph():
    (article,) = segment_page("# 标题\n\n新华社北京12月6日电(记者 张三 李四今天发布消息。\n")
    assert article.dateline == ""
    assert paragraphs(article) == ["新华社北京12月6日电(记者 张三 李四今天发布消息。"]


def test_caption_with_credit_on_its_own_line_between_parts_of_a_sentence():
    page = "# 标题\n\n开头的句子写到一半，\n\n\n\n图为工人在车间工作。\n\n新华社发\n\n后一半写完了。\n"
    (article,) = segment_page(page)
    assert paragraphs(article) == ["开头的句子写到一半，后一半写完了。"]
    assert article.captions == ["图为工人在车间工作。 新华社发"]


def test_noise_lines_and_markup_are_dropped():
    (article,) = segment_page("·\n\n# **标题**\n\n·\n正文<sub>里</sub>的字。\n\n---\n")
    assert article.title == "标题"
    assert paragraphs(article) == ["正文里的字。"]


# --- plain headings: sub-head or the next article's title, by what the text under them is about ---

RAIL = [
    (
        "今年以来，我省铁路建设全面提速，多条高速铁路相继开工建设。省发展改革委负责人介绍，全年计划完成"
        "铁路建设投资三百亿元，新开工铁路项目五个，建成通车里程超过四百公里。"
    ),
    (
        "在省城至沿海的高速铁路工地上，数千名建设者正在抓紧施工。项目负责人说，这条高速铁路全长二百八十公里，"
        "设计时速三百五十公里，建成后省城至沿海城市的铁路出行时间将缩短到一小时以内。"
    ),
    "为保障铁路建设用地和资金，省里出台了支持铁路建设的十条措施，沿线各市也成立了铁路建设协调机构。",
]
RAIL_SECTION = (
    "铁路建设也带动了沿线城市的发展。沿线各市纷纷规划建设高速铁路站场和配套园区，铁路建设投资的拉动作用明显，"
    "一批产业项目落户高速铁路沿线，带动了当地就业和消费，沿线城市的铁路客流也逐年增长。"
)
FOOTBALL = [
    (
        "女足亚洲杯小组赛昨晚在悉尼打响，中国女足以二比零战胜越南队，取得开门红。上半场第二十分钟，王霜利用"
        "任意球首开纪录；下半场第六十五分钟，替补登场的张琳艳头球破门，锁定胜局。"
    ),
    "主教练赛后表示，球队的防守组织仍有提高空间，下一场对阵韩国队的比赛将更加艰苦，队员们要尽快恢复体能。",
]


def plain_page(*parts: str) -> str:
    return "\n\n".join(parts) + "\n"


def test_plain_line_over_another_subject_is_the_next_articles_title():
    page = plain_page("铁路建设全面提速", *RAIL, "女足亚洲杯小组赛开战", *FOOTBALL)
    rail, football = segment_page(page)
    assert rail.title == "铁路建设全面提速" and paragraphs(rail) == RAIL
    assert football.title == "女足亚洲杯小组赛开战" and paragraphs(football) == FOOTBALL


def test_a_brief_is_followed_by_the_next_articles_title_but_keeps_its_subhead():
    brief = RAIL[:2]
    assert 100 < len("".join(brief)) < 200  # shorter than a full reading above a heading
    rail, football = segment_page(plain_page("铁路建设全面提速", *brief, "女足亚洲杯小组赛开战", *FOOTBALL))
    assert paragraphs(rail) == brief and football.title == "女足亚洲杯小组赛开战"
    (rail,) = segment_page(plain_page("铁路建设全面提速", *brief, "高速铁路带动沿线发展", RAIL_SECTION))
    assert paragraphs(rail)[-1].endswith(RAIL_SECTION)


def test_plain_line_over_more_of_the_same_subject_stays_in_the_article():
    page = plain_page("铁路建设全面提速", *RAIL, "高速铁路带动沿线发展", RAIL_SECTION)
    (rail,) = segment_page(page)
    # As before, a plain line that is not a title runs on into the paragraph under it:
    # it may be a sub-head, or the start of a sentence that a column break cut.
    assert paragraphs(rail) == [*RAIL, "高速铁路带动沿线发展" + RAIL_SECTION]


def test_marked_up_subhead_over_the_same_subject_and_title_over_another():
    page = plain_page(
        "# 铁路建设全面提速", *RAIL, "## 高速铁路带动沿线发展", RAIL_SECTION, "## 女足亚洲杯小组赛开战", *FOOTBALL,
    )
    rail, football = segment_page(page)
    assert subheads(rail) == ["高速铁路带动沿线发展"]
    assert football.title == "女足亚洲杯小组赛开战" and paragraphs(football) == FOOTBALL


def test_numbered_section_heading_never_starts_an_article():
    page = plain_page("铁路建设全面提速", *RAIL, "二、女足亚洲杯小组赛开战", *FOOTBALL)
    (article,) = segment_page(page)
    assert paragraphs(article)[-1] == FOOTBALL[-1]


CUT = "下一步，全省将继续加大铁路建设投入，加快推进在建项目，确保年内建成通车的铁路项目达到"


def test_short_line_inside_a_cut_sentence_is_not_a_title():
    page = plain_page("铁路建设全面提速", *RAIL, CUT, "高速铁路带动沿线发展", RAIL_SECTION)
    (article,) = segment_page(page)
    assert CUT + "高速铁路带动沿线发展" + RAIL_SECTION in paragraphs(article)


def test_line_after_an_unfinished_one_over_another_subject_is_a_title():
    # The article above ends on a line with no full stop: a copy cut short, an editor's name.
    page = plain_page("铁路建设全面提速", *RAIL, CUT, "女足亚洲杯小组赛开战", *FOOTBALL)
    rail, football = segment_page(page)
    assert paragraphs(rail) == [*RAIL, CUT]
    assert football.title == "女足亚洲杯小组赛开战" and paragraphs(football) == FOOTBALL


VILLAGE = [
    "沿线群众对征地拆迁给予了理解和支持。许多村民主动让出承包地，有的还帮助施工队伍解决住宿和用水问题。",
    "村里的老党员带头签订协议，年轻人组织志愿服务队，为工地送去茶水和饭菜，工程得以按期推进。",
    "一位七十多岁的老人说，孩子们在外打工，盼着家门口早日通上快车，过年回家能少走些路。",
]


@pytest.mark.parametrize(("heading", "starts_article"), [("征地", False), ("沿线村民让地支援施工", True)])
def test_a_few_letters_need_a_sharper_change_of_subject_to_be_a_title(heading, starts_article):
    above, below = set().union(*map(bigrams, RAIL)), set().union(*map(bigrams, VILLAGE))
    # The section shares a little of the article's vocabulary: between the two thresholds.
    assert SHORT_HEADING_SIMILARITY <= similarity(above, below | bigrams(heading)) < NEW_TOPIC_SIMILARITY
    articles = segment_page(plain_page("铁路建设全面提速", *RAIL, heading, *VILLAGE))
    assert len(articles) == 1 + starts_article
    assert articles[-1].title == ("铁路建设全面提速", heading)[starts_article]


def test_label_over_the_same_subject_is_a_subhead():
    page = plain_page("铁路建设全面提速", *RAIL, "■沿线发展", RAIL_SECTION)
    (rail,) = segment_page(page)
    assert subheads(rail) == ["■沿线发展"] and paragraphs(rail)[-1] == RAIL_SECTION


def test_title_with_a_comma_above_a_dateline():
    page = plain_page("铁路建设全面提速", *RAIL, "女足开门红，中国队二比零胜越南", "新华社悉尼3月5日电 " + FOOTBALL[0])
    _, football = segment_page(page)
    assert football.title == "女足开门红，中国队二比零胜越南"
    assert football.dateline == "新华社悉尼3月5日电"


def test_bracketed_dateline_on_its_own_line_closes_the_article_above():
    page = plain_page("铁路建设全面提速", *RAIL, "高速铁路带动沿线发展", "(新华社南昌3月5日电)", *FOOTBALL)
    rail, untitled = segment_page(page)
    assert rail.dateline == "(新华社南昌3月5日电)" and paragraphs(rail)[-1] == "高速铁路带动沿线发展"
    assert untitled.title == "" and paragraphs(untitled) == FOOTBALL


# --- datelines inside an article, jump lines and end marks ---

def test_dateline_paragraph_goes_on_with_the_article_on_its_subject_and_starts_one_on_another():
    same = "新华社北京3月5日电 记者从国家铁路集团获悉，今年全国铁路计划投产新线三千公里，其中高速铁路二千公里，铁路建设投资保持高位运行。"
    page = plain_page("铁路建设全面提速", *RAIL, same, "新华社悉尼3月5日电 " + FOOTBALL[0], FOOTBALL[1])
    rail, football = segment_page(page)
    assert paragraphs(rail) == [*RAIL, same.replace(" ", "")]
    assert football.title == "" and football.dateline == "新华社悉尼3月5日电" and paragraphs(football) == FOOTBALL


def test_paragraph_printed_again_with_other_ocr_errors_does_not_start_an_article():
    first = "新华社南昌3月5日电 " + RAIL[0]
    again = first.replace("铁路建设投资", "铁跻建设投资").replace("。", ".", 1)
    (article,) = segment_page(plain_page("# 铁路建设全面提速", first, RAIL[1], again, RAIL_SECTION))
    assert article.dateline == "新华社南昌3月5日电"
    assert paragraphs(article)[-1] == RAIL_SECTION


def test_jump_line_ends_the_article_on_this_page():
    page = plain_page("铁路建设全面提速", RAIL[0], "项目负责人说，这条高速铁路(下转第3版)", *FOOTBALL)
    rail, football = segment_page(page)
    assert paragraphs(rail)[-1].endswith("(下转第3版)")
    assert paragraphs(football) == FOOTBALL


def test_heading_after_an_end_mark_is_the_next_articles_title():
    page = plain_page("铁路建设全面提速", RAIL[0], RAIL[1] + "(完)", "女足开门红", *FOOTBALL)
    _, football = segment_page(page)
    assert football.title == "女足开门红" and paragraphs(football) == FOOTBALL


@pytest.mark.parametrize(("text", "dateline"), [
    ("新快报讯（记者周继坚实习生李华妹）昨日，广东省公务员考试", "新快报讯（记者周继坚实习生李华妹）"),
    ("本报北京１月１４日讯记者王娜海报道：由联合国开发计划署", "本报北京１月１４日讯记者王娜海报道："),
    ("哈报网讯（孟洪涛）从4月30日起，新一届中国女足", "哈报网讯（孟洪涛）"),
    ("羊城晚报讯 记者从市交委获悉", "羊城晚报讯"),
    ("【赛迪网讯】华盛顿州莱德蒙德", "【赛迪网讯】"),
    ("中新网4月13日电据俄罗斯航空新闻网报道", "中新网4月13日电"),
    ("新华网乌鲁木齐[图库]３月２５日专电(王菲)据新疆吐鲁番", "新华网乌鲁木齐[图库]３月２５日专电(王菲)"),
    ("中新社北京四月十日电题：二炮导弹发射阵地", "中新社北京四月十日电"),
    ("中国日报网站消息：美国太平洋舰队司令", "中国日报网站消息："),
    ("据新华社宜昌4月5日电从5日上午8点30分开始", "据新华社宜昌4月5日电"),
])
def test_datelines_of_agencies_papers_and_sites(text, dateline):
    assert cut_dateline(text) == (dateline, text[len(dateline):].strip())


@pytest.mark.parametrize("text", [
    "近日本报曾报道过大连市一市民在欧洲旅游时的尴尬事。",
    "一位法官周一裁决，苹果电脑公司有权使用苹果商标。",
    "国家电网电力公司今天宣布，今年将新建变电站十座。",
    "本报记者张三报道种种迹象表明，家电卖场已进入跑马圈地阶段。",
    "这家报社5月3日电话通知了作者。",
])
def test_ordinary_sentences_are_not_datelines(text):
    assert cut_dateline(text) == ("", text)


# --- properties over made-up pages ---

TOKENS = [
    "\n", "\n\n", "\n\n\n\n", "  \n", " ", "# ", "## ", "### ", "**", "·", "<sub>", "</sub>",
    "新华社北京12月6日电", "(新华社北京12月6日电)", "(上接第1版)", "(上接1版)", "——新质生产力",
    "□新华社记者 刘开雄", "■记者手记", "新华社记者 郭程 摄", "新华/传真", "图为", "(无人机照片,2024年12月27日摄)",
    "攀高逐“新” “质”胜未来", "世界杯签运落定 四大看点拉满", "发展新质生产力，既是发展命题，也是改革命题。",
    "人工智能技术突破与经济社会各领域深度融合。", "甘肃科", "学布局", "，", "。", "、", "”", "“", "(", ")",
    "记者", "摄", "中", "国", "A", "1",
]
pages = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=60).map("".join)


def is_subsequence(needle: str, haystack: str) -> bool:
    chars = iter(haystack)
    return all(c in chars for c in needle)


def non_space(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(pages)
def test_segmentation_never_invents_text_and_is_deterministic(page):
    articles = segment_page(page)
    source = non_space(page)
    for article in articles:
        for part in (article.title, article.kicker, article.byline, article.dateline, article.continuation):
            assert is_subsequence(non_space(part), source)
        for block in article.blocks:
            assert block.kind in ("body", "subhead", "caption")
            assert block.text and is_subsequence(non_space(block.text), source)
        # Body and sub-heads keep their reading order.
        assert is_subsequence(non_space(article.body_text()), source)
        assert "  \n" not in article.display_text()
    assert [a.ordinal for a in articles] == list(range(len(articles)))
    assert segment_page(page) == articles
