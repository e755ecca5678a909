"""Reading files: what is text (and what is refused), mended text with its warnings, bad line ends,
oversized files, races with the file system, directory walks, and sidecars."""
from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import ingest
from indexer.decode import MAX_CONTROL_SHARE, MAX_STRAY_CONTROLS, MAX_UNDECODABLE_SHARE, NotText, decode
from indexer.ingest import index_paths
from indexer.prepare import prepare_page
from indexer.read import MAX_FILE_BYTES, MAX_PAGE_CHARS, InputFile, ReadError, discover, read_file, read_page
from search.engine import Corpus
from search.request import SearchRequest

THORIUM_PAGE = "001_5417d37bc9da2a03"
IDEOGRAPHS = re.compile("[\u4e00-\u9fff]{8}")


def page_file(path: Path, data: bytes) -> InputFile:
    path.write_bytes(data)
    return InputFile(path, path.stem, path.name)


def matched(index_dir: Path, query: str) -> set[str]:
    response = Corpus(index_dir).search(SearchRequest(query=query, limit=1000))
    return {v.source for a in response.articles for v in a.variants if v.matched}


def probe(text: str) -> str:
    """Eight ideographs from the middle of `text` on: a query only its own article is likely to hold."""
    found = IDEOGRAPHS.search(text, len(text) // 2) or IDEOGRAPHS.search(text)
    assert found
    return found.group()


# --- stray NULs: the SogouC pages -------------------------------------------------------------


def test_every_sogouc_page_padded_with_nuls_is_read_and_the_padding_counted(tmp_path, sogouc_nul_articles):
    assert len(sogouc_nul_articles) == 697
    refused = []
    for name, text in sogouc_nul_articles.items():
        try:
            page, warnings = read_page(page_file(tmp_path / f"{name}.txt", text.encode("utf-8")))
        except ReadError as exc:
            refused.append(str(exc))
            continue
        assert page.text == text.rstrip("\x00 \t\r\n")
        assert warnings == [f"{text.count(chr(0)):,} NUL bytes of padding dropped"]
    assert refused == []


def test_pages_with_nuls_are_indexed_with_a_warning_by_workers_and_found_by_their_text(
        tmp_path, monkeypatch, sogouc_nul_articles):
    monkeypatch.setattr(ingest, "PARALLEL_MIN_CHARS", 0)  # two workers read these few pages
    by_padding = sorted(sogouc_nul_articles, key=lambda n: sogouc_nul_articles[n].count("\x00"))
    chosen = by_padding[:10] + by_padding[-10:]  # the least and the most padded (up to 99% NULs)
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in chosen:
        (pages / f"{name}.txt").write_bytes(sogouc_nul_articles[name].encode("utf-8"))
    summary = index_paths([pages], tmp_path / "index", workers=2)
    assert summary.failed == [] and summary.new == 20
    assert sorted(Path(p).stem for p, _ in summary.warnings) == sorted(chosen)
    assert all("NUL bytes of padding dropped" in w and "\n" not in w for _, w in summary.warnings)
    most_padded = chosen[-1]
    assert most_padded in matched(tmp_path / "index", probe(sogouc_nul_articles[most_padded]))


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.characters(whitelist_categories=("Lo", "Ll", "Nd", "Po", "Zs")), min_size=1).filter(
    lambda t: re.search(r"[^\W_]", t) and t.strip()), padding=st.integers(1, 5000))
def test_nul_padding_of_any_length_leaves_the_text_as_it_was(text, padding):
    plain = decode(text.encode("utf-8"))
    padded = decode(text.encode("utf-8") + b"\x00" * padding)
    assert padded.text == plain.text.rstrip(" \t")
    assert padded.warnings == [f"{padding:,} NUL bytes of padding dropped"]


# --- control characters: the share that makes a file binary ---------------------------------------


def with_controls_every(text: str, step: int) -> str:
    return "".join(c + ("\x1b" if i % step == step - 1 else "") for i, c in enumerate(text))


def test_stray_control_characters_are_dropped_with_a_count_up_to_the_bound(seed_pages):
    text = seed_pages[THORIUM_PAGE]
    every = int(1 / (MAX_CONTROL_SHARE / 2))  # half the bound
    decoded = decode(with_controls_every(text, every).encode("utf-8"))
    assert decoded.text == text
    assert decoded.warnings == [f"{len(text) // every:,} stray control characters dropped"]


