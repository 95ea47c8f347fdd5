"""A long document is embedded in parts: its progress shows, it can be stopped, and a build
killed or stopped inside it resumes after the last part it finished."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import index.building.refresh
from index.building.builder import PARTS_DIR, IndexBuilder
from index.building.encode import PART_CHUNKS, BuildInterruptedError
from index.building.progress import BuildProgress, ProgressView
from index.building.refresh import Refresher
from index.embedders.base import Embedder, SpanEmbedder, Vectors
from index.snapshots.repository import SnapshotRepository
from index.text.chunking import ChunkerSettings, SentenceChunker
from index.types import Document
from tests.index.building.test_refresh import Served

# Chunks of one short sentence each: PART_CHUNKS + 40 chunks, so two parts, cheaply.
SENTENCES = [f"Station {i} reported {i % 7} storms in week {i % 52}." for i in range(168)]
LONG = Document("long", "Weather log", "long.txt", "en", " ".join(SENTENCES))
SHORT = Document("short", "Note", "short.txt", "en", "Almaty hosted CASIE 2022.")
CHUNKER = SentenceChunker(ChunkerSettings(size=60, overlap=0))


class CountingEmbedder:
    """The real embedder, counting the texts it embeds; optionally pausing on a call."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.texts = 0
        self.calls = 0
        self.pause_on_call: int | None = None
        self.paused = threading.Event()
        self.resume = threading.Event()

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        self._count(texts)
        return self.inner.embed_documents(texts)

    @property
    def pools_spans(self) -> bool:
        return isinstance(self.inner, SpanEmbedder) and self.inner.pools_spans

    def embed_documents_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[Vectors, list[Vectors]]:
        """The chunks' pass, which also gives their sentences' vectors."""
        assert isinstance(self.inner, SpanEmbedder)
        self._count(texts)
        return self.inner.embed_documents_with_spans(texts, spans)

    def _count(self, texts: Sequence[str]) -> None:
        self.calls += 1
        if self.calls == self.pause_on_call:
            self.paused.set()
            assert self.resume.wait(60)
        self.texts += len(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_queries(texts)

    def prepare_queries(self) -> None:
        self.inner.prepare_queries()


def builder(root: Path, embedder: Embedder) -> IndexBuilder:
    return IndexBuilder(SnapshotRepository(root), embedder, CHUNKER, progress=False)


def test_the_long_document_has_two_parts() -> None:
    _, ranges = CHUNKER.split(LONG.text)
    assert PART_CHUNKS < len(ranges) <= 2 * PART_CHUNKS


def test_progress_counts_the_parts_of_a_long_document(tmp_path: Path, embedder: Embedder) -> None:
    progress = BuildProgress(total=2)
    views: list[ProgressView] = []
    progress.listen(views.append)
    builder(tmp_path, embedder).build([LONG, SHORT], progress=progress)
    _, ranges = CHUNKER.split(LONG.text)
    inside = [v for v in views if v.current_document == "long"]
    assert [(v.current_chunks_done, v.current_chunks_total) for v in inside] == [
        (PART_CHUNKS, len(ranges)),
        (len(ranges), len(ranges)),
    ]
    assert 0 < inside[0].documents_done < 1
    assert inside[0].eta_s is not None
    assert views[-1].documents_done == 2
    assert views[-1].chunks_embedded == len(ranges) + 1


def test_a_stopped_build_resumes_after_its_last_part(tmp_path: Path, embedder: Embedder) -> None:
    counting = CountingEmbedder(embedder)
    parts_done = 0

    def stop_after_first_part() -> bool:
        nonlocal parts_done
        parts_done += 1
        return parts_done == 1

    with pytest.raises(BuildInterruptedError):
        builder(tmp_path / "a", counting).build([LONG], should_stop=stop_after_first_part)
    assert len(list((tmp_path / "a" / PARTS_DIR).glob("*.npz"))) == 1
    first = counting.texts
    counting.texts = 0
    resumed, _ = builder(tmp_path / "a", counting).build([LONG])
    # Only the second part is embedded again: its chunks (their sentences are read in them).
    _, ranges = CHUNKER.split(LONG.text)
    assert counting.texts == len(ranges) - PART_CHUNKS
    assert first + counting.texts == len(ranges)
    assert not (tmp_path / "a" / PARTS_DIR).exists()  # forgotten once published
    fresh, _ = builder(tmp_path / "b", embedder).build([LONG])
    for name, vectors in fresh.vectors.items():
        np.testing.assert_allclose(resumed.vectors[name], vectors, atol=1e-5)
    assert resumed.chunks.tolist() == fresh.chunks.tolist()


def test_a_deletion_is_published_while_a_long_document_is_embedded(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index.building.refresh, "STOP_AFTER_S", 0.0)
    monkeypatch.setattr(index.building.refresh, "QUICK_CHARS", len(LONG.text) // 2)
    counting = CountingEmbedder(embedder)
    other = Document("other", "Other", "other.txt", "en", "IIOE plans a National Center.")
    build = builder(tmp_path, counting)
    served = Served(build.build([SHORT, other])[0])
    documents = [SHORT, other, LONG]
    refresher = Refresher(
        build, lambda: (list(documents), []), lambda: served.snapshot, served.publish
    )
    counting.texts = 0
    counting.pause_on_call = counting.calls + 1  # the long document's first part
    refresher.start()
    try:
        refresher.request()
        assert counting.paused.wait(60)
        running = refresher.status()
        assert running.state == "running"
        assert running.progress is not None
        assert running.progress.documents_total == 3
        documents.remove(other)
        ticket = refresher.request()
        counting.resume.set()
        assert refresher.wait(ticket, timeout=300)
    finally:
        refresher.stop()
    # First the deletion, without the long document; then the long document.
    assert [[d.doc_id for d in s.documents] for s in served.published] == [
        ["short"],
        ["long", "short"],
    ]
    status = refresher.status()
    assert status.interrupted == 1
    assert status.failed == 0
    assert status.progress is None
    # What the stopped build embedded was not embedded again.
    _, ranges = CHUNKER.split(LONG.text)
    assert counting.texts == len(ranges)
