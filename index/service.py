"""The index machinery assembled from settings, in one place for `citeqa index` and a server.

- `build_index`: one build of the corpus folder together with the documents uploaded
  through the admin API (and without those deleted through it), as `citeqa index` runs it:
  with the models the settings name, on a Ray cluster when CITEQA_RAY_ADDRESS names one.
- `open_index_service`: what a server runs beside the snapshot it serves: the
  managed-document store, the refresher that rebuilds in the background with the server's
  own embedders (so a refresh never loads a second copy of a model and always matches the
  snapshot served) and, on a shared index (Milvus), the watcher that picks up versions
  published by other processes (another replica's refresh, `citeqa index`).

Both build through `open_builder`, on the backend and document store CITEQA_VECTOR_STORE
chooses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from index.building.builder import PARTS_DIR, BuildReport, IndexBuilder, RemoteEncoding
from index.building.refresh import Refresher, RefreshStatus
from index.documents.document_store import DocumentRecords, StoredDocument
from index.documents.sources import Skipped, collect_documents, stream_documents
from index.embedders import Embedder, make_embedder
from index.loaders import iter_corpus
from index.settings import IndexSettings
from index.snapshots.backends import open_backend, open_document_store
from index.snapshots.manifest import DocumentEntry
from index.snapshots.snapshot import Snapshot
from index.snapshots.watch import SnapshotWatcher
from index.text.chunking import SentenceChunker
from index.types import Document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Embedders:
    """The main embedder and the multilingual one (None: no multilingual vectors)."""

    main: Embedder
    multilingual: Embedder | None = None

    @classmethod
    def from_settings(cls, settings: IndexSettings) -> Embedders:
        """The models `settings` name, loaded."""
        precision = settings.document_precision
        multilingual = settings.multilingual_model
        return cls(
            make_embedder(settings.embedding_model, precision=precision),
            make_embedder(multilingual, precision=precision) if multilingual else None,
        )


def open_builder(
    settings: IndexSettings,
    embedders: Embedders | None = None,
    *,
    progress: bool = True,
    remote: RemoteEncoding | None = None,
) -> IndexBuilder:
    """The builder `settings` describe, on the backend CITEQA_VECTOR_STORE chooses, with
    `embedders` (by default the models `settings` name, loaded after the backend is open);
    `remote` embeds the documents elsewhere (a Ray cluster). A builder that loads its own
    embedders releases their document models after each build's embedding."""
    backend = open_backend(settings)
    owns_models = embedders is None
    if embedders is None:
        embedders = Embedders.from_settings(settings)
    return IndexBuilder(
        backend,
        embedders.main,
        SentenceChunker(settings.chunker),
        multilingual=embedders.multilingual,
        keep_snapshots=settings.keep_snapshots,
        progress=progress,
        parts_dir=settings.index_dir / PARTS_DIR,
        remote=remote,
        owns_models=owns_models,
    )


def build_index(
    settings: IndexSettings, progress: bool = True
) -> tuple[BuildReport, Skipped, list[str]]:
    """Index the corpus folder together with the documents uploaded through the admin API
    (and without those deleted through it), exactly as the server's refresh does; the
    documents are streamed, so memory does not grow with the corpus. The last item: lines
    on the Ray workers' throughput, when the embedding ran on a cluster."""
    remote = ray_encoding(settings)
    builder = open_builder(settings, progress=progress, remote=remote)
    store = open_document_store(settings, builder.backend)
    skipped: Skipped = []
    paths = list(iter_corpus(settings.corpus_dir)) if settings.corpus_dir.is_dir() else []
    uploads = {r.doc_id for r in store.records()}
    total = len(paths) + len(uploads)
    report = builder.run(stream_documents(settings, store, paths, skipped), total=total)
    stats = getattr(builder.remote, "stats", None)
    return report, skipped, stats.describe() if stats is not None else []


def ray_encoding(settings: IndexSettings) -> RemoteEncoding | None:
    """Embedding on the Ray cluster at `settings.ray_address`, if one is named."""
    if not settings.ray_address:
        return None
    from index.building.ray_encode import RayEncoding

    return RayEncoding(
        settings.ray_address,
        settings.embedding_model,
        settings.multilingual_model,
        settings.chunker,
        workers=settings.ray_workers,
        cpus_per_worker=settings.ray_cpus_per_worker,
        precision=settings.document_precision,
    )


