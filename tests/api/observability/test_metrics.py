"""/metrics for Prometheus, request ids, and JSON logs that carry them."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from contextvars import copy_context
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from api.app import create_app
from api.observability.jsonlog import REQUEST_ID, JsonFormatter, use_json_logs
from api.settings import ApiSettings
from qa.models import Models
from qa.pipeline import QAPipeline
from qa.streaming import AnswerDone
from tests.api.admin_support import admin_app, make_index, upload, wait_for_refresh
from tests.conftest import LiveServer

ANSWERABLE = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"
UNANSWERABLE = "What is the best recipe for a lemon cheesecake?"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


@pytest.fixture
def client(pipeline: QAPipeline) -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings(rate_limit="0"), pipeline=pipeline)) as test_client:
        yield test_client


def test_requests_answers_and_index_are_measured(client: TestClient, pipeline: QAPipeline) -> None:
    answered = client.post("/v1/ask", json={"question": ANSWERABLE}).json()
    abstained = client.post("/v1/ask", json={"question": UNANSWERABLE}).json()
    assert not answered["abstained"]
    assert abstained["abstained"]
    client.post("/v1/search", json={"query": "IIOE"})
    client.get("/v1/no/such/route")
    client.get("/v1/documents/some-doc")  # admin off: 403, still labelled by template
    events = list(pipeline.stream(UNANSWERABLE))  # chat endpoints stream: counted too
    assert isinstance(events[-1], AnswerDone)

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = scrape(response.text)
    ask = {"method": "POST", "route": "/v1/ask"}
    assert value(samples, "citeqa_http_requests_total", status="200", **ask) == 2
    assert value(samples, "citeqa_http_request_duration_seconds_count", **ask) == 2
    assert value(samples, "citeqa_http_request_duration_seconds_bucket", le="+Inf", **ask) == 2
    assert (
        value(
            samples,
            "citeqa_http_requests_total",
            method="GET",
            route="/v1/documents/{doc_id}",
            status="403",
        )
        == 1
    )
    assert (
        value(samples, "citeqa_http_requests_total", method="GET", route="unmatched", status="404")
        == 1
    )
    routes = {dict(labels).get("route") for _, labels in samples}
    assert "/v1/no/such/route" not in routes
    for stage in ("embed", "retrieve", "rerank", "compose"):
        assert value(samples, "citeqa_answer_stage_duration_seconds_count", stage=stage) == 3
    assert value(samples, "citeqa_answers_total") == 3
    assert value(samples, "citeqa_abstentions_total") == 2
    snapshot = pipeline.snapshot
    assert value(samples, "citeqa_index_documents") == len(snapshot.documents)
    assert value(samples, "citeqa_index_chunks") == len(snapshot)
    assert value(samples, "citeqa_index_bytes") > 0
    info = value(
        samples,
        "citeqa_snapshot_info",
        snapshot_id=snapshot.snapshot_id,
        embedding_model=snapshot.manifest.embedding.model_id,
    )
    assert info == 1
    assert value(samples, "citeqa_snapshot_created_timestamp_seconds") > 1.7e9


def test_refreshes_are_measured(tmp_path: Path, models: Models) -> None:
    settings = make_index(tmp_path, models)
    with (
        LiveServer(admin_app(settings, models)) as server,
        httpx.Client(base_url=server.url, timeout=120) as http,
    ):
        ticket = upload(http, "velsa.txt", "The Velsa river freezes every January.").json()
        status = wait_for_refresh(http, ticket["ticket"])
        samples = scrape(http.get("/metrics").text)
    assert value(samples, "citeqa_index_refreshes_total", result="ok") == 1
    assert value(samples, "citeqa_index_refreshes_total", result="failed") == 0
    assert value(samples, "citeqa_index_refresh_pending") == 0
    assert value(samples, "citeqa_index_last_refresh_embedded_chunks") == 1
    assert value(samples, "citeqa_index_documents") == 2
    snapshot_ids = [dict(labels)["snapshot_id"] for name, labels in samples if "info" in name]
    assert snapshot_ids == [status["snapshot_id"]]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc-123_x.y:z", True),
        ("", False),
        ("has spaces", False),
        ("x" * 129, False),
        ("é", False),
    ],
)
def test_request_id_is_taken_or_made(client: TestClient, sent: str, kept: bool) -> None:
    response = client.get("/healthz", headers=[(b"X-Request-ID", sent.encode("utf-8"))])
    returned = response.headers["x-request-id"]
    if kept:
        assert returned == sent
    else:
        assert returned != sent
        assert len(returned) == 32
        int(returned, 16)


def test_access_log_is_json_with_the_request_id(client: TestClient) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("citeqa.access")
    access.addHandler(handler)
    previous = access.level
    access.setLevel(logging.INFO)
    try:
        response = client.post(
            "/v1/search", json={"query": "IIOE"}, headers={"X-Request-ID": "req-42"}
        )
    finally:
        access.removeHandler(handler)
        access.setLevel(previous)
    assert response.headers["x-request-id"] == "req-42"
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    entry = next(e for e in entries if e.get("request_id") == "req-42")
    assert entry["logger"] == "citeqa.access"
    assert entry["level"] == "INFO"
    assert entry["method"] == "POST"
    assert entry["route"] == "/v1/search"
    assert entry["status"] == 200
    assert entry["duration_ms"] > 0
    assert entry["message"] == "POST /v1/search 200"


def test_json_formatter_carries_the_request_id_into_threads() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.jsonlog")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        token = REQUEST_ID.set("abc")
        context = copy_context()  # what Starlette does for run_in_threadpool
        REQUEST_ID.reset(token)
        thread = threading.Thread(target=context.run, args=(logger.warning, "in a worker"))
        thread.start()
        thread.join()
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed", extra={"doc_id": "a.txt"})
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["request_id"] == "abc"
    assert first["message"] == "in a worker"
    assert "request_id" not in second
    assert second["doc_id"] == "a.txt"
    assert "ValueError: boom" in second["exception"]


def test_log_format_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEQA_LOG_FORMAT", "text")
    assert ApiSettings().log_format == "text"
    monkeypatch.delenv("CITEQA_LOG_FORMAT")
    assert ApiSettings().log_format == "json"
    with pytest.raises(ValidationError):
        ApiSettings(log_format="xml")  # type: ignore[arg-type]
    root = logging.getLogger()
    saved = [(handler, handler.formatter) for handler in root.handlers]
    try:
        use_json_logs()
        assert root.handlers
        assert all(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
    finally:
        added = [h for h in root.handlers if h not in dict(saved)]
        for handler in added:
            root.removeHandler(handler)
        for handler, formatter in saved:
            handler.setFormatter(formatter)


def test_docs_schema_and_favicon_are_labelled_by_their_routes(client: TestClient) -> None:
    """/docs was 'unmatched': labels came from the OpenAPI schema, which leaves it out."""
    for path in ("/docs", "/redoc", "/openapi.json", "/favicon.ico", "/docs/static/swagger-ui.css"):
        assert client.get(path).status_code == 200, path
    samples = scrape(client.get("/metrics").text)
    for route in ("/docs", "/redoc", "/openapi.json", "/favicon.ico", "/docs/static/{path}"):
        assert (
            value(samples, "citeqa_http_requests_total", method="GET", route=route, status="200")
            == 1
        )
    routes = {dict(labels).get("route") for _, labels in samples}
    assert "unmatched" not in routes
