"""Uploaded documents kept in Milvus Lite: whole records back, older rows gone after a
rewrite, tombstones, records of the earlier key layout, a record being rewritten by another
thread is always found whole, and a Milvus that stopped answering is IndexUnavailableError
within the timeout."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import pytest

from index.milvus.client import connect
from index.milvus.documents import UPLOAD_PART_CHARS, MilvusDocumentStore, _row
from index.milvus.expressions import in_list
from index.milvus.lite import LiteServer
from index.types import Document
from index.unavailable import IndexUnavailableError
from tests.conftest import free_port
from tests.index.backends import backend_settings

LONG = "The Velsa river freezes every January. " * 500  # three parts
DOC = Document("velsa.txt", "Velsa river", "velsa.txt", "en", LONG, {"kind": "notes"})


@pytest.fixture
def store(tmp_path: Path) -> MilvusDocumentStore:
    return MilvusDocumentStore(connect(backend_settings("milvus", tmp_path)), "uploads")


def row_keys(store: MilvusDocumentStore, doc_id: str) -> list[str]:
    rows = store.client.query(
        store.collection, filter=in_list("doc_id", [doc_id]), output_fields=["key"]
    )
    return sorted(str(row["key"]) for row in rows)


def test_a_rewrite_reads_back_whole_and_leaves_only_its_rows(store: MilvusDocumentStore) -> None:
    assert len(LONG) > 2 * UPLOAD_PART_CHARS
    store.put(DOC, LONG.encode(), "velsa.txt")
    got = store.get("velsa.txt")
    assert got is not None
    assert got.to_document() == DOC
    assert len(row_keys(store, "velsa.txt")) == 4

    shorter = Document("velsa.txt", "Velsa river", "velsa.txt", "en", "It freezes in January.")
    store.put(shorter, b"It freezes in January.", "velsa.txt")
    assert store.documents() == [shorter]
    assert len(row_keys(store, "velsa.txt")) == 2

    store.delete("velsa.txt")
    assert store.documents() == []
    assert store.deleted_ids() == {"velsa.txt"}
    assert len(row_keys(store, "velsa.txt")) == 1


def test_a_record_of_the_earlier_key_layout_is_read_and_replaced(
    store: MilvusDocumentStore,
) -> None:
    stem, version = hashlib.sha256(b"velsa.txt").hexdigest(), "0123456789abcdef"
    head = {
        "record": {
            "doc_id": "velsa.txt",
            "updated_at": "2026-11-01T00:00:00+00:00",
            "content": {"title": "Velsa river", "source": "velsa.txt", "lang": "en", "text": ""},
        },
        "version": version,
        "parts": 1,
    }
    store.client.insert(
        store.collection,
        [
            _row(f"{stem}:{version}:1", "velsa.txt", json.dumps({"text": "Old text."})),
            _row(f"{stem}:0", "velsa.txt", json.dumps(head)),
        ],
    )
    old = store.get("velsa.txt")
    assert old is not None
    assert old.content is not None
    assert old.content.text == "Old text."
    store.put(DOC, LONG.encode(), "velsa.txt")
    assert store.documents() == [DOC]
    assert f"{stem}:0" not in row_keys(store, "velsa.txt")
    assert len(row_keys(store, "velsa.txt")) == 4


def test_a_record_being_rewritten_is_always_found_whole(store: MilvusDocumentStore) -> None:
    store.put(DOC, LONG.encode(), "velsa.txt")
    done = threading.Event()

    def rewrite() -> None:
        for n in range(15):
            text = f"{LONG}Rewrite {n}."
            store.put(Document(DOC.doc_id, DOC.title, DOC.source, "en", text), b"x", "velsa.txt")
        done.set()

    writer = threading.Thread(target=rewrite)
    writer.start()
    reads = 0
    while not done.is_set():
        got = store.get("velsa.txt")
        assert got is not None
        assert got.content is not None
        assert got.content.text.startswith(LONG)
        assert [r.doc_id for r in store.records()] == ["velsa.txt"]
        reads += 1
    writer.join()
    assert reads > 0
    final = store.get("velsa.txt")
    assert final is not None
    assert final.content is not None
    assert final.content.text.endswith("Rewrite 14.")


def test_a_milvus_that_stopped_answering_is_unavailable_within_the_timeout(
    tmp_path: Path,
) -> None:
    server = LiteServer(tmp_path / "milvus.db", port=free_port()).start()
    try:
        client = connect(backend_settings("milvus", tmp_path, milvus_uri=server.uri))
        store = MilvusDocumentStore(client, "uploads", timeout=1)
        store.put(DOC, LONG.encode(), "velsa.txt")
        server.stop()
        for call in (
            lambda: store.put(DOC, b"again", "velsa.txt"),
            lambda: store.get("velsa.txt"),
            store.records,
        ):
            started = time.monotonic()
            with pytest.raises(IndexUnavailableError, match="did not answer"):
                call()
            assert time.monotonic() - started < 20
    finally:
        server.stop()
