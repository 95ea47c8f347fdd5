"""Incremental builds, no orphans, the model guard and resumed builds, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index.building.encode import titled
from index.snapshots.snapshot import DOC, END, START, Snapshot
from index.stores.filters import parse_filters
from index.types import Document
from qa.models import Models
from tests.index.backends import backend, backend_builder, backend_settings

LONG = " ".join(f"Fact number {i} about the symposium in Almaty is recorded." for i in range(40))


def docs(**texts: str) -> list[Document]:
    return [
        Document(k, k.title(), f"{k}.txt", "en", v, {"n": i})
        for i, (k, v) in enumerate(texts.items())
    ]


def assert_no_orphans(snapshot: Snapshot) -> None:
    """Every chunk quotes a live document; counts agree with the manifest and the stores."""
    assert len(snapshot) == len(snapshot.dense) == len(snapshot.keyword)
    assert len(snapshot.vectors["chunks"]) == len(snapshot)
    assert len(snapshot.vectors["sentences"]) == len(snapshot.sentences)
    if snapshot.manifest.multilingual is not None:
        assert len(snapshot.vectors["chunks_multilingual"]) == len(snapshot)
        assert len(snapshot.vectors["sentences_multilingual"]) == len(snapshot.sentences)
    per_doc: dict[str, int] = {}
    for row in range(len(snapshot)):
        document = snapshot.documents[int(snapshot.chunks[row, DOC])]
        start, end = int(snapshot.chunks[row, START]), int(snapshot.chunks[row, END])
        assert 0 <= start < end <= len(document.text)
        assert snapshot.chunk_ids[row].startswith(document.doc_id + "#")
        per_doc[document.doc_id] = per_doc.get(document.doc_id, 0) + 1
    assert per_doc == {k: e.chunks for k, e in snapshot.manifest.documents.items()}
    # Every chunk is reachable by dense search, and nothing else is.
    query = np.asarray(snapshot.vectors["chunks"][0 : len(snapshot)]).mean(axis=0, keepdims=True)
    _, ids = snapshot.dense.search(query, len(snapshot) + 5)
    assert sorted(int(i) for i in ids[0] if i >= 0) == list(range(len(snapshot)))


@backend
def test_updates_and_deletes_leave_no_orphans(kind: str, tmp_path: Path, models: Models) -> None:
    builder = backend_builder(backend_settings(kind, tmp_path), models)
    first, report = builder.build(docs(a=LONG, b="IIOE is an institute."))
    assert report.embedded_chunks == report.chunks == len(first)
    assert_no_orphans(first)
    second, report = builder.build(docs(a=LONG[:200], c="The Velsa river freezes in January."))
    assert (report.added, report.updated, report.removed) == (["c"], ["a"], ["b"])
    assert report.embedded_chunks == len(second) == report.chunks
    assert [d.doc_id for d in second.documents] == ["a", "c"]
    assert_no_orphans(second)
    assert not any("institute" in second.chunk_text(r) for r in range(len(second)))
    assert all(h < 0 for h in second.keyword.search("institute", 5)[1])
    # Same texts, new metadata: nothing is embedded, filters see the new values.
    renumbered = [Document("a", "A", "a.txt", "en", LONG[:200], {"n": 7}), second.documents[1]]
    third, report = builder.build(renumbered)
    assert report.embedded_chunks == 0
    assert report.unchanged == 2
    assert_no_orphans(third)
    allowed = third.fields.allowed_rows(parse_filters({"n": 7}))
    query = models.embedder.embed_queries(["symposium in Almaty"])
    _, ids = third.dense.search(query, 5, allowed)
    assert {third.chunk_document(int(i)).doc_id for i in ids[0] if i >= 0} == {"a"}
    # A new title is embedded again: chunk retrieval reads it.
    retitled = [Document("a", "Alpha", "a.txt", "en", LONG[:200], {"n": 7}), second.documents[1]]
    fourth, report = builder.build(retitled)
    assert report.updated == ["a"]
    assert report.unchanged == 1
    assert fourth.documents[0].title == "Alpha"
    assert_no_orphans(fourth)
    # Reused documents keep each chunk's own multilingual vector, not a sentence's.
    assert models.multilingual is not None
    texts = [
        titled(fourth.chunk_document(row), fourth.chunk_text(row)) for row in range(len(fourth))
    ]
    expected = models.multilingual.embed_documents(texts)
    stored = np.asarray(fourth.vectors["chunks_multilingual"][0 : len(fourth)])
    # equal up to the document precision: a bfloat16 vector moves a little with its batch
    assert float((stored * expected).sum(axis=1).min()) > 0.999


@backend
def test_changed_embedding_model_forces_a_full_rebuild(
    kind: str, tmp_path: Path, models: Models
) -> None:
    settings = backend_settings(kind, tmp_path)
    backend_builder(settings, models).build(docs(a=LONG))
    assert models.multilingual is not None
    other = backend_builder(settings, models, embedder=models.multilingual)
    snapshot, report = other.build(docs(a=LONG))
    assert report.full_rebuild_reason is not None
    assert report.full_rebuild_reason.startswith("embedding model changed")
    assert report.updated == ["a"]
    assert report.embedded_chunks == report.chunks
    assert snapshot.manifest.embedding.model_id == models.multilingual.model_id
    assert snapshot.vectors["chunks"][0:1].shape == (1, models.multilingual.dim)
    assert_no_orphans(snapshot)


class CrashError(RuntimeError):
    pass


def crashing(documents: list[Document], after: int) -> Iterator[Document]:
    """The documents as a stream that breaks off after `after` of them, like a killed run."""
    for i, doc in enumerate(documents):
        if i == after:
            raise CrashError
        yield doc


@backend
def test_an_interrupted_build_resumes_without_embedding_again(
    kind: str, tmp_path: Path, models: Models, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("index.building.builder.WINDOW_DOCS", 4)
    builder = backend_builder(backend_settings(kind, tmp_path), models)
    corpus = [
        Document(
            f"d{i:02d}",
            f"D{i}",
            f"d{i}.txt",
            "en",
            f"Report {i} says the bridge {i} is {i + 10} metres long.",
        )
        for i in range(20)
    ]
    builder.build(corpus[:2])
    with pytest.raises(CrashError):
        builder.run(crashing(corpus, after=11))
    report = builder.run(iter(corpus))
    assert report.added == [d.doc_id for d in corpus[2:]]
    assert report.unchanged == 2
    # The first two windows (8 documents, 2 of them unchanged) were written before the crash.
    assert report.embedded_chunks == 20 - 8
    snapshot = builder.backend.load_current()
    assert [d.doc_id for d in snapshot.documents] == [d.doc_id for d in corpus]
    assert_no_orphans(snapshot)
    # An interrupted run whose documents then change does not leak its rows.
    changed = [*corpus[:5], Document("d05", "D5", "d5.txt", "en", "The bridge 5 was rebuilt.")]
    with pytest.raises(CrashError):
        builder.run(crashing([*changed, *corpus[6:]], after=9))
    snapshot, report = builder.build(corpus[:5])
    assert report.removed == [d.doc_id for d in corpus[5:]]
    assert [d.doc_id for d in snapshot.documents] == [d.doc_id for d in corpus[:5]]
    assert_no_orphans(snapshot)
