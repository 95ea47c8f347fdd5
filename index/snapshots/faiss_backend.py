"""The FAISS backend's builds: a snapshot folder written window by window, resumable.

A build appends each window of documents to raw files in `snapshots/.tmp-build/` and then
records a checkpoint (documents so far, a hash chain over their records, file sizes). A
run killed midway leaves the folder behind; the next run of the same build (same snapshot
in service, models and chunker) replays the checkpointed windows without embedding them
again, after checking that the documents are the same, and truncates what came after.
At the end the raw files become a snapshot folder (.npy tables, FAISS and BM25 indexes,
manifest with checksums), published by `SnapshotRepository.publish_dir`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from index.building.encode import CHUNK_ROW_VECTORS, CHUNK_VECTORS, Encoded, EncoderConfig, titled
from index.clock import utc_now
from index.snapshots.checksums import file_sha256
from index.snapshots.manifest import MANIFEST_NAME, DocumentEntry, Manifest
from index.snapshots.repository import SnapshotRepository, new_snapshot_id
from index.snapshots.snapshot import (
    DOC,
    END,
    SENT_HI,
    SENT_LO,
    START,
    Snapshot,
    SnapshotError,
    document_from_record,
    document_record,
    read_manifest,
    record_hash,
)
from index.stores import FaissStore
from index.stores.keyword import BM25Index
from index.types import Document

BUILD_DIR = ".tmp-build"
CHECKPOINT = "checkpoint.json"
_BLOCK = 65_536  # chunk vectors added to the FAISS index at a time
_COPY_BYTES = 1 << 20


class FaissBackend:
    """Snapshot folders on local disk (see index.snapshots.repository), built by
    `FaissSink`."""

    def __init__(self, repository: SnapshotRepository) -> None:
        self.repository = repository

    def build_lock(self) -> AbstractContextManager[None]:
        return self.repository.build_lock()

    def current_id(self) -> str | None:
        return self.repository.current_id()

    def load_current(self) -> Snapshot:
        return self.repository.load_current()

    def begin(self, config: EncoderConfig, keep: int) -> FaissSink:
        return FaissSink(self.repository, config, keep)


@dataclass
class _Base:
    """The snapshot in service, opened for reuse: tables in memory, vectors memory-mapped."""

    manifest: Manifest
    doc_rows: dict[str, int]
    chunks: npt.NDArray[np.int64]
    sentences: npt.NDArray[np.int64]
    vectors: dict[str, npt.NDArray[np.float32]]

    @classmethod
    def open(cls, path: Path) -> _Base:
        manifest = read_manifest(path)
        doc_rows: dict[str, int] = {}
        with (path / "documents.jsonl").open(encoding="utf-8") as handle:
            for row, line in enumerate(handle):
                doc_rows[json.loads(line)["doc_id"]] = row
        return cls(
            manifest=manifest,
            doc_rows=doc_rows,
            chunks=np.load(path / "chunks.npy", allow_pickle=False),
            sentences=np.load(path / "sentences.npy", allow_pickle=False),
            vectors={
                p.stem: np.load(p, mmap_mode="r", allow_pickle=False)
                for p in sorted((path / "vectors").glob("*.npy"))
            },
        )

    def encoded(self, doc_id: str) -> Encoded:
        """A document's tables and vectors, made document-local."""
        row = self.doc_rows[doc_id]
        c_lo, c_hi = np.searchsorted(self.chunks[:, DOC], [row, row + 1])
        s_lo, s_hi = np.searchsorted(self.sentences[:, DOC], [row, row + 1])
        chunks = self.chunks[c_lo:c_hi]
        return Encoded(
            sentences=[(int(s), int(e)) for _, s, e in self.sentences[s_lo:s_hi]],
            chunks=[
                (int(r[START]), int(r[END]), int(r[SENT_LO] - s_lo), int(r[SENT_HI] - s_lo))
                for r in chunks
            ],
            vectors={
                name: np.array(array[c_lo:c_hi] if name in CHUNK_ROW_VECTORS else array[s_lo:s_hi])
                for name, array in self.vectors.items()
            },
        )


