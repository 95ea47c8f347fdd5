"""Builds a new snapshot from documents, re-embedding only what changed.

A document whose content hash, embedding models and chunker settings are unchanged keeps
its chunks and vectors from the snapshot in service. A changed embedding model or
dimension (read from the manifest) forces a full rebuild, so an index never mixes models.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from tqdm import tqdm

from index.chunking import SentenceChunker, chunk_id
from index.embedders.base import Embedder, Vectors
from index.keyword import BM25Index
from index.manifest import DocumentEntry, EmbeddingInfo, Manifest
from index.repository import SnapshotRepository, new_snapshot_id
from index.snapshot import (
    CHUNK_VECTORS,
    DOC,
    END,
    MULTILINGUAL_SENTENCE_VECTORS,
    SENT_HI,
    SENT_LO,
    SENTENCE_VECTORS,
    START,
    Snapshot,
    SnapshotError,
    stack_rows,
)
from index.stores import FaissStore
from index.types import Document

log = logging.getLogger(__name__)

EMBED_BATCH = 256


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


@dataclass
class _Parts:
    """Tables of one document, with sentence indexes local to the document."""

    sentences: list[tuple[int, int]]
    chunks: list[tuple[int, int, int, int]]  # start, end, sent_lo, sent_hi
    vectors: dict[str, Vectors]


class IndexBuilder:
    """Turns documents into a published snapshot."""

    def __init__(
        self,
        repository: SnapshotRepository,
        embedder: Embedder,
        chunker: SentenceChunker,
        multilingual: Embedder | None = None,
        keep_snapshots: int = 3,
        progress: bool = True,
    ) -> None:
        self.repository = repository
        self.embedder = embedder
        self.chunker = chunker
        self.multilingual = multilingual
        self.keep_snapshots = keep_snapshots
        self.progress = progress

    def build(self, documents: Iterable[Document]) -> tuple[Snapshot, BuildReport]:
        """Build from the complete set of documents and publish; returns the new snapshot."""
        started = time.perf_counter()
        with self.repository.build_lock():
            report = BuildReport()
            previous, previous_ids = self._previous(report)
            docs = _unique_sorted(documents)
            parts = self._parts(docs, previous, previous_ids, report)
            snapshot = self._assemble(docs, parts, report)
            self.repository.publish(snapshot, keep=self.keep_snapshots)
        report.snapshot_id = snapshot.snapshot_id
        report.chunks = len(snapshot)
        report.seconds = time.perf_counter() - started
        return snapshot, report

    def _embedding_info(self) -> tuple[EmbeddingInfo, EmbeddingInfo | None]:
        main = EmbeddingInfo(model_id=self.embedder.model_id, dim=self.embedder.dim)
        extra = (
            EmbeddingInfo(model_id=self.multilingual.model_id, dim=self.multilingual.dim)
            if self.multilingual
            else None
        )
        return main, extra

    def _previous(self, report: BuildReport) -> tuple[Snapshot | None, set[str]]:
        """The snapshot whose vectors may be reused (None: full rebuild), and its doc ids."""
        if self.repository.current_id() is None:
            report.full_rebuild_reason = "no previous snapshot"
            return None, set()
        try:
            previous = self.repository.load_current()
        except SnapshotError as exc:
            report.full_rebuild_reason = f"previous snapshot unusable: {exc}"
            return None, set()
        previous_ids = set(previous.manifest.documents)
        main, extra = self._embedding_info()
        if not previous.manifest.same_embedding(main, extra):
            report.full_rebuild_reason = (
                "embedding model changed: "
                f"{previous.manifest.embedding.model_id} -> {main.model_id}"
            )
        elif previous.manifest.chunker != _chunker_dict(self.chunker):
            report.full_rebuild_reason = "chunker settings changed"
        else:
            return previous, previous_ids
        log.warning("full rebuild: %s", report.full_rebuild_reason)
        return None, previous_ids

    def _parts(
        self,
        docs: Sequence[Document],
        previous: Snapshot | None,
        old_ids: set[str],
        report: BuildReport,
    ) -> list[_Parts]:
        parts: list[_Parts | None] = []
        fresh: list[int] = []
        for i, doc in enumerate(docs):
            entry = previous.manifest.documents.get(doc.doc_id) if previous else None
            if previous is not None and entry and entry.content_hash == doc.content_hash:
                parts.append(_reuse(previous, doc.doc_id))
                report.unchanged += 1
            else:
                parts.append(None)
                fresh.append(i)
                (report.updated if doc.doc_id in old_ids else report.added).append(doc.doc_id)
        report.removed = sorted(old_ids - {doc.doc_id for doc in docs})
        new_parts = self._embed_new([docs[i] for i in fresh])
        for i, part in zip(fresh, new_parts, strict=True):
            parts[i] = part
        report.embedded_chunks = sum(len(part.chunks) for part in new_parts)
        return [p for p in parts if p is not None]

    def _embed_new(self, docs: Sequence[Document]) -> list[_Parts]:
        split = [self.chunker.split(doc.text) for doc in docs]
        chunk_texts: list[str] = []
        sentence_texts: list[str] = []
        for doc, (sentences, ranges) in zip(docs, split, strict=True):
            sentence_texts.extend(doc.text[s.start : s.end] for s in sentences)
            chunk_texts.extend(
                doc.text[sentences[lo].start : sentences[hi - 1].end] for lo, hi in ranges
            )
        vectors = {
            CHUNK_VECTORS: self._embed(self.embedder, chunk_texts, "chunks"),
            SENTENCE_VECTORS: self._embed(self.embedder, sentence_texts, "sentences"),
        }
        if self.multilingual is not None:
            vectors[MULTILINGUAL_SENTENCE_VECTORS] = self._embed(
                self.multilingual, sentence_texts, "sentences (multilingual)"
            )
        chunk_ends = np.cumsum([len(ranges) for _, ranges in split])
        sentence_ends = np.cumsum([len(sentences) for sentences, _ in split])
        result: list[_Parts] = []
        for i, (sentences, ranges) in enumerate(split):
            bounds = {
                CHUNK_VECTORS: (chunk_ends[i] - len(ranges), chunk_ends[i]),
                SENTENCE_VECTORS: (sentence_ends[i] - len(sentences), sentence_ends[i]),
            }
            result.append(
                _Parts(
                    sentences=[(s.start, s.end) for s in sentences],
                    chunks=[
                        (sentences[lo].start, sentences[hi - 1].end, lo, hi) for lo, hi in ranges
                    ],
                    vectors={
                        name: array[slice(*bounds.get(name, bounds[SENTENCE_VECTORS]))]
                        for name, array in vectors.items()
                    },
                )
            )
        return result

    def _embed(self, embedder: Embedder, texts: list[str], what: str) -> Vectors:
        out: list[Vectors] = []
        with tqdm(
            total=len(texts), desc=f"embedding {what}", unit="text", disable=not self.progress
        ) as bar:
            for i in range(0, len(texts), EMBED_BATCH):
                batch = texts[i : i + EMBED_BATCH]
                out.append(embedder.embed_documents(batch))
                bar.update(len(batch))
        return _concat(out, embedder.dim)

    def _assemble(
        self, docs: Sequence[Document], parts: Sequence[_Parts], report: BuildReport
    ) -> Snapshot:
        chunk_rows: list[tuple[int, int, int, int, int]] = []
        sentence_rows: list[tuple[int, int, int]] = []
        chunk_ids: list[str] = []
        entries: dict[str, DocumentEntry] = {}
        for doc_row, (doc, part) in enumerate(zip(docs, parts, strict=True)):
            base = len(sentence_rows)
            sentence_rows.extend((doc_row, start, end) for start, end in part.sentences)
            for i, (start, end, lo, hi) in enumerate(part.chunks):
                chunk_rows.append((doc_row, start, end, base + lo, base + hi))
                chunk_ids.append(chunk_id(doc.doc_id, i))
            entries[doc.doc_id] = DocumentEntry(
                content_hash=doc.content_hash,
                title=doc.title,
                source=doc.source,
                lang=doc.lang,
                chunks=len(part.chunks),
            )
        main, extra = self._embedding_info()
        names = [CHUNK_VECTORS, SENTENCE_VECTORS] + (
            [MULTILINGUAL_SENTENCE_VECTORS] if extra else []
        )
        dims = {CHUNK_VECTORS: main.dim, SENTENCE_VECTORS: main.dim}
        if extra:
            dims[MULTILINGUAL_SENTENCE_VECTORS] = extra.dim
        vectors = {name: _concat([p.vectors[name] for p in parts], dims[name]) for name in names}
        chunks = stack_rows(chunk_rows, 5)
        dense = FaissStore(main.dim)
        dense.add(np.arange(len(chunk_rows), dtype=np.int64), vectors[CHUNK_VECTORS])
        keyword = BM25Index.build(
            [docs[int(r[DOC])].text[int(r[START]) : int(r[END])] for r in chunks]
        )
        manifest = Manifest(
            snapshot_id=new_snapshot_id(),
            created_at=datetime.now(UTC).isoformat(),
            embedding=main,
            multilingual=extra,
            chunker=_chunker_dict(self.chunker),
            documents=entries,
            counts={
                "documents": len(docs),
                "chunks": len(chunk_rows),
                "sentences": len(sentence_rows),
            },
        )
        return Snapshot(
            manifest=manifest,
            documents=list(docs),
            chunk_ids=chunk_ids,
            chunks=chunks,
            sentences=stack_rows(sentence_rows, 3),
            vectors=vectors,
            dense=dense,
            keyword=keyword,
        )


def _reuse(previous: Snapshot, doc_id: str) -> _Parts:
    """A document's tables and vectors from the previous snapshot, made document-local."""
    doc_row = previous._doc_rows[doc_id]
    chunk_mask = previous.chunks[:, DOC] == doc_row
    sentence_mask = previous.sentences[:, DOC] == doc_row
    sentence_base = int(np.argmax(sentence_mask)) if sentence_mask.any() else 0
    rows = previous.chunks[chunk_mask]
    return _Parts(
        sentences=[(int(s), int(e)) for _, s, e in previous.sentences[sentence_mask]],
        chunks=[
            (
                int(r[START]),
                int(r[END]),
                int(r[SENT_LO]) - sentence_base,
                int(r[SENT_HI]) - sentence_base,
            )
            for r in rows
        ],
        vectors={
            name: array[chunk_mask if name == CHUNK_VECTORS else sentence_mask]
            for name, array in previous.vectors.items()
        },
    )


def _unique_sorted(documents: Iterable[Document]) -> list[Document]:
    by_id: dict[str, Document] = {}
    for doc in documents:
        if doc.doc_id in by_id:
            log.warning("duplicate doc_id %s: the later document wins", doc.doc_id)
        by_id[doc.doc_id] = doc
    return [by_id[k] for k in sorted(by_id)]


def _concat(arrays: list[Vectors], dim: int) -> Vectors:
    if not arrays:
        return np.zeros((0, dim), dtype=np.float32)
    return np.ascontiguousarray(np.concatenate(arrays), dtype=np.float32).reshape(-1, dim)


def _chunker_dict(chunker: SentenceChunker) -> dict[str, int]:
    return chunker.settings.as_manifest()
