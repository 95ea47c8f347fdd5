"""The index backend and the managed-document store chosen by CITEQA_VECTOR_STORE."""

from __future__ import annotations

from index.documents.document_store import DocumentRecords, DocumentStore
from index.settings import IndexSettings
from index.snapshots.backend_protocols import IndexBackend
from index.snapshots.faiss_backend import FaissBackend
from index.snapshots.repository import SnapshotRepository


def open_backend(settings: IndexSettings) -> IndexBackend:
    """faiss: snapshot folders in CITEQA_INDEX_DIR; milvus: collections in Milvus."""
    if settings.vector_store == "milvus":
        from index.milvus.backend import MilvusBackend

        return MilvusBackend.from_settings(settings)
    return FaissBackend(SnapshotRepository(settings.index_dir))


def open_document_store(settings: IndexSettings, backend: IndexBackend) -> DocumentRecords:
    """Uploads live beside the index: in the index folder, or in Milvus for every replica."""
    if settings.vector_store == "milvus":
        from index.milvus.backend import MilvusBackend
        from index.milvus.documents import MilvusDocumentStore

        assert isinstance(backend, MilvusBackend)
        return MilvusDocumentStore(
            backend.client, backend.names.uploads, settings.milvus_query_timeout
        )
    return DocumentStore.for_index(settings.index_dir)
