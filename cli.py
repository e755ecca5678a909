"""The `corpus` command: parses arguments, calls the indexer/search library, prints."""
from __future__ import annotations

import csv
import difflib
import re
import sys
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, NoReturn, Optional

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperCommand, TyperOption

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Index OCR'd Chinese newspaper pages and search them, grouped by story.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

class IdFrom(str, Enum):
    stem = "stem"
    path = "path"


IndexOption = typer.Option(None, "--index", help="Index directory (default: $CORPUS_INDEX, else ./index).")
# click's error for bad arguments; typer re-exports only this subclass of it (and vendors click from 0.25 on).
UsageError = typer.BadParameter.__base__
# A word that reads as a long option (--limit, --lmit=5), not as a query word that starts with dashes.
LONG_OPTION = re.compile(r"--[A-Za-z][A-Za-z0-9-]*")
JsonOption = typer.Option(False, "--json", help="Print one JSON object instead of the terminal view.")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error and exit non-zero."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


class OneLineUsageErrors(TyperCommand):
    """A command whose argument errors are one line on stderr and exit 2, not click's usage box."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        try:
            self.check_words(ctx, args)
            return super().parse_args(ctx, args)
        except UsageError as exc:
            fail(f"{exc.format_message()} (see 'corpus {self.name} --help')", 2)

    def check_words(self, ctx: typer.Context, args: list[str]) -> None:
        """Reject arguments before click parses them; raises UsageError."""


class QueryWordsCommand(OneLineUsageErrors):
    """`corpus search`: the words that are not its options make up the query, so a word starting with '-' is
    an exclusion (熔盐 -钎基), not an unknown option (the command ignores unknown options). A word shaped like
    a long option that the command lacks (--lmit) is still an error, unless it comes after '--'."""

    def check_words(self, ctx: typer.Context, args: list[str]) -> None:
        options = [p for p in self.params if isinstance(p, TyperOption)]
        takes_value = {name for p in options if not p.is_flag for name in p.opts}
        known = {name for p in options for name in p.opts + p.secondary_opts} | set(self.get_help_option_names(ctx))
        words = iter(args)
        for word in words:
            name = word.partition("=")[0]
            if word == "--":
                return
            if name in takes_value and "=" not in word:
                next(words, None)
            elif LONG_OPTION.fullmatch(name) and name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise UsageError(f"no such option {name}{hint}; to search for it, put it after '--'", ctx)


def print_json(data: Any) -> None:
    """Exactly one JSON object on stdout, UTF-8, Chinese not escaped."""
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS) + b"\n")
    sys.stdout.flush()


def _user_errors() -> tuple[type[Exception], ...]:
    """The library's exceptions that mean bad input, not a bug: printed as one line."""
    from indexer.metadata import MetadataError
    from indexer.errors import CorpusIndexError
    from search.query import QueryError
    from search.request import ParameterError

    return CorpusIndexError, QueryError, ParameterError, MetadataError


def _run(action):
    """Call into the library, turning user errors into a one-line message and exit code 2."""
    try:
        return action()
    except _user_errors() as exc:
        fail(str(exc), 2)


