"""The research page at / driven in a real headless Chromium over a real `corpus serve` on the seed pages with
sidecars: every view is checked against the JSON API's own answer, and screenshots are saved."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pyarrow.parquet as pq
import pytest

from search.server import server_process

CHROMIUM = Path(os.environ.get("CORPUS_CHROMIUM", "/usr/bin/chromium"))
# Debian's chromium, offline and headless: no sandbox (CI runs as root), no GPU, nothing fetched in the background.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}
STEP_MS = 10_000  # the longest any one step may take
PAGE_WEIGHT_LIMIT = 200 * 1024
# Set to a directory (docs/screenshots) to write the README's screenshots there too.
SCREENSHOT_ENV = "CORPUS_SCREENSHOTS"
QUERY = "钍基熔盐"


@pytest.fixture(scope="module")
def base_url(meta_index: Path, tmp_path_factory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("page-server") / "server.log"
    with server_process(meta_index, (), log, startup_seconds=30.0) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Any]:
    """A persistent context of Debian's chromium with a new empty profile; skips, saying why, without one."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium; .ci/run does; or set CORPUS_CHROMIUM)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS, viewport=DESKTOP,
                accept_downloads=True, timeout=30_000)
        except sync_api.Error as error:
            pytest.skip(f"chromium at {CHROMIUM} cannot be launched: {str(error).splitlines()[0]}")
        context.set_default_timeout(STEP_MS)
        yield context
        context.close()


@pytest.fixture()
def page(browser, base_url):
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" and "status of 400" not in message.text else None)
    page.problems = problems
    yield page
    page.close()


@pytest.fixture()
def api(base_url) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=20.0) as client:
        yield client


