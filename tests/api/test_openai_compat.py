"""The OpenAI-compatible endpoint with the official `openai` client, extractive and generated."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from api.app import create_app
from api.settings import ApiSettings
from index.snapshots.snapshot import Snapshot
from qa.factory import build_pipeline
from qa.models import Models
from qa.types import NOT_FOUND, Answer, Citation
from tests.conftest import CORPUS, LiveServer
from tests.llm.server import LlamaServer, shared_llama_server
from tests.qa.compose.answer_checks import (
    assert_every_sentence_supported,
    assert_text_and_citations_agree,
)

DOCUMENT = (CORPUS / "unesco-ichei-iioe-central-asia.txt").read_text(encoding="utf-8")
QUESTION = "Where does UNESCO-ICHEI plan to establish an IIOE National Center?"


def client_for(server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)


@pytest.fixture
def client(live_server: LiveServer) -> openai.OpenAI:
    return client_for(live_server)


def citations_of(extra: dict[str, Any] | None) -> list[Citation]:
    assert extra is not None
    return [Citation.model_validate(c) for c in extra["citations"]]


def test_openai_client_gets_the_answer_and_its_citations(live_server: LiveServer) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{live_server.url}/v1", api_key="unused")
    completion = client.chat.completions.create(
        model="citeqa",
        messages=[{"role": "user", "content": QUESTION}],
    )
    print(completion.choices[0].message.content)
    for citation in completion.model_extra["citations"]:  # type: ignore[index]
        print(citation["n"], citation["quote"])

    content = completion.choices[0].message.content or ""
    assert "Uzbekistan" in content
    citations = citations_of(completion.model_extra)
    assert citations
    assert_text_and_citations_agree(content, citations)
    for citation in citations:
        assert DOCUMENT[citation.start : citation.end] == citation.quote


def test_openai_client_streams_the_answer_then_its_citations(live_server: LiveServer) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{live_server.url}/v1", api_key="unused")
    stream = client.chat.completions.create(
        model="citeqa",
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
    )
    text, citations = "", []
    for chunk in stream:
        text += chunk.choices[0].delta.content or ""
        if chunk.choices[0].finish_reason == "stop":
            citations = (chunk.model_extra or {})["citations"]

    assert "Uzbekistan" in text
    assert_text_and_citations_agree(text, [Citation.model_validate(c) for c in citations])


def test_curl_gets_a_chat_completion_with_citations(live_server: LiveServer) -> None:
    command = [
        "curl", "-s", f"{live_server.url}/v1/chat/completions",
        "-H", "Content-Type: application/json",
        "-d", '{"model": "citeqa", "messages": [{"role": "user", "content": '
        '"Where does UNESCO-ICHEI plan to establish an IIOE National Center?"}]}',
    ]  # fmt: skip
    body = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
    assert body["object"] == "chat.completion"
    assert "Uzbekistan" in body["choices"][0]["message"]["content"]
    assert body["citations"][0]["quote"] in DOCUMENT
    assert body["citeqa"]["abstained"] is False
    short = body["citeqa"]["short_answer"]
    assert short["text"] == "Uzbekistan"
    assert DOCUMENT[short["start"] : short["end"]] == short["text"]


def test_models_lists_citeqa(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["citeqa"]
    assert client.models.retrieve("citeqa").id == "citeqa"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_stream_and_non_stream_agree(client: openai.OpenAI) -> None:
    messages: Any = [{"role": "user", "content": QUESTION}]
    completion = client.chat.completions.create(model="citeqa", messages=messages)
    chunks = list(client.chat.completions.create(model="citeqa", messages=messages, stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == completion.choices[0].message.content
    final = chunks[-1]
    assert final.choices[0].finish_reason == "stop"
    assert citations_of(final.model_extra) == citations_of(completion.model_extra)
    assert all("citations" not in (c.model_extra or {}) for c in chunks[:-1])


def test_raw_stream_ends_with_citations_then_done(http: httpx.Client) -> None:
    body = {"model": "citeqa", "messages": [{"role": "user", "content": QUESTION}], "stream": True}
    with http.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line for line in response.iter_lines() if line]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    final = json.loads(events[-2].removeprefix("data: "))
    assert final["object"] == "chat.completion.chunk"
    assert final["choices"][0] == {
        "index": 0,
        "delta": {},
        "finish_reason": "stop",
        "logprobs": None,
    }
    assert final["citations"]
    assert final["citeqa"]["abstained"] is False


def test_top_k_is_how_many_passages_citeqa_carries(
    client: openai.OpenAI, http: httpx.Client
) -> None:
    """With include_passages, `citeqa.passages` holds the `top_k` passages /v1/ask returns,
    streamed or not; without it there are none, whatever top_k."""
    messages: Any = GOOD
    for top_k in (1, 4):
        chosen = {"top_k": top_k, "include_passages": True}
        completion = client.chat.completions.create(
            model="citeqa", messages=messages, extra_body=chosen
        )
        passages = (completion.model_extra or {})["citeqa"]["passages"]
        assert len(passages) == top_k
        asked = http.post("/v1/ask", json={"question": QUESTION, **chosen}).json()
        assert [p["chunk_id"] for p in passages] == [p["chunk_id"] for p in asked["passages"]]
        for passage in passages:
            assert DOCUMENT[passage["start"] : passage["end"]] == passage["text"]
    chunks = list(
        client.chat.completions.create(
            model="citeqa",
            messages=messages,
            stream=True,
            extra_body={"top_k": 2, "include_passages": True},
        )
    )
    assert len((chunks[-1].model_extra or {})["citeqa"]["passages"]) == 2
    plain = client.chat.completions.create(
        model="citeqa", messages=messages, extra_body={"top_k": 2}
    )
    assert "passages" not in (plain.model_extra or {})["citeqa"]


def test_off_topic_question_abstains(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="citeqa", messages=[{"role": "user", "content": "How do I make pizza dough?"}]
    )
    assert completion.choices[0].message.content == NOT_FOUND
    extra = completion.model_extra or {}
    assert extra["citations"] == []
    assert extra["citeqa"]["abstained"] is True


def test_earlier_messages_are_the_conversation(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="citeqa",
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "Who gave a presentation on digital transformation?"},
            {"role": "assistant", "content": "Ms. Li Fan gave it. [1]"},
            {"role": "user", "content": [{"type": "text", "text": QUESTION}]},
        ],
        temperature=0.2,
        max_tokens=200,
        extra_body={"top_k": 3},
    )
    assert "Uzbekistan" in (completion.choices[0].message.content or "")


GOOD = [{"role": "user", "content": QUESTION}]
BAD_BODIES: list[tuple[str, Any, int]] = [
    ("no model", {"messages": GOOD}, 422),
    ("unknown model", {"model": "gpt-4o", "messages": GOOD}, 404),
    ("no messages", {"model": "citeqa"}, 422),
    ("empty messages", {"model": "citeqa", "messages": []}, 422),
    ("messages not a list", {"model": "citeqa", "messages": "hi"}, 422),
    ("last message from the assistant",
     {"model": "citeqa", "messages": [*GOOD, {"role": "assistant", "content": "x"}]}, 422),
    ("unknown role", {"model": "citeqa", "messages": [{"role": "boss", "content": "x"}]}, 422),
    ("empty question", {"model": "citeqa", "messages": [{"role": "user", "content": " "}]}, 422),
    ("question too long",
     {"model": "citeqa", "messages": [{"role": "user", "content": "why " * 2000}]}, 422),
    ("image content", {"model": "citeqa", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}]}, 422),
    ("content a number", {"model": "citeqa", "messages": [{"role": "user", "content": 5}]}, 422),
    ("n of 2", {"model": "citeqa", "messages": GOOD, "n": 2}, 422),
    ("temperature 5", {"model": "citeqa", "messages": GOOD, "temperature": 5}, 422),
    ("max_tokens 0", {"model": "citeqa", "messages": GOOD, "max_tokens": 0}, 422),
    ("stream not a bool", {"model": "citeqa", "messages": GOOD, "stream": "yes"}, 422),
    ("top_k 0", {"model": "citeqa", "messages": GOOD, "top_k": 0}, 422),
    ("top_k 1000", {"model": "citeqa", "messages": GOOD, "top_k": 1000}, 422),
    ("include_passages not a bool",
     {"model": "citeqa", "messages": GOOD, "include_passages": "yes"}, 422),
    ("bad filter", {"model": "citeqa", "messages": GOOD, "filters": {"lang": {"$gt": 1}}}, 422),
    ("body a list", [GOOD], 422),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "status"), BAD_BODIES, ids=[c for c, _, _ in BAD_BODIES])
def test_bad_requests_are_json_errors(
    http: httpx.Client, case: str, body: Any, status: int
) -> None:
    response = http.post("/v1/chat/completions", json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]


def test_invalid_json_is_400(http: httpx.Client) -> None:
    response = http.post(
        "/v1/chat/completions",
        content=b'{"model": "citeqa", "messa',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_the_openai_client_sees_errors_as_exceptions(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4o", messages=GOOD)  # type: ignore[arg-type]
    with pytest.raises(openai.UnprocessableEntityError, match="last message"):
        client.chat.completions.create(
            model="citeqa",
            messages=[*GOOD, {"role": "assistant", "content": "x"}],  # type: ignore[list-item]
        )


@pytest.fixture(scope="module")
def generated(corpus_snapshot: Snapshot, models: Models) -> Iterator[LiveServer]:
    """The app answering with SmolLM2 through llama.cpp's server (CITEQA_LLM=openai)."""
    llama: LlamaServer = shared_llama_server()
    pipeline = build_pipeline(corpus_snapshot, llama.settings(), models)
    with LiveServer(create_app(ApiSettings(rate_limit="0"), pipeline=pipeline)) as server:
        yield server


@pytest.mark.parametrize("stream", [False, True])
def test_generated_answers_over_the_openai_client(
    generated: LiveServer, corpus_snapshot: Snapshot, models: Models, stream: bool
) -> None:
    client = client_for(generated)
    messages: Any = [{"role": "user", "content": "When did CASIE 2022 take place?"}]
    if stream:
        chunks = list(
            client.chat.completions.create(model="citeqa", messages=messages, stream=True)
        )
        text = "".join(c.choices[0].delta.content or "" for c in chunks)
        extra = chunks[-1].model_extra
    else:
        completion = client.chat.completions.create(model="citeqa", messages=messages)
        text, extra = completion.choices[0].message.content or "", completion.model_extra
    citations = citations_of(extra)
    info = (extra or {})["citeqa"]
    assert isinstance(info["fallback"], bool)
    answer = Answer(answer=text, abstained=info["abstained"], citations=citations)
    if info["fallback"]:
        assert info["fallback_reason"]
        assert_text_and_citations_agree(text, citations)
    else:
        assert_every_sentence_supported(answer, corpus_snapshot, models.embedder)