@app.command(cls=OneLineUsageErrors)
def index(
    paths: list[Path] = typer.Argument(..., help="Files and directories (*.txt, *.md, recursively)."),
    index_dir: Optional[Path] = IndexOption,
    workers: int = typer.Option(0, "--workers", help="Worker processes (default: one per core)."),
    wait: float = typer.Option(0.0, "--wait", help="Seconds to wait for another writer to finish."),
    id_from: IdFrom = typer.Option(IdFrom.stem, "--id-from",
                                   help="Source ids from file names (stem) or from paths below each directory given (path)."),
    meta_from_path: Optional[str] = typer.Option(
        None, "--meta-from-path", metavar="TEMPLATE",
        help="Metadata from each file's path below the directory given, e.g. '{publication}/{date}/{page}' "
             "(the last part without its suffix); a path that does not fit is reported and gets none."),
    set_: list[str] = typer.Option([], "--set", metavar="KEY=VALUE",
                                   help="Metadata for every file of this run (repeatable); sidecars win over it, "
                                        "and it over --meta-from-path."),
    as_json: bool = JsonOption,
) -> None:
    """Index pages: new and changed files become new versions, unchanged ones are skipped.

    Exit status: 0 when every file was indexed (warnings included), 1 when any was refused, 2 for bad
    arguments or an index that cannot be opened.
    """
    from indexer.ingest import index_paths
    from indexer.metadata import parse_assignments
    from indexer.store import resolve_index_dir

    target = resolve_index_dir(index_dir)
    with Progress(TextColumn("[bold]indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("", total=None)
        summary = _run(lambda: index_paths(
            paths, target, workers=workers or None, wait_seconds=wait, id_from=id_from.value,
            path_template=meta_from_path, set_metadata=parse_assignments(set_),
            on_start=lambda total: bar.update(task, total=total),
            on_file=lambda path, status: bar.update(task, advance=1, description=escape(Path(path).name)),
        ))
    if summary.variants_total:
        from search.engine import Corpus

        _run(lambda: Corpus(target).prepare())
    for path, message in summary.warnings:
        err.print(f"[yellow]warning:[/] {escape(message)}")
    for path, message in summary.failed:
        err.print(f"[red]failed:[/] {escape(message)}")
    if summary.id_clashes and id_from is IdFrom.stem:
        err.print(f"hint: {summary.id_clashes:,} files share their name with another file of this run; "
                  "--id-from path names each source by its path below the directory given")
    if as_json:
        print_json(summary.to_dict())
    else:
        out.print(
            f"sources: {summary.new} new, {summary.changed} changed, {summary.unchanged} unchanged, "
            f"{len(summary.failed)} failed, {len(summary.warnings)} with warnings\n"
            f"articles: {summary.variants_added} variants added "
            f"({summary.stories_new} new stories, {summary.stories_joined} existing stories joined)\n"
            f"index: {summary.variants_total} variants in {summary.stories_total} stories, {target}\n"
            f"time: {summary.seconds:.2f} s"
        )
    if summary.failed:
        raise typer.Exit(1)


@app.command(cls=OneLineUsageErrors)
def remove(
    sources: list[str] = typer.Argument(..., help="Source ids to remove (every version)."),
    index_dir: Optional[Path] = IndexOption,
    wait: float = typer.Option(0.0, "--wait", help="Seconds to wait for another writer to finish."),
) -> None:
    """Remove sources from the index."""
    from indexer.ingest import remove_sources
    from indexer.store import resolve_index_dir

    missing = _run(lambda: remove_sources(sources, resolve_index_dir(index_dir), wait_seconds=wait))
    removed = [s for s in sources if s not in missing]
    if removed:
        out.print(f"removed: {', '.join(removed)}")
    if missing:
        fail(f"not indexed: {', '.join(missing)}")


SourceOption = typer.Option([], "--source", help="Only these sources (repeatable).")
PublicationOption = typer.Option(None, "--publication")
DateFromOption = typer.Option(None, "--date-from", help="YYYY-MM-DD")
DateToOption = typer.Option(None, "--date-to", help="YYYY-MM-DD")
MetaOption = typer.Option([], "--meta", help="Sidecar metadata filter KEY=VALUE (repeatable).")
AllVersionsOption = typer.Option(False, "--all-versions", help="Search earlier versions of sources too.")
CsvOption = typer.Option(False, "--csv", help="Print CSV instead of the terminal view.")


def scope(source: list[str], publication: Optional[str], date_from: Optional[str], date_to: Optional[str],
          meta: list[str], all_versions: bool) -> dict[str, Any]:
    """The filters every lookup takes, as SearchRequest arguments."""
    from search.request import parse_meta

    return {"sources": tuple(source), "publication": publication, "date_from": date_from, "date_to": date_to,
            "meta": _run(lambda: parse_meta(meta)), "all_versions": all_versions}


def print_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> None:
    """CSV on stdout, UTF-8."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


@app.command(cls=QueryWordsCommand, context_settings={"ignore_unknown_options": True})
def search(
    query: list[str] = typer.Argument(..., metavar="QUERY",
                                      help='Terms (all must occur), "phrases", OR, -term / NOT term, (groups); '
                                           "the words are joined by spaces, so 熔盐 -钎基 needs no quotes."),
    index_dir: Optional[Path] = IndexOption,
    limit: int = typer.Option(10, "--limit", help="Story groups per page (1-1000)."),
    offset: int = typer.Option(0, "--offset", help="Story groups to skip."),
    facet: list[str] = typer.Option([], "--facet", help="Count the whole result set by publication, source, "
                                                       "date:day|week|month|year or a sidecar key (repeatable)."),
    spread: bool = typer.Option(False, "--spread", help="List the stories with who printed them, and who first."),
    fuzzy: bool = typer.Option(False, "--fuzzy", help="Also find printings where OCR garbled a term (marked fuzzy, "
                                                     "ranked below exact hits)."),
    source: list[str] = SourceOption, publication: Optional[str] = PublicationOption,
    date_from: Optional[str] = DateFromOption, date_to: Optional[str] = DateToOption,
    meta: list[str] = MetaOption, all_versions: bool = AllVersionsOption,
    as_json: bool = JsonOption,
) -> None:
    """Search; results are grouped by story, with a snippet from every variant."""
    from search.engine import Corpus
    from search.request import SearchRequest

    filters = scope(source, publication, date_from, date_to, meta, all_versions)
    response = _run(lambda: Corpus(index_dir).search(SearchRequest(
        query=" ".join(query), limit=limit, offset=offset, facets=tuple(facet), fuzzy=fuzzy, **filters)))
    if as_json:
        print_json(response.to_dict())
        return
    from search.display import print_facets, print_response, print_spread

    if spread:
        print_spread(out, response)
    else:
        print_response(out, response)
    print_facets(out, response.facets)


@app.command(cls=OneLineUsageErrors)
def timeline(
    queries: list[str] = typer.Argument(..., help="One or more queries: a column each."),
    index_dir: Optional[Path] = IndexOption,
    by: str = typer.Option("month", "--by", help="day, week, month or year"),
    count: str = typer.Option("variants", "--count", help="stories, variants or occurrences"),
    source: list[str] = SourceOption, publication: Optional[str] = PublicationOption,
    date_from: Optional[str] = DateFromOption, date_to: Optional[str] = DateToOption,
    meta: list[str] = MetaOption, all_versions: bool = AllVersionsOption,
    as_json: bool = JsonOption, as_csv: bool = CsvOption,
) -> None:
    """How often each query was printed per period: a bar chart, or the data as JSON or CSV."""
    from search.engine import Corpus
    from search.request import SearchRequest

    filters = scope(source, publication, date_from, date_to, meta, all_versions)
    chart = _run(lambda: Corpus(index_dir).timeline(SearchRequest(query=queries[0], **filters), queries, by, count))
    if as_json:
        print_json(chart.to_dict())
    elif as_csv:
        print_csv([chart.by, *chart.queries], [[p, *(c.level(chart.count) for c in row)]
                                               for p, row in zip(chart.periods, chart.cells)])
    else:
        from search.display import print_timeline

        print_timeline(out, chart)


@app.command(cls=OneLineUsageErrors)
def kwic(
    query: str = typer.Argument(..., help="The query whose occurrences to list."),
    index_dir: Optional[Path] = IndexOption,
    width: int = typer.Option(30, "--width", help="Characters of context on each side."),
    sort: str = typer.Option("date", "--sort", help="date, source, left or right"),
    one_per_story: bool = typer.Option(False, "--one-per-story", help="Only each story's first line."),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many lines (default: all)."),
    offset: int = typer.Option(0, "--offset", help="Lines to skip."),
    source: list[str] = SourceOption, publication: Optional[str] = PublicationOption,
    date_from: Optional[str] = DateFromOption, date_to: Optional[str] = DateToOption,
    meta: list[str] = MetaOption, all_versions: bool = AllVersionsOption,
    as_json: bool = JsonOption, as_csv: bool = CsvOption,
) -> None:
    """Concordance: every occurrence as one line, left context | term | right context."""
    from search.engine import Corpus
    from search.request import SearchRequest

    filters = scope(source, publication, date_from, date_to, meta, all_versions)
    lines = _run(lambda: Corpus(index_dir).kwic(SearchRequest(query=query, **filters), width, sort, one_per_story,
                                                 limit, offset))
    if as_json:
        print_json(lines.to_dict())
    elif as_csv:
        names = ["variant_id", "article_id", "source", "publication", "date", "left", "match", "right", "start",
                 "end"]
        print_csv(names, [[getattr(line, n) for n in names] for line in lines.lines])
    else:
        from search.display import print_kwic

        print_kwic(out, lines)


@app.command(cls=OneLineUsageErrors)
def export(
    query: str = typer.Argument(..., help="The query whose hits to export, every one of them."),
    index_dir: Optional[Path] = IndexOption,
    fmt: str = typer.Option("jsonl", "--format", help="jsonl, csv or parquet"),
    level: str = typer.Option("variant", "--level", help="story, variant (with its full text) or occurrence"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (default: stdout; "
                                                                         "Parquet needs a file)."),
    source: list[str] = SourceOption, publication: Optional[str] = PublicationOption,
    date_from: Optional[str] = DateFromOption, date_to: Optional[str] = DateToOption,
    meta: list[str] = MetaOption, all_versions: bool = AllVersionsOption,
) -> None:
    """Stream every hit as JSON Lines, CSV or Parquet, with ids, metadata, counts and (variants) full text."""
    from search.engine import Corpus
    from search.export import check_options, csv_chunks, jsonl_chunks, write_parquet
    from search.request import SearchRequest

    _run(lambda: check_options(level, fmt))
    if fmt == "parquet" and output is None:
        fail("Parquet is written to a file: add --output FILE.parquet")
    filters = scope(source, publication, date_from, date_to, meta, all_versions)
    records = _run(lambda: Corpus(index_dir).export(SearchRequest(query=query, **filters), level))
    if fmt == "parquet":
        rows = write_parquet(records, level, str(output))
        err.print(f"{rows} {level} rows written to {escape(str(output))}")
        return
    chunks = jsonl_chunks(records) if fmt == "jsonl" else csv_chunks(records, level)
    with (output.open("wb") if output else nullcontext(sys.stdout.buffer)) as sink:
        for chunk in chunks:
            sink.write(chunk)


@app.command(cls=OneLineUsageErrors)
def topics(
    file: Path = typer.Argument(..., help="One topic a line: NAME<TAB>QUERY, or a bare query."),
    index_dir: Optional[Path] = IndexOption,
    by: list[str] = typer.Option([], "--by", help="Count by publication, source, date:PERIOD or a sidecar key "
                                                  "(repeatable: one row per combination)."),
    fmt: str = typer.Option("table", "--format", help="table, csv or json"),
    source: list[str] = SourceOption, publication: Optional[str] = PublicationOption,
    date_from: Optional[str] = DateFromOption, date_to: Optional[str] = DateToOption,
    meta: list[str] = MetaOption, all_versions: bool = AllVersionsOption,
) -> None:
    """Count a file of topics by paper, period or any key: the table for a paper."""
    from search.engine import Corpus
    from search.request import SearchRequest

    if fmt not in ("table", "csv", "json"):
        fail(f"--format is table, csv or json, not {fmt!r}")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read the topics file ({getattr(exc, 'strerror', None) or exc})")
    filters = scope(source, publication, date_from, date_to, meta, all_versions)
    table = _run(lambda: Corpus(index_dir).topics(text, by, SearchRequest(query="topics", **filters)))
    for problem in table.problems:
        err.print(f"[yellow]skipped:[/] {escape(problem['message'])}")
    if fmt == "json":
        print_json(table.to_dict())
    elif fmt == "csv":
        print_csv(table.columns(), [[row[c] for c in table.columns()] for row in table.rows])
    else:
        from search.display import print_topics

        print_topics(out, table)
    if table.problems:
        raise typer.Exit(1)


@app.command(cls=OneLineUsageErrors)
def show(
    article_id: str = typer.Argument(..., help="A story id from search results."),
    index_dir: Optional[Path] = IndexOption,
    all_versions: bool = typer.Option(False, "--all-versions"),
    diff: bool = typer.Option(False, "--diff", help="The printings aligned, every disagreement marked."),
    consensus: bool = typer.Option(False, "--consensus", help="The reading most printings agree on, with support."),
    punctuation: bool = typer.Option(False, "--punctuation", help="With --diff: show punctuation-width "
                                                                   "differences too (folded by default)."),
    as_json: bool = JsonOption,
) -> None:
    """Show every variant of a story in full, or compare them (--diff, --consensus)."""
    from search.engine import Corpus

    if diff and consensus:
        fail("--diff and --consensus are two views: ask for one")
    if diff or consensus:
        compared = _run(lambda: Corpus(index_dir).compare(article_id, all_versions=all_versions))
        if compared is None:
            fail(f"no article {article_id!r}")
        _, comparison = compared
        if as_json:
            print_json(comparison.diff_dict(punctuation) if diff else comparison.consensus.to_dict())
            return
        from search.compare_display import print_consensus, print_differences

        (print_differences(out, comparison, punctuation) if diff else print_consensus(out, comparison))
        return
    view = _run(lambda: Corpus(index_dir).article(article_id, all_versions=all_versions))
    if view is None:
        fail(f"no article {article_id!r}")
    if as_json:
        print_json(view.to_dict())
        return
    from search.display import print_article

    print_article(out, view)


@app.command(cls=OneLineUsageErrors)
def sources(index_dir: Optional[Path] = IndexOption, as_json: bool = JsonOption) -> None:
    """List indexed sources with their versions and metadata."""
    from search.engine import Corpus

    records = _run(lambda: Corpus(index_dir).sources())
    if as_json:
        print_json({"sources": [r.to_dict() for r in records]})
        return
    table = Table("source", "version", "articles", "indexed", "metadata")
    for r in records:
        table.add_row(escape(r.source), str(r.version), str(r.articles), r.indexed_at,
                      escape(orjson.dumps(r.metadata).decode()))
    out.print(table)


@app.command(cls=OneLineUsageErrors)
def stats(index_dir: Optional[Path] = IndexOption, as_json: bool = JsonOption) -> None:
    """Counts of sources, variants and stories."""
    from search.engine import Corpus

    figures = _run(lambda: Corpus(index_dir).stats())
    if as_json:
        print_json(figures)
        return
    for key, value in figures.items():
        out.print(f"{key}: {value}")


@app.command(cls=OneLineUsageErrors)
def check(
    index_dir: Optional[Path] = IndexOption,
    deep: bool = typer.Option(False, "--deep", help="Also normalise every stored text again and compare it "
                                                    "with what is searched (slower)."),
    as_json: bool = JsonOption,
) -> None:
    """Verify the index: checksums of every file, each segment's structure, and that whoosh's documents,
    the records, the catalogue and the story aliases agree. Exit 1 when anything is wrong."""
    from indexer.check import check_index
    from indexer.store import resolve_index_dir

    report = check_index(resolve_index_dir(index_dir), deep=deep)
    if as_json:
        print_json(report.to_dict())
    else:
        for note in report.notes:
            err.print(f"[yellow]note:[/] {escape(note)}")
        for problem in report.problems:
            err.print(f"[bold red]problem:[/] {escape(problem)}")
        if report.ok:
            out.print(f"ok: generation {report.generation}, {report.files} files, {report.variants} variants, "
                      f"{report.stories} stories, {report.sources} sources checked in {report.seconds:.2f} s")
        else:
            out.print(f"{len(report.problems)} problems in {report.index}")
    if not report.ok:
        raise typer.Exit(1)


@app.command(cls=OneLineUsageErrors)
def compact(
    index_dir: Optional[Path] = IndexOption,
    wait: bool = typer.Option(False, "--wait", help="Wait for another writer to finish instead of failing."),
    as_json: bool = JsonOption,
) -> None:
    """Merge the index's segments into as few as the caps allow (faster ranking), dropping removed texts.
    Searches answer the same before and after."""
    from indexer.compact import compact_index
    from indexer.store import resolve_index_dir

    report = _run(lambda: compact_index(resolve_index_dir(index_dir), wait=wait))
    if as_json:
        print_json(report.to_dict())
    elif not report.merges:
        out.print(f"nothing to compact: {report.segments_before} segments, {report.index}")
    else:
        out.print(f"segments: {report.segments_before} -> {report.segments_after} ({report.merges} merges, "
                  f"{report.documents_before - report.documents_after:,} removed texts dropped)\n"
                  f"index: generation {report.generation}, {report.index}\n"
                  f"time: {report.seconds:.2f} s ({report.cpu_seconds:.2f} s CPU), peak memory {report.peak_rss_mb:.0f} MB")


@app.command(cls=OneLineUsageErrors)
def serve(
    index_dir: Optional[Path] = IndexOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", min=1, help="Server processes."),
    time_budget: float = typer.Option(10.0, "--time-budget", min=0.001, metavar="SECONDS",
                                      help="Stop a search that runs longer than this with a 503 'query_timeout'."),
    get: Optional[str] = typer.Option(None, "--get", metavar="PATH",
                                      help="Answer one GET request (e.g. '/search?q=...') in-process, print the "
                                           "JSON body and exit (0 for 2xx), without starting a server."),
) -> None:
    """Serve the HTTP query API (GET /search, /articles/ID, /sources, /stats; docs at /docs)."""
    if get is not None:
        from search.serve import create_app
        from search.server import get_once

        response = get_once(create_app(index_dir, time_budget=time_budget), get)
        sys.stdout.buffer.write(response.content + b"\n")
        sys.stdout.flush()
        raise typer.Exit(0 if response.is_success else 1)
    from search.server import run_server

    run_server(index_dir, host=host, port=port, workers=workers, time_budget=time_budget)


if __name__ == "__main__":
    app()
