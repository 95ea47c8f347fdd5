"""Chat models through LangChain: any OpenAI-compatible server, or a GGUF file in process."""

from __future__ import annotations

from qa.llm.client import ChatClient, Delta, LLMError, LLMTimeoutError
from qa.llm.factory import make_chat_client

__all__ = ["ChatClient", "Delta", "LLMError", "LLMTimeoutError", "make_chat_client"]
