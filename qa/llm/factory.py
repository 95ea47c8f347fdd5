"""The chat client named by CITEQA_LLM."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.language_models import BaseChatModel

from qa.llm.client import ChatClient
from qa.llm.llamacpp import llamacpp_chat_model
from qa.llm.openai import openai_chat_model
from qa.settings import QASettings

BACKENDS: dict[str, Callable[[QASettings], BaseChatModel]] = {
    "openai": openai_chat_model,
    "llamacpp": llamacpp_chat_model,
}
IN_PROCESS = frozenset({"llamacpp"})


def make_chat_client(settings: QASettings) -> ChatClient:
    """A client for `settings.llm` ("openai" or "llamacpp")."""
    try:
        backend = BACKENDS[settings.llm]
    except KeyError:
        raise ValueError(f"CITEQA_LLM={settings.llm!r} names no chat model backend") from None
    return ChatClient(
        backend(settings),
        timeout=settings.llm_timeout,
        serialize=settings.llm in IN_PROCESS,
        name=settings.llm,
    )
