"""The HTTP query endpoint: a FastAPI app over one Corpus, answering with the CLI's JSON."""
from __future__ import annotations

import logging
import os
import tempfile
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any, AsyncIterator, Callable, Iterator

import anyio.to_thread
import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import FileResponse, JSONResponse, StreamingResponse
from starlette.staticfiles import StaticFiles

from indexer.errors import CorpusIndexError, IndexMissing
from indexer.metadata import MetadataError
from search.budget import QueryTimeout
from search.compare import Comparison
from search.engine import Corpus
from search.export import csv_chunks, jsonl_chunks, write_parquet
from search.kwic import DEFAULT_WIDTH, MAX_WIDTH, Concordance
from search.query import MAX_QUERY_CHARS, QueryError
from search.request import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    ParameterError,
    SearchRequest,
    parse_meta,
)
from search.results import ArticleView, SearchResponse
from search.schemas import (
    ConsensusBody,
    DiffBody,
    ErrorBody,
    Health,
    Ready,
    SourceList,
    Stats,
    TimelineBody,
)

log = logging.getLogger(__name__)

# The longest request line and the most header bytes a request may have (a search URL holds a query of at
# most 1,000 characters, some 9 KB percent-encoded, and its filters).
MAX_URL_BYTES = 16 * 1024
MAX_HEADER_BYTES = 16 * 1024
# Seconds a search may take before it is stopped with a 503 (corpus serve --time-budget).
DEFAULT_TIME_BUDGET = 10.0
TIME_BUDGET_ENV = "CORPUS_TIME_BUDGET"
# A query that exercises the whole search path and matches nothing, so probing readiness stays cheap.
READY_PROBE = "readyz"
# Threads running handlers (anyio's default is 40). Each keeps its own searcher and view of every index
# generation (see Corpus), and the GIL runs one at a time anyway: a small pool bounds that memory and the
# rebuilds after a commit at no cost in throughput (measured with bench/load.py).
HANDLER_THREADS = 8


