"""The real HTTP server (`corpus serve` in a subprocess): same JSON as the CLI, one error shape, live re-index."""
from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx
import orjson
import pytest

from conftest import ROOT, run_cli
from search.engine import Corpus
from bench.load import cli_options
from search.serve import create_app
from search.server import get_once, server_process

TIMEOUT = 20.0
STARTUP_SECONDS = 30.0

# HTTP parameters and the CLI options that ask the same thing.
QUERIES: list[dict[str, Any]] = [
    {"q": "钍基熔盐"},
    {"q": "新华社", "limit": 3, "offset": 1},
    {"q": '"新质生产力" OR 钍基熔盐', "limit": 20},
    {"q": "发展 -新华社 NOT (量子 OR 卫星)"},
    {"q": "72TB", "source": ["001_5417d37bc9da2a03", "003_d03bbf471f6134ca"], "all_versions": "true"},
    {"q": "发展", "date_from": "2025-01-01", "date_to": "2025-12-31", "publication": "人民日报"},
    {"q": "发展", "meta": ["edition=海外版"]},
    {"q": "钍基熔盐 OR 钎基熔盐", "publication": "光明日报", "meta": ["page=1"]},
    {"q": "钍基熔盐", "fuzzy": "true"},
]


def without_took(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "took_ms"}


def cli_json(*args: str) -> Any:
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    return orjson.loads(done.stdout)


@contextmanager
def running_server(index_dir: Path, log_path: Path, *options: str) -> Iterator[httpx.Client]:
    """`python cli.py serve` on a free loopback port; a client for it once /healthz answers; stopped on exit."""
    with server_process(index_dir, options, log_path, STARTUP_SECONDS) as base_url:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
            yield client


@pytest.fixture(scope="module")
def server(meta_index: Path, tmp_path_factory) -> Iterator[httpx.Client]:
    """A server over the seed index with sidecar metadata (it only reads it)."""
    with running_server(meta_index, tmp_path_factory.mktemp("serve") / "server.log") as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