def shots_dirs(tmp_path: Path) -> list[Path]:
    folders = [tmp_path / "screenshots"]
    if os.environ.get(SCREENSHOT_ENV):
        folders.append(Path(os.environ[SCREENSHOT_ENV]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


def screenshot(page, folders: list[Path], name: str, full_page: bool = False) -> None:
    page.screenshot(path=str(folders[0] / f"{name}.png"), full_page=full_page)
    for folder in folders[1:]:
        shutil.copy(folders[0] / f"{name}.png", folder / f"{name}.png")


def ready(page, view: str) -> None:
    page.wait_for_selector(f"#view[data-ready='{view}']")


def url_params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def search_json(api: httpx.Client, **params: Any) -> dict[str, Any]:
    response = api.get("/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_research_session_through_every_view(page, api, base_url, tmp_path):
    folders = shots_dirs(tmp_path)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base_url + "/")
    ready(page, "intro")

    # Search: typed into the box, which has the focus when the page opens.
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(QUERY)
    page.keyboard.press("Enter")
    ready(page, "results")
    expected = search_json(api, q=QUERY)
    stories = page.locator("li.story")
    assert stories.count() == len(expected["articles"]) >= 1
    assert page.locator("li.story h2").first.inner_text() == expected["articles"][0]["title"]
    story = expected["articles"][0]
    rows = stories.first.locator("li.printing")
    assert rows.count() == len(story["variants"])
    for row, variant in zip(rows.all(), story["variants"]):
        assert row.locator(".source").inner_text() == variant["source"]
        assert row.locator(".snippet").inner_text() == variant["snippet"]
        assert ("unmatched" in row.get_attribute("class")) == (not variant["matched"])
        marks = row.locator("mark").all_inner_texts()
        assert marks == [variant["snippet"][s:e] for s, e in variant["highlights"]]
    matched_marks = stories.first.locator("li.printing:not(.unmatched) mark.hit").all_inner_texts()
    assert matched_marks and set(matched_marks) == {QUERY}
    # Page 003 printed the term garbled: its printing is shown dimmed, the garble highlighted.
    garbled = stories.first.locator("li.printing.unmatched", has=page.locator(".source", has_text="003_"))
    assert garbled.locator("mark.garble").inner_text() == "钎基熔盐"
    dimmed = garbled.evaluate("row => getComputedStyle(row).color")
    bright = rows.first.evaluate("row => getComputedStyle(row).color")
    assert dimmed != bright
    summary = page.locator(".summary").inner_text()
    assert f"{expected['total_variants']} printings in {expected['total_articles']} story" in summary
    assert " ms on the server" in summary
    assert page.locator(".spread").first.inner_text().startswith(f"printed by {len(story['papers'])} papers · first "
                                                                 f"{story['first_printed']['date']}")

    # First result painted after the API's answer (Element Timing in Chromium), reported, not asserted.
    paint = page.wait_for_function("window.corpusTiming.firstResultPaint && window.corpusTiming.results")
    timing = page.evaluate("""() => {
        const search = performance.getEntriesByType('resource').filter(e => e.name.includes('/search?')).pop();
        const t = window.corpusTiming;
        return {response_end: search.responseEnd, answered: t.results.answered,
                painted: t.firstResultPaint.renderTime || t.firstResultPaint.loadTime};
    }""")
    paint.dispose()
    paint_ms = timing["painted"] - timing["response_end"]
    assert paint_ms > 0
    screenshot(page, folders, "results")

    # / focuses the box from anywhere; arrow keys move through the results; Enter opens the story view with the
    # printings compared.
    page.locator(".summary").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('story')")
    page.keyboard.press("Enter")
    ready(page, "story")
    assert url_params(page)["story"] == [story["article_id"]]
    diff = api.get(f"/articles/{story['article_id']}/diff").json()
    columns = page.locator(".compare .column")
    assert columns.count() == 1 + len(diff["printings"])
    assert page.locator(".diffs button").count() == len(diff["differences"])
    column_003 = page.locator(".compare .column", has=page.locator("code", has_text="003_"))
    assert "钎" in "".join(column_003.locator("mark.diff").all_inner_texts())
    # Choosing a difference marks it in every printing that reads otherwise, and in the consensus.
    substitution = next(i for i, d in enumerate(diff["differences"]) if d["kind"] == "substitution")
    page.locator(f".diffs button[data-diff='{substitution}']").click()
    readers = {v for r in diff["differences"][substitution]["readings"] if not r["consensus"] for v in r["variants"]}
    assert page.locator(".diff.selected").count() == len(readers) + 1
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, folders, "story")

    # Topic view: the timeline as bars and the facets as counts; a paper narrows the search.
    page.click(".tabs a[data-view='topic']")
    ready(page, "topic")
    line = api.get("/timeline", params={"q": QUERY, "by": "month", "count": "variants"}).json()
    assert page.locator("svg.chart a.bar").count() == len(line["rows"])
    facets = search_json(api, q=QUERY, limit=1, facet=["publication", "source"])["facets"]
    assert page.locator(".facet").first.locator("li").count() == len(facets["publication"]["values"])
    page.locator(".choices a", has_text="day").click()
    ready(page, "topic")
    by_day = api.get("/timeline", params={"q": QUERY, "by": "day", "count": "variants"}).json()
    assert page.locator("svg.chart a.bar").count() == len(by_day["rows"])
    screenshot(page, folders, "topic")
    page.locator("svg.chart a.bar").first.click()
    ready(page, "results")
    first_day = by_day["rows"][0]["period"]
    assert url_params(page)["date_from"] == [first_day] and url_params(page)["date_to"] == [first_day]
    page.goto(f"{base_url}/?q={QUERY}&view=topic")
    ready(page, "topic")
    paper = max(facets["publication"]["values"], key=lambda v: v["variants"])["value"]
    page.locator(".facet a", has_text=paper).click()
    ready(page, "results")
    assert url_params(page)["publication"] == [paper]
    assert set(page.locator("li.printing .pub").all_inner_texts()) == {paper}
    assert paper in page.locator("#chips").inner_text()

    # Concordance view, sorted by the right context as the API sorts it.
    page.goto(f"{base_url}/?q={QUERY}&view=kwic")
    ready(page, "kwic")
    page.locator(".choices a", has_text="Right context").click()
    ready(page, "kwic")
    assert url_params(page)["sort"] == ["right"]
    lines = api.get("/kwic", params={"q": QUERY, "sort": "right", "limit": 50}).json()["lines"]
    assert page.locator("table.kwic td.right").all_inner_texts() == [entry["right"] for entry in lines]
    assert set(page.locator("table.kwic td.match").all_inner_texts()) == {QUERY}
    screenshot(page, folders, "concordance")

    # Paging: a bookmarked URL with three stories a page, then forward by the pager and by the arrow key.
    total = search_json(api, q="发展", limit=1)["total_articles"]
    assert total > 6
    page.goto(f"{base_url}/?q=发展&limit=3")
    ready(page, "results")
    page.locator(".pager a[rel='next']").click()
    ready(page, "results")
    assert url_params(page)["offset"] == ["3"]
    second = search_json(api, q="发展", limit=3, offset=3)
    assert page.locator("li.story h2").all_inner_texts() == [a["title"] or "(untitled)" for a in second["articles"]]
    page.keyboard.press("ArrowRight")
    ready(page, "results")
    assert url_params(page)["offset"] == ["6"]
    assert f"of {total}" in page.locator(".pager").inner_text()
    page.go_back()
    ready(page, "results")
    assert url_params(page)["offset"] == ["3"]

    # Export the current results through the export API, in each format.
    page.goto(f"{base_url}/?q={QUERY}")
    ready(page, "results")
    exported = {}
    for name in ("JSON Lines", "CSV", "Parquet"):
        with page.expect_download() as download:
            page.locator("#export a", has_text=name).click()
        exported[name] = Path(download.value.path()).read_bytes()
    jsonl = [json.loads(row) for row in exported["JSON Lines"].decode().splitlines()]
    table = list(csv.DictReader(io.StringIO(exported["CSV"].decode())))
    parquet = pq.read_table(io.BytesIO(exported["Parquet"])).to_pylist()
    assert len(jsonl) == len(table) == len(parquet) == expected["total_variants"]
    assert [r["variant_id"] for r in jsonl] == [r["variant_id"] for r in table] == [r["variant_id"] for r in parquet]

    # Narrow screen: the story's printings stack and nothing is wider than the screen.
    page.set_viewport_size(NARROW)
    page.goto(f"{base_url}/?q={QUERY}")
    ready(page, "results")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    screenshot(page, folders, "results-narrow", full_page=True)
    page.goto(f"{base_url}/?q={QUERY}&view=story&story={story['article_id']}")
    ready(page, "story")
    boxes = [column.bounding_box() for column in page.locator(".compare .column").all()[:2]]
    assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    screenshot(page, folders, "story-narrow")

    assert all(url.startswith(base_url) or url.startswith("data:") for url in requests), \
        [url for url in requests if not url.startswith(base_url)]
    assert not page.problems, page.problems
    report = {"first_result_paint_ms": round(paint_ms, 1), "answer_to_dom_ms":
              round(timing["answered"] - timing["response_end"], 1)}
    (tmp_path / "timing.json").write_text(json.dumps(report))
    print(f"\nfirst result painted {report['first_result_paint_ms']} ms after the API's answer; "
          f"screenshots in {folders[0]}")


def test_the_page_weighs_under_200_kb_and_needs_nothing_from_elsewhere(page, base_url):
    sizes: dict[str, int] = {}
    page.on("response", lambda response: sizes.__setitem__(response.url, len(response.body()))
            if response.url.startswith(base_url) and "/static/" in response.url or response.url == base_url + "/"
            else None)
    page.goto(base_url + "/")
    ready(page, "intro")
    assert base_url + "/" in sizes and any(url.endswith(".js") for url in sizes)
    weight = sum(sizes.values())
    assert weight < PAGE_WEIGHT_LIMIT, sizes
    print(f"\npage weight {weight} bytes in {len(sizes)} files")


def test_a_bad_query_is_a_readable_error_and_the_url_holds_the_view(page, api, base_url):
    page.goto(f"{base_url}/?q=钍基熔盐 (")
    ready(page, "error")
    message = api.get("/search", params={"q": "钍基熔盐 ("}).json()["error"]["message"]
    alert = page.locator("[role='alert']").inner_text()
    assert alert.startswith("The query cannot be read:") and message in alert
    # A shared URL opens the same view with the same filters, and the form shows them.
    page.goto(f"{base_url}/?q={QUERY}&view=kwic&sort=left&publication=人民日报&fuzzy=1")
    ready(page, "kwic")
    assert page.locator(".tabs a[aria-current='page']").inner_text() == "Concordance"
    assert page.input_value("#q") == QUERY and page.input_value("input[name='publication']") == "人民日报"
    assert page.is_checked("input[name='fuzzy']")
    lines = api.get("/kwic", params={"q": QUERY, "sort": "left", "publication": "人民日报"}).json()
    assert page.locator("table.kwic tbody tr").count() == lines["total"]
    # The page asks the API for fuzzy matching when the box is ticked, for every lookup.
    fuzzy_asked = []
    page.on("request", lambda request: fuzzy_asked.append(request.url) if "fuzzy=true" in request.url else None)
    page.click(".tabs a[data-view='results']")
    ready(page, "results")
    assert any("/search?" in url for url in fuzzy_asked)
    assert all("fuzzy=true" in link for link in page.locator("#export a").evaluate_all("as => as.map(a => a.href)"))
    # Every control has a name a screen reader can say.
    unnamed = page.evaluate("""() => [...document.querySelectorAll('input, select, button, a[href]')]
        .filter(e => e.offsetParent !== null || e.closest('details'))
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
        .map(e => e.outerHTML)""")
    assert not unnamed
    # A filter's chip removes it.
    page.locator("#chips a", has_text="人民日报").click()
    ready(page, "results")
    assert "publication" not in url_params(page) and page.input_value("input[name='publication']") == ""


def test_a_fuzzy_search_marks_the_garbled_printing_and_lists_its_form(page, api, base_url):
    page.goto(f"{base_url}/?q={QUERY}&fuzzy=1")
    ready(page, "results")
    answer = search_json(api, q=QUERY, fuzzy="true")
    garbled = [v for a in answer["articles"] for v in a["variants"] if v["fuzzy"]]
    assert [v["source"] for v in garbled] == ["003_d03bbf471f6134ca"]
    badge = page.locator(".printing.fuzzy .badge.fuzzy")
    assert badge.count() == 1 and "钎基熔盐" in badge.inner_text()
    assert "钎基熔盐 ×1" in page.locator(".garbled").inner_text()
