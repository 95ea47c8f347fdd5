"""Index settings from `CITEQA_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.chunking import ChunkerSettings
from index.embedders import E5_ID, MINILM_ID


class IndexSettings(BaseSettings):
    """Where documents and snapshots live and how they are chunked and embedded."""

    model_config = SettingsConfigDict(env_prefix="CITEQA_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path(".citeqa/index")
    embedding_model: str = MINILM_ID
    multilingual_model: str | None = Field(
        default=E5_ID,
        description="Second embedder for questions not in the corpus language; empty = off.",
    )
    chunk_size: int = Field(default=500, ge=50, le=20_000)
    chunk_overlap: int = Field(default=100, ge=0)
    keep_snapshots: int = Field(default=3, ge=1)

    @property
    def chunker(self) -> ChunkerSettings:
        return ChunkerSettings(size=self.chunk_size, overlap=self.chunk_overlap)
