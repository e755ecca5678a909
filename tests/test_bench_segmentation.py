"""Segmentation and grouping scores per layout family (bench/segmentation.py, bench/grouping.py), on pages
and truth written the way the generator writes them and variants as the index lists them."""
from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bench import grouping, segmentation
from bench.dataset import Dataset
from bench.reference import Variants
from indexer.normalise import normalise_text

# page 1: a label, a plain article, then two articles the segmenter ran together
PAGE_1 = ["■国内简讯", "", "# 钍基熔盐实验堆运行", "", "新华社北京1月5日电 实验堆已成功实现钍核燃料转换。", "",
          "72TB数据传输时间缩短至164小时", "", "未来网络试验设施完成验收。", "", "新华社北京1月6日电 设施连接起通信领域各方。"]
# page 2: an article split in two, one that lost a line, and a line of NUL padding
PAGE_2 = ["**腾冲科学论坛开幕**", "", "千余位专家学者齐聚腾冲。", "", "### 青年科学家奖", "", "奖项覆盖十个方向。",
          "", "**人形机器人走进车间**", "", "商业航天迎来规模爆发。", "", "本版编辑 张三", "", "\x00\x00\x00"]
# page 3: refused by the reader, so no variant
PAGE_3 = ["# 海南自由贸易港封关", "", "全岛封关运作正式启动。"]
# page 4: the first article's end credit read as the head of the second
PAGE_4 = ["# 冬季运动会开幕", "", "运动会在哈尔滨开幕。", "", "（来源：新华社）", "", "# 春运首日客流平稳", "", "铁路发送旅客百万人次。"]
TRUTH = [
    ("pages/p1.txt", 0, "st1", "plain", [[3, 3, "title"], [5, 5, "body"]]),
    ("pages/p1.txt", 1, "st2", "briefs", [[7, 7, "title"], [9, 9, "body"]]),
    ("pages/p1.txt", 2, "st3", "briefs", [[11, 11, "body"]]),
    ("pages/p2.txt", 0, "st1", "stacked", [[1, 1, "title"], [3, 3, "body"], [5, 5, "subhead"], [7, 7, "body"]]),
    ("pages/p2.txt", 1, "st4", "stacked", [[9, 9, "title"], [11, 11, "body"], [13, 13, "credit"], [15, 15, "body"]]),
    ("pages/p3.txt", 0, "st2", "classic", [[1, 1, "title"], [3, 3, "body"]]),
    ("pages/p4.txt", 0, "st5", "classic", [[1, 1, "title"], [3, 3, "body"], [5, 5, "credit"]]),
    ("pages/p4.txt", 1, "st6", "classic", [[7, 7, "title"], [9, 9, "body"]]),
]
# what the index holds: (page, ordinal, story it was grouped in, its lines)
INDEXED = [
    ("p1", 0, "a", PAGE_1[0:1] + PAGE_1[2:5]),
    ("p1", 1, "b", PAGE_1[6:11]),
    ("p2", 0, "a", PAGE_2[0:3]),
    ("p2", 1, "c", PAGE_2[4:7]),
    ("p2", 2, "d", PAGE_2[8:11]),
    ("p4", 0, "e", PAGE_4[0:3]),
    ("p4", 1, "f", PAGE_4[4:9]),
]


def corpus(root: Path) -> tuple[Dataset, Variants]:
    for name, lines in (("p1", PAGE_1), ("p2", PAGE_2), ("p3", PAGE_3), ("p4", PAGE_4)):
        (root / "pages").mkdir(exist_ok=True)
        (root / "pages" / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")
    with open(root / "truth.jsonl", "w", encoding="utf-8") as truth:
        for page, ordinal, story, layout, runs in TRUTH:
            lines = (root / page).read_text(encoding="utf-8").split("\n")
            body = [lines[n - 1] for first, last, role in runs if role == "body" for n in range(first, last + 1)]
            record = {"page": page, "ordinal": ordinal, "story": story, "layout": layout, "part": "whole",
                      "title": None, "first_line": runs[0][0], "last_line": runs[-1][1], "lines": runs,
                      "text_sample": "".join(body[0].split())[:12]}
            truth.write(json.dumps(record, ensure_ascii=False) + "\n")
    variants = Variants()
    for number, (page, ordinal, story, lines) in enumerate(INDEXED):
        text = normalise_text("\n".join(line.lstrip("#* ").replace("**", "") for line in lines if line.strip()))
        for column, value in zip(variants.__dict__.values(), (f"v{number}", story, page, ordinal, None, None, text)):
            column.append(value)
    return Dataset(root, {}), variants


def test_each_kind_of_segmentation_error_is_counted_in_its_family(tmp_path: Path) -> None:
    dataset, variants = corpus(tmp_path)
    result = segmentation.evaluate(dataset, variants)
    families = {name: score.to_dict() for name, score in result.families.items()}
    assert families["plain"] | {"examples": []} == families["plain"] | {
        "articles": 1, "exact": 1, "variants": 1, "exact_variants": 1, "recall": 1.0, "precision": 1.0}
    briefs = families["briefs"]
    assert (briefs["articles"], briefs["merged"], briefs["exact"], briefs["variants"]) == (2, 2, 0, 1)
    stacked = families["stacked"]
    # the first is split over two variants; the second lost its editor's line (the NULs are not looked for)
    assert (stacked["split"], stacked["lines_lost"], stacked["exact"], stacked["variants"]) == (1, 1, 0, 3)
    assert stacked["edge_slips"] == briefs["edge_slips"] == 0  # a sub-head and a whole article moved, not edges
    assert {e["kind"] for e in stacked["examples"]} == {"split", "lines_lost"}
    classic = families["classic"]
    # the first is split, and shares a variant with the second: both counts; both slips are at the edge
    assert (classic["missed"], classic["split"], classic["merged"], classic["edge_slips"]) == (1, 1, 2, 2)
    assert result.total.articles == len(TRUTH)
    assert result.page_lines_absorbed == 1  # the label went into the first article
    assert result.cover[("pages/p2.txt", 0)] == {2, 3}


def test_unmapped_articles_count_as_missed_pairs(tmp_path: Path) -> None:
    dataset, variants = corpus(tmp_path)
    result = grouping.evaluate(dataset, variants, segmentation.evaluate(dataset, variants).cover)
    assert len(result.unmapped) == 1  # the refused page's article
    # st1's two printings were grouped together; st2's printing on the refused page is a pair missed
    assert result.mapped_recall == 1.0 and result.recall == 0.5
    assert result.mapping_check == {"exact_right": 7}
    assert result.families["classic"]["pairwise_recall"] == 0.0
    assert result.families["plain"]["pairwise_precision"] == result.families["plain"]["pairwise_recall"] == 1.0


labelled = st.lists(st.tuples(st.sampled_from("pqr"), st.sampled_from("xyz"), st.sampled_from("FG")), max_size=14)


@given(labelled)
def test_family_scores_count_the_pairs_that_touch_the_family(entries) -> None:
    scores = grouping.by_family(entries)
    for family, score in scores.items():
        pairs = [(a, b) for a, b in combinations(entries, 2) if family in (a[2], b[2])]
        predicted = [(a, b) for a, b in pairs if a[0] == b[0]]
        true = [(a, b) for a, b in pairs if a[1] == b[1]]
        both = [(a, b) for a, b in predicted if a[1] == b[1]]
        assert score["pairwise_precision"] == (len(both) / len(predicted) if predicted else 1.0)
        assert score["pairwise_recall"] == (len(both) / len(true) if true else 1.0)