@pytest.mark.parametrize("params", QUERIES, ids=[p["q"] for p in QUERIES])
def test_search_json_equals_the_cli_json(server, meta_index, params):
    response = server.get("/search", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    expected = cli_json("search", *cli_options(params), "--json", "--index", str(meta_index))
    assert without_took(response.json()) == without_took(expected)
    if set(params) & {"publication", "meta", "date_from", "source"}:
        assert expected["total_variants"] > 0, "a filter case that matches nothing cannot tell filters apart"


def test_chinese_is_sent_as_utf8_not_escaped(server):
    response = server.get("/search", params={"q": "钍基熔盐"})
    assert "钍基熔盐".encode() in response.content and b"\\u" not in response.content
    assert response.json()["articles"][0]["title"].startswith("攀高逐")


def test_article_sources_and_stats_equal_the_cli(server, meta_index):
    index = ("--index", str(meta_index))
    article_id = server.get("/search", params={"q": "钍基熔盐"}).json()["articles"][0]["article_id"]
    for path, args in [(f"/articles/{article_id}", ("show", article_id)),
                       (f"/articles/{article_id}?all_versions=true", ("show", article_id, "--all-versions")),
                       ("/sources", ("sources",)), ("/stats", ("stats",))]:
        response = server.get(path)
        assert response.status_code == 200, response.text
        assert response.json() == cli_json(*args, "--json", *index), path


def test_openapi_and_docs_are_served(server):
    spec = server.get("/openapi.json").json()
    assert {"/search", "/articles/{article_id}", "/sources", "/stats", "/healthz", "/readyz"} <= set(spec["paths"])
    docs = server.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")


def test_the_research_page_and_every_file_it_loads_are_served(server):
    page = server.get("/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "/" not in server.get("/openapi.json").json()["paths"]
    web = ROOT / "search" / "web"
    files = sorted(path.relative_to(web).as_posix() for path in web.rglob("*") if path.is_file())
    assert "index.html" in files and any(name.endswith(".js") for name in files)
    for name in files:
        response = server.get(f"/static/{name}")
        assert response.status_code == 200 and response.content == (web / name).read_bytes(), name
    for imported in re.findall(r'(?:src|href)="/static/([^"]+)"', page.text):
        assert imported in files
    assert_error(server.get("/static/missing.js"), 404, "not_found")


def test_the_page_files_are_package_data():
    # A file the globs miss would be served from a checkout but not from `pip install .`.
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["search"]
    package = ROOT / "search"
    for path in (package / "web").rglob("*"):
        if path.is_file():
            name = path.relative_to(package).as_posix()
            assert any(fnmatch.fnmatch(name, pattern) and name.count("/") == pattern.count("/")
                       for pattern in patterns), name


def test_health_and_readiness(server):
    assert server.get("/healthz").json() == {"status": "ok"}
    ready = server.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


@pytest.mark.parametrize("path, status, code", [
    ("/search?q=(", 400, "bad_query"),
    ("/search?q=-新华社", 400, "bad_query"),
    ('/search?q="unclosed', 400, "bad_query"),
    ("/search?q=%20", 400, "bad_query"),
    ("/search?q=a&limit=0", 422, "bad_parameter"),
    ("/search?q=a&limit=5000", 422, "bad_parameter"),
    ("/search?q=a&limit=ten", 422, "bad_parameter"),
    ("/search?q=a&offset=-1", 422, "bad_parameter"),
    ("/search?q=a&offset=100001", 422, "bad_parameter"),
    ("/search?q=a&date_from=bad", 422, "bad_parameter"),
    ("/search?q=a&date_from=2025-02-01&date_to=2025-01-01", 422, "bad_parameter"),
    ("/search?q=a&meta=noequals", 422, "bad_parameter"),
    ("/search?q=a&meta=bad%20key=1", 422, "bad_parameter"),
    ("/search?q=a&all_versions=maybe", 422, "bad_parameter"),
    ("/search", 422, "bad_parameter"),
    ("/search?q=" + "字" * 1001, 422, "bad_parameter"),
    ("/search?q=" + "a" * 10_000, 422, "bad_parameter"),
    ("/search?q=" + "(" * 400 + "a" + ")" * 400, 400, "bad_query"),
    ("/articles/no-such-story", 404, "not_found"),
    ("/no/such/path", 404, "not_found"),
])
def test_errors_have_one_shape_and_the_right_status(server, path, status, code):
    assert_error(server.get(path), status, code)


def test_other_methods_are_405_in_the_same_shape(server):
    response = server.post("/search?q=a")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


def test_empty_index_dir_is_503_but_alive(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with running_server(empty, tmp_path / "server.log") as client:
        for path in ("/search?q=钍基熔盐", "/sources", "/stats", "/articles/x", "/readyz"):
            assert_error(client.get(path), 503, "no_index")
        assert client.get("/healthz").json() == {"status": "ok"}


def test_a_reindex_while_serving_is_visible_to_the_next_request(seed_index, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    page = tmp_path / "pages" / "moon.txt"
    page.parent.mkdir()
    page.write_text("# 月球背面种植马铃薯试验成功\n\n新华社北京电 科研团队在模拟月球背面环境的舱内完成马铃薯种植试验，"
                    "首批块茎已经收获。\n\n专家表示，这项试验为未来月面基地的食物供给积累了经验。\n", encoding="utf-8")
    with running_server(index_dir, tmp_path / "server.log") as client:
        before = client.get("/stats").json()
        assert client.get("/search", params={"q": "马铃薯"}).json()["total_articles"] == 0
        indexing = threading.Event()
        indexing.set()

        def poll() -> set[tuple[int, int]]:
            """Search while the commit happens: every answer is a 200 with the old or the new state."""
            seen = set()
            while indexing.is_set():
                response = client.get("/search", params={"q": "马铃薯"})
                seen.add((response.status_code, response.json().get("total_articles", -1)))
            return seen

        with ThreadPoolExecutor(max_workers=4) as pool:
            pollers = [pool.submit(poll) for _ in range(4)]
            done = run_cli("index", str(page), "--index", str(index_dir), "--workers", "1")
            indexing.clear()
            seen = set().union(*(p.result() for p in pollers))
        assert done.returncode == 0, done.stderr
        assert seen <= {(200, 0), (200, 1)}
        found = client.get("/search", params={"q": "马铃薯"}).json()
        assert found["total_articles"] == 1
        assert found["articles"][0]["title"] == "月球背面种植马铃薯试验成功"
        after = client.get("/stats").json()
        assert after["generation"] > before["generation"] and after["sources"] == before["sources"] + 1


def test_concurrent_requests_all_succeed_with_identical_bodies(server):
    paths = ["/search?q=钍基熔盐", "/search?q=新华社&limit=5&offset=2", "/search?q=发展 OR 创新&limit=50",
             "/sources"]
    expected = {path: without_took(server.get(path).json()) for path in paths}

    def fetch(i: int) -> tuple[str, int, dict[str, Any]]:
        path = paths[i % len(paths)]
        response = server.get(path)
        return path, response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(64)))
    assert [status for _, status, _ in results] == [200] * 64
    for path, _, body in results:
        assert without_took(body) == expected[path]


def test_several_workers_answer_alike_without_nagle_delays(server, meta_index, tmp_path):
    expected = without_took(server.get("/search", params={"q": "钍基熔盐"}).json())
    with running_server(meta_index, tmp_path / "server.log", "--workers", "2") as client:
        # A keep-alive client stays with one worker: fresh connections until both workers have answered.
        answered: dict[str, dict] = {}
        for _ in range(200):
            with httpx.Client(base_url=str(client.base_url), timeout=TIMEOUT) as fresh:
                response = fresh.get("/search", params={"q": "钍基熔盐"})
            answered.setdefault(response.headers["x-corpus-process"], without_took(response.json()))
            if len(answered) == 2:
                break
        assert len(answered) == 2, "one worker answered every connection"
        assert all(body == expected for body in answered.values())
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            timings.append(time.perf_counter() - started)
    # With Nagle's algorithm left on, every keep-alive response waits ~40 ms for the client's delayed ACK.
    assert sorted(timings)[len(timings) // 2] < 0.02


def test_a_search_past_its_time_budget_is_a_503_and_the_server_goes_on(seed_index, tmp_path):
    with running_server(seed_index, tmp_path / "server.log", "--time-budget", "0.001") as client:
        response = client.get("/search", params={"q": "发展 OR 科技 OR 新华社 OR 记者"})
        assert_error(response, 503, "query_timeout")
        assert "time budget of 0.001 s" in response.json()["error"]["message"]
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/sources").status_code == 200


@pytest.mark.parametrize("path, headers, status, code", [
    ("/search?q=" + "a" * 20_000, {}, 414, "uri_too_long"),
    ("/search?q=a&source=" + "b" * 20_000, {}, 414, "uri_too_long"),
    ("/healthz", {"x-filler": "c" * 20_000}, 431, "request_header_fields_too_large"),
])
def test_over_long_requests_are_refused_before_they_are_read(server, path, headers, status, code):
    assert_error(server.get(path, headers=headers), status, code)


@pytest.mark.parametrize("path", ["/search?q=(", "/search?q=a&limit=0", "/articles/none", "/nope",
                                  "/search?q=" + "%E2%80%8B" * 10, "/search?q=%00", "/search?q=%ED%A0%80"])
def test_error_bodies_hold_no_traceback_and_no_paths_outside_the_index(server, meta_index, path):
    response = server.get(path)
    assert "error" in response.json() if response.status_code >= 400 else "articles" in response.json()
    body = response.text
    assert "Traceback" not in body and "File \"" not in body
    assert str(ROOT) not in body and "site-packages" not in body
    assert str(meta_index.parent) not in body.replace(str(meta_index), "")


def test_serve_get_prints_the_same_json_in_process(server, meta_index):
    done = run_cli("serve", "--index", str(meta_index), "--get", "/search?q=钍基熔盐")
    assert done.returncode == 0, done.stderr
    over_http = server.get("/search", params={"q": "钍基熔盐"}).json()
    assert without_took(orjson.loads(done.stdout)) == without_took(over_http)


def test_a_bug_is_a_500_in_the_same_shape(seed_index, monkeypatch):
    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(Corpus, "stats", broken)
    response = get_once(create_app(seed_index), "/stats")
    assert_error(response, 500, "internal_error")
    assert "a bug" not in response.text


def test_serve_get_prints_the_error_json_and_exits_1(seed_index):
    done = run_cli("serve", "--index", str(seed_index), "--get", "/search?q=a&limit=0")
    assert done.returncode == 1
    assert orjson.loads(done.stdout)["error"]["code"] == "bad_parameter"


def test_a_load_run_that_reindexes_gets_no_errors_and_no_wrong_answers():
    """bench/load.py --reindex: 8 clients search through a commit; every answer equals the CLI's on its commit."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--reindex", "1", "--levels", "8",
                           "--workers", "2", "--queries", "4"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = dict(item.split("=") for item in done.stdout.strip().splitlines()[-1].split())
    assert figures["errors"] == "0" and figures["wrong"] == "0" and int(figures["requests"]) > 100
    assert figures["generations"] == "1,2", "the run must have seen answers from before and after the commit"


def test_two_servers_on_one_index_agree_before_and_after_a_commit(seed_index, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    paths = ["/search?q=钍基熔盐", "/search?q=发展 OR 创新&limit=50", "/sources", "/stats"]
    with running_server(index_dir, tmp_path / "a.log") as first, running_server(index_dir, tmp_path / "b.log") as second:
        for path in paths:
            assert without_took(first.get(path).json()) == without_took(second.get(path).json())
        page = tmp_path / "pages" / "late.txt"
        page.parent.mkdir()
        page.write_text("# 钍基熔盐堆又有新进展\n\n新华社兰州电 钍基熔盐实验堆完成新一轮试验，记者从现场获悉。\n",
                        encoding="utf-8")
        assert run_cli("index", str(page), "--index", str(index_dir)).returncode == 0
        answers = [[without_took(client.get(path).json()) for path in paths] for client in (first, second)]
        assert answers[0] == answers[1]
        assert answers[0][0]["total_variants"] == 4 and answers[0][0]["generation"] == 2
