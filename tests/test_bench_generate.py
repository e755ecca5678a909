"""The benchmark-corpus generator: determinism, layout families, and a ground truth that holds on the pages."""
from __future__ import annotations

import json
import lzma
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import opencc
import pytest

from bench.gen.garble import apply_edits
from bench.gen.house import FAMILIES
from bench.gen.neardup import ShingleSets, near_duplicates, shingle_codes

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "generate.py"
CORPORA = ROOT.parent / "shared" / "corpora"


def generate(out: Path, size: str = "50", seed: int = 0, *options: str) -> Path:
    """Run the generator as its command line does, on the small PKU corpus for speed (unless options say)."""
    command = [sys.executable, str(SCRIPT), "--size", size, "--out", str(out), "--seed", str(seed)]
    articles = () if "--articles" in options else ("--articles", "pku")
    subprocess.run([*command, *articles, *options], check=True, capture_output=True)
    return out


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_truth(root: Path) -> list[dict]:
    """The lines of truth.jsonl."""
    return [json.loads(line) for line in (root / "truth.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny corpus shared by the checks below."""
    if not (CORPORA / "pku-199801").is_dir():
        pytest.skip("shared corpora not available")
    return generate(tmp_path_factory.mktemp("bench") / "out")


def test_same_seed_gives_identical_bytes(corpus: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again")
    assert snapshot(corpus) == snapshot(again)


def test_other_seed_gives_other_corpus(corpus: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", seed=1)
    assert snapshot(corpus) != snapshot(other)


def test_truth_covers_every_page(corpus: Path) -> None:
    truth = read_truth(corpus)
    pages = {p.relative_to(corpus).as_posix() for p in (corpus / "pages").rglob("*.txt")}
    by_page: dict[str, list[int]] = {}
    for record in truth:
        by_page.setdefault(record["page"], []).append(record["ordinal"])
    assert set(by_page) == pages
    for ordinals in by_page.values():
        assert ordinals == list(range(len(ordinals)))
    assert len(truth) == 50


def test_truth_text_is_on_its_page(corpus: Path) -> None:
    for record in read_truth(corpus):
        text = (corpus / record["page"]).read_text(encoding="utf-8")
        flat = "".join(text.replace("**", "").replace("#", "").split())
        assert record["text_sample"] and record["text_sample"] in flat
        if record["title"] is not None:
            assert record["title"] in text.replace("  \n", "")


def test_stories_have_variants_and_partials(corpus: Path) -> None:
    truth = read_truth(corpus)
    per_story = Counter(record["story"] for record in truth)
    assert min(per_story.values()) >= 1
    assert any(count >= 2 for count in per_story.values())
    assert any(record["partial"] for record in truth)
    assert all(record["partial"] == (record["part"] != "whole") for record in truth)


def test_sidecars_and_manifest(corpus: Path) -> None:
    pages = sorted((corpus / "pages").rglob("*.txt"))
    sidecars = [p.with_suffix(".meta.json") for p in pages if p.with_suffix(".meta.json").exists()]
    assert sidecars
    for sidecar in sidecars:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        assert set(meta) == {"publication", "date", "page"}
        assert sidecar.name.startswith(meta["date"].replace("-", ""))
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["size"] == 50 and manifest["seed"] == 0
    assert manifest["counts"]["pages"] == len(pages)
    assert manifest["counts"]["variants"] == len(read_truth(corpus))
    assert manifest["counts"]["characters"] == sum(len(p.read_text(encoding="utf-8")) for p in pages)


def test_refuses_to_overwrite_without_force(corpus: Path) -> None:
    command = [sys.executable, str(SCRIPT), "--size", "50", "--out", str(corpus), "--articles", "pku"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode != 0 and "--force" in result.stderr


@pytest.fixture(scope="module")
def corpus_1k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1k corpus from the PKU articles (2 s): every layout family, traditional papers."""
    if not (CORPORA / "pku-199801").is_dir():
        pytest.skip("shared corpora not available")
    return generate(tmp_path_factory.mktemp("bench1k") / "out", "1k")


def page_lines(root: Path, record: dict) -> list[str]:
    """The lines of a truth record's page file, split at "\\n" as the truth counts them."""
    return (root / record["page"]).read_text(encoding="utf-8").split("\n")


RUNS_PRINTED = ("body", "subhead")  # roles of the lines that print the clean body


def flat(text: str) -> str:
    """Text without whitespace or markdown markup, to compare printed text with a page's lines."""
    return "".join(text.replace("**", "").replace("#", "").split())


def test_every_layout_family_and_both_scripts_appear_at_1k(corpus_1k: Path) -> None:
    truth = read_truth(corpus_1k)
    layouts = Counter(record["layout"] for record in truth)
    assert set(layouts) == set(FAMILIES) and min(layouts.values()) >= 20, layouts
    scripts = Counter(record["script"] for record in truth)
    assert 0 < scripts["traditional"] < scripts["simplified"], scripts
    assert json.loads((corpus_1k / "manifest.json").read_text())["counts"]["layouts"] == dict(layouts) | {
        f: layouts.get(f, 0) for f in FAMILIES}


def test_line_truth_holds_each_article_and_nothing_else(corpus_1k: Path) -> None:
    truth = read_truth(corpus_1k)
    by_page: dict[str, list[dict]] = {}
    for record in truth:
        by_page.setdefault(record["page"], []).append(record)
    for page, records in by_page.items():
        lines = page_lines(corpus_1k, records[0])
        owned: dict[int, int] = {}
        for record in records:
            runs = record["lines"]
            assert runs[0][0] == record["first_line"] and runs[-1][1] == record["last_line"]
            for first, last, role in runs:
                assert first <= last and lines[first - 1].strip() and lines[last - 1].strip(), (page, record["ordinal"])
                for n in range(first, last + 1):
                    if lines[n - 1].strip():
                        assert owned.setdefault(n, record["ordinal"]) == record["ordinal"], (page, n)
            text = "\n".join(lines[record["first_line"] - 1:record["last_line"]])
            assert record["text_sample"] in flat(text)
            roles = {role for _, _, role in runs}
            if record["title"] is None:
                assert "title" not in roles
            else:
                title_lines = [n for first, last, role in runs if role == "title" for n in range(first, last + 1)]
                assert record["title"] in "".join(lines[n - 1] for n in title_lines).replace("  ", "")
            if record["layout"] == "headless":
                assert record["title"] is None and "dateline" not in roles  # the dateline opens the first paragraph
        # the articles follow each other in page order
        assert [r["first_line"] for r in records] == sorted(r["first_line"] for r in records)


def test_garbles_reproduce_the_printed_paragraphs(corpus_1k: Path) -> None:
    truth = read_truth(corpus_1k)
    garbled = 0
    for record in truth:
        for position, clean, printed in record["garbles"]:
            assert record["clean_body"][position:position + len(clean)] == clean != printed
        garbled += bool(record["garbles"])
        printed = flat(apply_edits(record["clean_body"], record["garbles"]))
        lines = page_lines(corpus_1k, record)
        # the page's body lines hold the printed paragraphs after a leading dateline; captions the layout
        # inserted are left out, the article's own captions (in its clean body) are not: a caption run
        # is cut at its blank lines, as a made caption may stand right above one of the article's own
        chunks = [chunk for first, last, role in record["lines"] if role in RUNS_PRINTED or role == "caption"
                  for chunk in "\n".join(lines[first - 1:last]).split("\n\n")
                  if role != "caption" or flat(chunk) in printed]
        on_page = flat("\n".join(chunks))
        assert on_page.endswith(printed) and len(on_page) - len(printed) < 80, (record["page"], record["ordinal"])
        if record["title"] is not None:
            assert apply_edits(record["clean_title"], record["title_garbles"]) == record["title"]
    assert garbled > 0.8 * len(truth)


def test_traditional_papers_print_traditional_characters(corpus_1k: Path) -> None:
    to_simplified = opencc.OpenCC("t2s").convert
    changed: dict[str, list[float]] = {"traditional": [], "simplified": []}
    for record in read_truth(corpus_1k):
        body = record["clean_body"].replace("\x00", "")
        changed[record["script"]].append(sum(a != b for a, b in zip(body, to_simplified(body))) / max(1, len(body)))
    assert min(changed["traditional"]) > 0.02 and np.median(changed["traditional"]) > 0.1
    assert np.median(changed["simplified"]) == 0 and max(changed["simplified"]) < 0.02


def test_classic_layout_alone_is_one_family_in_simplified(tmp_path: Path) -> None:
    root = generate(tmp_path / "classic", "200", 0, "--layouts", "classic", "--traditional", "0")
    truth = read_truth(root)
    assert {(r["layout"], r["script"]) for r in truth} == {("classic", "simplified")}


@pytest.mark.parametrize(("option", "value"), [("--layouts", "classic,columns"), ("--traditional", "2"),
                                               ("--traditional", "some")])
def test_bad_layout_options_are_clear_errors(tmp_path: Path, option: str, value: str) -> None:
    command = [sys.executable, str(SCRIPT), "--out", str(tmp_path / "x"), option, value]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode != 0 and value.split(",")[-1] in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


@pytest.fixture(scope="module")
def sogou_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A corpus from 150 real SogouC records around the first that end in NUL padding, and those records."""
    source = CORPORA / "sogouc" / "articles.jsonl.xz"
    if not source.is_file():
        pytest.skip("shared corpora not available")
    base = tmp_path_factory.mktemp("sogou")
    records: list[str] = []
    with lzma.open(source, "rt", encoding="utf-8") as lines:
        for line in lines:
            if records or "\\u0000" in line:
                records.append(line)
            if len(records) == 150:
                break
    (base / "corpora" / "sogouc").mkdir(parents=True)
    with lzma.open(base / "corpora" / "sogouc" / "articles.jsonl.xz", "wt", encoding="utf-8") as out:
        out.writelines(records)
    (base / "corpora" / "ocr-noise").symlink_to(CORPORA / "ocr-noise")
    root = generate(base / "out", "120", 0, "--articles", "sogouc", "--corpora", str(base / "corpora"))
    texts = {"sogouc:" + (r := json.loads(line))["id"]: r["text"] for line in records}
    return root, texts


def test_nul_padding_survives_onto_the_pages(sogou_corpus: tuple[Path, dict[str, str]]) -> None:
    root, texts = sogou_corpus
    truth = read_truth(root)
    padded = [r for r in truth if "\x00" in texts[r["origin"]]]
    assert padded and any(r["part"] == "whole" for r in padded)
    for record in padded:
        if record["part"] in ("whole", "tail"):  # the padding ends the text: a head or a brief loses it
            run = len(texts[record["origin"]]) - len(texts[record["origin"]].rstrip("\x00"))
            assert "\x00" * run in record["clean_body"], record["origin"]
    nuls_on_page: Counter = Counter()
    for record in truth:
        nuls_on_page[record["page"]] += record["clean_body"].count("\x00")
    for page, count in nuls_on_page.items():
        assert (root / page).read_text(encoding="utf-8").count("\x00") >= count
    assert sum(1 for c in nuls_on_page.values() if c) >= 3


# near-duplicate detection: real-ish news texts
SPRING_TRAVEL = (
    "新华社北京1月6日电 国务院新闻办公室今天举行新闻发布会，介绍今年春运工作安排。交通运输部副部长在会上表示，"
    "今年春运期间全国旅客发送量预计达到二十三亿人次，比去年增长百分之八。铁路部门将增开临时旅客列车四百余对，"
    "民航部门将加密热门航线航班，公路部门将加强客运站安全检查，确保旅客平安有序出行。"
)
# the same report reposted by another site: other credit, a figure and a few words edited
SPRING_TRAVEL_REPOST = (
    "本报北京1月7日讯 国务院新闻办公室昨天举行新闻发布会，介绍今年春运工作安排。交通运输部副部长在会上表示，"
    "今年春运期间全国旅客发送量预计达到二十二亿人次，比去年增长百分之七。铁路部门将增开临时旅客列车五百余对，"
    "民航部门将加密热门航线航班，公路部门将加强客运站安全检查，确保旅客平安有序出行。"
)
MOBILE_TARIFFS = (
    "全球通推出四种本地套餐，基本通话费可优惠至0.2元/分钟。本报讯（记者赵谨）千呼万唤的手机资费下调终于惠及北京。"
    "针对北京移动手机资费调价方案，在某媒体工作的高小姐算了一笔账：她每月话费约三百元，选用新套餐后可节省近百元。"
    "北京移动有关负责人介绍，四种套餐分别面向商务、家庭、学生和老年用户，用户可通过营业厅或短信办理。"
    "业内人士认为，此次调价是北京移动应对竞争的举措，预计其他运营商也将陆续推出类似优惠，消费者将从中受益。"
)
# a short item whose whole text is printed inside the longer one
MOBILE_TARIFFS_SHORT = (
    "千呼万唤的手机资费下调终于惠及北京。针对北京移动手机资费调价方案，"
    "在某媒体工作的高小姐算了一笔账：她每月话费约三百元，选用新套餐后可节省近百元。"
)
FOOTBALL = (
    "昨晚进行的中超联赛第十二轮比赛中，北京国安队在主场以二比一战胜上海申花队。上半场第三十分钟，国安队前锋"
    "接队友传中头球破门。下半场申花队扳平比分，但国安队在比赛最后时刻通过点球再下一城，保住了积分榜领先位置。"
)
BOILERPLATE = "本公司及董事会全体成员保证公告内容的真实、准确和完整。"
ANNOUNCEMENT_DIVIDEND = BOILERPLATE + (
    "公司第三届董事会第五次会议审议通过了二〇〇五年度利润分配方案：以总股本三亿股为基数，向全体股东每十股"
    "派发现金红利一元（含税），股权登记日为五月二十六日，除息日为五月二十九日，红利将于六月二日发放。"
)
ANNOUNCEMENT_LAWSUIT = BOILERPLATE + (
    "本公司近日收到深圳市中级人民法院民事判决书，判决被告深圳某石化集团偿还中国农业银行深圳分行借款本金"
    "五千七百六十万元及相应利息，本公司对上述债务承担连带保证责任。公司将积极采取措施，维护股东利益。"
)


def dropped(texts: list[str]) -> list[int]:
    """Indices near_duplicates drops from these texts, given in this order."""
    shingles = ShingleSets()
    for text in texts:
        shingles.add(text)
    return near_duplicates(shingles)


def containment(smaller: str, larger: str) -> float:
    """Share of the smaller text's shingles found in the larger one."""
    small, large = shingle_codes(smaller), shingle_codes(larger)
    return len(np.intersect1d(small, large)) / len(small)


def test_texts_are_what_their_names_say() -> None:
    assert 0.5 < containment(SPRING_TRAVEL_REPOST, SPRING_TRAVEL) < 1  # near, not exact
    assert MOBILE_TARIFFS_SHORT in MOBILE_TARIFFS
    assert len(shingle_codes(MOBILE_TARIFFS_SHORT)) < 0.5 * len(shingle_codes(MOBILE_TARIFFS))  # Jaccard < 0.5
    assert 0 < containment(ANNOUNCEMENT_DIVIDEND, ANNOUNCEMENT_LAWSUIT) < 0.5


def test_reposted_story_is_dropped_and_others_kept() -> None:
    texts = [SPRING_TRAVEL, FOOTBALL, ANNOUNCEMENT_DIVIDEND, SPRING_TRAVEL_REPOST, ANNOUNCEMENT_LAWSUIT]
    assert dropped(texts) == [3]


def test_article_inside_a_longer_one_is_dropped() -> None:
    assert dropped([MOBILE_TARIFFS, FOOTBALL, MOBILE_TARIFFS_SHORT]) == [2]
    # the first in corpus order stays, even when it is the shorter one
    assert dropped([MOBILE_TARIFFS_SHORT, MOBILE_TARIFFS, FOOTBALL]) == [1]
