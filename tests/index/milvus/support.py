"""Rows taken out of a Milvus collection and put back, as a build's upsert does to readers
of the version in service (Milvus Lite deletes the old rows, then inserts the new ones)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from index.milvus.backend import MilvusBackend
from index.snapshots.backends import open_backend
from index.snapshots.snapshot import Snapshot
from qa.models import Models
from tests.index.backends import SMALL_DOCUMENTS, backend_builder, backend_settings


def milvus_index(root: Path, models: Models) -> tuple[MilvusBackend, Snapshot]:
    """SMALL_DOCUMENTS indexed in a Milvus Lite database under `root`; its backend and
    snapshot."""
    settings = backend_settings("milvus", root)
    snapshot, _ = backend_builder(settings, models).build(SMALL_DOCUMENTS)
    backend = open_backend(settings)
    assert isinstance(backend, MilvusBackend)
    return backend, snapshot


def take_rows(client: Any, collection: str, expression: str) -> list[dict[str, Any]]:
    """Delete the rows matching `expression` from `collection`; return them."""
    rows: list[dict[str, Any]] = client.query(collection, filter=expression, output_fields=["*"])
    assert rows, f"no rows of {collection} match {expression}"
    client.delete(collection, filter=expression)
    return rows


def put_back_later(
    client: Any, collection: str, rows: list[dict[str, Any]], seconds: float
) -> threading.Timer:
    """Insert `rows` into `collection` again after `seconds`, from another thread."""
    timer = threading.Timer(seconds, client.insert, args=(collection, rows))
    timer.start()
    return timer


def generation(backend: MilvusBackend) -> str:
    """The generation of the version in service (its collections' infix)."""
    current = backend.current()
    assert current is not None
    return str(current["gen"])