class JSONBody(JSONResponse):
    """orjson-rendered JSON, byte for byte what `corpus ... --json` prints (less its newline).

    A JSONResponse subclass, or FastAPI would document every 200 body as a plain string.
    """

    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONBody:
    return JSONBody({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses an operation can answer with."""
    return {status: {"model": ErrorBody, "description": HTTPStatus(status).phrase} for status in statuses}


# Library errors a client can cause, most specific first, with the status and code each answers with.
_LIBRARY_ERRORS: tuple[tuple[type[Exception], int, str], ...] = (
    (QueryError, 400, "bad_query"),
    (QueryTimeout, 503, "query_timeout"),
    (ParameterError, 422, "bad_parameter"),
    (MetadataError, 422, "bad_parameter"),
    (IndexMissing, 503, "no_index"),
    (CorpusIndexError, 503, "index_unavailable"),
)


def _library_error_handler(status: int, code: str) -> Callable[[Request, Exception], JSONBody]:
    def handle(request: Request, exc: Exception) -> JSONBody:
        return _error(status, code, str(exc))
    return handle


def _validation_error(request: Request, exc: RequestValidationError) -> JSONBody:
    message = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in exc.errors())
    return _error(422, "bad_parameter", message)


def _http_error(request: Request, exc: StarletteHTTPException) -> JSONBody:
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    return _error(exc.status_code, code, str(exc.detail), headers=exc.headers)


def _internal_error(request: Request, exc: Exception) -> JSONBody:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error(500, "internal_error", "internal server error")


class RequestLimits:
    """ASGI middleware: refuses an over-long URL (414) or header block (431) in the one error shape before
    anything else reads it, and names the answering process in X-Corpus-Process (several workers share a port)."""

    def __init__(self, app) -> None:
        self.app = app
        self.process = str(os.getpid()).encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        headers = sum(len(k) + len(v) for k, v in scope.get("headers") or ())
        refusal = None
        if url > MAX_URL_BYTES:
            refusal = _error(414, "uri_too_long", f"the request URL is {url} bytes, at most {MAX_URL_BYTES}")
        elif headers > MAX_HEADER_BYTES:
            refusal = _error(431, "request_header_fields_too_large",
                             f"the request headers are {headers} bytes, at most {MAX_HEADER_BYTES}")

        async def named(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-corpus-process", self.process)]}
            await send(message)

        await (refusal or self.app)(scope, receive, named)


@asynccontextmanager
async def _bounded_thread_pool(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = HANDLER_THREADS
    yield


QUERY = Query(..., max_length=MAX_QUERY_CHARS, description='Terms (all must occur), "phrases", OR, -term / NOT term, '
                                                           "(groups).")
MAX_TIMELINE_QUERIES = 20
DEFAULT_KWIC_LINES = 100
MAX_KWIC_LINES = 10_000
MAX_KWIC_OFFSET = 1_000_000
EXPORT_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8",
                "parquet": "application/vnd.apache.parquet"}
# Bytes read from a written Parquet file per streamed chunk.
PARQUET_CHUNK = 1 << 16
# The research page: static files, built only on the JSON API above.
WEB_DIR = Path(__file__).resolve().parent / "web"


def scope_parameters(
    source: list[str] = Query([], description="Only these sources (repeatable)."),
    publication: str | None = Query(None),
    date_from: str | None = Query(None, description="YYYY-MM-DD"),
    date_to: str | None = Query(None, description="YYYY-MM-DD"),
    all_versions: bool = Query(False, description="Search earlier versions of sources too."),
    meta: list[str] = Query([], description="Sidecar metadata filter KEY=VALUE (repeatable)."),
) -> dict[str, Any]:
    """The filters every lookup takes, as SearchRequest arguments."""
    return {"sources": tuple(source), "publication": publication, "date_from": date_from, "date_to": date_to,
            "all_versions": all_versions, "meta": parse_meta(meta)}


def _check_length(query: str) -> None:
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(query)} characters, at most {MAX_QUERY_CHARS})")


def create_app(index_dir: str | Path | None = None, time_budget: float | None = None) -> FastAPI:
    """The app over the index at `index_dir` (default: $CORPUS_INDEX, else ./index); it need not exist yet.

    Searches stop after `time_budget` seconds (default: $CORPUS_TIME_BUDGET, else DEFAULT_TIME_BUDGET).
    """
    if time_budget is None:
        time_budget = float(os.environ.get(TIME_BUDGET_ENV) or DEFAULT_TIME_BUDGET)
    corpus = Corpus(index_dir, time_budget=time_budget)
    app = FastAPI(title="corpus", version="0.1.0", default_response_class=JSONBody, lifespan=_bounded_thread_pool,
                  description="Grouped search over OCR'd Chinese newspaper pages.")
    for exc_type, status, code in _LIBRARY_ERRORS:
        app.add_exception_handler(exc_type, _library_error_handler(status, code))
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
    app.add_middleware(RequestLimits)

    # Handlers are plain functions: FastAPI runs them in its thread pool, where Corpus keeps a searcher per thread.
    @app.get("/search", response_model=SearchResponse, responses=_errors(400, 422, 500, 503),
             summary="Search; one page of story groups, each with every in-scope variant and its snippet")
    def search(
        q: str = QUERY,
        limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Story groups per page."),
        offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Story groups to skip."),
        facet: list[str] = Query([], description="Count the whole result set by publication, source, date:day|week|"
                                                  "month|year or any sidecar key (repeatable)."),
        fuzzy: bool = Query(False, description="Also find printings where OCR garbled a term (marked fuzzy)."),
        scope: dict = Depends(scope_parameters),
    ) -> JSONBody:
        request = SearchRequest(query=q, limit=limit, offset=offset, facets=tuple(facet), fuzzy=fuzzy, **scope)
        return JSONBody(corpus.search(request).to_dict())

    @app.get("/timeline", response_model=TimelineBody, responses=_errors(400, 422, 500, 503),
             summary="Per period, the stories, variants and occurrences each query matched")
    def timeline(
        q: list[str] = Query(..., description="One query per column (repeatable).", max_length=MAX_TIMELINE_QUERIES),
        by: str = Query("month", description="day, week, month or year"),
        count: str = Query("variants", description="The level a chart shows: stories, variants or occurrences."),
        scope: dict = Depends(scope_parameters),
    ) -> JSONBody:
        for query in q:
            _check_length(query)
        return JSONBody(corpus.timeline(SearchRequest(query=q[0], **scope), q, by, count).to_dict())

    @app.get("/kwic", response_model=Concordance, responses=_errors(400, 422, 500, 503),
             summary="Concordance: every occurrence with its context, in the printed characters")
    def kwic(
        q: str = QUERY,
        width: int = Query(DEFAULT_WIDTH, ge=1, le=MAX_WIDTH, description="Characters of context on each side."),
        sort: str = Query("date", description="date, source, left or right"),
        one_per_story: bool = Query(False, description="Only each story's first line."),
        limit: int = Query(DEFAULT_KWIC_LINES, ge=1, le=MAX_KWIC_LINES, description="Lines per page."),
        offset: int = Query(0, ge=0, le=MAX_KWIC_OFFSET, description="Lines to skip."),
        scope: dict = Depends(scope_parameters),
    ) -> JSONBody:
        request = SearchRequest(query=q, **scope)
        return JSONBody(corpus.kwic(request, width, sort, one_per_story, limit, offset).to_dict())

    @app.get("/export", responses={200: {"content": {media: {} for media in EXPORT_TYPES.values()},
                                         "description": "Every hit, streamed"}, **_errors(400, 422, 500, 503)},
             summary="Every hit of a query as JSON Lines, CSV or Parquet, streamed (no page limit)")
    def export(
        q: str = QUERY,
        format: str = Query("jsonl", description="jsonl, csv or parquet"),
        level: str = Query("variant", description="story, variant (with its full text) or occurrence"),
        scope: dict = Depends(scope_parameters),
    ) -> StreamingResponse:
        if format not in EXPORT_TYPES:
            raise ParameterError(f"format is one of {', '.join(EXPORT_TYPES)}, not {format!r}")
        records = corpus.export(SearchRequest(query=q, **scope), level)
        if format == "parquet":
            chunks = _parquet_chunks(records, level)
        else:
            chunks = jsonl_chunks(records) if format == "jsonl" else csv_chunks(records, level)
        return StreamingResponse(chunks, media_type=EXPORT_TYPES[format],
                                 headers={"content-disposition": f'attachment; filename="corpus-{level}.{format}"'})

    @app.get("/articles/{article_id}", response_model=ArticleView, responses=_errors(404, 422, 500, 503),
             summary="A story with the full text of every variant")
    def article(article_id: str, all_versions: bool = Query(False, description="Earlier versions too.")) -> JSONBody:
        view = corpus.article(article_id, all_versions=all_versions)
        if view is None:
            raise HTTPException(404, f"no article {article_id!r}")
        return JSONBody(view.to_dict())

    def _compared(article_id: str, all_versions: bool) -> Comparison:
        compared = corpus.compare(article_id, all_versions=all_versions)
        if compared is None:
            raise HTTPException(404, f"no article {article_id!r}")
        return compared[1]

    @app.get("/articles/{article_id}/diff", response_model=DiffBody, responses=_errors(404, 422, 500, 503),
             summary="The printings of a story aligned, with every disagreement and who reads what")
    def diff(article_id: str, all_versions: bool = Query(False, description="Earlier versions too."),
             punctuation: bool = Query(False, description="Show punctuation-width differences too.")) -> JSONBody:
        return JSONBody(_compared(article_id, all_versions).diff_dict(punctuation))

    @app.get("/articles/{article_id}/consensus", response_model=ConsensusBody, responses=_errors(404, 422, 500, 503),
             summary="The reading most printings of a story agree on, with per-character support")
    def consensus(article_id: str, all_versions: bool = Query(False, description="Earlier versions too.")) -> JSONBody:
        return JSONBody(_compared(article_id, all_versions).consensus.to_dict())

    @app.get("/sources", response_model=SourceList, responses=_errors(500, 503), summary="The catalogue of sources")
    def sources() -> JSONBody:
        return JSONBody({"sources": [record.to_dict() for record in corpus.sources()]})

    @app.get("/stats", response_model=Stats, responses=_errors(500, 503),
             summary="Counts of sources, variants and stories")
    def stats() -> JSONBody:
        return JSONBody(corpus.stats())

    @app.get("/healthz", response_model=Health, summary="Liveness: the process answers")
    def healthz() -> JSONBody:
        return JSONBody({"status": "ok"})

    @app.get("/readyz", response_model=Ready, responses=_errors(500, 503),
             summary="Readiness: the index opens and answers a search")
    def readyz() -> JSONBody:
        corpus.search(SearchRequest(query=READY_PROBE, limit=1))
        return JSONBody({"status": "ready", "generation": corpus.generation()})

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8",
                            headers={"cache-control": "no-cache"})

    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    return app


def _parquet_chunks(records: Iterator[dict[str, Any]], level: str) -> Iterator[bytes]:
    """A Parquet file of the rows, streamed. Parquet's footer is written last, so the file is written whole
    first (to a temporary file, not memory: a variant export holds every full text)."""
    spool: IO[bytes] = tempfile.TemporaryFile()
    try:
        write_parquet(records, level, spool)
        spool.seek(0)
        while chunk := spool.read(PARQUET_CHUNK):
            yield chunk
    finally:
        spool.close()
