"""Response bodies of the admin API: documents and index refreshes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class DocumentQueued(BaseModel):
    """An accepted upload or deletion; the index follows in the background."""

    doc_id: str
    status: Literal["queued"] = "queued"
    ticket: int = Field(
        description="Refresh ticket: the change is in service once GET /v1/index shows "
        "refresh.completed >= ticket (and refresh.last_error is null)."
    )


class RefreshQueued(BaseModel):
    status: Literal["queued"] = "queued"
    ticket: int


class UploadedFile(BaseModel):
    name: str = Field(description="The safe base name the upload was stored under.")
    size: int
    sha256: str


class DocumentInfo(BaseModel):
    doc_id: str
    title: str
    source: str
    lang: str
    metadata: dict[str, Any]
    origin: Literal["corpus", "upload"] = Field(
        description="corpus: a file of CITEQA_CORPUS_DIR; upload: sent to POST /v1/documents."
    )
    status: Literal["indexed", "queued"] = Field(
        description="indexed: answers use this version; queued: a refresh will bring it in."
    )
    characters: int
    chunks: int | None = Field(description="Chunks in the snapshot in service, if indexed.")
    content_hash: str
    file: UploadedFile | None = None
    updated_at: str | None = None


class DocumentList(BaseModel):
    total: int
    documents: list[DocumentInfo]


class SkippedFile(BaseModel):
    file: str
    reason: str


class RefreshReport(BaseModel):
    snapshot_id: str
    published: bool = Field(description="False when the index was already up to date.")
    added: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: int
    chunks: int
    embedded_chunks: int
    full_rebuild_reason: str | None
    seconds: float
    skipped_files: list[SkippedFile]
    finished_at: str


class RefreshInfo(BaseModel):
    state: Literal["idle", "queued", "running"]
    requested: int
    completed: int
    succeeded: int
    failed: int
    last: RefreshReport | None
    last_error: str | None


class IndexStatus(BaseModel):
    snapshot_id: str
    created_at: str
    documents: int
    chunks: int
    embedding_model: str
    multilingual_model: str | None
    refresh: RefreshInfo