def test_text_over_the_control_share_bound_is_refused_as_binary(seed_pages):
    every = int(1 / (MAX_CONTROL_SHARE * 2))  # twice the bound
    with pytest.raises(NotText, match=r"binary file \(\d+\.\d% control characters as utf-8, more than 2%\)"):
        decode(with_controls_every(seed_pages[THORIUM_PAGE], every).encode("utf-8"))


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.characters(whitelist_categories=("Lo", "Ll", "Nd", "Po")), min_size=1).filter(
    lambda t: re.search(r"[^\W_]", t)), data=st.data())
def test_up_to_the_stray_allowance_control_characters_anywhere_are_dropped(text, data):
    controls = data.draw(st.lists(st.tuples(st.integers(0, len(text)), st.sampled_from("\x01\x1b\x7f\x85")),
                                  max_size=MAX_STRAY_CONTROLS))
    stained = list(text)
    for position, control in sorted(controls, reverse=True):
        stained.insert(position, control)
    decoded = decode("".join(stained).encode("utf-8"))
    assert decoded.text == text
    assert decoded.warnings == ([f"{len(controls)} stray control characters dropped"] if controls else [])


@pytest.mark.parametrize("kind", ["executable", "gzip", "random"])
def test_real_binary_files_are_refused_on_one_line(tmp_path, seed_pages, kind):
    data = {"executable": lambda: Path(sys.executable).resolve().read_bytes(),
            "gzip": lambda: gzip.compress(seed_pages[THORIUM_PAGE].encode("utf-8")),
            "random": lambda: os.urandom(20_000)}[kind]()
    with pytest.raises(ReadError) as caught:
        read_page(page_file(tmp_path / "x.txt", data))
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'x.txt'}: binary file") and "\n" not in message


# --- encodings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030"])
def test_a_real_page_reads_the_same_in_every_encoding_it_may_come_in(seed_pages, encoding):
    text = seed_pages["003_d03bbf471f6134ca"]
    decoded = decode(text.encode(encoding))
    assert decoded.text == text
    assert decoded.warnings == []


def test_utf16_without_a_bom_or_a_line_feed_is_refused_not_misread():
    single_line = "钍基熔盐实验堆在甘肃建成并实现满功率运行"
    with pytest.raises(NotText):
        decode(single_line.encode("utf-16-le"))


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")), min_size=1).filter(
    lambda t: re.search(r"[^\W_]", t) and t.strip()),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_text_in_a_self_describing_encoding_decodes_to_itself(text, encoding):
    folded = re.sub("\r\n|[\r\v\f\u2028\u2029]", "\n", text)
    decoded = decode(text.encode(encoding))
    assert decoded.text == folded
    assert decoded.warnings == []


@pytest.mark.parametrize("line_end", ["\r\n", "\r", "\f", "\v", "\u2028"])
def test_crlf_and_lone_cr_pages_segment_exactly_as_lf_pages(seed_pages, line_end):
    text = seed_pages[THORIUM_PAGE]
    lf = prepare_page(read_page_from(text.encode("utf-8")))
    other = prepare_page(read_page_from(text.replace("\n", line_end).encode("utf-8")))
    assert [v.text for v in other.variants] == [v.text for v in lf.variants]


def read_page_from(data: bytes, name: str = "page"):
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        page, _ = read_page(page_file(Path(work) / f"{name}.txt", data))
    return page


# --- damaged stretches --------------------------------------------------------------------------------


def test_an_undecodable_stretch_is_replaced_by_one_marker_and_matches_nothing_across_it(tmp_path, seed_pages):
    text = seed_pages[THORIUM_PAGE]
    at = text.index("钍基熔盐")
    raw = text.encode("utf-8")
    cut = len(text[:at + 2].encode("utf-8"))  # just after 钍基
    damaged = raw[:cut] + b"\xff\xfe\xff" + raw[cut:]
    pages = tmp_path / "pages"
    pages.mkdir()
    page, warnings = read_page(page_file(pages / "damaged.txt", damaged))
    assert warnings == ["3 undecodable bytes as utf-8 replaced by \ufffd"]
    assert page.text == text[:at + 2] + "\ufffd" + text[at + 2:]
    index_paths([pages], tmp_path / "index", workers=1)
    assert "damaged" in matched(tmp_path / "index", text[at - 6:at + 2])  # up to the gap
    assert "damaged" in matched(tmp_path / "index", text[at + 2:at + 8])  # from the gap on
    assert "damaged" not in matched(tmp_path / "index", "钍基熔盐")  # never across it


