"""The index service a server runs: uploads and deletions listed at once and brought into
service by its refresher, and a refresh at start for changes the snapshot does not have."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.documents.document_store import DocumentStore
from index.documents.sources import collect_documents
from index.embedders.base import Vectors, normalise
from index.service import Embedders, IndexService, open_builder, open_index_service
from index.settings import IndexSettings
from index.snapshots.snapshot import Snapshot
from index.types import Document
from tests.index.building.test_refresh import Served

UPLOAD = Document("velsa", "Velsa river", "velsa.txt", "en", "The Velsa river freezes in January.")


class HashingEmbedder:
    """Words hashed into a few dimensions: no model to load, same text same vector."""

    model_id = "test/hashing"
    dim = 16

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, hashlib.sha256(word.encode()).digest()[0] % self.dim] += 1.0
        return normalise(vectors)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.embed_documents(texts)

    def prepare_queries(self) -> None:
        pass


def indexed_corpus(root: Path) -> tuple[IndexSettings, Embedders, Served]:
    """A corpus folder of two files, its index, and the snapshot in service."""
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "glimmerfen.txt").write_text("The Glimmerfen lighthouse was painted teal.\n")
    (corpus / "orla.txt").write_text("Orla Vance painted lighthouses along the coast.\n")
    settings = IndexSettings(corpus_dir=corpus, index_dir=root / "index")
    embedders = Embedders(HashingEmbedder())
    documents, _ = collect_documents(settings, DocumentStore.for_index(settings.index_dir))
    snapshot, _ = open_builder(settings, embedders, progress=False).build(documents)
    return settings, embedders, Served(snapshot)


def started(settings: IndexSettings, embedders: Embedders, served: Served) -> IndexService:
    service = open_index_service(
        settings, embedders, current=lambda: served.snapshot, publish=served.publish
    )
    service.start()
    return service


def listed(service: IndexService, snapshot: Snapshot) -> list[tuple[str, str, bool]]:
    return [(d.document.doc_id, d.origin, d.indexed) for d in service.documents(snapshot)]


def test_uploads_and_deletions_are_listed_at_once_and_served_after_their_refresh(
    tmp_path: Path,
) -> None:
    settings, embedders, served = indexed_corpus(tmp_path)
    service = started(settings, embedders, served)
    try:
        assert listed(service, served.snapshot) == [
            ("glimmerfen.txt", "corpus", True),
            ("orla.txt", "corpus", True),
        ]
        ticket = service.upload(UPLOAD, UPLOAD.text.encode(), "velsa.txt")
        assert ("velsa", "upload", False) in listed(service, served.snapshot)
        assert service.refresher.wait(ticket, timeout=60)
        assert service.status().last_error is None
        assert served.snapshot.document("velsa") == UPLOAD
        velsa = service.document(served.snapshot, "velsa")
        assert velsa is not None
        assert velsa.indexed
        assert velsa.entry is not None
        assert velsa.content_hash == UPLOAD.content_hash

        ticket = service.delete("orla.txt")
        assert service.document(served.snapshot, "orla.txt") is None
        assert service.refresher.wait(ticket, timeout=60)
        assert served.snapshot.document("orla.txt") is None
        assert listed(service, served.snapshot) == [
            ("glimmerfen.txt", "corpus", True),
            ("velsa", "upload", True),
        ]
        assert not service.pending_changes(served.snapshot)
    finally:
        service.stop()


def test_changes_the_snapshot_lacks_are_refreshed_at_start(tmp_path: Path) -> None:
    settings, embedders, served = indexed_corpus(tmp_path)
    DocumentStore.for_index(settings.index_dir).put(UPLOAD, UPLOAD.text.encode(), "velsa.txt")
    service = started(settings, embedders, served)
    try:
        assert service.status().requested == 1
        assert service.refresher.wait(1, timeout=60)
        assert served.snapshot.document("velsa") == UPLOAD
        assert not service.pending_changes(served.snapshot)
    finally:
        service.stop()
