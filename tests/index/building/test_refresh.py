"""The background refresher: one build at a time, requests coalesced, failures reported."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from index.building.builder import BuildReport, IndexBuilder
from index.building.progress import BuildProgress
from index.building.refresh import Refresher, is_current
from index.settings import IndexSettings
from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import Snapshot
from index.text.chunking import SentenceChunker
from index.types import Document
from qa.models import Models

DOCS = [
    Document("a", "Alpha", "a.txt", "en", "Almaty hosted CASIE 2022. It gathered 60 experts."),
    Document("b", "Beta", "b.txt", "en", "IIOE plans a National Center in Uzbekistan."),
]


class GatedBuilder(IndexBuilder):
    """Builds only when the gate is open, and records how many builds overlap."""

    def __init__(self, root: Path, models: Models) -> None:
        super().__init__(
            SnapshotRepository(root),
            models.embedder,
            SentenceChunker(IndexSettings().chunker),
            multilingual=models.multilingual,
            progress=False,
        )
        self.gate = threading.Event()
        self.started = threading.Event()
        self.builds = 0
        self.running = 0
        self.max_running = 0
        self._lock = threading.Lock()

    def build(
        self,
        documents: Iterable[Document],
        should_stop: Callable[[], bool] | None = None,
        progress: BuildProgress | None = None,
        keep_parts: bool = False,
    ) -> tuple[Snapshot, BuildReport]:
        with self._lock:
            self.builds += 1
            self.running += 1
            self.max_running = max(self.max_running, self.running)
        self.started.set()
        try:
            self.gate.wait(60)
            return super().build(documents, should_stop, progress, keep_parts)
        finally:
            with self._lock:
                self.running -= 1


class Served:
    """Stands in for the pipeline: the snapshot in service, swapped on publish."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.published: list[Snapshot] = []

    def publish(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.published.append(snapshot)


def make_refresher(builder: IndexBuilder, documents: list[Document], served: Served) -> Refresher:
    def collect() -> tuple[Sequence[Document], list[tuple[str, str]]]:
        return list(documents), []

    return Refresher(builder, collect, current=lambda: served.snapshot, publish=served.publish)


def test_requests_during_a_build_are_coalesced_into_one_more(
    tmp_path: Path, models: Models
) -> None:
    builder = GatedBuilder(tmp_path, models)
    builder.gate.set()
    first, _ = builder.build(DOCS[:1])
    builder.gate.clear()
    builder.started.clear()
    builder.builds = 0
    documents = list(DOCS)
    served = Served(first)
    refresher = make_refresher(builder, documents, served)
    refresher.start()
    try:
        refresher.request()
        assert builder.started.wait(30)
        assert refresher.status().state == "running"
        documents.append(Document("c", "Gamma", "c.txt", "en", "A third document."))
        tickets = [refresher.request() for _ in range(5)]
        assert refresher.status().state == "running"
        builder.gate.set()
        assert refresher.wait(tickets[-1], timeout=120)
    finally:
        refresher.stop()
    status = refresher.status()
    assert builder.builds == 2
    assert builder.max_running == 1
    assert status.state == "idle"
    assert status.succeeded == 2
    assert status.failed == 0
    assert [d.doc_id for d in served.snapshot.documents] == ["a", "b", "c"]
    assert status.last is not None
    assert status.last.report.added == ["c"]
    assert status.last.report.embedded_chunks == 1


def test_a_current_index_is_not_rebuilt(tmp_path: Path, models: Models) -> None:
    builder = GatedBuilder(tmp_path, models)
    builder.gate.set()
    snapshot, _ = builder.build(DOCS)
    served = Served(snapshot)
    outcome = make_refresher(builder, list(DOCS), served).refresh()
    assert not outcome.published
    assert outcome.report.snapshot_id == snapshot.snapshot_id
    assert served.published == []
    assert SnapshotRepository(tmp_path).snapshot_ids() == [snapshot.snapshot_id]
    moved = [DOCS[0], Document("b", DOCS[1].title, "moved/b.txt", "en", DOCS[1].text)]
    outcome = make_refresher(builder, moved, served).refresh()
    assert outcome.published
    assert outcome.report.embedded_chunks == 0  # a new source, the same title and text
    assert served.snapshot.documents[1].source == "moved/b.txt"


def test_a_failed_refresh_is_reported_and_the_next_one_runs(tmp_path: Path, models: Models) -> None:
    builder = GatedBuilder(tmp_path, models)
    builder.gate.set()
    snapshot, _ = builder.build(DOCS[:1])
    served = Served(snapshot)
    failures = [OSError("corpus folder unreadable")]

    def collect() -> tuple[Sequence[Document], list[tuple[str, str]]]:
        if failures:
            raise failures.pop()
        return list(DOCS), []

    refresher = Refresher(builder, collect, lambda: served.snapshot, served.publish)
    refresher.start()
    try:
        assert refresher.wait(refresher.request(), timeout=60)
        status = refresher.status()
        assert status.failed == 1
        assert status.last_error == "OSError: corpus folder unreadable"
        assert served.snapshot is snapshot
        assert refresher.wait(refresher.request(), timeout=120)
    finally:
        refresher.stop()
    status = refresher.status()
    assert status.succeeded == 1
    assert status.last_error is None
    assert len(served.snapshot.documents) == 2


def test_changed_main_embedder_forces_a_full_rebuild(tmp_path: Path, models: Models) -> None:
    builder = GatedBuilder(tmp_path, models)
    builder.gate.set()
    snapshot, _ = builder.build(DOCS)
    assert models.multilingual is not None
    other = IndexBuilder(
        SnapshotRepository(tmp_path),
        models.multilingual,
        SentenceChunker(IndexSettings().chunker),
        progress=False,
    )
    assert not is_current(snapshot, DOCS, other)
    served = Served(snapshot)
    outcome = make_refresher(other, list(DOCS), served).refresh()
    report = outcome.report
    assert report.full_rebuild_reason is not None
    assert report.full_rebuild_reason.startswith("embedding model changed")
    assert report.embedded_chunks == report.chunks
    assert served.snapshot.manifest.embedding.model_id == models.multilingual.model_id
    assert served.snapshot.vectors["chunks"].shape[1] == models.multilingual.dim