@dataclass(frozen=True)
class ListedDocument:
    """A document in service or uploaded, with where it comes from and whether the
    snapshot in service holds this very version."""

    document: Document
    upload: StoredDocument | None
    """Its record when it was uploaded through the admin API; None for a corpus file."""
    indexed: bool
    entry: DocumentEntry | None
    """Its manifest entry in the snapshot in service, when `indexed`."""

    @property
    def origin(self) -> Literal["corpus", "upload"]:
        return "corpus" if self.upload is None else "upload"

    @property
    def content_hash(self) -> str:
        """A corpus file's hash as the manifest recorded it; an upload's of its text."""
        if self.upload is None and self.entry is not None:
            return self.entry.content_hash
        return self.document.content_hash


@dataclass
class IndexService:
    """A server's index machinery: the uploads and deletions of the admin API, the
    refresher that brings them (and corpus folder changes) into service, and the watcher
    of a shared index. `current` is the snapshot in service."""

    settings: IndexSettings
    store: DocumentRecords
    refresher: Refresher
    current: Callable[[], Snapshot]
    watcher: SnapshotWatcher | None = None

    def start(self) -> None:
        """Start the background threads; a refresh is queued at once if uploads or
        deletions are not in the snapshot in service yet, for instance after a crash
        between accepting an upload and publishing the index."""
        self.refresher.start()
        if self.watcher is not None:
            self.watcher.start()
        if self.pending_changes(self.current()):
            log.info("uploads or deletions are not in the index yet: refreshing")
            self.refresher.request()

    def stop(self) -> None:
        self.refresher.stop()
        if self.watcher is not None:
            self.watcher.stop()

    def upload(self, document: Document, original: bytes, filename: str) -> int:
        """Keep `document` (replacing any with its id) and its file; the ticket of the
        refresh that brings it into service (see `Refresher.request`)."""
        self.store.put(document, original, filename)
        return self.refresher.request()

    def delete(self, doc_id: str) -> int:
        """Take `doc_id` out of answers; the ticket of the refresh that does it."""
        self.store.delete(doc_id)
        return self.refresher.request()

    def refresh(self) -> int:
        """Re-read the corpus folder and uploads and rebuild what changed; the ticket."""
        return self.refresher.request()

    def status(self) -> RefreshStatus:
        return self.refresher.status()

    def documents(self, snapshot: Snapshot) -> list[ListedDocument]:
        """Documents in service or uploaded, minus deleted ones, sorted by id."""
        records = {record.doc_id: record for record in self.store.records()}
        listed = {
            doc.doc_id: _corpus_listing(doc, snapshot)
            for doc in snapshot.documents
            if doc.doc_id not in records
        }
        for record in records.values():
            if not record.deleted:
                listed[record.doc_id] = _upload_listing(record, snapshot)
        return [listed[doc_id] for doc_id in sorted(listed)]

    def document(self, snapshot: Snapshot, doc_id: str) -> ListedDocument | None:
        """The document `doc_id` as `documents` lists it; None if there is none."""
        record = self.store.get(doc_id)
        if record is not None:
            return None if record.deleted else _upload_listing(record, snapshot)
        document = snapshot.document(doc_id)
        return _corpus_listing(document, snapshot) if document else None

    def pending_changes(self, snapshot: Snapshot) -> bool:
        """True when an upload or deletion is not reflected in `snapshot`."""
        for record in self.store.records():
            served = snapshot.document(record.doc_id)
            if record.deleted and served is not None:
                return True
            if not record.deleted and served != record.to_document():
                return True
        return False


def open_index_service(
    settings: IndexSettings,
    embedders: Embedders,
    *,
    current: Callable[[], Snapshot],
    publish: Callable[[Snapshot], None],
) -> IndexService:
    """The index machinery of a server answering from `current()`, not started yet: builds
    with `embedders` (those of the snapshot served) and hands each new snapshot to
    `publish`."""
    builder = open_builder(settings, embedders, progress=False)
    store = open_document_store(settings, builder.backend)
    shared = settings.vector_store == "milvus"

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
            builder.backend,
            lambda: current().snapshot_id,
            publish,
            interval=settings.milvus_poll_seconds,
        )
        if shared
        else None
    )
    return IndexService(settings, store, refresher, current, watcher)


def _corpus_listing(document: Document, snapshot: Snapshot) -> ListedDocument:
    entry = snapshot.manifest.documents.get(document.doc_id)
    return ListedDocument(document, upload=None, indexed=True, entry=entry)


def _upload_listing(record: StoredDocument, snapshot: Snapshot) -> ListedDocument:
    document = record.to_document()
    indexed = snapshot.document(record.doc_id) == document
    entry = snapshot.manifest.documents.get(record.doc_id) if indexed else None
    return ListedDocument(document, upload=record, indexed=indexed, entry=entry)
