"""The snapshot manifest: what was embedded how, which documents, and file checksums."""

from __future__ import annotations

from pydantic import BaseModel, Field

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1


class EmbeddingInfo(BaseModel):
    model_id: str
    dim: int


class DocumentEntry(BaseModel):
    content_hash: str
    title: str
    source: str
    lang: str
    chunks: int


class Manifest(BaseModel):
    format: int = FORMAT_VERSION
    snapshot_id: str
    created_at: str
    embedding: EmbeddingInfo
    multilingual: EmbeddingInfo | None = None
    chunker: dict[str, int]
    documents: dict[str, DocumentEntry]
    counts: dict[str, int] = Field(default_factory=dict)
    files: dict[str, str] = Field(default_factory=dict)

    def same_embedding(self, embedding: EmbeddingInfo, multilingual: EmbeddingInfo | None) -> bool:
        """True when vectors of this snapshot can be reused by a build with these models."""
        return self.embedding == embedding and self.multilingual == multilingual
