"""An immutable, self-contained index snapshot: documents, chunks, sentences, vectors.

On disk a snapshot is a directory of plain files (JSON lines, .npy, a FAISS index and a
BM25 index) plus `manifest.json` with a SHA-256 for each file, checked at load.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.building.encode import (
    CHUNK_VECTORS,
    MULTILINGUAL_CHUNK_VECTORS,
    MULTILINGUAL_SENTENCE_VECTORS,
    SENTENCE_VECTORS,
)
from index.embedders.base import Vectors
from index.snapshots.checksums import file_sha256
from index.snapshots.manifest import MANIFEST_NAME, Manifest
from index.stores import FaissStore, SentenceSearch, VectorStore
from index.stores.filters import FieldIndex
from index.stores.keyword import BM25Index
from index.types import Document
from index.unavailable import IndexUnavailableError

IntTable = npt.NDArray[np.int64]

# Columns of the chunk table.
DOC, START, END, SENT_LO, SENT_HI = range(5)

__all__ = [
    "CHUNK_VECTORS",
    "DOC",
    "END",
    "MULTILINGUAL_CHUNK_VECTORS",
    "MULTILINGUAL_SENTENCE_VECTORS",
    "SENTENCE_VECTORS",
    "SENT_HI",
    "SENT_LO",
    "START",
    "Snapshot",
    "SnapshotError",
    "SnapshotUnavailableError",
    "document_from_record",
    "document_record",
    "read_manifest",
    "record_hash",
    "verify_snapshot",
]


class SnapshotError(RuntimeError):
    """A snapshot directory that is missing, incomplete or damaged."""


class SnapshotUnavailableError(SnapshotError, IndexUnavailableError):
    """The snapshot's store could not give a complete view just now (it was being
    written, or did not answer); asking again shortly can succeed."""


@dataclass
class Snapshot:
    """Everything a query needs, loaded in memory and never modified."""

    manifest: Manifest
    documents: list[Document]
    chunk_ids: list[str]
    chunks: IntTable  # (n_chunks, 5): DOC, START, END, SENT_LO, SENT_HI
    sentences: IntTable  # (n_sentences, 3): DOC, START, END
    vectors: dict[str, Vectors]
    dense: VectorStore
    keyword: BM25Index
    path: Path | None = None
    # Set when an engine holds the sentence vectors (Milvus); `vectors` then fetches rows.
    sentence_search: SentenceSearch | None = None
    _doc_rows: dict[str, int] = field(default_factory=dict, repr=False)
    _terms: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._doc_rows = {doc.doc_id: i for i, doc in enumerate(self.documents)}

    @property
    def snapshot_id(self) -> str:
        return self.manifest.snapshot_id

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def document_row(self, doc_id: str) -> int | None:
        """The row of the document `doc_id` in `documents` (and the DOC columns)."""
        return self._doc_rows.get(doc_id)

    def document(self, doc_id: str) -> Document | None:
        row = self.document_row(doc_id)
        return None if row is None else self.documents[row]

    def chunk_document(self, row: int) -> Document:
        return self.documents[int(self.chunks[row, DOC])]

    def chunk_text(self, row: int) -> str:
        doc_row, start, end = self.chunks[row, :3]
        return self.documents[int(doc_row)].text[int(start) : int(end)]

    def sentence_text(self, sentence_row: int) -> str:
        doc_row, start, end = self.sentences[sentence_row]
        return self.documents[int(doc_row)].text[int(start) : int(end)]

    def sentence_terms(self, rows: Sequence[int]) -> list[frozenset[str]]:
        """The keyword terms of each sentence (tokenized once, then remembered)."""
        missing = [r for r in dict.fromkeys(rows) if r not in self._terms]
        if missing:
            for row, tokens in zip(
                missing,
                self.keyword.tokenize([self.sentence_text(r) for r in missing]),
                strict=True,
            ):
                self._terms[row] = frozenset(tokens)
        return [self._terms[r] for r in rows]

    @cached_property
    def sentence_chunks(self) -> tuple[IntTable, IntTable]:
        """(sentence rows, chunk rows): one pair for each sentence in each chunk holding it."""
        spans = self.chunks[:, SENT_HI] - self.chunks[:, SENT_LO]
        chunk_rows = np.repeat(np.arange(len(self.chunks), dtype=np.int64), spans)
        starts = np.repeat(self.chunks[:, SENT_LO] - np.cumsum(spans) + spans, spans)
        sentence_rows = starts + np.arange(int(spans.sum()), dtype=np.int64)
        return sentence_rows, chunk_rows

    @cached_property
    def fields(self) -> FieldIndex:
        """Filterable fields of each chunk row: doc_id, lang and the document's metadata."""
        return FieldIndex(self._chunk_fields(row) for row in range(len(self)))

    def _chunk_fields(self, row: int) -> dict[str, Any]:
        doc = self.chunk_document(row)
        return {**doc.metadata, "doc_id": doc.doc_id, "lang": doc.lang, "title": doc.title}

    def save(self, path: Path) -> None:
        """Write all files and the manifest (with checksums) into the empty directory `path`."""
        path.mkdir(parents=True, exist_ok=False)
        with (path / "documents.jsonl").open("w", encoding="utf-8") as handle:
            for doc in self.documents:
                handle.write(json.dumps(document_record(doc), ensure_ascii=False) + "\n")
        (path / "chunk_ids.json").write_text(json.dumps(self.chunk_ids), encoding="utf-8")
        np.save(path / "chunks.npy", self.chunks)
        np.save(path / "sentences.npy", self.sentences)
        (path / "vectors").mkdir()
        for name, array in self.vectors.items():
            np.save(path / "vectors" / f"{name}.npy", array)
        self.dense.save(path / "dense.faiss")
        self.keyword.save(path / "bm25")
        files = sorted(p for p in path.rglob("*") if p.is_file())
        self.manifest.files = {p.relative_to(path).as_posix(): file_sha256(p) for p in files}
        (path / MANIFEST_NAME).write_text(self.manifest.model_dump_json(indent=2), "utf-8")

    @classmethod
    def load(cls, path: Path, verify: bool = True) -> Snapshot:
        """Load a snapshot; with `verify`, every file must match its manifest checksum."""
        manifest = read_manifest(path)
        if verify:
            _verify(path, manifest)
        try:
            documents = [
                document_from_record(json.loads(line))
                for line in (path / "documents.jsonl").read_text("utf-8").splitlines()
                if line
            ]
            vectors = {
                p.stem: np.load(p, allow_pickle=False)
                for p in sorted((path / "vectors").glob("*.npy"))
            }
            return cls(
                manifest=manifest,
                documents=documents,
                chunk_ids=json.loads((path / "chunk_ids.json").read_text("utf-8")),
                chunks=np.load(path / "chunks.npy", allow_pickle=False),
                sentences=np.load(path / "sentences.npy", allow_pickle=False),
                vectors=vectors,
                dense=FaissStore.load(path / "dense.faiss"),
                keyword=BM25Index.load(path / "bm25"),
                path=path,
            )
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise SnapshotError(f"{path}: snapshot could not be loaded: {exc}") from exc


