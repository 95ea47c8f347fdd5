"""Both backends answer through LangChain with a real model; failures come out typed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from qa.llm import ChatClient, Delta, LLMError, LLMTimeoutError, make_chat_client
from qa.llm.llamacpp import default_model_path
from qa.settings import QASettings
from tests.conftest import free_port
from tests.llm.server import LlamaServer

PROMPT = [HumanMessage("Name one city in Kazakhstan.")]


def text_of(deltas: list[Delta]) -> str:
    return "".join(d.text for d in deltas)


def test_the_default_gguf_is_smollm2() -> None:
    path = default_model_path()
    assert path.suffix == ".gguf"
    assert "smollm2" in path.name.lower()


def test_openai_backend_streams_from_llama_server(llama_server: LlamaServer) -> None:
    client = make_chat_client(llama_server.settings(llm_max_tokens=24))
    deltas = list(client.stream(PROMPT))
    assert text_of(deltas).strip()
    assert deltas[-1].finish_reason in ("stop", "length")


@pytest.fixture(scope="module")
def in_process() -> ChatClient:
    return make_chat_client(QASettings(llm="llamacpp", llm_max_tokens=24, llm_threads=1))


def test_llamacpp_backend_runs_in_process(in_process: ChatClient) -> None:
    deltas = list(in_process.stream(PROMPT))
    assert text_of(deltas).strip()
    assert deltas[-1].finish_reason in ("stop", "length")


def test_in_process_calls_take_turns(in_process: ChatClient) -> None:
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(text_of(list(in_process.stream(PROMPT)))))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert results[0] == results[1]  # temperature 0: the same answer, no interference


def test_an_unreachable_server_is_an_llm_error() -> None:
    settings = QASettings(
        llm="openai", llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="x"
    )
    with pytest.raises(LLMError) as raised:
        list(make_chat_client(settings).stream(PROMPT))
    assert raised.value.reason == "llm_error"


def test_a_slow_answer_is_a_timeout(llama_server: LlamaServer) -> None:
    client = make_chat_client(llama_server.settings(llm_timeout=0.05, llm_max_tokens=200))
    with pytest.raises(LLMTimeoutError) as raised:
        list(client.stream([HumanMessage("Write a long story about a cat.")]))
    assert raised.value.reason == "llm_timeout"


def test_settings_name_what_is_missing() -> None:
    with pytest.raises(ValueError, match="CITEQA_LLM_MODEL"):
        make_chat_client(QASettings(llm="openai"))
    with pytest.raises(ValueError, match="not a file"):
        make_chat_client(QASettings(llm="llamacpp", llm_model_path=Path("/nonexistent.gguf")))


@pytest.mark.parametrize("value", ["", "off", "extractive", "NONE"])
def test_llm_off_spellings(value: str) -> None:
    assert QASettings.model_validate({"llm": value}).llm == "none"
