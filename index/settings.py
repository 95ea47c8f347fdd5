"""Index settings from `CITEQA_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.embedders import E5_ID, MINILM_ID
from index.loaders.limits import LoaderLimits
from index.runtime.precision import Precision
from index.text.chunking import ChunkerSettings


class IndexSettings(BaseSettings):
    """Where documents and snapshots live and how they are chunked and embedded."""

    model_config = SettingsConfigDict(env_prefix="CITEQA_", extra="ignore")

    corpus_dir: Path = Field(
        default=Path("corpus"), description="The documents folder `citeqa index` reads."
    )
    index_dir: Path = Field(
        default=Path(".citeqa/index"), description="Where snapshots and uploads are kept."
    )
    embedding_model: str = Field(
        default=MINILM_ID, description="The main embedder; changing it forces a full rebuild."
    )
    multilingual_model: str | None = Field(
        default=E5_ID,
        description="Second embedder: Russian, Kazakh and other languages, and two retrieval "
        "lists for every question; empty turns it off.",
    )
    document_precision: Precision = Field(
        default="auto",
        description="What documents are embedded in: bfloat16 or float32; auto = bfloat16 "
        "where the CPU multiplies it natively (AMX, AVX-512 BF16), else float32, and "
        "float32 for multilingual-e5 (bfloat16 moved its Russian answers).",
    )
    chunk_size: int = Field(
        default=500, ge=50, le=20_000, description="Chunk size in characters (whole sentences)."
    )
    chunk_overlap: int = Field(
        default=100, ge=0, description="Characters of sentences repeated between chunks."
    )
    keep_snapshots: int = Field(default=3, ge=1, description="Snapshots kept for fallback.")
    max_document_chars: int = Field(
        default=2_000_000,
        ge=1_000,
        description="Longest document text indexed, in characters (about 5,000 chunks, the "
        "text of a 600-page book); a longer upload gets 413, a longer corpus file is skipped.",
    )
    loader_limits: LoaderLimits = Field(
        default_factory=LoaderLimits,
        description="Bounds on one document (front matter, HTML), read from their own "
        "CITEQA_MAX_* variables.",
    )
    vector_store: Literal["faiss", "milvus"] = Field(
        default="faiss",
        description="faiss: snapshot folders in index_dir; milvus: collections in Milvus, "
        "shared by every replica.",
    )
    milvus_uri: str | None = Field(
        default=None,
        json_schema_extra={"shown_default": "`<index dir>/milvus.db`"},
        description="A file path (Milvus Lite, one process) or http://host:19530 (a Milvus "
        "server or cluster, or `citeqa milvus-lite`).",
    )
    milvus_token: SecretStr | None = Field(default=None, description="user:password or key.")
    milvus_db: str | None = Field(default=None, description="Milvus database (servers only).")
    milvus_collection: str = Field(
        default="citeqa",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,31}$",
        description="Prefix of this index's collections, so that indexes can share a Milvus.",
    )
    milvus_poll_seconds: float = Field(
        default=2.0, gt=0, description="How often a server checks Milvus for a newer index."
    )
    # An int: pymilvus bounds its retries by `timeout` only when it is one.
    milvus_query_timeout: int = Field(
        default=5,
        ge=1,
        le=600,
        description="Seconds a question or a document endpoint waits for each Milvus call "
        "before the answer is a 503; pymilvus alone retries for minutes.",
    )

    ray_address: str | None = Field(
        default=None,
        description="A Ray cluster (such as 127.0.0.1:6379 or auto) that embeds for "
        "`citeqa index`; empty = this process.",
    )
    ray_workers: int | None = Field(
        default=None, ge=1, description="Embedding actors on the cluster; default one per CPU."
    )
    ray_cpus_per_worker: int = Field(default=1, ge=1, description="Cores each actor uses.")

    @field_validator("multilingual_model", "ray_address", mode="before")
    @classmethod
    def _empty_means_off(cls, value: object) -> object:
        """`CITEQA_MULTILINGUAL_MODEL=` (empty) turns the second embedder off; an empty
        `CITEQA_RAY_ADDRESS` embeds in this process."""
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def chunker(self) -> ChunkerSettings:
        return ChunkerSettings(size=self.chunk_size, overlap=self.chunk_overlap)
