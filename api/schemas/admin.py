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


class BuildProgressInfo(BaseModel):
    """The build in progress: documents (a long one counts the fraction of its chunks
    embedded), chunks embedded, the long document being embedded and the time left."""

    documents_done: float
    documents_total: int | None
    chunks_embedded: int
    current_document: str | None = Field(
        description="The document being embedded part by part (long documents only)."
    )
    current_chunks_done: int
    current_chunks_total: int
    elapsed_s: float
    eta_s: float | None = Field(description="Estimated seconds left; null until measurable.")


class RefreshInfo(BaseModel):
    state: Literal["idle", "queued", "running"]
    requested: int
    completed: int
    succeeded: int
    failed: int
    last: RefreshReport | None
    last_error: str | None
    progress: BuildProgressInfo | None = Field(
        default=None, description="While a refresh is running: how far it is."
    )
    interrupted: int = Field(
        default=0,
        description="Refreshes stopped for a newer request (their work is resumed, not lost).",
    )


class IndexStatus(BaseModel):
    snapshot_id: str
    created_at: str
    documents: int
    chunks: int
    embedding_model: str
    multilingual_model: str | None
    refresh: RefreshInfo
