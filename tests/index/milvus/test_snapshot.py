"""A Milvus snapshot reads through a build's upserts: rows of the version in service that
Milvus Lite hides for a moment are read again, and rows that stay gone give
SnapshotUnavailableError, never a partial snapshot or a KeyError."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from index.building.encode import SENTENCE_VECTORS
from index.milvus import snapshot as milvus_snapshot
from index.milvus.expressions import visible
from index.snapshots.snapshot import SnapshotUnavailableError
from index.types import Document
from qa.models import Models
from tests.index.backends import SMALL_DOCUMENTS, backend_builder, backend_settings
from tests.index.milvus.support import generation, milvus_index, put_back_later, take_rows

pytestmark = pytest.mark.slow


def test_sentence_vectors_hidden_for_a_moment_are_read_again(
    tmp_path: Path, models: Models
) -> None:
    backend, snapshot = milvus_index(tmp_path, models)
    vectors = snapshot.vectors[SENTENCE_VECTORS]
    expected = np.asarray(vectors[0 : len(vectors)])
    collection = backend.names.sentences(generation(backend))
    rows = take_rows(backend.client, collection, visible(1))
    timer = put_back_later(backend.client, collection, rows, 0.3)
    assert np.array_equal(vectors[0 : len(vectors)], expected)
    assert np.array_equal(vectors[1], expected[1])
    timer.join()


def test_sentence_vectors_gone_for_good_are_unavailable(tmp_path: Path, models: Models) -> None:
    backend, snapshot = milvus_index(tmp_path, models)
    collection = backend.names.sentences(generation(backend))
    take_rows(backend.client, collection, visible(1))
    with pytest.raises(SnapshotUnavailableError, match="missing"):
        snapshot.vectors[SENTENCE_VECTORS][0]


def test_a_load_that_misses_a_document_s_chunks_reads_again(tmp_path: Path, models: Models) -> None:
    backend, snapshot = milvus_index(tmp_path, models)
    collection = backend.names.chunks(generation(backend))
    rows = take_rows(backend.client, collection, 'doc_id == "velsa.txt"')
    timer = put_back_later(backend.client, collection, rows, 0.3)
    loaded = backend.load_current()
    timer.join()
    assert loaded.manifest.counts == snapshot.manifest.counts
    assert loaded.chunk_ids == snapshot.chunk_ids


def test_a_load_that_keeps_missing_rows_is_unavailable(
    tmp_path: Path, models: Models, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, _ = milvus_index(tmp_path, models)
    monkeypatch.setattr(milvus_snapshot, "LOAD_RETRY_SECONDS", 0.5)
    gen = generation(backend)
    take_rows(backend.client, backend.names.chunks(gen), 'doc_id == "velsa.txt"')
    with pytest.raises(SnapshotUnavailableError, match=r"velsa\.txt"):
        backend.load_current()
    take_rows(backend.client, backend.names.documents(gen), 'doc_id == "velsa.txt"')
    with pytest.raises(SnapshotUnavailableError, match="incompletely"):
        backend.load_current()


def test_the_version_in_service_reads_whole_while_a_build_retires_its_rows(
    tmp_path: Path, models: Models
) -> None:
    """The race itself: every read of version 1 is complete while version 2 is built."""
    _, first = milvus_index(tmp_path, models)
    vectors = first.vectors[SENTENCE_VECTORS]
    expected = np.asarray(vectors[0 : len(vectors)])
    changed = [
        Document(doc.doc_id, doc.title, doc.source, doc.lang, doc.text + " It was rebuilt.")
        for doc in SMALL_DOCUMENTS
    ]
    builder = backend_builder(backend_settings("milvus", tmp_path), models)
    build = threading.Thread(target=builder.build, args=(changed,))
    build.start()
    reads = 0
    while build.is_alive() or reads == 0:
        assert np.array_equal(vectors[0 : len(vectors)], expected)
        reads += 1
    build.join()
    assert builder.backend.current_id() not in (None, first.snapshot_id)