def test_damage_beyond_the_bound_is_refused_and_gb18030_damage_is_mended(seed_pages):
    text = seed_pages[THORIUM_PAGE]
    raw = text.encode("utf-8")
    step = int(1 / (MAX_UNDECODABLE_SHARE * 4))  # one bad byte per `step` bytes: about twice the bound
    heavily = b"".join(raw[i:i + step] + b"\xff" for i in range(0, len(raw), step))
    with pytest.raises(NotText, match="unknown encoding"):
        decode(heavily)
    gb = text.encode("gb18030")
    middle = len(gb) // 2
    decoded = decode(gb[:middle] + b"\xff\xff" + gb[middle:])
    assert decoded.encoding == "gb18030" and decoded.warnings == ["2 undecodable bytes as gb18030 replaced by \ufffd"]
    assert decoded.text.count("\ufffd") == 1


# --- files with no text --------------------------------------------------------------------------------


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (" \n\t\n\u3000 \r\n".encode("utf-8"), "empty file (only whitespace)"),
    (b"\x00" * 4096, "empty file (only NUL bytes and whitespace)"),
    (b"\xef\xbb\xbf", "empty file"),
    (b"\x00\x01\x02\n\x1b", "no text (only control characters)"),
    ("---\n***\n> \n#\n* * *\n。。。\n".encode("utf-8"), "no text (no letter, digit or ideograph"),
])
def test_files_without_text_are_refused_on_one_line(tmp_path, data, reason):
    with pytest.raises(ReadError) as caught:
        read_page(page_file(tmp_path / "x.md", data))
    assert str(caught.value).startswith(f"{tmp_path / 'x.md'}: {reason}")


def test_a_page_of_one_heading_is_indexed_with_a_warning_that_nothing_is_searchable(tmp_path):
    # A lone heading is page furniture, the one text segmentation leaves out (a run of headings is kept).
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "headings.md").write_text("# 要闻\n", encoding="utf-8")
    summary = index_paths([pages], tmp_path / "index", workers=1)
    assert summary.failed == [] and summary.new == 1
    assert [w for _, w in summary.warnings] == [
        f"{pages / 'headings.md'}: no article text found (only headings or markup): nothing from it is searchable"]


# --- oversized files -------------------------------------------------------------------------------------


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(ReadError, match=rf"file too large \(52,428,800 bytes, limit {MAX_FILE_BYTES:,}\)"):
        read_page(InputFile(big, "big", "big.txt"))


