"""The HTTP examples of README.md and docs/, run with curl and Python against a live server
over the default corpus, their output compared with what the pages show."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.observability.jsonlog import JsonFormatter
from api.settings import ApiSettings
from qa.pipeline import QAPipeline
from tests.conftest import CORPUS, REPO, LiveServer
from tests.docs.examples import (
    example,
    for_server,
    output_of,
    run_request_example,
    server_sent_events,
    shape_problems,
)

DOCUMENT = (CORPUS / "unesco-ichei-iioe-central-asia.txt").read_text(encoding="utf-8")


def run_example(example_id: str, server: LiveServer) -> str:
    return run_request_example(example_id, server.url)


def assert_output_as_shown(example_id: str, body: Any) -> None:
    shown = output_of(example_id)
    assert shown is not None, f"the pages show no output of {example_id}"
    assert shape_problems(shown.json(), body) == []


def assert_quotes_are_verbatim(citations: list[dict[str, Any]]) -> None:
    assert citations
    for citation in citations:
        assert DOCUMENT[citation["start"] : citation["end"]] == citation["quote"]


@pytest.mark.parametrize("example_id", ["readme-ask", "api-search", "api-error"])
def test_request_and_its_output(live_server: LiveServer, example_id: str) -> None:
    body = json.loads(run_example(example_id, live_server))
    assert_output_as_shown(example_id, body)
    if example_id == "readme-ask":
        assert_quotes_are_verbatim(body["citations"])


def test_filters_select_the_documents_they_name(live_server: LiveServer) -> None:
    body = json.loads(run_example("api-filters", live_server))
    assert not body["abstained"]
    assert_quotes_are_verbatim(body["citations"])


def test_history_answers_a_follow_up(live_server: LiveServer) -> None:
    body = json.loads(run_example("ask-history", live_server))
    assert set(body) >= {"answer", "abstained", "citations"}


def test_chat_stream_as_shown(live_server: LiveServer) -> None:
    events = server_sent_events(run_example("chat-stream", live_server))
    shown = output_of("chat-stream")
    assert shown is not None
    documented = server_sent_events(shown.text)
    assert [name for name, _ in events] == [name for name, _ in documented]
    for (name, data), (_, want) in zip(events, documented, strict=True):
        assert shape_problems(want, data, name) == []
    answer = events[-1][1]
    assert_quotes_are_verbatim(answer["citations"])


def test_chat_follow_up_resumes_the_conversation(live_server: LiveServer) -> None:
    events = server_sent_events(run_example("chat-follow-up", live_server))
    assert events[0] == (
        "meta",
        {"conversation_id": events[0][1]["conversation_id"], "resumed": True},
    )
    assert events[-1][0] == "done"


def test_openai_curl(live_server: LiveServer) -> None:
    body = json.loads(run_example("openai-curl", live_server))
    assert body["object"] == "chat.completion"
    assert "Uzbekistan" in body["choices"][0]["message"]["content"]
    assert_quotes_are_verbatim(body["citations"])


@pytest.mark.parametrize("example_id", ["openai-client", "openai-client-stream"])
def test_openai_client(live_server: LiveServer, example_id: str) -> None:
    code = for_server(example(example_id).text, live_server.url)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    answer, *citations = result.stdout.strip().splitlines()
    assert "Uzbekistan" in answer
    assert [line.split(" ", 1)[0] for line in citations] == ["1", "2"][: len(citations)]
    for line in citations:
        assert line.split(" ", 1)[1] in DOCUMENT


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    """The access log lines of the app, as `citeqa serve` writes them (JSON)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("citeqa.access")
    previous = access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    yield stream
    access.removeHandler(handler)
    access.setLevel(previous)


def test_request_id_and_the_access_log(live_server: LiveServer, access_log: io.StringIO) -> None:
    run_example("ops-request-id", live_server)
    entries = [json.loads(line) for line in access_log.getvalue().splitlines()]
    entry = next(e for e in entries if e.get("request_id") == "req-42")
    assert shape_problems(example("ops-access-log").json(), entry) == []


def parse_http_response(text: str) -> tuple[int, dict[str, str], Any]:
    head, _, body = text.strip().partition("\n\n")
    status_line, *header_lines = head.splitlines()
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, json.loads(body)


def test_rate_limited_response_as_shown(pipeline: QAPipeline) -> None:
    status, headers, body = parse_http_response(example("ops-rate-limited").text)
    app = create_app(ApiSettings(rate_limit="3/minute"), pipeline=pipeline)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        responses = [client.post("/v1/search", json={"query": "IIOE"}) for _ in range(4)]
    limited = responses[-1]
    assert [r.status_code for r in responses] == [200, 200, 200, status]
    for name, value in headers.items():
        assert name in limited.headers
        if value.isdigit():
            assert limited.headers[name].isdigit()
        else:
            assert limited.headers[name].startswith(value)
    assert shape_problems(body, limited.json()) == []


def test_widget_tags_are_the_same_and_read_by_the_widget() -> None:
    tag = example("readme-widget").text
    assert example("widget-tag").text == tag
    widget = (REPO / "api" / "static" / "widget.js").read_text(encoding="utf-8")
    for shown in (tag, example("widget-lang").text):
        names = re.findall(r'data-(\w+)="', shown)
        assert names
        for name in names:
            assert f"script.dataset.{name}" in widget


def test_the_widget_language_tag_names_a_language_of_the_widget() -> None:
    """getting-started.md's `data-lang` tag: same address as the README's, and a language
    the widget has words for (tests/widget/test_widget_reading.py shows them in Chromium)."""
    tag = example("widget-lang").text
    assert tag.startswith('<script src="https://YOUR-CITEQA-HOST/widget.js"')
    lang = re.search(r'data-lang="(\w+)"', tag)
    assert lang is not None
    widget = (REPO / "api" / "static" / "widget.js").read_text(encoding="utf-8")
    assert re.search(rf"^\s*{lang.group(1)}: \{{$", widget, re.M)
