"""Question-answering settings from `CITEQA_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class QASettings(BaseSettings):
    """Retrieval depth, fusion, reranking and answer composition."""

    model_config = SettingsConfigDict(env_prefix="CITEQA_", extra="ignore")

    top_k: int = Field(default=5, ge=1, le=50, description="Passages returned by default.")
    candidates: int = Field(
        default=50, ge=1, le=1000, description="Depth of the dense and keyword candidate lists."
    )
    rrf_k: int = Field(default=10, ge=1, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(default=1.0, ge=0)
    keyword_weight: float = Field(default=1.5, ge=0)
    rerank: bool = Field(default=True, description="Cross-encoder reranking on or off.")
    max_answer_sentences: int = Field(default=3, ge=1, le=3)
    rerank_pool_chunks: int = Field(
        default=10, ge=1, le=100, description="Chunks whose sentences may be reranked."
    )
    rerank_first_pass: int = Field(default=3, ge=1, le=100)
    rerank_second_pass: int = Field(default=5, ge=0, le=100)
    rerank_confident_logit: float = Field(
        default=4.0, description="Skip the second rerank pass above this logit."
    )
    abstain_threshold: float | None = Field(
        default=None, description="Override the calibrated cross-encoder threshold."
    )