def test_one_line_over_the_page_bound_is_refused_and_a_long_one_under_it_indexed(tmp_path, seed_pages):
    body = "".join(seed_pages[THORIUM_PAGE].split())  # real text, no line breaks
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "too-long.txt").write_text(body * (MAX_PAGE_CHARS // len(body) + 1), encoding="utf-8")
    long_line = "标题\n\n" + body * (100_000 // len(body))
    (pages / "long.txt").write_text(long_line, encoding="utf-8")
    summary = index_paths([pages], tmp_path / "index", workers=1)
    assert [m for _, m in summary.failed] == [
        f"{pages / 'too-long.txt'}: page too long ({len(body) * (MAX_PAGE_CHARS // len(body) + 1):,} characters, "
        f"limit {MAX_PAGE_CHARS:,}); split it into pages"]
    assert summary.new == 1 and "long" in matched(tmp_path / "index", body[50:58])


# --- races with the file system and unreadable files --------------------------------------------------


def test_a_file_that_vanishes_after_discovery_is_reported_not_crashed_on(tmp_path, fresh_seeds):
    doomed = fresh_seeds / f"{THORIUM_PAGE}.txt"
    summary = index_paths([fresh_seeds], tmp_path / "index", workers=1, on_start=lambda total: doomed.unlink())
    assert summary.failed == [(str(doomed), f"{doomed}: vanished (deleted after it was found)")]
    assert summary.new == 4


APPENDER = """
import os, sys, time
descriptor = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
while True:  # a character every 0.2 ms: each wake-up preempts the reader, landing inside its reads
    os.write(descriptor, "钍".encode("utf-8"))
    time.sleep(0.0002)
"""


def test_a_file_that_keeps_changing_while_read_is_refused_after_one_retry(tmp_path, seed_pages):
    page = tmp_path / "growing.txt"
    page.write_text(seed_pages[THORIUM_PAGE] * 300, encoding="utf-8")  # some 6 MB: a read takes milliseconds
    size = page.stat().st_size
    appender = subprocess.Popen([sys.executable, "-c", APPENDER, str(page)])
    refusals = 0
    try:
        while page.stat().st_size == size:
            time.sleep(0.01)
        # Whether an append lands inside both reads is up to the scheduler: a read that saw none must
        # have returned the file as it was, and within 20 s one must see it change.
        deadline = time.monotonic() + 20
        while not refusals and time.monotonic() < deadline:
            try:
                raw = read_file(page)
            except ReadError as exc:
                assert str(exc) == f"{page}: changed while being read, twice; index it again once it is written"
                refusals += 1
                continue
            assert raw == page.read_bytes()[:len(raw)] and len(raw) > size
    finally:
        appender.kill()
        appender.wait()
    assert refusals == 1
    assert read_file(page) == page.read_bytes()  # once it is still, it reads


def test_a_read_error_from_the_device_is_one_line(tmp_path):
    # /proc/self/mem is a regular file whose reads at offset 0 fail with EIO, even for root.
    failing = tmp_path / "failing.txt"
    failing.symlink_to("/proc/self/mem")
    with pytest.raises(ReadError, match=r"failing.txt: cannot read \(Input/output error\)$"):
        read_file(failing)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions; "
                                              "test_a_read_error_from_the_device_is_one_line covers the same path")
def test_a_file_without_read_permission_is_reported(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text("钍基熔盐", encoding="utf-8")
    locked.chmod(0)
    with pytest.raises(ReadError, match=r"locked.txt: cannot read \(Permission denied\)"):
        read_file(locked)


def test_a_fifo_named_like_a_page_is_reported_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "page.txt").write_text("钍基熔盐", encoding="utf-8")
    found = list(discover([tmp_path]))
    assert [str(f) for f in found if isinstance(f, ReadError)] == [f"{tmp_path / 'pipe.txt'}: not a regular file"]
    assert [f.source for f in found if isinstance(f, InputFile)] == ["page"]


# --- directory walks --------------------------------------------------------------------------------------


def test_symlink_loops_and_links_to_the_same_file_yield_each_file_once(tmp_path):
    pages = tmp_path / "pages"
    (pages / "a").mkdir(parents=True)
    (pages / "a" / "x.txt").write_text("钍基熔盐", encoding="utf-8")
    (pages / "a" / "loop").symlink_to("..")  # a directory that holds itself
    (pages / "b").symlink_to("a")  # the same directory twice
    (pages / "c.txt").symlink_to("a/x.txt")  # the same file twice
    (pages / "gone.txt").symlink_to("nowhere.txt")
    found = list(discover([pages, pages / "a"], id_from="path"))
    assert [f.relative for f in found if isinstance(f, InputFile)] == ["a/x.txt"]
    assert [str(f) for f in found if isinstance(f, ReadError)] == [f"{pages / 'gone.txt'}: broken symbolic link"]


def test_a_page_nested_deeper_than_the_recursion_limit_is_found(tmp_path):
    depth = sys.getrecursionlimit() + 100
    directory, made = tmp_path / "deep", []
    directory.mkdir()
    for _ in range(depth):
        directory = directory / "d"
        directory.mkdir()
        made.append(directory)
    (directory / "bottom.txt").write_text("钍基熔盐", encoding="utf-8")
    try:
        found = list(discover([tmp_path / "deep"]))
        assert [f.relative for f in found] == ["d/" * depth + "bottom.txt"]
        page, _ = read_page(found[0])
        assert page.text == "钍基熔盐"
    finally:  # shutil.rmtree recurses too: take the tree down from the bottom
        (directory / "bottom.txt").unlink()
        for level in reversed(made):
            level.rmdir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a directory whatever its permissions")
def test_an_unlistable_directory_is_reported_and_the_rest_walked(tmp_path):
    (tmp_path / "closed").mkdir()
    (tmp_path / "page.txt").write_text("钍基熔盐", encoding="utf-8")
    (tmp_path / "closed").chmod(0)
    try:
        found = list(discover([tmp_path]))
    finally:
        (tmp_path / "closed").chmod(0o755)
    assert [str(f) for f in found if isinstance(f, ReadError)] == [
        f"{tmp_path / 'closed'}: cannot list directory (Permission denied)"]
    assert [f.source for f in found if isinstance(f, InputFile)] == ["page"]


# --- sidecars ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sidecar, warning", [
    (b"{not json", "sidecar p.meta.json is not valid JSON (unexpected character"),
    (b'["a", "b"]', "sidecar p.meta.json holds a JSON list, not an object: ignored"),
    ('{"publication": "人民日报"}'.encode("gb18030"), "sidecar p.meta.json is not valid JSON"),
    (b'{"a": "' + b"x" * (1024 * 1024) + b'"}', "sidecar p.meta.json: file too large"),
    (b'{"publication": ["a", "b"]}', "sidecar p.meta.json: 'publication' is a list ['a', 'b'], not a name"),
    (b'{"date": 20251207}', "sidecar p.meta.json: 'date' is a number 20251207, not a date string"),
    (b'{"date": "2025-13-45"}', "sidecar p.meta.json: 'date' '2025-13-45' is not a date (YYYY-MM-DD)"),
    (b'{"date": "yesterday"}', "sidecar p.meta.json: 'date' 'yesterday' is not a date (YYYY-MM-DD)"),
    (b'{"page": {"no": 3}}', "sidecar p.meta.json: 'page' is an object {'no': 3}, not a page name or number"),
    ('{"版面": "A1"}'.encode("utf-8"), "sidecar p.meta.json: key '版面' is not filterable"),
])
def test_a_bad_sidecar_is_one_warning_naming_it_and_the_page_is_still_read(tmp_path, sidecar, warning):
    (tmp_path / "p.meta.json").write_bytes(sidecar)
    page, warnings = read_page(page_file(tmp_path / "p.txt", "钍基熔盐".encode("utf-8")))
    assert page.text == "钍基熔盐"
    assert len(warnings) == 1 and warnings[0].startswith(warning) and "\n" not in warnings[0]


