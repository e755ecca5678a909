"""The `corpus` command: parses arguments, calls the indexer/search library, prints."""
from __future__ import annotations

import difflib
import re
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
    from indexer.store import CorpusIndexError
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
    as_json: bool = JsonOption,
) -> None:
    """Index pages: new and changed files become new versions, unchanged ones are skipped."""
    from indexer.ingest import index_paths
    from indexer.store import resolve_index_dir

    target = resolve_index_dir(index_dir)
    with Progress(TextColumn("[bold]indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("", total=None)
        summary = _run(lambda: index_paths(
            paths, target, workers=workers or None, wait_seconds=wait, id_from=id_from.value,
            on_start=lambda total: bar.update(task, total=total),
            on_file=lambda path, status: bar.update(task, advance=1, description=escape(Path(path).name)),
        ))
    for path, message in summary.failed:
        err.print(f"[yellow]failed:[/] {escape(message)}")
    if as_json:
        print_json(summary.to_dict())
    else:
        out.print(
            f"sources: {summary.new} new, {summary.changed} changed, {summary.unchanged} unchanged, "
            f"{len(summary.failed)} failed\n"
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


@app.command(cls=QueryWordsCommand, context_settings={"ignore_unknown_options": True})
def search(
    query: list[str] = typer.Argument(..., metavar="QUERY",
                                      help='Terms (all must occur), "phrases", OR, -term / NOT term, (groups); '
                                           "the words are joined by spaces, so 熔盐 -钎基 needs no quotes."),
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
        query=" ".join(query), limit=limit, offset=offset, sources=tuple(source), publication=publication,
        date_from=date_from, date_to=date_to, meta=parse_meta(meta), all_versions=all_versions,
    )))
    if as_json:
        print_json(response.to_dict())
        return
    from search.display import print_response

    print_response(out, response)


@app.command(cls=OneLineUsageErrors)
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
def serve(
    index_dir: Optional[Path] = IndexOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", min=1, help="Server processes."),
    get: Optional[str] = typer.Option(None, "--get", metavar="PATH",
                                      help="Answer one GET request (e.g. '/search?q=...') in-process, print the "
                                           "JSON body and exit (0 for 2xx), without starting a server."),
) -> None:
    """Serve the HTTP query API (GET /search, /articles/ID, /sources, /stats; docs at /docs)."""
    if get is not None:
        from search.serve import create_app, get_once

        response = get_once(create_app(index_dir), get)
        sys.stdout.buffer.write(response.content + b"\n")
        sys.stdout.flush()
        raise typer.Exit(0 if response.is_success else 1)
    from search.serve import run_server

    run_server(index_dir, host=host, port=port, workers=workers)


if __name__ == "__main__":
    app()
