"""The `corpus` command: parses arguments, calls the indexer/search library, prints."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn, Optional

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Index OCR'd Chinese newspaper pages and search them, grouped by story.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

class IdFrom(str, Enum):
    stem = "stem"
    path = "path"


IndexOption = typer.Option(None, "--index", help="Index directory (default: $CORPUS_INDEX, else ./index).")
JsonOption = typer.Option(False, "--json", help="Print one JSON object instead of the terminal view.")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error and exit non-zero."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


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


@app.command()
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
    for path, message in summary.warnings:
        err.print(f"[yellow]warning:[/] {escape(message)}")
    for path, message in summary.failed:
        err.print(f"[red]failed:[/] {escape(message)}")
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


@app.command()
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


@app.command()
def search(
    query: str = typer.Argument(..., help='Terms (all must occur), "phrases", OR, -term / NOT term, (groups).'),
    index_dir: Optional[Path] = IndexOption,
    limit: int = typer.Option(10, "--limit", help="Story groups per page (1-1000)."),
    offset: int = typer.Option(0, "--offset", help="Story groups to skip."),
    source: list[str] = typer.Option([], "--source", help="Only these sources (repeatable)."),
    publication: Optional[str] = typer.Option(None, "--publication"),
    date_from: Optional[str] = typer.Option(None, "--date-from", help="YYYY-MM-DD"),
    date_to: Optional[str] = typer.Option(None, "--date-to", help="YYYY-MM-DD"),
    meta: list[str] = typer.Option([], "--meta", help="Sidecar metadata filter KEY=VALUE (repeatable)."),
    all_versions: bool = typer.Option(False, "--all-versions", help="Search earlier versions of sources too."),
    as_json: bool = JsonOption,
) -> None:
    """Search; results are grouped by story, with a snippet from every variant."""
    from search.engine import Corpus
    from search.request import SearchRequest, parse_meta

    response = _run(lambda: Corpus(index_dir).search(SearchRequest(
        query=query, limit=limit, offset=offset, sources=tuple(source), publication=publication,
        date_from=date_from, date_to=date_to, meta=parse_meta(meta), all_versions=all_versions,
    )))
    if as_json:
        print_json(response.to_dict())
        return
    from search.display import print_response

    print_response(out, response)


@app.command()
def show(
    article_id: str = typer.Argument(..., help="A story id from search results."),
    index_dir: Optional[Path] = IndexOption,
    all_versions: bool = typer.Option(False, "--all-versions"),
    as_json: bool = JsonOption,
) -> None:
    """Show every variant of a story in full."""
    from search.engine import Corpus

    view = _run(lambda: Corpus(index_dir).article(article_id, all_versions=all_versions))
    if view is None:
        fail(f"no article {article_id!r}")
    if as_json:
        print_json(view.to_dict())
        return
    from search.display import print_article

    print_article(out, view)


@app.command()
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


@app.command()
def stats(index_dir: Optional[Path] = IndexOption, as_json: bool = JsonOption) -> None:
    """Counts of sources, variants and stories."""
    from search.engine import Corpus

    figures = _run(lambda: Corpus(index_dir).stats())
    if as_json:
        print_json(figures)
        return
    for key, value in figures.items():
        out.print(f"{key}: {value}")


@app.command()
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


@app.command()
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
        from search.serve import create_app, get_once

        response = get_once(create_app(index_dir, time_budget=time_budget), get)
        sys.stdout.buffer.write(response.content + b"\n")
        sys.stdout.flush()
        raise typer.Exit(0 if response.is_success else 1)
    from search.serve import run_server

    run_server(index_dir, host=host, port=port, workers=workers, time_budget=time_budget)


if __name__ == "__main__":
    app()
