"""The document admin of a running server: the managed-document store and the refresher.

Started once the pipeline is loaded (the builder reuses the pipeline's embedders, so a
refresh never loads a second copy of a model and always matches the snapshot served).
At start it queues a refresh if uploads or deletions are not in the snapshot yet, for
instance after a crash between accepting an upload and publishing the index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request

from api.http.errors import ApiError
from api.schemas.admin import DocumentInfo, UploadedFile
from index.building.builder import PARTS_DIR, IndexBuilder
from index.building.refresh import Refresher
from index.documents.document_store import DocumentRecords, StoredDocument
from index.documents.sources import Skipped, collect_documents
from index.settings import IndexSettings
from index.snapshots.backends import open_backend, open_document_store
from index.snapshots.manifest import DocumentEntry
from index.snapshots.snapshot import Snapshot
from index.snapshots.watch import SnapshotWatcher
from index.text.chunking import SentenceChunker
from index.types import Document
from qa.pipeline import QAPipeline

log = logging.getLogger(__name__)


@dataclass
class IndexAdmin:
    settings: IndexSettings
    store: DocumentRecords
    refresher: Refresher
    watcher: SnapshotWatcher | None = None

    def describe_all(self, snapshot: Snapshot) -> list[DocumentInfo]:
        """Documents in service or uploaded, minus deleted ones, sorted by id."""
        records = {record.doc_id: record for record in self.store.records()}
        infos = {
            doc.doc_id: _corpus_info(doc, snapshot)
            for doc in snapshot.documents
            if doc.doc_id not in records
        }
        for record in records.values():
            if not record.deleted:
                infos[record.doc_id] = _upload_info(record, snapshot)
        return [infos[doc_id] for doc_id in sorted(infos)]

    def describe(self, snapshot: Snapshot, doc_id: str) -> DocumentInfo | None:
        record = self.store.get(doc_id)
        if record is not None:
            return None if record.deleted else _upload_info(record, snapshot)
        document = snapshot.document(doc_id)
        return _corpus_info(document, snapshot) if document else None

    def pending_changes(self, snapshot: Snapshot) -> bool:
        """True when an upload or deletion is not reflected in `snapshot`."""
        for record in self.store.records():
            served = snapshot.document(record.doc_id)
            if record.deleted and served is not None:
                return True
            if not record.deleted and served != record.to_document():
                return True
        return False


def start_admin(app: FastAPI) -> IndexAdmin | None:
    """Create and start the admin of `app` (None when it has no index directory)."""
    settings: IndexSettings | None = app.state.index_settings
    if settings is None:
        return None
    pipeline: QAPipeline = app.state.pipeline
    backend = open_backend(settings)
    builder = IndexBuilder(
        backend,
        pipeline.models.embedder,
        SentenceChunker(settings.chunker),
        multilingual=pipeline.models.multilingual,
        keep_snapshots=settings.keep_snapshots,
        progress=False,
        parts_dir=settings.index_dir / PARTS_DIR,
    )
    store = open_document_store(settings, backend)
    shared = settings.vector_store == "milvus"

    def current() -> Snapshot:
        served: QAPipeline = app.state.pipeline
        return served.snapshot

    def publish(snapshot: Snapshot) -> None:
        served: QAPipeline = app.state.pipeline
        served.swap(snapshot)

    def collect() -> tuple[list[Document], Skipped]:
        if not shared:
            return collect_documents(settings, store)
        # On a shared index the indexing job owns the corpus folder: a server keeps the
        # corpus documents in service and applies the uploads and deletions over them.
        managed = {record.doc_id for record in store.records()}
        corpus = [doc for doc in current().documents if doc.doc_id not in managed]
        return collect_documents(settings, store, corpus=corpus)

    refresher = Refresher(builder, collect, current=current, publish=publish)
    watcher = (
        SnapshotWatcher(
            backend,
            lambda: current().snapshot_id,
            publish,
            interval=settings.milvus_poll_seconds,
        )
        if shared
        else None
    )
    admin = IndexAdmin(settings, store, refresher, watcher)
    refresher.start()
    if watcher is not None:
        watcher.start()
    if admin.pending_changes(pipeline.snapshot):
        log.info("uploads or deletions are not in the index yet: refreshing")
        refresher.request()
    app.state.admin = admin
    if not app.state.settings.api_keys:
        log.warning("the admin API is off: set CITEQA_API_KEYS to manage documents")
    return admin


def stop_admin(app: FastAPI) -> None:
    admin: IndexAdmin | None = getattr(app.state, "admin", None)
    if admin is not None:
        admin.refresher.stop()
        if admin.watcher is not None:
            admin.watcher.stop()


def get_admin(request: Request) -> IndexAdmin:
    admin: IndexAdmin | None = getattr(request.app.state, "admin", None)
    if admin is not None:
        return admin
    if getattr(request.app.state, "index_settings", None) is None:
        raise ApiError(
            503,
            "admin_unavailable",
            "document management is off: this server was started without an index directory",
        )
    raise ApiError(503, "not_ready", "the index is still loading; try again shortly")


def _corpus_info(document: Document, snapshot: Snapshot) -> DocumentInfo:
    entry = snapshot.manifest.documents.get(document.doc_id)
    return _document_info(
        document,
        entry,
        origin="corpus",
        status="indexed",
        content_hash=entry.content_hash if entry else document.content_hash,
    )


def _upload_info(record: StoredDocument, snapshot: Snapshot) -> DocumentInfo:
    document = record.to_document()
    indexed = snapshot.document(record.doc_id) == document
    entry = snapshot.manifest.documents.get(record.doc_id) if indexed else None
    return _document_info(
        document,
        entry,
        origin="upload",
        status="indexed" if indexed else "queued",
        content_hash=document.content_hash,
        file=UploadedFile(name=record.file.name, size=record.file.size, sha256=record.file.sha256)
        if record.file
        else None,
        updated_at=record.updated_at,
    )


def _document_info(document: Document, entry: DocumentEntry | None, **fields: Any) -> DocumentInfo:
    """The fields every listed document has, from its text and its manifest entry."""
    return DocumentInfo(
        doc_id=document.doc_id,
        title=document.title,
        source=document.source,
        lang=document.lang,
        metadata=document.metadata,
        characters=len(document.text),
        chunks=entry.chunks if entry else None,
        **fields,
    )
