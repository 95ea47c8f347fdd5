"""A real model for the LLM tests: llama.cpp's OpenAI-compatible server with SmolLM2."""

from __future__ import annotations

import pytest

from tests.llm.server import LlamaServer, shared_llama_server


@pytest.fixture(scope="session")
def llama_server() -> LlamaServer:
    return shared_llama_server()
