"""Page metadata: path templates, --set, the kinds of value a filter needs, and precedence end to end
through real `corpus index` processes."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.metadata import (
    MetadataError,
    PathTemplate,
    check_settings,
    index_terms,
    metadata_problems,
    parse_assignments,
)
from search.engine import Corpus
from search.request import SearchRequest
from tests.conftest import run_cli

THORIUM_PAGE = "001_5417d37bc9da2a03"


@pytest.mark.parametrize("template, error", [
    ("{publication}{date}", "{publication} and {date} need text between them"),
    ("{publication/{date}", "unbalanced {"),
    ("publication}/{date}", "unbalanced }"),
    ("{}/{date}", "empty field {}"),
    ("{date}/{date}", "{date} appears twice"),
    ("{Publication}", "{Publication} is not a metadata key (lower-case letters, digits and _)"),
    ("{publication}//{page}", "empty part between slashes"),
    ("{publication}/", "empty part between slashes"),
    ("archive/pages", "no {key} fields"),
])
def test_a_bad_template_is_a_one_line_error(template, error):
    with pytest.raises(MetadataError) as caught:
        PathTemplate(template)
    assert str(caught.value) == f"--meta-from-path {template!r}: {error}"


@pytest.mark.parametrize("template, relative, expected", [
    ("{publication}/{date}/{page}", "人民日报/2025-12-07/04.txt", {"publication": "人民日报", "date": "2025-12-07", "page": "04"}),
    ("{publication}/{date}/p{page}", "人民日报/2025年12月7日/p04.md", {"publication": "人民日报", "date": "2025年12月7日", "page": "04"}),
    ("archive/{publication}/{date}_{page}", "archive/贵阳日报/20251207_A3.txt", {"publication": "贵阳日报", "date": "20251207", "page": "A3"}),
    ("{publication}/{page}", "人民日报/04.v2.txt", {"publication": "人民日报", "page": "04.v2"}),
])
def test_a_path_that_fits_gives_its_values(template, relative, expected):
    assert PathTemplate(template).match(relative) == expected


@pytest.mark.parametrize("template, relative, reason", [
    ("{publication}/{date}/{page}", "人民日报/2025/12-07/04.txt", "the path has 4 parts, the template 3"),
    ("{publication}/{date}/{page}", "04.txt", "the path has 1 parts, the template 3"),
    ("{publication}/{date}/p{page}", "人民日报/2025-12-07/04.txt", "its parts do not match the template's"),
    ("{publication}/{date}/{page}", "人民日报/2025-13-07/04.txt", "{date} is '2025-13-07', not a date"),
    ("{publication}/{date}/{page}", "人民日报/misc/04.txt", "{date} is 'misc', not a date"),
    ("{publication}-{edition}/{page}", "人民-日报-海外/04.txt", "ambiguous: {publication} could be '人民' or '人民-日报'"),
])
def test_a_path_that_does_not_fit_is_reported_not_guessed(template, relative, reason):
    with pytest.raises(MetadataError) as caught:
        PathTemplate(template).match(relative)
    assert str(caught.value) == f"path does not fit --meta-from-path {template!r} ({reason})"


NAME = st.text(st.sampled_from("人民日报贵阳晚报海外版新华社abcXYZ0123-"), min_size=1, max_size=12)


@given(publication=NAME, day=st.dates(date(1900, 1, 1), date(2100, 12, 31)), page=NAME,
       suffix=st.sampled_from([".txt", ".md"]))
def test_a_path_written_from_a_template_reads_back_to_its_values(publication, day, page, suffix):
    template = PathTemplate("{publication}/{date}_{page}")
    relative = f"{publication}/{day.isoformat()}_{page}{suffix}"
    assert template.match(relative) == {"publication": publication, "date": day.isoformat(), "page": page}


@pytest.mark.parametrize("assignments, error", [
    (["publication"], "--set takes KEY=VALUE, not 'publication'"),
    (["date=yesterday"], "--set date=yesterday: not a date: 'yesterday' (use YYYY-MM-DD)"),
    (["date=2025-02-30"], "--set date=2025-02-30: not a date: '2025-02-30'"),
    (["版面=A1"], "--set 版面=A1: '版面' is not a metadata key (letters, digits and _)"),
    (["publication="], "--set publication: the value must be a non-empty string"),
    (["page=1", "page=2"], "--set page is given twice"),
])
def test_a_bad_setting_is_a_one_line_error(assignments, error):
    with pytest.raises(MetadataError) as caught:
        parse_assignments(assignments)
    assert str(caught.value) == error


def test_settings_are_kept_as_given():
    assert parse_assignments(["publication = 贵阳日报", "date=2025-12-07"]) == {"publication": "贵阳日报",
                                                                               "date": "2025-12-07"}
    assert check_settings({"edition": "海外版"}) == {"edition": "海外版"}


def test_values_of_the_wrong_kind_are_left_out_of_filters_with_a_reason():
    metadata = {"publication": ["人民日报"], "date": 20251207, "page": True, "edition": "海外版", "版面": "A1",
                "tags": ["要闻"], "extra": {"a": 1}, "note": None}
    assert index_terms(metadata) == {"meta_edition": "海外版"}
    assert metadata_problems(metadata) == [
        "'publication' is a list ['人民日报'], not a name; left out of publication filters",
        "'date' is a number 20251207, not a date string like 2025-12-07; left out of date filters",
        "'page' is a boolean True, not a page name or number; left out of filters",
        "key '版面' is not filterable (letters, digits and _ only); returned with results only",
    ]
    good = {"publication": "人民日报", "date": "2025年12月7日", "page": 3}
    assert index_terms(good) == {"publication": "人民日报", "meta_publication": "人民日报", "date": "2025-12-07",
                                 "meta_date": "2025年12月7日", "meta_page": "3"}
    assert metadata_problems(good) == []


# --- end to end, through real `corpus index` processes --------------------------------------------------


@pytest.fixture()
def archive(tmp_path: Path, seeds_dir: Path) -> Path:
    """Pages filed the way real archives are: PUBLICATION/DATE/PAGE.txt, with one page that does not fit."""
    root = tmp_path / "archive"
    layout = {"人民日报/2025-12-07/04.txt": f"{THORIUM_PAGE}.txt",
              "人民日报/2025-12-08/01.txt": "000_b412ed2ff225a7db.txt",
              "光明日报/2025-12-07/02.txt": "002_1193bf27c877aa1f.txt",
              "光明日报/2025-13-07/03.txt": "003_d03bbf471f6134ca.txt",  # a month that does not exist
              "misc/004.txt": "004_f23d1930071a8f29.txt"}  # one level short
    for relative, seed in layout.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(seeds_dir / seed, root / relative)
    return root


def index_archive(archive: Path, index_dir: Path, *options: str):
    return run_cli("index", str(archive), "--index", str(index_dir), "--id-from", "path", "--json", *options)


def sources(index_dir: Path, **filters) -> set[str]:
    response = Corpus(index_dir).search(SearchRequest(query="新质生产力", limit=100, **filters))
    return {v.source for a in response.articles for v in a.variants}


def test_metadata_from_paths_fills_filters_and_a_misfit_is_a_warning(tmp_path, archive):
    index_dir = tmp_path / "index"
    result = index_archive(archive, index_dir, "--meta-from-path", "{publication}/{date}/{page}")
    assert result.returncode == 0, result.stderr
    summary = orjson.loads(result.stdout)
    assert summary["sources"]["new"] == 5 and summary["sources"]["failed"] == 0
    warned = sorted(w["path"] for w in summary["warnings"])
    assert warned == sorted([str(archive / "光明日报/2025-13-07/03.txt"), str(archive / "misc/004.txt")])
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and all("path does not fit" in line for line in warnings)
    assert any("{date} is '2025-13-07', not a date" in line and "03.txt" in line for line in warnings)
    assert sources(index_dir, publication="人民日报") == {"人民日报/2025-12-07/04", "人民日报/2025-12-08/01"}
    assert sources(index_dir, date_from="2025-12-07", date_to="2025-12-07") == {"人民日报/2025-12-07/04",
                                                                                 "光明日报/2025-12-07/02"}
    assert sources(index_dir, meta=(("page", "04"),)) == {"人民日报/2025-12-07/04"}
    returned = {r.source: r.metadata for r in Corpus(index_dir).sources()}
    assert returned["光明日报/2025-13-07/03"] == {} and returned["misc/004"] == {}


def test_sidecars_win_over_set_and_set_over_the_path(tmp_path, archive):
    (archive / "人民日报/2025-12-07/04.meta.json").write_text('{"publication": "人民日报海外版"}', encoding="utf-8")
    index_dir = tmp_path / "index"
    result = index_archive(archive, index_dir, "--meta-from-path", "{publication}/{date}/{page}",
                           "--set", "edition=第一版", "--set", "page=A1")
    assert result.returncode == 0, result.stderr
    returned = {r.source: r.metadata for r in Corpus(index_dir).sources()}
    assert returned["人民日报/2025-12-07/04"] == {"publication": "人民日报海外版", "date": "2025-12-07",
                                                 "page": "A1", "edition": "第一版"}
    assert returned["人民日报/2025-12-08/01"] == {"publication": "人民日报", "date": "2025-12-08", "page": "A1",
                                                 "edition": "第一版"}
    assert returned["misc/004"] == {"edition": "第一版", "page": "A1"}
    assert sources(index_dir, publication="人民日报海外版") == {"人民日报/2025-12-07/04"}
    assert len(sources(index_dir, meta=(("edition", "第一版"),))) == 5


def test_metadata_is_part_of_a_page_version(tmp_path, archive):
    index_dir = tmp_path / "index"
    first = orjson.loads(index_archive(archive, index_dir, "--set", "publication=贵阳日报").stdout)
    again = orjson.loads(index_archive(archive, index_dir, "--set", "publication=贵阳日报").stdout)
    changed = orjson.loads(index_archive(archive, index_dir, "--set", "publication=贵州日报").stdout)
    assert (first["sources"]["new"], again["sources"]["unchanged"], changed["sources"]["changed"]) == (5, 5, 5)
    assert sources(index_dir, publication="贵州日报") and not sources(index_dir, publication="贵阳日报")


@pytest.mark.parametrize("options, error", [
    (["--meta-from-path", "{publication}/{date"], "error: --meta-from-path '{publication}/{date': unbalanced {"),
    (["--meta-from-path", "{date}/{date}"], "error: --meta-from-path '{date}/{date}': {date} appears twice"),
    (["--set", "date=yesterday"], "error: --set date=yesterday: not a date: 'yesterday' (use YYYY-MM-DD)"),
    (["--set", "publication"], "error: --set takes KEY=VALUE, not 'publication'"),
])
def test_bad_metadata_options_stop_the_run_before_anything_is_indexed(tmp_path, archive, options, error):
    index_dir = tmp_path / "index"
    result = index_archive(archive, index_dir, *options)
    assert result.returncode == 2
    assert result.stderr.strip() == error
    assert not index_dir.exists()
