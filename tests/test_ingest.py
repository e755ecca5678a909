"""Indexing end to end: versions, idempotence, removal, bad files, a second writer, a crash."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson
import pytest

from indexer import ingest
from indexer.ingest import index_paths, remove_sources
from indexer.errors import IndexBusy, IndexMissing
from indexer.write import IndexSession
from search.engine import Corpus
from search.request import SearchRequest
from tests.conftest import run_cli, split_story_pages, wire_story_paragraphs

THORIUM_PAGE = "001_5417d37bc9da2a03"


def matched_sources(index_dir: Path, query: str, **options) -> set[str]:
    response = Corpus(index_dir).search(SearchRequest(query=query, limit=1000, **options))
    return {(v.source, v.version) for a in response.articles for v in a.variants if v.matched}


def test_reindexing_unchanged_files_does_nothing(tmp_path, fresh_seeds):
    index_dir = tmp_path / "index"
    first = index_paths([fresh_seeds], index_dir, workers=1)
    generation = Corpus(index_dir).generation()
    second = index_paths([fresh_seeds], index_dir, workers=1)
    assert (first.new, second.new, second.changed, second.unchanged) == (5, 0, 0, 5)
    assert second.variants_added == 0
    assert Corpus(index_dir).generation() == generation


def test_changed_file_becomes_a_new_version_and_old_one_stays_searchable(tmp_path, fresh_seeds):
    index_dir = tmp_path / "index"
    index_paths([fresh_seeds], index_dir, workers=1)
    page = fresh_seeds / f"{THORIUM_PAGE}.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("钍基熔盐", "钍基熔盐（修订）"), encoding="utf-8")
    summary = index_paths([fresh_seeds], index_dir, workers=1)
    assert (summary.changed, summary.unchanged) == (1, 4)
    assert (THORIUM_PAGE, 2) in matched_sources(index_dir, "熔盐（修订）")
    assert matched_sources(index_dir, "熔盐（修订）", all_versions=True) == {(THORIUM_PAGE, 2)}
    latest = matched_sources(index_dir, "钍基熔盐")
    assert (THORIUM_PAGE, 1) not in latest and (THORIUM_PAGE, 2) in latest
    assert (THORIUM_PAGE, 1) in matched_sources(index_dir, "钍基熔盐", all_versions=True)
    record = next(r for r in Corpus(index_dir).sources() if r.source == THORIUM_PAGE)
    assert record.version == 2 and [h["version"] for h in record.history] == [1, 2]


def test_new_version_keeps_its_story_id(tmp_path, fresh_seeds):
    index_dir = tmp_path / "index"
    index_paths([fresh_seeds], index_dir, workers=1)
    before = Corpus(index_dir).search(SearchRequest(query="钍基熔盐")).articles[0].article_id
    page = fresh_seeds / f"{THORIUM_PAGE}.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\n\n补白。\n", encoding="utf-8")
    index_paths([fresh_seeds], index_dir, workers=1)
    after = Corpus(index_dir).search(SearchRequest(query="钍基熔盐")).articles[0]
    assert after.article_id == before
    assert (THORIUM_PAGE, 2) in {(v.source, v.version) for v in after.variants}


def test_a_source_indexed_later_joins_the_existing_story(tmp_path, fresh_seeds):
    index_dir = tmp_path / "index"
    late = fresh_seeds / "004_f23d1930071a8f29.txt"
    held_back = tmp_path / "held" / late.name
    held_back.parent.mkdir()
    late.rename(held_back)
    index_paths([fresh_seeds], index_dir, workers=1)
    story = Corpus(index_dir).search(SearchRequest(query="钍基熔盐")).articles[0].article_id
    index_paths([held_back], index_dir, workers=1)
    view = Corpus(index_dir).article(story)
    assert "004_f23d1930071a8f29" in {v.source for v in view.variants}


def test_remove_source(tmp_path, fresh_seeds):
    index_dir = tmp_path / "index"
    index_paths([fresh_seeds], index_dir, workers=1)
    assert remove_sources([THORIUM_PAGE, "no-such-source"], index_dir) == ["no-such-source"]
    assert THORIUM_PAGE not in {r.source for r in Corpus(index_dir).sources()}
    assert THORIUM_PAGE not in {s for s, _ in matched_sources(index_dir, "钍基熔盐", all_versions=True)}
    assert index_paths([fresh_seeds], index_dir, workers=1).new == 1


def write_bad_and_mended_files(pages: Path, nul_page: str) -> tuple[set[str], set[str]]:
    """Files that must be refused and files that are indexed with a warning, beside the seed pages;
    returns the names of each."""
    (pages / "binary.txt").write_bytes(Path(sys.executable).resolve().read_bytes())
    (pages / "empty.txt").write_bytes(b"")
    (pages / "blank.md").write_text("  \n\n \u3000\n", encoding="utf-8")
    (pages / "markup.md").write_text("---\n***\n> \n", encoding="utf-8")
    (pages / "latin1.txt").write_bytes("caf\xe9 na\xefve \xff\xfe".encode("latin-1") * 3 + b"\x80\x81\xfe\xff")
    (pages / "gbk.txt").write_bytes("# 标题\n\n钍基熔盐实验堆在甘肃建成。".encode("gb18030"))
    (pages / "bom.txt").write_bytes("\ufeff# 有BOM的页面\n\n正文第一段。".encode("utf-8"))
    (pages / "crlf.txt").write_bytes("# 标题\r\n\r\n正文第一段。\r正文第二段。".encode("utf-8"))
    (pages / "nul.txt").write_bytes(nul_page.encode("utf-8"))
    (pages / "controls.txt").write_bytes("# 标题\n\n正文\x1b第一段，足够长的一段正文，写满二十个字。".encode("utf-8"))
    (pages / "meta.txt").write_text("# 标题\n\n正文。", encoding="utf-8")
    (pages / "meta.meta.json").write_text("{not json", encoding="utf-8")
    return {"binary.txt", "empty.txt", "blank.md", "markup.md", "latin1.txt"}, {"nul.txt", "controls.txt", "meta.txt"}


@pytest.mark.parametrize("workers", [1, 2])
def test_bad_files_are_reported_and_the_rest_indexed(tmp_path, fresh_seeds, monkeypatch, workers, sogouc_nul_articles):
    monkeypatch.setattr(ingest, "PARALLEL_MIN_CHARS", 0)  # two workers prepare even this little
    nul_page = max(sogouc_nul_articles.values(), key=lambda t: t.count("\x00"))
    refused, warned = write_bad_and_mended_files(fresh_seeds, nul_page)
    index_dir = tmp_path / "index"
    summary = index_paths([fresh_seeds], index_dir, workers=workers)
    failed = {Path(p).name: message for p, message in summary.failed}
    assert set(failed) == refused
    assert {Path(p).name for p, _ in summary.warnings} == warned
    assert all("\n" not in m for m in [*failed.values(), *(w for _, w in summary.warnings)])
    assert summary.new == 5 + 3 + len(warned)
    assert ("gbk", 1) in matched_sources(index_dir, "钍基熔盐")
    assert {s for s, _ in matched_sources(index_dir, "正文第一段")} >= {"bom", "crlf", "controls"}
    line = nul_page.rstrip("\x00").split("\n")[-1].strip()
    assert ("nul", 1) in matched_sources(index_dir, line[-6:])


def test_exit_code_is_0_with_warnings_only_and_1_when_a_file_is_refused(tmp_path, sogouc_nul_articles):
    pages = tmp_path / "pages"
    pages.mkdir()
    nul_page = max(sogouc_nul_articles.values(), key=lambda t: t.count("\x00"))
    (pages / "nul.txt").write_bytes(nul_page.encode("utf-8"))
    (pages / "meta.txt").write_text("# 标题\n\n正文。", encoding="utf-8")
    (pages / "meta.meta.json").write_text('{"date": "yesterday"}', encoding="utf-8")
    index_dir = tmp_path / "index"
    warned = run_cli("index", str(pages), "--index", str(index_dir))
    assert warned.returncode == 0, warned.stderr
    assert sorted(warned.stderr.splitlines()) == [
        f"warning: {pages / 'meta.txt'}: sidecar meta.meta.json: 'date' 'yesterday' is not a date (YYYY-MM-DD); "
        "left out of date filters",
        f"warning: {pages / 'nul.txt'}: {nul_page.count(chr(0)):,} NUL bytes of padding dropped"]
    assert "2 new, 0 changed, 0 unchanged, 0 failed, 2 with warnings" in warned.stdout

    (pages / "binary.txt").write_bytes(Path(sys.executable).resolve().read_bytes())
    refused = run_cli("index", str(pages), "--index", str(index_dir), "--json")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    failed = [line for line in refused.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and failed[0].startswith(f"failed: {pages / 'binary.txt'}: binary file")
    summary = orjson.loads(refused.stdout)
    assert summary["sources"] == {"new": 0, "changed": 0, "unchanged": 2, "failed": 1, "warnings": 2}
    assert {w["path"] for w in summary["warnings"]} == {str(pages / "nul.txt"), str(pages / "meta.txt")}


def test_worker_processes_build_the_same_index_as_one_process(tmp_path, fresh_seeds, monkeypatch):
    monkeypatch.setattr(ingest, "PARALLEL_MIN_CHARS", 0)
    answers = []
    for workers in (1, 2):
        index_dir = tmp_path / f"index-{workers}"
        index_paths([fresh_seeds], index_dir, workers=workers)
        corpus = Corpus(index_dir)
        responses = [corpus.search(SearchRequest(query=q, limit=100)).to_dict()
                     for q in ("钍基熔盐", "新质生产力 发展", "记者 OR 科学")]
        for response in responses:
            del response["took_ms"]
        stats = corpus.stats()
        answers.append((responses, stats["variants"], stats["stories"]))
    assert answers[0] == answers[1]


def test_sidecar_metadata_is_returned_and_filterable(tmp_path, fresh_seeds):
    (fresh_seeds / f"{THORIUM_PAGE}.meta.json").write_text(
        '{"publication": "人民日报", "date": "2025年12月7日", "page": 3, "edition": "海外版"}', encoding="utf-8")
    index_dir = tmp_path / "index"
    index_paths([fresh_seeds], index_dir, workers=1)
    assert {s for s, _ in matched_sources(index_dir, "钍基熔盐", publication="人民日报")} == {THORIUM_PAGE}
    assert {s for s, _ in matched_sources(index_dir, "钍基熔盐", date_from="2025-12-01", date_to="2025-12-31")} == {THORIUM_PAGE}
    assert matched_sources(index_dir, "钍基熔盐", date_from="2026-01-01") == set()
    assert {s for s, _ in matched_sources(index_dir, "钍基熔盐", meta=(("edition", "海外版"),))} == {THORIUM_PAGE}
    response = Corpus(index_dir).search(SearchRequest(query="钍基熔盐", sources=(THORIUM_PAGE,)))
    assert response.articles[0].variants[0].metadata["page"] == 3


def test_a_second_writer_gets_a_clear_error(tmp_path, fresh_seeds):
    index_dir = tmp_path / "index"
    index_paths([fresh_seeds], index_dir, workers=1)
    with IndexSession(index_dir):
        with pytest.raises(IndexBusy, match="another corpus process"):
            index_paths([fresh_seeds], index_dir, workers=1)
    assert index_paths([fresh_seeds], index_dir, workers=1).unchanged == 5


def test_removing_from_a_missing_index_is_an_error(tmp_path):
    with pytest.raises(IndexMissing):
        remove_sources(["x"], tmp_path / "none")


def test_ids_from_paths_keep_same_named_pages_of_different_papers_apart(tmp_path, seeds_dir):
    page = (seeds_dir / f"{THORIUM_PAGE}.txt").read_text(encoding="utf-8")
    for paper in ("paper-a", "paper-b"):
        (tmp_path / "pages" / paper).mkdir(parents=True)
        (tmp_path / "pages" / paper / "p01.txt").write_text(page, encoding="utf-8")
    index_dir = tmp_path / "index"
    clash = index_paths([tmp_path / "pages"], index_dir, workers=1)
    assert clash.new == 1 and len(clash.failed) == 1 and "already used" in clash.failed[0][1]
    assert clash.id_clashes == 1
    shown = run_cli("index", str(tmp_path / "pages"), "--index", str(tmp_path / "index3"))
    assert shown.returncode == 1 and "hint: 1 files share their name" in shown.stderr and "--id-from path" in shown.stderr
    summary = index_paths([tmp_path / "pages"], tmp_path / "index2", workers=1, id_from="path")
    assert summary.new == 2
    assert {r.source for r in Corpus(tmp_path / "index2").sources()} == {"paper-a/p01", "paper-b/p01"}


def test_an_unreadable_index_is_a_clear_error_not_a_traceback(tmp_path, fresh_seeds):
    index_dir = tmp_path / "index"
    index_paths([fresh_seeds], index_dir, workers=1)
    for toc in index_dir.glob("*.toc"):
        toc.write_bytes(b"garbage")
    result = run_cli("search", "钍基熔盐", "--index", str(index_dir))
    assert result.returncode == 2 and "truncated or replaced" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("index", str(fresh_seeds), "--index", str(index_dir))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_a_dead_worker_process_commits_nothing(tmp_path, fresh_seeds, monkeypatch):
    from indexer import write

    index_dir = tmp_path / "index"
    index_paths([fresh_seeds], index_dir, workers=1)
    before = Corpus(index_dir).stats()
    poisoned = fresh_seeds / "poison.txt"
    poisoned.write_text("# 毒药\n\n这一页让准备它的进程死掉。", encoding="utf-8")
    original = ingest.prepare_page

    def dying_prepare(page):  # runs in the forked worker, which exits without a word
        if "毒药" in page.text:
            os._exit(3)
        return original(page)

    monkeypatch.setattr(ingest, "prepare_page", dying_prepare)
    monkeypatch.setattr(ingest, "PARALLEL_MIN_CHARS", 0)
    with pytest.raises(write.IndexWriteFailed):
        index_paths([fresh_seeds], index_dir, workers=2)
    monkeypatch.undo()
    assert Corpus(index_dir).stats()["variants"] == before["variants"]
    assert index_paths([fresh_seeds], index_dir, workers=2).new == 1


def test_a_changed_file_after_a_removal_keeps_its_old_version_searchable(tmp_path, fresh_seeds):
    # The removal commits a segment holding no variant (no key column), which must not shift keys.
    index_dir = tmp_path / "index"
    index_paths([fresh_seeds], index_dir, workers=1)
    remove_sources(["000_b412ed2ff225a7db"], index_dir)
    page = fresh_seeds / f"{THORIUM_PAGE}.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("钍基熔盐", "钍基熔盐堆"), encoding="utf-8")
    index_paths([fresh_seeds / f"{THORIUM_PAGE}.txt"], index_dir, workers=1)
    assert {(THORIUM_PAGE, 1), (THORIUM_PAGE, 2)} <= matched_sources(index_dir, "钍基熔盐", all_versions=True)
    assert (THORIUM_PAGE, 2) in matched_sources(index_dir, "钍基熔盐堆")


def test_a_head_and_a_tail_indexed_apart_join_one_story_when_a_whole_copy_arrives(tmp_path, seed_pages):
    printings = split_story_pages(seed_pages)
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("a-head", "b-tail"):
        (pages / f"{name}.txt").write_text(printings[name], encoding="utf-8")
    index_dir = tmp_path / "index"
    index_paths([pages], index_dir, workers=1)
    before = {hit.article_id for hit in Corpus(index_dir).search(SearchRequest(query="新质生产力")).articles}
    assert len(before) == 2

    (pages / "c-whole.txt").write_text(printings["c-whole"], encoding="utf-8")
    summary = index_paths([pages], index_dir, workers=1)
    assert summary.stories_total == 1
    corpus = Corpus(index_dir)
    result = corpus.search(SearchRequest(query="新质生产力"))
    assert [sorted(v.source for v in hit.variants) for hit in result.articles] == [["a-head", "b-tail", "c-whole"]]
    for old_id in before:  # ids handed out before the merge still lead to the whole story
        view = corpus.article(old_id)
        assert view is not None and view.article_id == result.articles[0].article_id
        assert sorted(v.source for v in view.variants) == ["a-head", "b-tail", "c-whole"]


def test_a_page_where_two_articles_ran_together_is_split_by_their_other_printings(tmp_path, seed_pages):
    first = wire_story_paragraphs(seed_pages)
    village = seed_pages["003_d03bbf471f6134ca"].split("## 扎根乡土")[1]
    second = [p for p in village.split("\n") if p.strip() and not p.startswith("#")][:12]
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text("# 攀高逐新\n\n" + "\n\n".join(first) + "\n", encoding="utf-8")
    (pages / "b.txt").write_text("# 扎根乡土\n\n" + "\n\n".join(second) + "\n", encoding="utf-8")
    # The page where no heading separates them: segmentation sees one article.
    (pages / "c.txt").write_text("# 攀高逐新\n\n" + "\n\n".join(first + second) + "\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    summary = index_paths([pages], index_dir, workers=1)
    assert (summary.variants_total, summary.stories_total) == (4, 2)
    result = Corpus(index_dir).search(SearchRequest(query=second[3][:6]))
    assert [sorted(v.variant_id for v in hit.variants) for hit in result.articles] == [["b@1#0", "c@1#1"]]
