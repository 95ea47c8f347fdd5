"""POST /v1/chat over real HTTP, read by a real SSE client (httpx-sse)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from httpx_sse import connect_sse

from api.app import create_app
from api.settings import ApiSettings
from qa.pipeline import QAPipeline
from qa.streaming import AnswerDelta, StreamEvent
from tests.api.checks.test_bad_requests import BAD_JSON_BODIES, RAW_BODIES, assert_json_error
from tests.conftest import LiveServer

QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"
FIRST = "Who presented IIOE at the symposium?"
FOLLOW_UP = "What position does she hold?"

Event = tuple[str, Any]


def chat(client: httpx.Client, body: dict[str, Any]) -> list[Event]:
    """All events of one /v1/chat call, as (name, parsed data)."""
    with connect_sse(client, "POST", "/v1/chat", json=body) as source:
        assert source.response.status_code == 200
        return [(event.event, json.loads(event.data)) for event in source.iter_sse()]


def done_body(events: list[Event]) -> dict[str, Any]:
    name, data = events[-1]
    assert name == "done", events[-1]
    return cast(dict[str, Any], data)


def mentions_li_fan(text: str) -> bool:
    return "li fan" in text.lower()  # the document writes both "Li Fan" and "Li fan"


def without_timings(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "timings_ms"}


def test_events_in_order_and_done_equals_ask(http: httpx.Client) -> None:
    events = chat(http, {"question": QUESTION})
    names = [name for name, _ in events]
    assert names[0] == "meta"
    assert names[-1] == "done"
    assert set(names[1:-1]) <= {"delta", "citation"}
    assert "delta" in names
    assert events[0][1]["conversation_id"]
    assert events[0][1]["resumed"] is False

    text = ""
    streamed_citations = []
    for name, data in events[1:-1]:
        if name == "delta":
            text += data["text"]
        else:  # a citation follows the delta that carries its marker
            assert f"[{data['n']}]" in text
            streamed_citations.append(data)
    done = done_body(events)
    assert text == done["answer"]
    assert streamed_citations == done["citations"]
    assert "Uzbekistan" in done["answer"]
    assert done["short_answer"]["text"] == "Uzbekistan"

    asked = http.post("/v1/ask", json={"question": QUESTION}).json()
    assert without_timings(done) == without_timings(asked)


def test_done_equals_ask_with_passages_and_top_k(http: httpx.Client) -> None:
    body = {"question": QUESTION, "top_k": 3, "include_passages": True}
    done = done_body(chat(http, body))
    assert without_timings(done) == without_timings(http.post("/v1/ask", json=body).json())
    assert 1 <= len(done["passages"]) <= 3


def test_top_k_is_how_many_passages_done_carries(http: httpx.Client) -> None:
    for top_k in (1, 4):
        done = done_body(
            chat(http, {"question": QUESTION, "top_k": top_k, "include_passages": True})
        )
        assert len(done["passages"]) == top_k
    assert "passages" not in done_body(chat(http, {"question": QUESTION, "top_k": 4}))


def test_abstention_streams_the_not_found_text(http: httpx.Client) -> None:
    body = {"question": "How do I make pizza dough at home?"}
    events = chat(http, body)
    done = done_body(events)
    assert done["abstained"] is True
    assert done["citations"] == []
    assert "".join(data["text"] for name, data in events if name == "delta") == done["answer"]
    assert without_timings(done) == without_timings(http.post("/v1/ask", json=body).json())


def test_stream_headers(http: httpx.Client) -> None:
    with http.stream("POST", "/v1/chat", json={"question": QUESTION}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        response.read()


CHAT_BAD_BODIES = [
    *BAD_JSON_BODIES,
    (
        "history and conversation_id",
        {"question": QUESTION, "history": [], "conversation_id": "abc"},
    ),
    ("conversation_id not a string", {"question": QUESTION, "conversation_id": 7}),
    ("conversation_id too long", {"question": QUESTION, "conversation_id": "x" * 65}),
    ("history role unknown", {"question": QUESTION, "history": [{"role": "x", "content": "a"}]}),
    ("history not a list", {"question": QUESTION, "history": "hello"}),
]


@pytest.mark.parametrize(("case", "body"), CHAT_BAD_BODIES, ids=[c for c, _ in CHAT_BAD_BODIES])
def test_bad_request_is_a_json_error_before_streaming(
    http: httpx.Client, case: str, body: object
) -> None:
    response = http.post(
        "/v1/chat", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert response.headers["content-type"].startswith("application/json")
    assert_json_error(response)


@pytest.mark.parametrize(
    ("case", "raw", "content_type"), RAW_BODIES, ids=[c for c, _, _ in RAW_BODIES]
)
def test_malformed_body_is_a_json_error(
    http: httpx.Client, case: str, raw: bytes, content_type: str
) -> None:
    assert_json_error(http.post("/v1/chat", content=raw, headers={"content-type": content_type}))


def test_follow_up_with_history_finds_li_fan_and_matches_ask(http: httpx.Client) -> None:
    first = done_body(chat(http, {"question": FIRST}))
    history = [
        {"role": "user", "content": FIRST},
        {"role": "assistant", "content": first["answer"]},
    ]
    body = {"question": FOLLOW_UP, "history": history, "include_passages": True}
    done = done_body(chat(http, body))
    assert not done["abstained"]
    assert any(mentions_li_fan(c["quote"]) for c in done["citations"])
    assert mentions_li_fan(done["passages"][0]["text"])
    assert without_timings(done) == without_timings(http.post("/v1/ask", json=body).json())


def test_follow_up_by_conversation_id_equals_follow_up_by_history(http: httpx.Client) -> None:
    first = chat(http, {"question": FIRST})
    conversation_id = first[0][1]["conversation_id"]
    events = chat(http, {"question": FOLLOW_UP, "conversation_id": conversation_id})
    assert events[0][1] == {"conversation_id": conversation_id, "resumed": True}
    by_id = done_body(events)
    history = [
        {"role": "user", "content": FIRST},
        {"role": "assistant", "content": done_body(first)["answer"]},
    ]
    by_history = done_body(chat(http, {"question": FOLLOW_UP, "history": history}))
    assert without_timings(by_id) == without_timings(by_history)
    assert any(mentions_li_fan(c["quote"]) for c in by_id["citations"])


def test_the_demo_follow_up_gives_her_position(http: httpx.Client) -> None:
    """The demo page's own pair through conversation_id: the first answer names no person,
    so "she" is found in the passages of the follow-up's topic, and the 92-word sentence
    that lists her post wins by its part about her."""
    first = chat(http, {"question": FIRST})
    conversation_id = first[0][1]["conversation_id"]
    done = done_body(chat(http, {"question": FOLLOW_UP, "conversation_id": conversation_id}))
    assert "assistant director" in done["answer"].lower()


def test_unknown_conversation_id_starts_a_new_conversation(http: httpx.Client) -> None:
    events = chat(http, {"question": FOLLOW_UP, "conversation_id": "not-a-known-id"})
    meta = events[0][1]
    assert meta["resumed"] is False
    assert meta["conversation_id"] != "not-a-known-id"
    standalone = http.post("/v1/ask", json={"question": FOLLOW_UP}).json()
    assert without_timings(done_body(events)) == without_timings(standalone)


# --- stream behaviour, with a pipeline whose stream we control ------------------------


class ScriptedPipeline:
    """The real pipeline, except that `stream` plays `script` (delays and events)."""

    def __init__(self, inner: QAPipeline, script: Iterator[StreamEvent | float]) -> None:
        self._inner = inner
        self._script = script
        self.produced = 0
        self.closed = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def stream(self, question: str, **_: Any) -> Iterator[StreamEvent]:
        try:
            for step in self._script:
                if isinstance(step, float):
                    time.sleep(step)
                else:
                    self.produced += 1
                    yield step
        finally:
            self.closed.set()


@pytest.fixture(scope="module")
def scripted_server(pipeline: QAPipeline) -> Iterator[tuple[LiveServer, Any]]:
    app = create_app(ApiSettings(rate_limit="0"), pipeline=pipeline)
    with LiveServer(app) as server:
        yield server, app


def _use(app: Any, pipeline: QAPipeline, script: Iterator[StreamEvent | float]) -> Any:
    scripted = ScriptedPipeline(pipeline, script)
    app.state.pipeline = scripted
    return scripted


def test_idle_stream_sends_keep_alive_comments(
    scripted_server: tuple[LiveServer, Any],
    pipeline: QAPipeline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, app = scripted_server
    monkeypatch.setattr("api.http.sse.KEEP_ALIVE_SECONDS", 0.2)
    scripted = _use(app, pipeline, iter([1.0, AnswerDelta("late")]))
    with (
        httpx.Client(base_url=server.url, timeout=30) as client,
        client.stream("POST", "/v1/chat", json={"question": QUESTION}) as response,
    ):
        raw = response.read().decode()
    assert raw.index(": keep-alive") < raw.index("event: delta")
    assert scripted.closed.is_set()


def test_error_mid_stream_becomes_an_error_event(
    scripted_server: tuple[LiveServer, Any], pipeline: QAPipeline
) -> None:
    server, app = scripted_server

    def failing() -> Iterator[StreamEvent | float]:
        yield AnswerDelta("partial")
        raise RuntimeError("the composer broke")

    _use(app, pipeline, failing())
    with httpx.Client(base_url=server.url, timeout=30) as client:
        events = chat(client, {"question": QUESTION})
    assert [name for name, _ in events] == ["meta", "delta", "error"]
    assert events[-1][1] == {
        "error": {"code": "internal_error", "message": "an internal error occurred"}
    }


def test_client_disconnect_stops_the_work(
    scripted_server: tuple[LiveServer, Any], pipeline: QAPipeline
) -> None:
    server, app = scripted_server

    def slow() -> Iterator[StreamEvent | float]:
        for i in range(200):
            yield AnswerDelta(f"token{i} ")
            yield 0.05

    scripted = _use(app, pipeline, slow())
    with (
        httpx.Client(base_url=server.url, timeout=30) as client,
        client.stream("POST", "/v1/chat", json={"question": QUESTION}) as response,
    ):
        for line in response.iter_lines():
            if line.startswith("event: delta"):
                break
    assert scripted.closed.wait(timeout=5), "the stream kept running after the client left"
    assert scripted.produced < 50


def test_openapi_documents_the_event_stream(http: httpx.Client) -> None:
    operation = http.get("/openapi.json").json()["paths"]["/v1/chat"]["post"]
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    assert {"422", "503"} <= set(operation["responses"])
