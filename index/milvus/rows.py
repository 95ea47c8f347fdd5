"""Rows of a document in the Milvus collections, keyed by its record hash.

Keys are content-addressed: the same document record always gets the same keys, so an
interrupted build that is run again overwrites (upserts) what it wrote, never doubles it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.building.encode import (
    CHUNK_VECTORS,
    MULTILINGUAL_CHUNK_VECTORS,
    MULTILINGUAL_SENTENCE_VECTORS,
    SENTENCE_VECTORS,
    Encoded,
)
from index.milvus.client import ALIVE, DUMMY_DIM, TEXT_PART_CHARS
from index.types import Document

_ZERO = [0.0] * DUMMY_DIM


def int_key(*parts: object) -> int:
    """A signed 64-bit primary key from `parts`."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def chunk_pk(doc_key: str, ordinal: int) -> int:
    return int_key(doc_key, "chunk", ordinal)


def sentence_pk(doc_key: str, ordinal: int, chunk_ordinal: int) -> int:
    return int_key(doc_key, "sentence", ordinal, chunk_ordinal)


def filter_fields(doc: Document) -> dict[str, Any]:
    """What filters can test, as index.snapshots.snapshot.Snapshot.fields has it."""
    return {**doc.metadata, "doc_id": doc.doc_id, "lang": doc.lang, "title": doc.title}


@dataclass
class DocumentRows:
    """All rows of one document, ready to upsert."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    chunks: list[dict[str, Any]] = field(default_factory=list)
    sentences: list[dict[str, Any]] = field(default_factory=list)


def document_rows(doc: Document, doc_key: str, part: Encoded, born: int) -> DocumentRows:
    """Rows of `doc` from its encoded tables and vectors."""
    rows = DocumentRows()
    fields = filter_fields(doc)
    common = {"doc_key": doc_key, "born": born, "died": ALIVE}
    for ordinal, (start, end, lo, hi) in enumerate(part.chunks):
        pk = chunk_pk(doc_key, ordinal)
        chunk = {
            **common,
            "doc_id": doc.doc_id,
            "pk": pk,
            "ordinal": ordinal,
            "start": start,
            "end": end,
            "sent_lo": lo,
            "spans": [list(part.sentences[s]) for s in range(lo, hi)],
            "fields": fields,
            "vector": _floats(part.vectors[CHUNK_VECTORS][ordinal]),
        }
        if MULTILINGUAL_CHUNK_VECTORS in part.vectors:
            chunk["multilingual"] = _floats(part.vectors[MULTILINGUAL_CHUNK_VECTORS][ordinal])
        rows.chunks.append(chunk)
        for s in range(lo, hi):
            row = {
                **common,
                "pk": sentence_pk(doc_key, s, ordinal),
                "chunk": pk,
                "ordinal": s,
                "fields": fields,
                "main": _floats(part.vectors[SENTENCE_VECTORS][s]),
            }
            if MULTILINGUAL_SENTENCE_VECTORS in part.vectors:
                row["multilingual"] = _floats(part.vectors[MULTILINGUAL_SENTENCE_VECTORS][s])
            rows.sentences.append(row)
    rows.documents = record_rows(doc, doc_key, len(part.chunks), len(part.sentences), born)
    return rows


def record_rows(
    doc: Document, doc_key: str, chunks: int, sentences: int, born: int
) -> list[dict[str, Any]]:
    """The document's record and text, in parts; part 0 (the record) comes last, so that
    its presence means the whole document was written."""
    parts = [doc.text[i : i + TEXT_PART_CHARS] for i in range(0, len(doc.text), TEXT_PART_CHARS)]
    record = {
        "title": doc.title,
        "source": doc.source,
        "lang": doc.lang,
        "metadata": doc.metadata,
        "content_hash": doc.content_hash,
        "chunks": chunks,
        "sentences": sentences,
        "parts": max(len(parts), 1),
    }
    rows = [
        {
            "key": f"{doc_key}:{i}",
            "doc_key": doc_key,
            "doc_id": doc.doc_id,
            "born": born,
            "died": ALIVE,
            "part": i,
            "record": record if i == 0 else {},
            "text": text,
            "v": _ZERO,
        }
        for i, text in enumerate(parts or [""])
    ]
    return rows[1:] + rows[:1]


def _floats(vector: np.ndarray[Any, Any]) -> list[float]:
    return np.asarray(vector, dtype=np.float32).tolist()  # type: ignore[no-any-return]
