"""Builds a new snapshot from a stream of documents, re-embedding only what changed.

Documents are read in windows of bounded size, so memory does not grow with the corpus:
each window is classified against the snapshot in service, its new and changed documents
are chunked and embedded, and the backend writes it out (files for FAISS, rows for
Milvus). A document whose content hash, embedding models and chunker settings are
unchanged keeps its chunks and vectors. A changed embedding model or dimension (read from
the manifest) forces a full rebuild, so an index never mixes models. A run killed midway
resumes where it stopped: what it wrote is not embedded again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Never, Protocol

from tqdm import tqdm

from index.building.encode import EMBED_BATCH, BuildInterruptedError, Encoded, Encoder, StageTimes
from index.building.parts import PartStore
from index.building.progress import BuildProgress, ProgressView
from index.embedders.base import Embedder, ReleasingEmbedder
from index.runtime.memory import return_free_memory
from index.snapshots.backend_protocols import IndexBackend
from index.snapshots.faiss_backend import FaissBackend
from index.snapshots.repository import SnapshotRepository
from index.snapshots.snapshot import Snapshot
from index.text.chunking import SentenceChunker
from index.types import Document

log = logging.getLogger(__name__)

__all__ = ["EMBED_BATCH", "BuildInterruptedError", "BuildReport", "IndexBuilder"]

PARTS_DIR = ".parts"

# A window closes at this many documents or characters, whichever comes first.
WINDOW_DOCS = 256
WINDOW_CHARS = 400_000


class RemoteEncoding(Protocol):
    """Encodes documents elsewhere (index.building.ray_encode: on a Ray cluster), as Encoder
    would."""

    def encode(self, docs: Sequence[Document], progress: BuildProgress | None) -> list[Encoded]: ...


@dataclass
class BuildReport:
    """What a build did, for the command line and the admin API."""

    snapshot_id: str = ""
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    full_rebuild_reason: str | None = None
    seconds: float = 0.0
    # Seconds per stage: split, texts, embed <vector kind>, write (the sink), publish.
    stage_seconds: dict[str, float] = field(default_factory=dict)


class IndexBuilder:
    """Turns documents into a published snapshot."""

    def __init__(
        self,
        repository: SnapshotRepository | IndexBackend,
        embedder: Embedder,
        chunker: SentenceChunker,
        multilingual: Embedder | None = None,
        keep_snapshots: int = 3,
        progress: bool = True,
        parts_dir: Path | None = None,
        remote: RemoteEncoding | None = None,
        owns_models: bool = False,
    ) -> None:
        """`parts_dir` keeps the parts of long documents as they are embedded, so that a
        killed or stopped build resumes inside a document (default: beside the snapshots
        for FAISS; none for other backends unless given). `remote` encodes the documents
        to embed instead of this process (the embedders still name the models).
        `owns_models`: the embedders were loaded for this builder alone, so each build
        releases their document models once every document is embedded, before it
        assembles the indexes; the peak memory of `citeqa index` is then its embedding's
        (docs/indexing.md#memory)."""
        self.repository = repository
        self.backend: IndexBackend = (
            FaissBackend(repository) if isinstance(repository, SnapshotRepository) else repository
        )
        self.embedder = embedder
        self.chunker = chunker
        self.multilingual = multilingual
        self.keep_snapshots = keep_snapshots
        self.progress = progress
        if parts_dir is None and isinstance(repository, SnapshotRepository):
            parts_dir = repository.root / PARTS_DIR
        self.parts = PartStore(parts_dir) if parts_dir is not None else None
        self.remote = remote
        self.owns_models = owns_models

    def build(
        self,
        documents: Iterable[Document],
        should_stop: Callable[[], bool] | None = None,
        progress: BuildProgress | None = None,
        keep_parts: bool = False,
    ) -> tuple[Snapshot, BuildReport]:
        """Build from the complete set of documents and publish; returns the new snapshot."""
        report = self.run(
            documents, should_stop=should_stop, progress=progress, keep_parts=keep_parts
        )
        return self.backend.load_current(), report

    def run(
        self,
        documents: Iterable[Document],
        total: int | None = None,
        should_stop: Callable[[], bool] | None = None,
        progress: BuildProgress | None = None,
        keep_parts: bool = False,
    ) -> BuildReport:
        """Build and publish without loading the result (what `citeqa index` needs).

        A list is sorted by doc_id (a later duplicate wins); any other iterable is streamed
        in its own order (a later duplicate is skipped). `total` sizes the progress bar.
        `should_stop` is asked between parts of the embedding: when it says yes, the build
        raises BuildInterruptedError, keeping what it embedded for the next run. `progress`
        receives the documents and chunks done (one is made if not given). Saved parts of
        long documents are forgotten once published, unless `keep_parts` (a build that left
        some documents for later).
        """
        started = time.perf_counter()
        times = StageTimes()
        encoder = Encoder(self.embedder, self.chunker, self.multilingual, times)
        if isinstance(documents, Sequence):
            documents = _unique_sorted(documents)
            total = len(documents)
        progress = progress or BuildProgress(total)
        report = BuildReport(stage_seconds=times)
        with (
            self.backend.build_lock(),
            tqdm(total=total, desc="indexing", unit="doc", disable=not self.progress) as bar,
        ):
            progress.listen(lambda view: _show(bar, view))
            sink = self.backend.begin(encoder.config, keep=self.keep_snapshots)
            report.full_rebuild_reason = sink.full_rebuild_reason
            if sink.full_rebuild_reason and sink.full_rebuild_reason != "no previous snapshot":
                log.warning("full rebuild: %s", sink.full_rebuild_reason)
            seen: set[str] = set()
            windows = _windows(_unique(documents, seen), sink.resumed_windows())
            for window in windows:
                self._classify(window, sink.previous, report)
                planned = sink.plan(window)
                if self.remote is not None:
                    with times.timed("embed (remote)"):
                        encoded = self.remote.encode(planned, progress)
                else:
                    encoded = encoder.encode(planned, progress, should_stop, self.parts)
                report.embedded_chunks += sum(len(e.chunks) for e in encoded)
                with times.timed("write"):
                    sink.write(window, {d.doc_id: e for d, e in zip(planned, encoded, strict=True)})
                progress.documents_done(len(window))
                if should_stop is not None and should_stop():
                    raise BuildInterruptedError("stopped between two windows")
            report.removed = sorted(set(sink.previous) - seen)
            if self.owns_models:
                del encoder
                self._release_models()
            with times.timed("publish"):
                report.snapshot_id, report.chunks = sink.finish(report.removed)
        if self.parts is not None and not keep_parts:
            self.parts.clear()
        report.seconds = time.perf_counter() - started
        return report

    def _release_models(self) -> None:
        for embedder in (self.embedder, self.multilingual):
            if isinstance(embedder, ReleasingEmbedder):
                embedder.release_document_models()
        return_free_memory()

    @staticmethod
    def _classify(
        window: Sequence[Document], previous: Mapping[str, str], report: BuildReport
    ) -> None:
        for doc in window:
            old = previous.get(doc.doc_id)
            if old is None:
                report.added.append(doc.doc_id)
            elif old == doc.content_hash:
                report.unchanged += 1
            else:
                report.updated.append(doc.doc_id)


def _show(bar: tqdm[Never], view: ProgressView) -> None:
    """The progress bar follows `view`: documents (fractions inside a long one) and chunks."""
    bar.n = view.documents_done
    postfix: dict[str, object] = {"chunks": view.chunks_embedded}
    if view.current_document is not None:
        postfix["part"] = f"{view.current_chunks_done}/{view.current_chunks_total}"
    bar.set_postfix(postfix, refresh=False)
    bar.refresh()


def _unique_sorted(documents: Iterable[Document]) -> list[Document]:
    by_id: dict[str, Document] = {}
    for doc in documents:
        if doc.doc_id in by_id:
            log.warning("duplicate doc_id %s: the later document wins", doc.doc_id)
        by_id[doc.doc_id] = doc
    return [by_id[k] for k in sorted(by_id)]


def _unique(documents: Iterable[Document], seen: set[str]) -> Iterator[Document]:
    for doc in documents:
        if doc.doc_id in seen:
            log.warning("duplicate doc_id %s: the later document is skipped", doc.doc_id)
            continue
        seen.add(doc.doc_id)
        yield doc


def _windows(documents: Iterator[Document], resumed: list[int]) -> Iterator[list[Document]]:
    """Windows of at most WINDOW_DOCS documents or WINDOW_CHARS characters; the first ones
    with exactly the sizes of the windows an interrupted run wrote."""
    for size in resumed:
        window = [doc for _, doc in zip(range(size), documents, strict=False)]
        if window:
            yield window
        if len(window) < size:
            return
    window, chars = [], 0
    for doc in documents:
        window.append(doc)
        chars += len(doc.text)
        if len(window) >= WINDOW_DOCS or chars >= WINDOW_CHARS:
            yield window
            window, chars = [], 0
    if window:
        yield window
