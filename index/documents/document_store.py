"""Documents uploaded through the admin API, kept under the index directory.

Layout::

    <index_dir>/documents/<key>/meta.json           the record (replaced atomically)
    <index_dir>/documents/<key>/<sha256><suffix>    the original file, named by content

`<key>` is the doc_id when that is a safe file name, else "~" and the id's SHA-256, so
an id is never followed as a path. Deleting leaves a tombstone record, so a corpus file
with the same id stays out of the index across restarts until that id is uploaded again.
Every write goes to a temporary file, is fsynced, then renamed into place: a crash leaves
either the old record or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any, Protocol
from uuid import uuid4

from pydantic import BaseModel, Field, ValidationError

from index.clock import utc_now
from index.fsync import fsync_dir
from index.types import Document

log = logging.getLogger(__name__)

META = "meta.json"
_SAFE_KEY = re.compile(r"[a-z0-9_][a-z0-9._-]{0,199}")
_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")


class StoredFile(BaseModel):
    """The original upload: its safe base name, size, SHA-256 and blob name on disk."""

    name: str
    size: int
    sha256: str
    blob: str


class StoredText(BaseModel):
    """The parsed document, exactly as it is indexed and quoted."""

    title: str
    source: str
    lang: str
    text: str
    metadata: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, document: Document) -> StoredText:
        """What of `document` is stored: all but its id."""
        return cls(
            title=document.title,
            source=document.source,
            lang=document.lang,
            text=document.text,
            metadata=document.metadata,
        )


class StoredDocument(BaseModel):
    """One record: an uploaded document, or a tombstone (`deleted`, no file, no text)."""

    doc_id: str
    updated_at: str
    deleted: bool = False
    file: StoredFile | None = None
    content: StoredText | None = None

    def to_document(self) -> Document:
        if self.content is None:
            raise ValueError(f"{self.doc_id} is deleted")
        c = self.content
        return Document(self.doc_id, c.title, c.source, c.lang, c.text, dict(c.metadata))

    @property
    def content_hash(self) -> str:
        """The indexed document's content hash (title and text), or "" once deleted."""
        return self.to_document().content_hash if self.content else ""


class DocumentRecords(Protocol):
    """Managed documents: uploads and tombstones (see DocumentStore)."""

    def put(self, document: Document, original: bytes, filename: str) -> StoredDocument: ...

    def delete(self, doc_id: str) -> None: ...

    def get(self, doc_id: str) -> StoredDocument | None: ...

    def records(self) -> list[StoredDocument]: ...

    def documents(self) -> list[Document]: ...

    def deleted_ids(self) -> set[str]: ...


class DocumentStore:
    """Managed documents of one index directory (one writing process at a time)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    @classmethod
    def for_index(cls, index_dir: Path) -> DocumentStore:
        return cls(index_dir / "documents")

    def put(self, document: Document, original: bytes, filename: str) -> StoredDocument:
        """Keep `document` and its original bytes; replaces an earlier one with its id."""
        sha = hashlib.sha256(original).hexdigest()
        suffix = Path(filename).suffix.lower()
        blob = sha + (suffix if _SAFE_SUFFIX.fullmatch(suffix) else "")
        record = StoredDocument(
            doc_id=document.doc_id,
            updated_at=utc_now(),
            file=StoredFile(name=filename, size=len(original), sha256=sha, blob=blob),
            content=StoredText.of(document),
        )
        with self._lock:
            folder = self._folder(document.doc_id)
            folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(folder / blob, original)
            _write_atomic(folder / META, record.model_dump_json(indent=2).encode("utf-8"))
            _remove_all_but(folder, {META, blob})
        return record

    def delete(self, doc_id: str) -> None:
        """Leave a tombstone for `doc_id` and drop its original file."""
        record = StoredDocument(doc_id=doc_id, updated_at=utc_now(), deleted=True)
        with self._lock:
            folder = self._folder(doc_id)
            folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(folder / META, record.model_dump_json(indent=2).encode("utf-8"))
            _remove_all_but(folder, {META})

    def get(self, doc_id: str) -> StoredDocument | None:
        """The record of `doc_id`, tombstones included; None when there is none."""
        with self._lock:
            return _read(self._folder(doc_id) / META, doc_id)

    def records(self) -> list[StoredDocument]:
        """Every readable record, tombstones included, sorted by doc_id."""
        with self._lock:
            if not self.root.is_dir():
                return []
            found = (
                _read(folder / META)
                for folder in self.root.iterdir()
                if folder.is_dir() and not folder.name.startswith(".")
            )
            return sorted((r for r in found if r is not None), key=lambda r: r.doc_id)

    def documents(self) -> list[Document]:
        return [r.to_document() for r in self.records() if not r.deleted]

    def deleted_ids(self) -> set[str]:
        return {r.doc_id for r in self.records() if r.deleted}

    def _folder(self, doc_id: str) -> Path:
        if _SAFE_KEY.fullmatch(doc_id):
            return self.root / doc_id
        return self.root / ("~" + hashlib.sha256(doc_id.encode("utf-8")).hexdigest())


def _read(path: Path, doc_id: str | None = None) -> StoredDocument | None:
    try:
        record = StoredDocument.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError) as exc:
        log.error("managed document record %s is unreadable, ignored: %s", path, exc)
        return None
    if doc_id is not None and record.doc_id != doc_id:
        log.error("managed document record %s belongs to %s", path, record.doc_id)
        return None
    return record


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".tmp-{uuid4().hex}")
    try:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)


def _remove_all_but(folder: Path, keep: set[str]) -> None:
    """Drop replaced originals and leftovers of interrupted writes."""
    for path in folder.iterdir():
        if path.name not in keep and path.is_file():
            path.unlink(missing_ok=True)
