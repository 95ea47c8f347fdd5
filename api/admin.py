"""The document admin of a running server: the index service (index.service), started once
the pipeline is loaded with the pipeline's embedders, and its documents as the admin API
describes them.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request

from api.http.errors import ApiError
from api.schemas.admin import DocumentInfo, UploadedFile
from index.service import Embedders, IndexService, ListedDocument, open_index_service
from index.settings import IndexSettings
from index.snapshots.snapshot import Snapshot
from qa.pipeline import QAPipeline

log = logging.getLogger(__name__)


def start_admin(app: FastAPI) -> IndexService | None:
    """Create and start the admin of `app` (None when it has no index directory)."""
    settings: IndexSettings | None = app.state.index_settings
    if settings is None:
        return None
    pipeline: QAPipeline = app.state.pipeline

    def current() -> Snapshot:
        served: QAPipeline = app.state.pipeline
        return served.snapshot

    def publish(snapshot: Snapshot) -> None:
        served: QAPipeline = app.state.pipeline
        served.swap(snapshot)

    embedders = Embedders(pipeline.models.embedder, pipeline.models.multilingual)
    admin = open_index_service(settings, embedders, current=current, publish=publish)
    admin.start()
    app.state.admin = admin
    if not app.state.settings.api_keys:
        log.warning("the admin API is off: set CITEQA_API_KEYS to manage documents")
    return admin


def stop_admin(app: FastAPI) -> None:
    admin: IndexService | None = getattr(app.state, "admin", None)
    if admin is not None:
        admin.stop()


def get_admin(request: Request) -> IndexService:
    admin: IndexService | None = getattr(request.app.state, "admin", None)
    if admin is not None:
        return admin
    if getattr(request.app.state, "index_settings", None) is None:
        raise ApiError(
            503,
            "admin_unavailable",
            "document management is off: this server was started without an index directory",
        )
    raise ApiError(503, "not_ready", "the index is still loading; try again shortly")


def describe_all(admin: IndexService, snapshot: Snapshot) -> list[DocumentInfo]:
    """Documents in service or uploaded, minus deleted ones, sorted by id."""
    return [document_info(listed) for listed in admin.documents(snapshot)]


def describe(admin: IndexService, snapshot: Snapshot, doc_id: str) -> DocumentInfo | None:
    listed = admin.document(snapshot, doc_id)
    return document_info(listed) if listed is not None else None


def document_info(listed: ListedDocument) -> DocumentInfo:
    document, entry, record = listed.document, listed.entry, listed.upload
    return DocumentInfo(
        doc_id=document.doc_id,
        title=document.title,
        source=document.source,
        lang=document.lang,
        metadata=document.metadata,
        origin=listed.origin,
        status="indexed" if listed.indexed else "queued",
        characters=len(document.text),
        chunks=entry.chunks if entry else None,
        content_hash=listed.content_hash,
        file=UploadedFile(name=record.file.name, size=record.file.size, sha256=record.file.sha256)
        if record is not None and record.file
        else None,
        updated_at=record.updated_at if record is not None else None,
    )
