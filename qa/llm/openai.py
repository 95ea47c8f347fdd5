"""CITEQA_LLM=openai: any OpenAI-compatible chat server (vLLM, Ollama, llama.cpp, OpenAI)."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from qa.settings import QASettings

# A local server needs no key, but the client insists on one.
PLACEHOLDER_KEY = "not-needed"


def openai_chat_model(settings: QASettings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    if not settings.llm_model:
        raise ValueError("CITEQA_LLM=openai needs CITEQA_LLM_MODEL, the server's model name")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=key or PLACEHOLDER_KEY,  # type: ignore[arg-type]
        temperature=settings.llm_temperature,
        max_completion_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
        max_retries=0,
        streaming=True,
    )
