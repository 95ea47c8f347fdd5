"""Shared fixtures: the real models, a real index of corpus/, the app over real HTTP."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Files derived from the models (the ONNX export of MiniLM) go to a cache of this session,
# so the tests make them as a first run does; CITEQA_CACHE_DIR set outside is kept.
if "CITEQA_CACHE_DIR" not in os.environ:
    os.environ["CITEQA_CACHE_DIR"] = tempfile.mkdtemp(prefix="citeqa-test-cache-")
    atexit.register(shutil.rmtree, os.environ["CITEQA_CACHE_DIR"], ignore_errors=True)

from fastapi import FastAPI

from api.app import create_app
from api.http.server import server_config
from api.settings import ApiSettings
from index.building.builder import IndexBuilder
from index.documents.corpus import load_corpus
from index.embedders import E5_ID, MINILM_ID, Embedder, make_embedder
from index.settings import IndexSettings
from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import Snapshot
from index.text.chunking import SentenceChunker
from qa.factory import build_pipeline
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.reader.reader import Reader
from qa.rerank.cross_encoder import CrossEncoder

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return make_embedder(MINILM_ID)


@pytest.fixture(scope="session")
def multilingual_embedder() -> Embedder:
    return make_embedder(E5_ID)


@pytest.fixture(scope="session")
def models(embedder: Embedder, multilingual_embedder: Embedder) -> Models:
    return Models(
        embedder=embedder,
        multilingual=multilingual_embedder,
        cross_encoder=CrossEncoder(),
        reader=Reader(),
    )


def make_test_builder(root: Path, models: Models) -> IndexBuilder:
    """A builder with the session's models and the default chunker settings."""
    return IndexBuilder(
        SnapshotRepository(root),
        models.embedder,
        SentenceChunker(IndexSettings().chunker),
        multilingual=models.multilingual,
        progress=False,
    )


@pytest.fixture(scope="session")
def corpus_snapshot(tmp_path_factory: pytest.TempPathFactory, models: Models) -> Snapshot:
    """The default corpus, indexed once per test session."""
    documents, skipped = load_corpus(IndexSettings(corpus_dir=CORPUS))
    assert not skipped
    snapshot, _ = make_test_builder(tmp_path_factory.mktemp("corpus-index"), models).build(
        documents
    )
    return snapshot


@pytest.fixture(scope="session")
def pipeline(corpus_snapshot: Snapshot, models: Models) -> QAPipeline:
    return build_pipeline(corpus_snapshot, models=models)


# Fixtures that load the real models (or build on them): a test that uses one is slow.
MODEL_FIXTURES = frozenset(
    {"embedder", "multilingual_embedder", "models", "corpus_snapshot", "pipeline",
     "live_server", "http"}
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` every test that loads a real model through the shared fixtures, so that
    `pytest -m "not slow"` (make check) runs only the tests that need none."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def wait_until_ready(
    url: str,
    process: subprocess.Popen[str] | subprocess.Popen[bytes],
    timeout: float,
    output: Callable[[], str] = lambda: "",
) -> None:
    """Poll `url`/readyz until it answers 200; fail when the server exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url}: the server exited with status {process.returncode}\n{output()}")
        try:
            if httpx.get(url + "/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} was not ready within {timeout:.0f} s\n{output()}")


def fresh_python(
    script: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`script` run by a new Python at the repository's root, with this environment and
    `env`: what a cold `citeqa` process has imported and loaded, and nothing more."""
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A uvicorn server in a thread, on a free loopback port, configured as `citeqa serve`
    configures it (api.http.server)."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings: ApiSettings = app.state.settings
        config = server_config(app, settings, "127.0.0.1", self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the test server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(pipeline: QAPipeline) -> Iterator[LiveServer]:
    """The app with the default-corpus pipeline, served over real HTTP."""
    app = create_app(ApiSettings(rate_limit="0"), pipeline=pipeline)
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def http(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        yield client
