"""Documents uploaded through the admin API, kept in Milvus so every replica sees them.

One row per record part in the collection PREFIX_uploads: the record (StoredDocument
without its text) and the parsed text in parts. The original file's name, size and SHA-256
are kept; its bytes are not (the parsed text is what is indexed and quoted). A deletion
leaves a tombstone record, as in index.documents.document_store.

A write adds the new record's rows under new keys and only then deletes the old ones, so a
reader always finds a whole record: the old, the new, or both for a moment (the newer wins).
Rewriting rows in place would not do: Milvus Lite applies an upsert as a delete then an
insert, and a reader in between would find no record at all.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from index.clock import utc_now
from index.documents.document_store import StoredDocument, StoredFile, StoredText
from index.milvus.client import DUMMY_DIM, BoundedClient, answering, ensure_key_value
from index.milvus.expressions import in_list
from index.types import Document
from index.unavailable import IndexUnavailableError

UPLOAD_PART_CHARS = 8_000  # JSON-escaped, still under VARCHAR's 65,535 bytes


class MilvusDocumentStore:
    """Managed documents shared by every process connected to one Milvus."""

    def __init__(self, client: Any, collection: str, timeout: int = 5) -> None:
        ensure_key_value(client, collection)
        self.client = BoundedClient(client, timeout, IndexUnavailableError)
        self.collection = collection

    def put(self, document: Document, original: bytes, filename: str) -> StoredDocument:
        sha = hashlib.sha256(original).hexdigest()
        record = StoredDocument(
            doc_id=document.doc_id,
            updated_at=utc_now(),
            file=StoredFile(name=filename, size=len(original), sha256=sha, blob=""),
            content=StoredText.of(document),
        )
        self._write(record)
        return record

    def delete(self, doc_id: str) -> None:
        record = StoredDocument(doc_id=doc_id, updated_at=utc_now(), deleted=True)
        self._write(record)

    def get(self, doc_id: str) -> StoredDocument | None:
        rows = self.client.query(
            self.collection, filter=in_list("doc_id", [doc_id]), output_fields=["key", "value"]
        )
        records = _assemble(rows)
        return records[0] if records else None

    def records(self) -> list[StoredDocument]:
        rows: list[dict[str, Any]] = []
        with answering("query_iterator", self.client.error):
            iterator = self.client.query_iterator(
                self.collection, batch_size=1000, filter="", output_fields=["key", "value"]
            )
            while batch := iterator.next():
                rows.extend(batch)
            iterator.close()
        return sorted(_assemble(rows), key=lambda r: r.doc_id)

    def documents(self) -> list[Document]:
        return [r.to_document() for r in self.records() if not r.deleted]

    def deleted_ids(self) -> set[str]:
        return {r.doc_id for r in self.records() if r.deleted}

    def _write(self, record: StoredDocument) -> None:
        """Text parts first, then the record (part 0), which names how many parts count;
        then the rows of earlier records are deleted."""
        text = record.content.text if record.content else ""
        parts = [text[i : i + UPLOAD_PART_CHARS] for i in range(0, len(text), UPLOAD_PART_CHARS)]
        head = record.model_copy(
            update={"content": record.content.model_copy(update={"text": ""})}
            if record.content
            else {}
        )
        key = _key(record.doc_id)
        version = hashlib.sha256(record.model_dump_json().encode("utf-8")).hexdigest()[:16]
        rows = [
            _row(
                f"{key}:{version}:{i + 1}",
                record.doc_id,
                json.dumps({"text": part}, ensure_ascii=False),
            )
            for i, part in enumerate(parts)
        ]
        rows.append(
            _row(
                f"{key}:{version}:0",
                record.doc_id,
                json.dumps(
                    {
                        "record": head.model_dump(mode="json"),
                        "version": version,
                        "parts": len(parts),
                    }
                ),
            )
        )
        for at in range(0, len(rows), 64):
            self.client.upsert(self.collection, rows[at : at + 64])
        self._delete_older(record, version)

    def _delete_older(self, record: StoredDocument, version: str) -> None:
        """Delete the rows of the document's records older than `record` (of `version`);
        a newer one, written meanwhile by another process, stays."""
        keys = [
            str(row["key"])
            for row in self.client.query(
                self.collection, filter=in_list("doc_id", [record.doc_id]), output_fields=["key"]
            )
        ]
        heads = [key for key in keys if key.endswith(":0") and _version(key) != version]
        if not heads:
            return
        older = set()
        for row in self.client.query(self.collection, ids=heads, output_fields=["key", "value"]):
            value = json.loads(row["value"])
            if _order(value["record"]["updated_at"], value["version"]) < _order(
                record.updated_at, version
            ):
                older |= {row["key"], value["version"]}
        stale = [key for key in keys if key in older or _version(key) in older]
        if stale:
            self.client.delete(self.collection, ids=stale)


def _assemble(rows: list[dict[str, Any]]) -> list[StoredDocument]:
    """The newest whole record of each document; records with parts missing are left out.

    A record's part 0 is keyed `HASH:VERSION:0` (`HASH:0` in stores written before writes
    stopped rewriting rows in place); its text parts `HASH:VERSION:N`.
    """
    by_key = {row["key"]: json.loads(row["value"]) for row in rows}
    newest: dict[str, tuple[tuple[datetime, str], StoredDocument]] = {}
    for key, value in by_key.items():
        if not key.endswith(":0"):
            continue
        stem = key.split(":", 1)[0]
        parts = [by_key.get(f"{stem}:{value['version']}:{i + 1}") for i in range(value["parts"])]
        if any(part is None for part in parts):
            continue
        record = StoredDocument.model_validate(value["record"])
        if record.content is not None:
            text = "".join(part["text"] for part in parts if part is not None)
            record.content = record.content.model_copy(update={"text": text})
        ordered = _order(record.updated_at, value["version"])
        if record.doc_id not in newest or ordered > newest[record.doc_id][0]:
            newest[record.doc_id] = (ordered, record)
    return [record for _, record in newest.values()]


def _order(updated_at: str, version: str) -> tuple[datetime, str]:
    """Records of one document sort by when they were written, then by version."""
    return datetime.fromisoformat(updated_at), version


def _version(key: str) -> str | None:
    """The record version in a row key `HASH:VERSION:N` (None for a `HASH:0` key)."""
    parts = key.split(":")
    return parts[1] if len(parts) == 3 else None


def _key(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()


def _row(key: str, doc_id: str, value: str) -> dict[str, Any]:
    return {"key": key, "doc_id": doc_id, "value": value, "v": [0.0] * DUMMY_DIM}
