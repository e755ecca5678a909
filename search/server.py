"""Running the HTTP app: a uvicorn server in one or more processes, one request answered in-process, and a
server in a child process for tests and benchmarks."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from indexer.store import INDEX_ENV
from search.serve import DEFAULT_TIME_BUDGET, TIME_BUDGET_ENV


def get_once(app: FastAPI, path: str) -> httpx.Response:
    """Answer one GET in-process, without a server: for `corpus serve --get`. A bug is a 500 response, not a raise."""
    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://corpus") as client:
            return await client.get(path)

    return asyncio.run(fetch())


def run_server(index_dir: Path | None, *, host: str, port: int, workers: int,
               time_budget: float = DEFAULT_TIME_BUDGET) -> None:
    """Serve the app with uvicorn until interrupted, in `workers` processes."""
    # Each process builds its own app from the import string, so the settings travel in the environment.
    if index_dir:
        os.environ[INDEX_ENV] = str(Path(index_dir).resolve())
    os.environ[TIME_BUDGET_ENV] = str(time_budget)
    config = uvicorn.Config("search.serve:create_app", factory=True, host=host, port=port, workers=workers)
    if workers == 1:
        uvicorn.Server(config).run()
        return
    listener = config.bind_socket()
    # uvicorn binds this socket with proto 0, so asyncio never sets TCP_NODELAY on the connections it accepts and
    # every keep-alive response waits ~40 ms for a delayed ACK (uvicorn issue #3149); accepted sockets inherit it.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[listener]).run()


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server_process(index_dir: Path, options: tuple[str, ...] = (), log: Path | None = None,
                   startup_seconds: float = 60.0) -> Iterator[str]:
    """`corpus serve` as a child process on a free loopback port: its base URL once /healthz answers.

    For tests and benchmarks that need a real server; it is stopped on exit.
    Raises RuntimeError (with the server's log) if it exits or is not up in time.
    """
    port = free_port()
    root = Path(__file__).resolve().parent.parent
    with open(log or os.devnull, "wb") as sink:
        process = subprocess.Popen([sys.executable, str(root / "cli.py"), "serve", "--index", str(index_dir),
                                    "--port", str(port), *options], cwd=root, stdout=sink, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    output = lambda: log.read_text(errors="replace") if log else ""  # noqa: E731
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{output()}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not up in {startup_seconds} s:\n{output()}")
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