class FaissSink:
    """One build of a FAISS snapshot (see the module docstring)."""

    def __init__(self, repository: SnapshotRepository, config: EncoderConfig, keep: int) -> None:
        self.repository = repository
        self.config = config
        self.keep = keep
        self._base, base_id, self.full_rebuild_reason, self.previous = _open_base(
            repository, config
        )
        self.dir = repository.snapshots / BUILD_DIR
        self._key = json.dumps(
            {
                "base": base_id,
                "embedding": config.embedding.model_dump(),
                "multilingual": config.multilingual.model_dump() if config.multilingual else None,
                "chunker": config.chunker,
            },
            sort_keys=True,
        )
        self._checkpoints = self._resume()
        self._replaying = bool(self._checkpoints)
        self._skip = False
        self._replayed = 0
        last = self._checkpoints[-1] if self._checkpoints else None
        self._chain = last["chain"] if last else ""
        self._counts = dict(last["counts"]) if last else {"docs": 0, "chunks": 0, "sentences": 0}
        self._files = _RawFiles(self.dir, [*self.config.dims], last["sizes"] if last else None)

    def resumed_windows(self) -> list[int]:
        sizes, done = [], 0
        for checkpoint in self._checkpoints:
            sizes.append(checkpoint["counts"]["docs"] - done)
            done = checkpoint["counts"]["docs"]
        return sizes

    def plan(self, window: Sequence[Document]) -> list[Document]:
        self._skip = self._replaying and self._replay(window)
        if self._skip:
            return []
        return [doc for doc in window if not self._reusable(doc)]

    def write(self, window: Sequence[Document], encoded: Mapping[str, Encoded]) -> None:
        if self._skip:  # written by the interrupted run
            return
        for doc in window:
            part = encoded.get(doc.doc_id)
            if part is None:
                assert self._base is not None
                part = self._base.encoded(doc.doc_id)
            self._append(doc, part)
        self._checkpoint()

    def finish(self, removed: Sequence[str]) -> tuple[str, int]:
        self._files.close()
        snapshot_id = new_snapshot_id()
        out = self.repository.staging_dir(snapshot_id)
        if out.exists():
            shutil.rmtree(out)
        _assemble(self.dir, out, self._manifest(snapshot_id), self.config)
        self.repository.publish_dir(out, snapshot_id, self.keep)
        return snapshot_id, self._counts["chunks"]

    def _reusable(self, doc: Document) -> bool:
        return self._base is not None and self.previous.get(doc.doc_id) == doc.content_hash

    def _replay(self, window: Sequence[Document]) -> bool:
        """True when `window` is the next checkpointed window; else drop what follows."""
        checkpoint = self._checkpoints[self._replayed]
        chain = self._chain_over(
            self._checkpoints[self._replayed - 1]["chain"] if self._replayed else "", window
        )
        if chain == checkpoint["chain"]:
            self._replayed += 1
            self._replaying = self._replayed < len(self._checkpoints)
            return True
        kept = self._checkpoints[: self._replayed]
        self._files.close()
        self._checkpoints = kept
        last = kept[-1] if kept else None
        self._chain = last["chain"] if last else ""
        self._counts = dict(last["counts"]) if last else {"docs": 0, "chunks": 0, "sentences": 0}
        self._files = _RawFiles(self.dir, [*self.config.dims], last["sizes"] if last else None)
        self._replaying = False
        return False

    @staticmethod
    def _chain_over(chain: str, window: Sequence[Document]) -> str:
        for doc in window:
            chain = hashlib.sha256(
                f"{chain}\n{doc.doc_id}\n{record_hash(doc)}".encode()
            ).hexdigest()
        return chain

    def _append(self, doc: Document, part: Encoded) -> None:
        doc_row, base = self._counts["docs"], self._counts["sentences"]
        files = self._files
        files.write_json("documents.jsonl", document_record(doc))
        entry = DocumentEntry(
            content_hash=doc.content_hash,
            title=doc.title,
            source=doc.source,
            lang=doc.lang,
            chunks=len(part.chunks),
        )
        files.write_json("entries.jsonl", {"doc_id": doc.doc_id, **entry.model_dump()})
        files.write_rows(
            "chunks.i64",
            [(doc_row, s, e, base + lo, base + hi) for s, e, lo, hi in part.chunks],
        )
        files.write_rows("sentences.i64", [(doc_row, s, e) for s, e in part.sentences])
        for name, array in part.vectors.items():
            files.write_vectors(name, array)
        self._chain = self._chain_over(self._chain, [doc])
        self._counts["docs"] += 1
        self._counts["chunks"] += len(part.chunks)
        self._counts["sentences"] += len(part.sentences)

    def _checkpoint(self) -> None:
        self._checkpoints.append(
            {"chain": self._chain, "counts": dict(self._counts), "sizes": self._files.sync()}
        )
        data = {"key": self._key, "checkpoints": self._checkpoints}
        tmp = self.dir / f".{CHECKPOINT}.tmp"
        tmp.write_text(json.dumps(data), "utf-8")
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.dir / CHECKPOINT)

    def _resume(self) -> list[dict[str, Any]]:
        """Checkpoints of an interrupted run of this same build; otherwise a clean folder."""
        try:
            data = json.loads((self.dir / CHECKPOINT).read_text("utf-8"))
            if data["key"] == self._key:
                checkpoints: list[dict[str, Any]] = data["checkpoints"]
                return checkpoints
        except (OSError, ValueError, KeyError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
        (self.dir / "vectors").mkdir(parents=True)
        return []

    def _manifest(self, snapshot_id: str) -> Manifest:
        entries: dict[str, DocumentEntry] = {}
        for record in _read_jsonl(self.dir / "entries.jsonl"):
            doc_id = record.pop("doc_id")
            entries[doc_id] = DocumentEntry(**record)
        return Manifest(
            snapshot_id=snapshot_id,
            created_at=utc_now(),
            embedding=self.config.embedding,
            multilingual=self.config.multilingual,
            chunker=self.config.chunker,
            documents=entries,
            counts=dict(self._counts) | {"documents": self._counts["docs"]},
        )


def _open_base(
    repository: SnapshotRepository, config: EncoderConfig
) -> tuple[_Base | None, str | None, str | None, dict[str, str]]:
    """(reusable snapshot, its id, why it is not reusable, doc_id -> content hash)."""
    if repository.current_id() is None:
        return None, None, "no previous snapshot", {}
    try:
        path = repository.current_dir()
        base = _Base.open(path)
    except (SnapshotError, OSError, ValueError, KeyError) as exc:
        return None, None, f"previous snapshot unusable: {exc}", {}
    manifest = base.manifest
    if not manifest.same_embedding(config.embedding, config.multilingual):
        reason = (
            f"embedding model changed: {manifest.embedding.model_id} -> {config.embedding.model_id}"
        )
    elif manifest.chunker != config.chunker:
        reason = "chunking or index layout changed"
    else:
        hashes = {doc_id: e.content_hash for doc_id, e in manifest.documents.items()}
        return base, path.name, None, hashes
    # Nothing is reused; documents it held count as updated, not added.
    return None, path.name, reason, {doc_id: "" for doc_id in manifest.documents}


class _RawFiles:
    """Append-only raw files of a build; `sync` makes them durable and returns their sizes."""

    def __init__(self, root: Path, vector_names: list[str], sizes: dict[str, int] | None) -> None:
        self.root = root
        names = ["documents.jsonl", "entries.jsonl", "chunks.i64", "sentences.i64"]
        names += [f"vectors/{name}.f32" for name in vector_names]
        self._handles: dict[str, BinaryIO] = {}
        for name in names:
            path = root / name
            path.touch()
            if sizes is not None:
                os.truncate(path, sizes.get(name, 0))
            self._handles[name] = path.open("ab")

    def write_json(self, name: str, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        self._handles[name].write(line.encode("utf-8"))

    def write_rows(self, name: str, rows: list[tuple[int, ...]]) -> None:
        if rows:
            self._handles[name].write(np.asarray(rows, dtype="<i8").tobytes())

    def write_vectors(self, name: str, array: npt.NDArray[np.float32]) -> None:
        self._handles[f"vectors/{name}.f32"].write(np.asarray(array, dtype="<f4").tobytes())

    def sync(self) -> dict[str, int]:
        sizes = {}
        for name, handle in self._handles.items():
            handle.flush()
            os.fsync(handle.fileno())
            sizes[name] = handle.tell()
        return sizes

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()


def _assemble(raw: Path, out: Path, manifest: Manifest, config: EncoderConfig) -> None:
    """Turn the raw files of a build into a snapshot folder, without loading them whole."""
    (out / "vectors").mkdir(parents=True)
    shutil.copyfile(raw / "documents.jsonl", out / "documents.jsonl")
    chunks = _raw_to_npy(raw / "chunks.i64", out / "chunks.npy", "<i8", 5)
    sentences = _raw_to_npy(raw / "sentences.i64", out / "sentences.npy", "<i8", 3)
    for name, dim in config.dims.items():
        _raw_to_npy(raw / "vectors" / f"{name}.f32", out / "vectors" / f"{name}.npy", "<f4", dim)
    texts: list[str] = []
    with (out / "chunk_ids.json").open("w", encoding="utf-8") as ids:
        ids.write("[")
        first = True
        for doc_row, record in enumerate(_read_jsonl(raw / "documents.jsonl")):
            doc = document_from_record(record)
            lo, hi = np.searchsorted(chunks[:, DOC], [doc_row, doc_row + 1])
            for i, row in enumerate(chunks[lo:hi]):
                texts.append(titled(doc, doc.text[int(row[START]) : int(row[END])]))
                ids.write(("" if first else ",") + json.dumps(f"{doc.doc_id}#{i}"))
                first = False
        ids.write("]")
    dense = FaissStore(config.embedding.dim)
    at = 0
    for block in _npy_blocks(out / "vectors" / f"{CHUNK_VECTORS}.npy", _BLOCK):
        dense.add(np.arange(at, at + len(block), dtype=np.int64), block)
        at += len(block)
    dense.save(out / "dense.faiss")
    BM25Index.build(texts).save(out / "bm25")
    del texts
    manifest.counts = {
        "documents": len(manifest.documents),
        "chunks": len(chunks),
        "sentences": len(sentences),
    }
    files = sorted(p for p in out.rglob("*") if p.is_file())
    manifest.files = {p.relative_to(out).as_posix(): file_sha256(p) for p in files}
    (out / MANIFEST_NAME).write_text(manifest.model_dump_json(indent=2), "utf-8")


def _raw_to_npy(raw: Path, npy: Path, dtype: str, columns: int) -> npt.NDArray[Any]:
    """Copy a raw row-major file into an .npy file; returns the result, mapped. The bytes
    are copied by file reads and writes, not through a memory map, so they never count in
    the process's resident memory (a 10x SQuAD build's sentence vectors are 300 MB)."""
    rows = raw.stat().st_size // (np.dtype(dtype).itemsize * columns)
    header = {"descr": dtype, "fortran_order": False, "shape": (rows, columns)}
    remaining = rows * np.dtype(dtype).itemsize * columns  # whole rows only
    with raw.open("rb") as source, npy.open("wb") as target:
        np.lib.format.write_array_header_1_0(target, header)
        while remaining > 0:
            block = source.read(min(_COPY_BYTES, remaining))
            if not block:
                raise OSError(f"{raw} ended early")
            target.write(block)
            remaining -= len(block)
    if rows == 0:
        empty: npt.NDArray[Any] = np.load(npy, allow_pickle=False)
        return empty
    mapped: npt.NDArray[Any] = np.load(npy, mmap_mode="r", allow_pickle=False)
    return mapped


def _npy_blocks(npy: Path, rows: int) -> Iterator[npt.NDArray[Any]]:
    """The rows of an .npy file, `rows` at a time, read from the file (not mapped)."""
    with npy.open("rb") as handle:
        if np.lib.format.read_magic(handle) == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
        if fortran or len(shape) != 2:
            raise ValueError(f"{npy} is not a row-major matrix")
        for at in range(0, shape[0], rows):
            count = min(rows, shape[0] - at)
            yield np.fromfile(handle, dtype=dtype, count=count * shape[1]).reshape(count, -1)


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record: dict[str, Any] = json.loads(line)
                yield record
