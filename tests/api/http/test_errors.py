"""An index that cannot be read just now is a 503 with Retry-After, in JSON and in the event
streams, never a 500 or a wait of minutes: rows of the version in service hidden for longer
than the reader waits (a build on a shared Milvus), or a Milvus that stopped answering.
Once the rows are back the same questions are answered."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import ApiSettings
from index.milvus.backend import MilvusBackend
from index.milvus.expressions import visible
from index.milvus.lite import LiteServer
from qa.factory import build_pipeline
from qa.models import Models
from tests.api.test_chat import chat
from tests.conftest import LiveServer, free_port
from tests.index.backends import SMALL_DOCUMENTS, backend_builder, backend_settings
from tests.index.milvus.support import generation, milvus_index, take_rows

pytestmark = pytest.mark.slow

QUESTION = "What colour was the Glimmerfen lighthouse painted?"


@pytest.fixture
def served(tmp_path: Path, models: Models) -> Iterator[tuple[httpx.Client, MilvusBackend]]:
    """The app over a Milvus Lite index of two small documents; a client and the backend."""
    backend, snapshot = milvus_index(tmp_path, models)
    app = create_app(ApiSettings(rate_limit="0"), pipeline=build_pipeline(snapshot, models=models))
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client, backend


def test_an_index_that_cannot_be_read_is_503_until_it_can(
    served: tuple[httpx.Client, MilvusBackend],
) -> None:
    client, backend = served
    assert "teal" in client.post("/v1/ask", json={"question": QUESTION}).json()["answer"]
    collection = backend.names.sentences(generation(backend))
    rows = take_rows(backend.client, collection, visible(1))

    response = client.post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "not_ready"
    name, data = chat(client, {"question": QUESTION})[-1]
    assert (name, data["error"]["code"]) == ("error", "not_ready")
    streamed = completion_stream(client)
    assert streamed[-1] == "[DONE]"
    assert json.loads(streamed[-2])["error"]["code"] == "not_ready"

    backend.client.insert(collection, rows)
    assert "teal" in client.post("/v1/ask", json={"question": QUESTION}).json()["answer"]


def completion_stream(client: httpx.Client) -> list[Any]:
    """The data lines of a streamed /v1/chat/completions call."""
    body = {"model": "citeqa", "messages": [{"role": "user", "content": QUESTION}], "stream": True}
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        return [line[6:] for line in response.iter_lines() if line.startswith("data: ")]


def test_a_milvus_that_stopped_answering_is_503_within_the_query_timeout(
    tmp_path: Path, models: Models
) -> None:
    server = LiteServer(tmp_path / "milvus.db", port=free_port()).start()
    try:
        settings = backend_settings(
            "milvus", tmp_path, milvus_uri=server.uri, milvus_query_timeout=1
        )
        snapshot, _ = backend_builder(settings, models).build(SMALL_DOCUMENTS)
        pipeline = build_pipeline(snapshot, models=models)
        app = create_app(ApiSettings(rate_limit="0"), pipeline=pipeline)
        with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=120) as client:
            answer = client.post("/v1/ask", json={"question": QUESTION}).json()["answer"]
            assert "teal" in answer
            server.stop()
            for path, field in (("/v1/ask", "question"), ("/v1/search", "query")):
                started = time.monotonic()
                response = client.post(path, json={field: QUESTION})
                assert response.status_code == 503, response.text
                assert response.json()["error"]["code"] == "not_ready"
                assert time.monotonic() - started < 30
    finally:
        server.stop()