def read_manifest(path: Path) -> Manifest:
    try:
        return Manifest.model_validate_json((path / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{path}: manifest missing or unreadable: {exc}") from exc


def verify_snapshot(path: Path) -> Manifest:
    """The manifest of the snapshot folder `path`, once every file matches its checksum."""
    manifest = read_manifest(path)
    _verify(path, manifest)
    return manifest


def _verify(path: Path, manifest: Manifest) -> None:
    if not manifest.files:
        raise SnapshotError(f"{path}: manifest lists no files")
    for name, expected in manifest.files.items():
        file = path / name
        if not file.is_file():
            raise SnapshotError(f"{path}: file {name} is missing")
        if file_sha256(file) != expected:
            raise SnapshotError(f"{path}: file {name} is damaged (checksum mismatch)")


def document_record(doc: Document) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "source": doc.source,
        "lang": doc.lang,
        "metadata": doc.metadata,
        "text": doc.text,
    }


def record_hash(doc: Document) -> str:
    """SHA-256 of everything stored about a document: text, title, source, lang, metadata."""
    data = json.dumps(document_record(doc), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def document_from_record(record: dict[str, Any]) -> Document:
    return Document(
        doc_id=record["doc_id"],
        title=record["title"],
        source=record["source"],
        lang=record["lang"],
        text=record["text"],
        metadata=record.get("metadata") or {},
    )


def empty_table(columns: int) -> IntTable:
    return np.zeros((0, columns), dtype=np.int64)


def stack_rows(rows: Sequence[Sequence[int]], columns: int) -> IntTable:
    return np.asarray(rows, dtype=np.int64).reshape(-1, columns) if rows else empty_table(columns)