def test_a_sidecar_with_a_bom_is_read(tmp_path):
    (tmp_path / "p.meta.json").write_bytes('\ufeff{"publication": "人民日报"}'.encode("utf-8"))
    page, warnings = read_page(page_file(tmp_path / "p.txt", "钍基熔盐".encode("utf-8")))
    assert page.metadata == {"publication": "人民日报"} and warnings == []


def test_bad_sidecar_values_are_left_out_of_filters_and_good_ones_kept(tmp_path, seed_pages):
    pages = tmp_path / "pages"
    pages.mkdir()
    text = seed_pages[THORIUM_PAGE]
    for name, sidecar in {"good": '{"publication": "人民日报", "date": "2025-12-07", "edition": "海外版"}',
                          "bad-date": '{"publication": "人民日报", "date": "2025-13-45", "edition": "海外版"}',
                          "bad-publication": '{"publication": ["人民日报"], "date": "2025-12-07"}',
                          "broken": '{"publication": "人民日报",'}.items():
        (pages / f"{name}.txt").write_text(text, encoding="utf-8")
        (pages / f"{name}.meta.json").write_text(sidecar, encoding="utf-8")
    index_dir = tmp_path / "index"
    summary = index_paths([pages], index_dir, workers=1)
    assert summary.failed == [] and summary.new == 4
    assert sorted(Path(p).stem for p, _ in summary.warnings) == ["bad-date", "bad-publication", "broken"]

    def sources(**filters) -> set[str]:
        response = Corpus(index_dir).search(SearchRequest(query="钍基熔盐", limit=100, **filters))
        return {v.source for a in response.articles for v in a.variants if v.matched}

    assert sources() == {"good", "bad-date", "bad-publication", "broken"}
    assert sources(date_from="2025-12-01", date_to="2025-12-31") == {"good", "bad-publication"}
    assert sources(publication="人民日报") == {"good", "bad-date"}
    assert sources(meta=(("edition", "海外版"),)) == {"good", "bad-date"}
    returned = {r.source: r.metadata for r in Corpus(index_dir).sources()}
    assert returned["bad-date"]["date"] == "2025-13-45" and returned["broken"] == {}


def test_padding_inside_a_page_is_dropped_but_scattered_controls_still_count():
    """A padded article printed between others leaves its NULs mid-page, wrapped into lines like the rest."""
    padded = "钍基熔盐实验堆建成。\n\n" + "\x00" * 14 + "  \n" + "\x00" * 14 + "  \n\n第二篇稿件的正文在此。\n"
    decoded = decode(padded.encode("utf-8"))
    assert decoded.text.replace("\n", "") == "钍基熔盐实验堆建成。第二篇稿件的正文在此。"
    assert decoded.warnings == ["28 NUL bytes of padding dropped"]
    scattered = "".join(f"字{chr(1)}\x00" for _ in range(200))  # short runs between characters: not padding
    with pytest.raises(NotText):
        decode(scattered.encode("utf-8"))


def test_a_short_nul_run_ending_a_line_is_padding_however_short_the_page():
    """SogouC articles end in as few as one NUL of padding; printed on a short page, two such ends are over 2%."""
    line = "**共找到19个相关网页。" + "\x00" * 10 + "**\n\n编辑：杨琳\n\n"
    decoded = decode((line * 2 + "第二篇稿件的正文在此。\n").encode("utf-8"))
    assert decoded.warnings == ["20 NUL bytes of padding dropped"]
    assert "**共找到19个相关网页。**\n" in decoded.text  # the line keeps its closing mark
    with pytest.raises(NotText):  # NULs between characters are no line's end
        decode(("字\x00\x00" * 40 + "\n").encode("utf-8"))
