"""Incremental builds: only changed documents are embedded; no orphans; model guard."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.building.builder import IndexBuilder
from index.embedders import E5_ID, MINILM_ID, E5Embedder, SentenceTransformerEmbedder, make_embedder
from index.settings import IndexSettings
from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import Snapshot
from index.text.chunking import ChunkerSettings, SentenceChunker
from index.types import Document
from qa.models import Models
from tests.conftest import make_test_builder

LONG = " ".join(f"Fact number {i} about the symposium in Almaty is recorded." for i in range(40))


def docs(**texts: str) -> list[Document]:
    return [Document(k, k.title(), f"{k}.txt", "en", v) for k, v in texts.items()]


def assert_consistent(snapshot: Snapshot) -> None:
    """Every chunk belongs to a live document and quotes it; vectors match the tables."""
    assert len(snapshot.vectors["chunks"]) == len(snapshot) == len(snapshot.dense)
    assert len(snapshot.vectors["sentences"]) == len(snapshot.sentences)
    for row in range(len(snapshot)):
        document = snapshot.chunk_document(row)
        assert snapshot.chunk_ids[row].startswith(document.doc_id + "#")
        start, end = int(snapshot.chunks[row, 1]), int(snapshot.chunks[row, 2])
        assert end <= len(document.text)
        assert snapshot.chunk_text(row) == document.text[start:end]


def test_unchanged_documents_are_not_embedded_again(tmp_path: Path, models: Models) -> None:
    builder = make_test_builder(tmp_path, models)
    _, first = builder.build(docs(a=LONG, b="IIOE is an institute."))
    assert first.embedded_chunks == first.chunks
    snapshot, second = builder.build(docs(a=LONG, b="IIOE is an online institute.", c="New."))
    assert second.unchanged == 1
    assert second.updated == ["b"]
    assert second.added == ["c"]
    assert second.embedded_chunks == 2
    assert_consistent(snapshot)


def test_shortened_and_deleted_documents_leave_no_orphans(tmp_path: Path, models: Models) -> None:
    builder = make_test_builder(tmp_path, models)
    full, _ = builder.build(docs(a=LONG, b="IIOE is an institute."))
    shortened, report = builder.build(docs(a=LONG[:200]))
    assert report.removed == ["b"]
    assert report.updated == ["a"]
    assert len(shortened) < len(full)
    assert {shortened.chunk_document(r).doc_id for r in range(len(shortened))} == {"a"}
    assert_consistent(shortened)
    _, hits = shortened.keyword.search("institute", 5)
    assert all(h < 0 for h in hits)


def test_changed_embedding_model_forces_a_full_rebuild(tmp_path: Path, models: Models) -> None:
    make_test_builder(tmp_path, models).build(docs(a=LONG))
    assert models.multilingual is not None
    other = IndexBuilder(
        SnapshotRepository(tmp_path),
        models.multilingual,
        SentenceChunker(ChunkerSettings()),
        progress=False,
    )
    snapshot, report = other.build(docs(a=LONG))
    assert report.full_rebuild_reason is not None
    assert "embedding model changed" in report.full_rebuild_reason
    assert report.embedded_chunks == report.chunks
    assert snapshot.manifest.embedding.model_id == models.multilingual.model_id
    assert snapshot.vectors["chunks"].shape[1] == models.multilingual.dim


def test_a_builder_that_owns_its_models_releases_them_after_embedding(
    tmp_path: Path, models: Models
) -> None:
    """What `citeqa index` does: the document models are dropped before the indexes are
    assembled, load again for the next build, and embed as before."""
    main, multilingual = make_embedder(MINILM_ID), make_embedder(E5_ID)
    assert isinstance(main, SentenceTransformerEmbedder)
    assert isinstance(multilingual, E5Embedder)
    owning = IndexBuilder(
        SnapshotRepository(tmp_path / "owning"),
        main,
        SentenceChunker(IndexSettings().chunker),
        multilingual=multilingual,
        progress=False,
        owns_models=True,
    )
    owning.build(docs(a=LONG))
    assert not main.loaded
    assert not multilingual.loaded
    released, report = owning.build(docs(a=LONG, b="The IIOE was launched in 2020."))
    assert report.embedded_chunks == 1
    assert not main.loaded
    assert not multilingual.loaded

    kept, _ = make_test_builder(tmp_path / "kept", models).build(
        docs(a=LONG, b="The IIOE was launched in 2020.")
    )
    for kind, vectors in kept.vectors.items():
        np.testing.assert_allclose(released.vectors[kind], vectors, atol=1e-5, err_msg=kind)
